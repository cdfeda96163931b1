package io.raftlog.samples.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The verdict on the logs once the faults are healed and the nodes stopped: every node's committed log, read with
 * {@code replay} from its data directory, against the acknowledgements the clients received.
 * <ul>
 *   <li>lost: an acknowledged entry that is not at its acknowledged index on a majority of the nodes;</li>
 *   <li>duplicated: an entry that appears at two indices of some node's log;</li>
 *   <li>divergent: an index at which two nodes' committed logs hold different entries.</li>
 * </ul>
 */
final class LogCheck
{
    final long acknowledged;
    final long lost;
    final long duplicated;
    final long divergent;
    final List<String> examples = new ArrayList<>();
    final long[] committed;

    private LogCheck(final long acknowledged, final long lost, final long duplicated, final long divergent,
        final long[] committed)
    {
        this.acknowledged = acknowledged;
        this.lost = lost;
        this.duplicated = duplicated;
        this.divergent = divergent;
        this.committed = committed;
    }

    static LogCheck run(final NodeProcesses nodes, final Map<String, Long> acks, final Path directory)
    {
        final List<Map<Long, String>> logs = new ArrayList<>();
        for (int id = 1; id <= nodes.size(); id++)
        {
            logs.add(replay(nodes.dataDirectory(id), directory.resolve("replay-" + id + ".txt")));
        }
        return judge(logs, acks);
    }

    /**
     * @param logs each node's committed log: index to {@code <term> <text>}.
     * @param acks each acknowledged entry's text to the index it was acknowledged at.
     */
    static LogCheck judge(final List<Map<Long, String>> logs, final Map<String, Long> acks)
    {
        final int n = logs.size();
        final long[] committed = new long[n + 1];
        for (int id = 1; id <= n; id++)
        {
            committed[id] = logs.get(id - 1).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        }

        long duplicated = 0;
        final List<String> examples = new ArrayList<>();
        for (int id = 1; id <= n; id++)
        {
            final Map<String, Long> seen = new HashMap<>();
            for (final Map.Entry<Long, String> entry : logs.get(id - 1).entrySet())
            {
                final String payload = textOf(entry.getValue());
                if (payload.startsWith("[") || !payload.contains("-"))
                {
                    continue; // markers: no-ops, configurations, sessions
                }
                final Long before = seen.put(payload, entry.getKey());
                if (before != null)
                {
                    duplicated++;
                    note(examples, "node " + id + " holds " + payload + " at " + before + " and " + entry.getKey());
                }
            }
        }

        long divergent = 0;
        final Map<Long, String> reference = new HashMap<>();
        for (int id = 1; id <= n; id++)
        {
            for (final Map.Entry<Long, String> entry : logs.get(id - 1).entrySet())
            {
                final String before = reference.putIfAbsent(entry.getKey(), entry.getValue());
                if (before != null && !before.equals(entry.getValue()))
                {
                    divergent++;
                    note(examples, "index " + entry.getKey() + ": '" + before + "' and, on node " + id + ", '" +
                        entry.getValue() + "'");
                }
            }
        }

        long lost = 0;
        final int majority = n / 2 + 1;
        for (final Map.Entry<String, Long> ack : acks.entrySet())
        {
            int holders = 0;
            for (final Map<Long, String> log : logs)
            {
                final String entry = log.get(ack.getValue());
                if (entry != null && ack.getKey().equals(textOf(entry)))
                {
                    holders++;
                }
            }
            if (holders < majority)
            {
                lost++;
                note(examples, ack.getKey() + " acknowledged at " + ack.getValue() + " is on " + holders + " of " + n);
            }
        }
        final LogCheck check = new LogCheck(acks.size(), lost, duplicated, divergent, committed);
        check.examples.addAll(examples);
        return check;
    }

    /**
     * @return the entry's text without the padding {@code append} adds.
     */
    static String entryText(final String payload)
    {
        int end = payload.length();
        while (end > 0 && payload.charAt(end - 1) == '.')
        {
            end--;
        }
        return payload.substring(0, end);
    }

    /**
     * @return the text of a log line's {@code <term> <text>}.
     */
    private static String textOf(final String termAndText)
    {
        return termAndText.substring(termAndText.indexOf(' ') + 1);
    }

    private static void note(final List<String> examples, final String example)
    {
        if (examples.size() < 10)
        {
            examples.add(example);
        }
    }

    /**
     * @return index to {@code <term> <text>} (padding stripped; markers as printed) of the node's committed log.
     */
    private static Map<Long, String> replay(final Path dataDirectory, final Path output)
    {
        final List<String> command = new ArrayList<>(NodeProcesses.javaCommand());
        command.addAll(List.of("replay", "--dir", dataDirectory.toString(), "--from", "1"));
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(output.resolveSibling(output.getFileName() + ".err")
                    .toFile()))
                .start();
            if (!process.waitFor(120, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("replay of " + dataDirectory + " did not finish in 120 s");
            }
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException("replay of " + dataDirectory + " exited " + process.exitValue() + ": " +
                    NodeProcesses.read(output.resolveSibling(output.getFileName() + ".err")));
            }
            final Map<Long, String> log = new HashMap<>();
            for (final String line : java.nio.file.Files.readAllLines(output, StandardCharsets.US_ASCII))
            {
                final int first = line.indexOf(' ');
                if (first <= 0 || line.indexOf(' ', first + 1) <= 0)
                {
                    continue; // an empty payload: nothing to check
                }
                log.put(Long.parseLong(line.substring(0, first)), entryText(line.substring(first + 1)));
            }
            return log;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("replay of " + dataDirectory + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}

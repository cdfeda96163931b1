package io.raftlog.samples;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.SessionEntry;
import io.raftlog.storage.CommittedLogReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code java -jar raftlog.jar replay --follow --aeron-dir ... --member 1} as a process of its own beside a live
 * cluster of three {@code node} processes that generate load ({@code --generate}): the replay follows member 1's
 * commit-index counter in member 1's media driver; member 1 is stopped (SIGTERM) and started again mid-run, which
 * the replay notices (it goes on to the commit index member 1 recorded, then to its new counter); the nodes stop;
 * the replay catches up with the commit index member 1 recorded at its stop and is stopped with SIGTERM. Its output
 * must then be exactly member 1's committed log, one line per entry from index 1, in order, no gap, no duplicate,
 * each line as the entry in the member's files says, and the same entries as the other members' committed logs.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarReplayTest
{
    /** Every member generates until the log reaches this index, slowly enough that member 1 stops mid-run. */
    private static final long TARGET_INDEX = 60_000;
    private static final long GENERATE_RATE = 5_000;
    private static final Pattern COMMIT = Pattern.compile("^status id=\\d+ .*commit=(\\d+) ");

    @TempDir
    Path tempDir;

    private Path jar;
    private String members;
    private final Proc[] nodes = new Proc[4];
    private final Path[] aeronDirectories = new Path[4];
    private Process replay;

    @BeforeEach
    void jar() throws IOException
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
        members = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort() + ",2=127.0.0.1:" + NodeCommandTest.freeUdpPort() +
            ",3=127.0.0.1:" + NodeCommandTest.freeUdpPort();
        for (int id = 1; id <= 3; id++)
        {
            aeronDirectories[id] = Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" :
                System.getProperty("java.io.tmpdir"), "raftlog-replay-test-" + UUID.randomUUID() + "-" + id);
        }
    }

    @AfterEach
    void stopEverything() throws Exception
    {
        if (replay != null)
        {
            replay.destroyForcibly();
            replay.waitFor(30, TimeUnit.SECONDS);
        }
        for (final Proc node : nodes)
        {
            if (node != null)
            {
                node.process.destroyForcibly();
                node.process.waitFor(30, TimeUnit.SECONDS);
            }
        }
        for (final Path directory : aeronDirectories)
        {
            deleteRecursively(directory); // a killed embedded driver leaves its directory behind
        }
    }

    @Test
    @Timeout(240)
    void aReplayProcessFollowingALiveMemberPrintsExactlyItsCommittedLogInOrderWithoutGapsOrDuplicates()
        throws Exception
    {
        for (int id = 1; id <= 3; id++)
        {
            nodes[id] = startNode(id);
        }
        awaitUntil(30, "member 1 has opened its data directory", () -> nodes[1].output().contains("node 1: peers on"));
        final Path replayOut = tempDir.resolve("replay.out");
        final Path replayErr = tempDir.resolve("replay.err");
        replay = startReplay(replayOut, replayErr);

        // 1. the replay follows member 1 live
        awaitUntil(60, "commit >= 10,000 on all three", () -> minCommit() >= 10_000);
        awaitUntil(60, "the replay printing as member 1 commits", () -> countLines(replayOut) >= 5_000);

        // 2. member 1 stops cleanly: the replay goes on to the commit index member 1 recorded, and no further
        stop(nodes[1]);
        final long recordedAtStop = CommittedLogReader.recordedCommitIndex(memberDirectory(1).resolve("meta"));
        // usually mid-run (printed below); on a very slow machine perhaps after the load: every check still holds
        awaitUntil(30, "the replay at member 1's recorded commit index " + recordedAtStop,
            () -> countLines(replayOut) >= recordedAtStop);
        awaitUntil(30, "the replay notes that member 1 stopped",
            () -> read(replayErr).contains("member 1's commit-index counter is gone"));

        // 3. member 1 starts again from its files; the replay follows its new counter; everyone reaches the target
        nodes[1] = startNode(1);
        awaitUntil(120, "every member at the same commit index >= " + TARGET_INDEX, () ->
        {
            final long min = minCommit();
            return min >= TARGET_INDEX && min == maxCommit();
        });
        awaitUntil(60, "the replay at " + TARGET_INDEX, () -> countLines(replayOut) >= TARGET_INDEX);

        // 4. the nodes stop; the replay catches up with member 1's final commit index, and is stopped
        for (int id = 1; id <= 3; id++)
        {
            assertTrue(nodes[id].process.toHandle().destroy(), "SIGTERM to node " + id);
        }
        for (int id = 1; id <= 3; id++)
        {
            assertTrue(nodes[id].process.waitFor(30, TimeUnit.SECONDS), "node " + id + " stopped");
            assertEquals(143, nodes[id].process.exitValue(), nodes[id].output());
        }
        final long[] finalCommit = new long[4];
        for (int id = 1; id <= 3; id++)
        {
            finalCommit[id] = CommittedLogReader.recordedCommitIndex(memberDirectory(id).resolve("meta"));
        }
        awaitUntil(30, "the replay at member 1's final commit index " + finalCommit[1],
            () -> countLines(replayOut) >= finalCommit[1]);
        Thread.sleep(300); // time to print anything beyond it, which would be wrong
        assertTrue(replay.toHandle().destroy(), "SIGTERM to the replay");
        assertTrue(replay.waitFor(30, TimeUnit.SECONDS), "the replay stopped on SIGTERM");
        assertEquals(143, replay.exitValue(), "exit status of a JVM ended by SIGTERM: " + read(replayErr));
        final String notes = read(replayErr);
        assertTrue(notes.contains("replay: following member 1's commit-index counter in " + aeronDirectories[1]),
            notes);
        assertTrue(notes.lines().filter(line -> line.startsWith("replay: following member 1's")).count() >= 2,
            "followed the restarted member's new counter: " + notes);
        assertTrue(!notes.contains("Exception"), notes);

        // 5. the output is member 1's committed log, exactly; and the others' logs agree
        final String output = read(replayOut);
        assertTrue(output.endsWith("\n"), "whole lines only");
        final List<String> lines = output.lines().toList();
        assertEquals(finalCommit[1], lines.size(), "one line per committed entry of member 1, nothing more");
        final List<String> expected = committedLog(1);
        assertEquals(finalCommit[1], expected.size());
        long applications = 0;
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            assertTrue(line.startsWith((i + 1) + " "), "index " + (i + 1) + ", in order, once: " + line);
            assertEquals(expected.get(i), line, "line " + (i + 1) + " as member 1's files hold the entry");
            final String[] fields = line.split(" ", 3);
            if (fields[2].startsWith("gen-"))
            {
                assertEquals("gen-" + fields[0], fields[2].trim(), "the generated entry of its index");
                applications++;
            }
            else
            {
                assertEquals("[noop]", fields[2], line);
            }
        }
        for (int id = 2; id <= 3; id++)
        {
            final List<String> other = committedLog(id);
            final int common = (int)Math.min(other.size(), lines.size());
            assertTrue(common >= TARGET_INDEX, "member " + id + " committed " + other.size());
            assertEquals(other.subList(0, common), lines.subList(0, common), "member " + id + "'s committed log");
        }
        System.out.printf("replay beside a live cluster: %,d lines (%,d generated entries), member 1 stopped at " +
            "commit %,d and restarted, final commits %,d %,d %,d%n", lines.size(), applications, recordedAtStop,
            finalCommit[1], finalCommit[2], finalCommit[3]);
    }

    // ------------------------------------------------------------------------------------------------- processes

    private Proc startNode(final int id) throws IOException
    {
        final List<String> arguments = new ArrayList<>(List.of(
            "node", "--id", Integer.toString(id), "--members", members,
            "--dir", memberDirectory(id).toString(), "--durability", "page-cache",
            "--aeron-dir", aeronDirectories[id].toString(),
            "--generate", Long.toString(TARGET_INDEX), "--generate-rate", Long.toString(GENERATE_RATE),
            "--status-interval-ms", "200"));
        if (MemberStorage.inspect(memberDirectory(id)) == MemberStorage.State.EMPTY)
        {
            arguments.add("--bootstrap"); // a founding member's first start
        }
        return new Proc(start(arguments, null, null));
    }

    private Process startReplay(final Path out, final Path err) throws IOException
    {
        return start(List.of("replay", "--dir", memberDirectory(1).toString(), "--follow",
            "--aeron-dir", aeronDirectories[1].toString(), "--member", "1"), out, err);
    }

    private Process start(final List<String> arguments, final Path out, final Path err) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(arguments);
        final ProcessBuilder builder = new ProcessBuilder(command);
        if (out == null)
        {
            builder.redirectErrorStream(true);
        }
        else
        {
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        }
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        return builder.start();
    }

    private Path memberDirectory(final int id)
    {
        return tempDir.resolve("node-" + id);
    }

    private void stop(final Proc node) throws InterruptedException
    {
        assertTrue(node.process.toHandle().destroy(), "SIGTERM sent");
        assertTrue(node.process.waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
        assertEquals(143, node.process.exitValue(), node.output());
    }

    private long minCommit()
    {
        long min = Long.MAX_VALUE;
        for (int id = 1; id <= 3; id++)
        {
            min = Math.min(min, nodes[id] == null ? -1 : nodes[id].commit);
        }
        return min;
    }

    private long maxCommit()
    {
        long max = -1;
        for (int id = 1; id <= 3; id++)
        {
            max = Math.max(max, nodes[id] == null ? -1 : nodes[id].commit);
        }
        return max;
    }

    private void awaitUntil(final long seconds, final String what, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                final StringBuilder outputs = new StringBuilder();
                for (int id = 1; id <= 3; id++)
                {
                    if (nodes[id] != null)
                    {
                        final String[] lines = nodes[id].output().split("\n");
                        outputs.append("--- node ").append(id).append(", last lines:\n").append(String.join("\n",
                            List.of(lines).subList(Math.max(0, lines.length - 10), lines.length))).append('\n');
                    }
                }
                throw new AssertionError("no " + what + " within " + seconds + " s; the replay printed " +
                    countLines(tempDir.resolve("replay.out")) + " lines, and wrote:\n" +
                    read(tempDir.resolve("replay.err")) + outputs);
            }
            Thread.sleep(100);
        }
    }

    // ------------------------------------------------------------------------------------------------- the logs

    /**
     * A member's committed log from its files, up to the commit index it recorded, each entry as the line the
     * replay's help says it prints: written here from the entry's type and bytes, independently of the command.
     */
    private List<String> committedLog(final int id)
    {
        final List<String> lines = new ArrayList<>();
        final Path directory = memberDirectory(id);
        try (CommittedLogReader reader = CommittedLogReader.openWithRecordedCommitIndex(
            directory.resolve("log"), directory.resolve("meta")))
        {
            final CommittedLogReader.EntryHandler handler = (index, term, timestamp, type, buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                lines.add(index + " " + term + " " + render(type, bytes));
            };
            while (reader.poll(handler, 4096) > 0 || !reader.isCaughtUp())
            {
                // to the recorded commit index
            }
        }
        return lines;
    }

    private static String render(final int type, final byte[] payload)
    {
        if (type == EntryType.NOOP.value())
        {
            return "[noop]";
        }
        if (type == EntryType.CONFIGURATION.value())
        {
            return "[configuration]";
        }
        if (type == EntryType.SESSION_OPEN.value())
        {
            return "[session-open]";
        }
        if (type == EntryType.SESSION_CLOSE.value())
        {
            return "[session-close " + java.nio.ByteBuffer.wrap(payload).order(SessionEntry.ORDER).getLong() + "]";
        }
        final int from = type == EntryType.SESSION_APPEND.value() ? SessionEntry.APPEND_HEADER_LENGTH : 0;
        final String text = new String(payload, from, payload.length - from, StandardCharsets.ISO_8859_1);
        if (text.chars().allMatch(c -> c >= 0x20 && c <= 0x7e) && !text.startsWith("[") && !text.startsWith("0x"))
        {
            return text;
        }
        final StringBuilder hex = new StringBuilder("0x");
        for (int i = from; i < payload.length; i++)
        {
            hex.append(String.format("%02x", payload[i] & 0xFF));
        }
        return hex.toString();
    }

    private static long countLines(final Path file)
    {
        try
        {
            if (!Files.exists(file))
            {
                return 0;
            }
            final byte[] bytes = Files.readAllBytes(file);
            long lines = 0;
            for (final byte b : bytes)
            {
                if (b == '\n')
                {
                    lines++;
                }
            }
            return lines;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void deleteRecursively(final Path directory) throws IOException
    {
        if (directory == null || !Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path ->
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }

    /**
     * A node process, its output read by a thread of its own, which keeps the commit index of the latest status line.
     */
    static final class Proc
    {
        final Process process;
        private final StringBuilder output = new StringBuilder();
        volatile long commit = -1;

        Proc(final Process process)
        {
            this.process = process;
            final Thread reader = new Thread(this::read, "node-output");
            reader.setDaemon(true);
            reader.start();
        }

        String output()
        {
            synchronized (output)
            {
                return output.toString();
            }
        }

        private void read()
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    final Matcher matcher = COMMIT.matcher(line);
                    if (matcher.find())
                    {
                        commit = Long.parseLong(matcher.group(1));
                    }
                    synchronized (output)
                    {
                        output.append(line).append('\n');
                    }
                }
            }
            catch (final IOException ex)
            {
                synchronized (output)
                {
                    output.append("(output unreadable: ").append(ex).append(")\n");
                }
            }
        }
    }
}

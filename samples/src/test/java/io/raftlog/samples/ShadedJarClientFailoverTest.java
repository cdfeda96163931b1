package io.raftlog.samples;

import io.raftlog.samples.JarProcesses.Command;
import io.raftlog.samples.JarProcesses.Node;
import io.raftlog.samples.JarProcesses.Result;
import io.raftlog.samples.JarProcesses.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The remote client across a leader's crash, all from {@code raftlog.jar} as separate processes on loopback: three
 * {@code node}s; {@code append --count 5000 --size 64} in another process; the leader (found with {@code status})
 * killed with SIGKILL while the append runs, and restarted. The append must exit 0 with every entry acknowledged
 * once, and every node's committed log ({@code replay --dir}) must hold every acknowledged entry exactly once, at
 * the index it was acknowledged at, and no entry twice: the client resends what the dead leader did not acknowledge,
 * and the replicated session table keeps a resent entry that was already appended from being appended again.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarClientFailoverTest
{
    private static final int COUNT = 5000;
    private static final int SIZE = 64;
    private static final String PREFIX = "fo-";
    /** Slow enough (about 10 s in all) that the kill lands mid-run, after the status that finds the leader. */
    private static final int RATE = 500;
    private static final int ACKED_BEFORE_KILL = 300;

    @TempDir
    Path tempDir;

    private JarProcesses processes;
    private String members;
    private final Node[] nodes = new Node[4];

    @BeforeEach
    void jar() throws IOException
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        final Path jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
        processes = new JarProcesses(jar, tempDir);
        members = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort() + ",2=127.0.0.1:" + NodeCommandTest.freeUdpPort() +
            ",3=127.0.0.1:" + NodeCommandTest.freeUdpPort();
    }

    @AfterEach
    void stopEverything() throws Exception
    {
        if (processes != null)
        {
            processes.close();
        }
    }

    @Test
    @Timeout(240)
    void appendSurvivesAKilledLeaderAndEveryEntryIsInEveryLogOnceAtItsAcknowledgedIndex() throws Exception
    {
        final long startNs = System.nanoTime();
        for (int id = 1; id <= 3; id++)
        {
            nodes[id] = processes.startNode(id, members);
        }
        JarProcesses.awaitLeaderOutput(nodes, 60);
        processes.awaitLeader(members, 60);
        final long electedMs = millisSince(startNs);

        // 1. the append, in its own process
        final Path acks = tempDir.resolve("acks.txt");
        final long appendStartNs = System.nanoTime();
        final Command append = processes.startCommand("append", "--members", members, "--count",
            Integer.toString(COUNT), "--size", Integer.toString(SIZE), "--prefix", PREFIX, "--rate",
            Integer.toString(RATE), "--acks", acks.toString(), "--timeout-ms", "20000");
        awaitUntil(60, ACKED_BEFORE_KILL + " acknowledgements", append,
            () -> lineCount(acks) >= ACKED_BEFORE_KILL || !append.process.isAlive());
        assertTrue(append.process.isAlive(), () -> "the append still runs after " + ACKED_BEFORE_KILL +
            " acknowledgements:\n" + JarProcesses.read(append.out) + JarProcesses.read(append.err) + nodeOutputs());

        // 2. kill -9 the leader that status names, while the append runs
        final Status leader = processes.awaitLeader(members, 30);
        final int killedId = leader.id();
        final long ackedAtKill = lineCount(acks);
        assertTrue(append.process.isAlive(), "the append still runs when the leader is killed (" + ackedAtKill +
            " acknowledged)");
        nodes[killedId].kill();
        assertEquals(137, nodes[killedId].process.exitValue(), "exit status of a JVM ended by SIGKILL");
        final long killNs = System.nanoTime();

        // 3. the append goes on with a new leader; then the killed node restarts from its files
        awaitUntil(60, "acknowledgements after the kill", append,
            () -> lineCount(acks) > ackedAtKill + 100 || !append.process.isAlive());
        final long resumedMs = millisSince(killNs);
        nodes[killedId] = processes.startNode(killedId, members);

        // 4. the append ends: every entry acknowledged once
        final Result result = append.await(120);
        final long appendMs = millisSince(appendStartNs);
        assertEquals(0, result.exitCode(), result + nodeOutputs());
        assertTrue(result.out().contains("append: 5,000 entries of 64 bytes acknowledged"), result.toString());
        final Map<Long, Long> indexBySeq = new TreeMap<>();
        final Map<Long, Long> seqByIndex = new HashMap<>();
        final List<String> lines = Files.readAllLines(acks, StandardCharsets.US_ASCII);
        assertEquals(COUNT, lines.size(), "acknowledgement lines");
        long maxIndex = 0;
        for (final String line : lines)
        {
            final String[] parts = line.split(" ");
            assertEquals(2, parts.length, line);
            assertTrue(parts[1].startsWith(PREFIX), line);
            final long index = Long.parseLong(parts[0]);
            final long seq = Long.parseLong(parts[1].substring(PREFIX.length()));
            assertTrue(seq >= 1 && seq <= COUNT, line);
            assertNull(indexBySeq.put(seq, index), "entry " + seq + " acknowledged twice");
            assertNull(seqByIndex.put(index, seq), "index " + index + " acknowledged for two entries");
            maxIndex = Math.max(maxIndex, index);
        }
        assertEquals(COUNT, indexBySeq.size());

        // 5. all three at the same commit index, past the last acknowledged one; then a clean stop, which records it
        final long lastAcked = maxIndex;
        final long[] commit = new long[1];
        awaitUntil(60, "all three nodes at one commit index >= " + lastAcked, null, () ->
        {
            final List<Status> statuses = processes.uncheckedStatus(members);
            if (statuses.size() != 3)
            {
                return false;
            }
            commit[0] = statuses.get(0).commit();
            return commit[0] >= lastAcked && statuses.stream().allMatch(s -> s.commit() == commit[0]);
        });
        for (int id = 1; id <= 3; id++)
        {
            nodes[id].stop();
        }

        // 6. each node's committed log, from its files: every acknowledged entry exactly once at its index
        String first = null;
        for (int id = 1; id <= 3; id++)
        {
            final Result replay = processes.run(60, "replay", "--dir", tempDir.resolve("node-" + id).toString());
            assertEquals(0, replay.exitCode(), replay.toString());
            assertNull(checkLog(replay.out(), indexBySeq, commit[0]), "node " + id + "'s committed log");
            if (first == null)
            {
                first = replay.out();
            }
            else
            {
                assertEquals(first, replay.out(), "node " + id + "'s committed log is node 1's");
            }
        }

        System.out.printf("client failover across processes: leader elected in %d ms; append of %,d entries " +
            "(%d bytes, %d/s) in %d ms; kill -9 of leader %d (term %d) at %,d acknowledged, acknowledgements again " +
            "after %d ms; %,d entries committed on all three, each acknowledged entry once at its index; %d ms in " +
            "all%n%s",
            electedMs, COUNT, SIZE, RATE, appendMs, killedId, leader.term(), ackedAtKill, resumedMs, commit[0],
            millisSince(startNs), result.out());
    }

    /**
     * @return null when the replay's lines are indices 1 to {@code commit}, each once, every acknowledged entry at
     * its acknowledged index and no client entry twice or unacknowledged; else the first thing wrong.
     */
    private static String checkLog(final String replay, final Map<Long, Long> indexBySeq, final long commit)
    {
        final String padding = ".".repeat(SIZE);
        final Map<String, Long> indexByPayload = new HashMap<>();
        long expectedIndex = 1;
        for (final String line : replay.split("\n"))
        {
            final String[] parts = line.split(" ", 3);
            if (parts.length != 3)
            {
                return "not <index> <term> <payload>: '" + line + "'";
            }
            final long index = Long.parseLong(parts[0]);
            if (index != expectedIndex)
            {
                return "index " + index + " where " + expectedIndex + " was expected";
            }
            expectedIndex++;
            final String payload = parts[2];
            if (payload.startsWith("["))
            {
                continue; // no-op, session open or close, configuration
            }
            final Long earlier = indexByPayload.put(payload, index);
            if (earlier != null)
            {
                return "'" + payload + "' at index " + earlier + " and again at " + index;
            }
            if (payload.length() != SIZE || !payload.startsWith(PREFIX))
            {
                return "index " + index + ": '" + payload + "' is no entry of the append";
            }
            final String text = payload.substring(0, payload.indexOf('.') < 0 ? SIZE : payload.indexOf('.'));
            if (!payload.equals(text + padding.substring(text.length())))
            {
                return "index " + index + ": '" + payload + "' is not padded with '.'";
            }
            final long seq = Long.parseLong(text.substring(PREFIX.length()));
            final Long acked = indexBySeq.get(seq);
            if (acked == null || acked != index)
            {
                return "entry " + seq + " at index " + index + ", acknowledged at " + acked;
            }
        }
        if (expectedIndex - 1 != commit)
        {
            return "the log ends at index " + (expectedIndex - 1) + ", the commit index is " + commit;
        }
        if (indexByPayload.size() != indexBySeq.size())
        {
            return indexByPayload.size() + " client entries in the log, " + indexBySeq.size() + " acknowledged";
        }
        return null;
    }

    private void awaitUntil(
        final long seconds, final String what, final Command command, final java.util.function.BooleanSupplier until)
        throws InterruptedException
    {
        try
        {
            JarProcesses.awaitUntil(seconds, what, until);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + (command == null ? "" : "\n--- " + command.command +
                ":\n" + JarProcesses.read(command.out) + JarProcesses.read(command.err)) + nodeOutputs(), ex);
        }
    }

    private String nodeOutputs()
    {
        final StringBuilder all = new StringBuilder();
        for (int id = 1; id <= 3; id++)
        {
            if (nodes[id] != null)
            {
                all.append("\n--- node ").append(id).append(nodes[id].process.isAlive() ? " (running):\n" :
                    " (exited):\n").append(nodes[id].output());
            }
        }
        return all.toString();
    }

    private static long lineCount(final Path file)
    {
        final String text = JarProcesses.read(file);
        long lines = 0;
        for (int i = 0; i < text.length(); i++)
        {
            lines += text.charAt(i) == '\n' ? 1 : 0;
        }
        return lines;
    }

    private static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }
}

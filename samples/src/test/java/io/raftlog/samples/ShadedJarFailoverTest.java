package io.raftlog.samples;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The process-level test, with {@code java -jar target/raftlog.jar node} as real processes on loopback: a
 * leader is elected; 100,000 entries replicate; the leader's process is killed with SIGKILL; a new leader is elected
 * and goes on; the killed node restarts from its data directory and catches up; every node's committed log is
 * byte-identical. The entries come from the nodes themselves ({@code node --generate}: whichever leads sequences
 * {@code gen-<index>} entries on its own agent thread); the test follows each node's {@code status} lines.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarFailoverTest
{
    /** Every node generates until the log reaches this index; the kill comes once all three commit 100,000. */
    private static final long TARGET_INDEX = 200_000;
    private static final long REPLICATED_BEFORE_KILL = 100_000;
    /** Slow enough that the kill lands while entries are still being generated, so the new leader carries on. */
    private static final long GENERATE_RATE = 25_000;
    private static final Pattern STATUS = Pattern.compile(
        "^status id=(\\d+) role=(\\w+) term=(\\d+) leader=(\\d+) commit=(\\d+) last=(\\d+) generated=(\\d+)$");

    @TempDir
    Path tempDir;

    private Path jar;
    private String members;
    private final Node[] nodes = new Node[4];
    private final List<Path> aeronDirectories = new ArrayList<>();

    @BeforeEach
    void jar() throws IOException
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
        members = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort() + ",2=127.0.0.1:" + NodeCommandTest.freeUdpPort() +
            ",3=127.0.0.1:" + NodeCommandTest.freeUdpPort();
    }

    @AfterEach
    void stopEverything() throws Exception
    {
        for (final Node node : nodes)
        {
            if (node != null)
            {
                node.process.destroyForcibly();
                node.process.waitFor(30, TimeUnit.SECONDS);
                node.reader.join(TimeUnit.SECONDS.toMillis(5));
            }
        }
        // a killed embedded driver leaves its directory behind
        for (final Path directory : aeronDirectories)
        {
            deleteRecursively(directory);
        }
    }

    @Test
    @Timeout(150)
    void aKilledLeaderIsReplacedAndCatchesUpAfterARestartAndEveryLogIsIdentical() throws Exception
    {
        final long startNs = System.nanoTime();
        for (int id = 1; id <= 3; id++)
        {
            nodes[id] = start(id);
        }

        // 1. a leader, and 100,000 entries committed on all three
        awaitUntil(30, "a leader", () -> leader(0) != null);
        final long electedMs = millisSince(startNs);
        awaitUntil(60, "commit >= " + REPLICATED_BEFORE_KILL + " on all three",
            () -> minCommit(1, 2, 3) >= REPLICATED_BEFORE_KILL);
        final long replicatedMs = millisSince(startNs);

        // 2. kill -9 the leader
        final Status oldLeader = leader(0);
        assertTrue(oldLeader != null, "a leader before the kill: " + outputs());
        final int killedId = oldLeader.id;
        final Node killed = nodes[killedId];
        final long commitAtKill = killed.status().commit;
        killed.process.toHandle().destroyForcibly(); // SIGKILL, the output pipe left to its reader
        assertTrue(killed.process.waitFor(30, TimeUnit.SECONDS), "node " + killedId + " died");
        assertEquals(137, killed.process.exitValue(), "exit status of a JVM ended by SIGKILL");
        final long killNs = System.nanoTime();
        final int[] survivors = others(killedId);

        // 3. a new leader among the other two, of a later term, and more committed
        awaitUntil(30, "a new leader among nodes " + survivors[0] + " and " + survivors[1],
            () -> leader(oldLeader.term) != null && leader(oldLeader.term).id != killedId);
        final Status newLeader = leader(oldLeader.term);
        final long failoverMs = millisSince(killNs);
        awaitUntil(30, "commits beyond " + commitAtKill + " on the survivors",
            () -> minCommit(survivors) > commitAtKill);

        // 4. the killed node restarts on its data directory and catches up
        final long restartNs = System.nanoTime();
        final long survivorsCommit = maxCommit(survivors);
        nodes[killedId] = start(killedId);
        awaitUntil(60, "node " + killedId + " at commit " + survivorsCommit + ", where the others were at its restart",
            () -> minCommit(killedId) >= survivorsCommit);
        final long catchUpMs = millisSince(restartNs);
        awaitUntil(60, "every node at the same commit index >= " + TARGET_INDEX, () ->
        {
            final long min = minCommit(1, 2, 3);
            return min >= TARGET_INDEX && min == maxCommit(1, 2, 3);
        });
        final long allAtTargetMs = millisSince(startNs);
        assertTrue(nodes[killedId].output().contains("node " + killedId + ": peers on"), outputs());
        assertTrue(nodes[killedId].output().contains("(restarting from it)"), nodes[killedId].output());

        // 5. SIGTERM, a clean stop; through the ProcessHandle, as Process.destroy() would also close the output
        // pipe, and the node's last lines are still to be read
        for (int id = 1; id <= 3; id++)
        {
            assertTrue(nodes[id].process.toHandle().destroy(), "SIGTERM sent to node " + id);
        }
        for (int id = 1; id <= 3; id++)
        {
            final Node node = nodes[id];
            assertTrue(node.process.waitFor(30, TimeUnit.SECONDS), "node " + id + " stopped on SIGTERM");
            node.reader.join(TimeUnit.SECONDS.toMillis(5));
            final String out = node.output();
            assertEquals(143, node.process.exitValue(), "exit status of a JVM ended by SIGTERM: " + out);
            assertTrue(out.contains("node " + id + ": stopped"), out);
            assertFalse(out.contains("Exception"), out);
        }

        // 6. every node's committed log, read from its files, the same bytes
        final long commit = minCommit(1, 2, 3);
        assertTrue(commit >= REPLICATED_BEFORE_KILL, "commit index " + commit);
        final CommittedLog[] logs = new CommittedLog[4];
        for (int id = 1; id <= 3; id++)
        {
            logs[id] = CommittedLog.read(tempDir.resolve("node-" + id), commit);
            assertEquals(null, logs[id].violation, "node " + id + "'s committed log");
            assertEquals(commit, logs[id].entries, "node " + id + "'s committed entries");
        }
        for (int id = 2; id <= 3; id++)
        {
            assertArrayEquals(logs[1].bytes, logs[id].bytes, "node " + id + "'s committed log is node 1's, byte for byte");
        }
        assertTrue(logs[1].terms >= 2, "entries of at least two terms: " + logs[1].terms);

        System.out.printf("failover across processes: leader %d elected in %d ms; %,d committed on all three after " +
            "%d ms; kill -9 of leader %d (term %d) at commit %,d; node %d leader in term %d after %d ms; node %d " +
            "restarted and reached the others' commit %,d in %d ms; all at %,d after %d ms; %,d entries (%,d gen events, %,d no-ops, %d terms, %,d bytes) " +
            "identical on all three; %d ms in all%n",
            oldLeader.id, electedMs, REPLICATED_BEFORE_KILL, replicatedMs, killedId, oldLeader.term, commitAtKill,
            newLeader.id, newLeader.term, failoverMs, killedId, survivorsCommit, catchUpMs, commit, allAtTargetMs,
            commit, logs[1].applications,
            logs[1].noops, logs[1].terms, logs[1].bytes.length, millisSince(startNs));
    }

    private Node start(final int id) throws IOException
    {
        final Path aeronDirectory = Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" :
            System.getProperty("java.io.tmpdir"), "raftlog-failover-test-" + UUID.randomUUID() + "-" + id);
        aeronDirectories.add(aeronDirectory);
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
            "node", "--id", Integer.toString(id), "--members", members,
            "--dir", tempDir.resolve("node-" + id).toString(), "--durability", "page-cache",
            "--aeron-dir", aeronDirectory.toString(),
            "--generate", Long.toString(TARGET_INDEX), "--generate-rate", Long.toString(GENERATE_RATE),
            "--status-interval-ms", "200"));
        if (MemberStorage.inspect(tempDir.resolve("node-" + id)) == MemberStorage.State.EMPTY)
        {
            command.add("--bootstrap"); // a founding member's first start
        }
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        return new Node(id, builder.start());
    }

    private Status leader(final long afterTerm)
    {
        Status leader = null;
        for (int id = 1; id <= 3; id++)
        {
            final Node node = nodes[id];
            final Status status = node == null || !node.process.isAlive() ? null : node.status();
            if (status != null && "LEADER".equals(status.role) && status.leader == status.id &&
                status.term > afterTerm && (leader == null || status.term > leader.term))
            {
                leader = status;
            }
        }
        return leader;
    }

    private long minCommit(final int... ids)
    {
        long min = Long.MAX_VALUE;
        for (final int id : ids)
        {
            final Status status = nodes[id].status();
            min = Math.min(min, status == null ? -1 : status.commit);
        }
        return min;
    }

    private long maxCommit(final int... ids)
    {
        long max = -1;
        for (final int id : ids)
        {
            final Status status = nodes[id].status();
            max = Math.max(max, status == null ? -1 : status.commit);
        }
        return max;
    }

    private static int[] others(final int id)
    {
        return id == 1 ? new int[] { 2, 3 } : id == 2 ? new int[] { 1, 3 } : new int[] { 1, 2 };
    }

    private void awaitUntil(final long seconds, final String what, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("no " + what + " within " + seconds + " s:\n" + outputs());
            }
            Thread.sleep(50);
        }
    }

    private String outputs()
    {
        final StringBuilder all = new StringBuilder();
        for (int id = 1; id <= 3; id++)
        {
            if (nodes[id] != null)
            {
                final String out = nodes[id].output();
                final String[] lines = out.split("\n");
                all.append("--- node ").append(id).append(nodes[id].process.isAlive() ? " (running)" : " (exited)")
                    .append(", last lines:\n")
                    .append(String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 15), lines.length)))
                    .append('\n');
            }
        }
        return all.toString();
    }

    private static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    private static void deleteRecursively(final Path directory) throws IOException
    {
        if (!Files.exists(directory))
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

    record Status(int id, String role, long term, int leader, long commit, long last, long generated)
    {
    }

    /**
     * A node process, its output (stdout and stderr together) read by a thread of its own, which keeps the latest
     * status line.
     */
    static final class Node
    {
        final int id;
        final Process process;
        final Thread reader;
        private final StringBuilder output = new StringBuilder();
        private volatile Status status;

        Node(final int id, final Process process)
        {
            this.id = id;
            this.process = process;
            this.reader = new Thread(this::read, "node-" + id + "-output");
            this.reader.setDaemon(true);
            this.reader.start();
        }

        Status status()
        {
            return status;
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
                    final Matcher matcher = STATUS.matcher(line);
                    if (matcher.matches())
                    {
                        status = new Status(Integer.parseInt(matcher.group(1)), matcher.group(2),
                            Long.parseLong(matcher.group(3)), Integer.parseInt(matcher.group(4)),
                            Long.parseLong(matcher.group(5)), Long.parseLong(matcher.group(6)),
                            Long.parseLong(matcher.group(7)));
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

    /**
     * One member's log from index 1 to a commit index, read from its files as a downstream consumer would (as the
     * demo's replay does): every record intact and at the next index, every application entry the {@code gen-<index>}
     * of its own index; and the records' bytes, to compare.
     */
    static final class CommittedLog
    {
        private static final int CHUNK_BYTES = 1 << 20;

        byte[] bytes;
        long entries;
        long applications;
        long noops;
        long terms;
        String violation;

        static CommittedLog read(final Path memberDirectory, final long commitIndex)
        {
            final CommittedLog result = new CommittedLog();
            try (ChronicleLogStore log = ChronicleLogStore.open(new ChronicleLogStore.Context()
                .directory(memberDirectory.resolve(MemberStorage.LOG))
                .durability(Durability.PAGE_CACHE)
                .committedIndexHint(commitIndex)))
            {
                result.read(log, commitIndex);
            }
            return result;
        }

        private void read(final ChronicleLogStore log, final long commitIndex)
        {
            if (log.baseIndex() != 0 || log.lastIndex() < commitIndex)
            {
                violation = "the log holds " + (log.baseIndex() + 1) + " to " + log.lastIndex() + ", not 1 to " +
                    commitIndex;
                return;
            }
            final UnsafeBuffer chunk = new UnsafeBuffer(new byte[CHUNK_BYTES]);
            final UnsafeBuffer expectedPayload = new UnsafeBuffer(new byte[EventGenerator.LENGTH]);
            final LogEntryCodec codec = new LogEntryCodec();
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            long lastTerm = 0;
            long index = 1;
            while (index <= commitIndex)
            {
                final int length = log.copyRecords(index, CHUNK_BYTES, chunk, 0);
                if (length <= 0)
                {
                    violation = "index " + index + ": no record";
                    return;
                }
                int offset = 0;
                while (offset < length && index <= commitIndex)
                {
                    final int recordLength = LogEntryCodec.recordLength(chunk, offset);
                    if (recordLength < LogEntryCodec.HEADER_LENGTH || offset + recordLength > length ||
                        !codec.isChecksumValid(chunk, offset, recordLength))
                    {
                        violation = "index " + index + ": the record fails its checksum";
                        return;
                    }
                    if (LogEntryCodec.index(chunk, offset) != index)
                    {
                        violation = "index " + index + ": the record says " + LogEntryCodec.index(chunk, offset);
                        return;
                    }
                    final long term = LogEntryCodec.term(chunk, offset);
                    if (term < lastTerm)
                    {
                        violation = "index " + index + ": term " + term + " after term " + lastTerm;
                        return;
                    }
                    if (term != lastTerm)
                    {
                        terms++;
                        lastTerm = term;
                    }
                    final short type = LogEntryCodec.entryTypeCode(chunk, offset);
                    if (type == EntryType.APPLICATION.value())
                    {
                        EventGenerator.encode(expectedPayload, 0, index);
                        if (LogEntryCodec.payloadLength(chunk, offset) != EventGenerator.LENGTH ||
                            !sameBytes(chunk, LogEntryCodec.payloadOffset(offset), expectedPayload))
                        {
                            violation = "index " + index + ": an application entry that is not gen-" + index;
                            return;
                        }
                        applications++;
                    }
                    else if (type == EntryType.NOOP.value())
                    {
                        noops++;
                    }
                    else if (type != EntryType.CONFIGURATION.value())
                    {
                        violation = "index " + index + ": entry type " + type;
                        return;
                    }
                    all.write(chunk.byteArray(), offset, recordLength);
                    entries++;
                    offset += recordLength;
                    index++;
                }
            }
            bytes = all.toByteArray();
        }

        private static boolean sameBytes(final UnsafeBuffer buffer, final int offset, final UnsafeBuffer expected)
        {
            for (int i = 0; i < expected.capacity(); i++)
            {
                if (buffer.getByte(offset + i) != expected.getByte(i))
                {
                    return false;
                }
            }
            return true;
        }
    }
}

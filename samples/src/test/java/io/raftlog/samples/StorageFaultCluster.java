package io.raftlog.samples;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.samples.JarProcesses.Node;
import io.raftlog.samples.JarProcesses.Result;
import io.raftlog.samples.JarProcesses.Status;
import io.raftlog.storage.ChronicleLogStore;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code raftlog.jar node} processes for the storage fault tests, and what those tests do to them: remote
 * appends whose acknowledgements are kept, the member {@code status} names a follower, the files of a stopped
 * member's log as Chronicle documents (to tear or flip one), and the check that ends every test: every member
 * stopped cleanly, its committed log ({@code replay}) the same as every other's, holding every acknowledged entry at
 * its acknowledged index.
 */
final class StorageFaultCluster implements AutoCloseable
{
    static final int SIZE = 64;

    /** A Chronicle document of a member's log: where it lies, its frame type, and its Raft index if an entry. */
    record Document(File file, long headerPosition, int frameLength, int frameType, long index)
    {
        /** The frame type of an entry ({@code LogFrame.ENTRY}); its record follows the 4-byte type. */
        static final int ENTRY = 1;

        long recordPosition()
        {
            return headerPosition + 4 + 4;
        }

        long end()
        {
            return headerPosition + 4 + frameLength;
        }
    }

    final JarProcesses processes;
    final String members;
    final Node[] nodes = new Node[4];
    private final Path tempDir;
    /** Acknowledged entries: the payload's text (prefix and sequence) by index. */
    private final Map<Long, String> acknowledged = new HashMap<>();
    private int appends;

    StorageFaultCluster(final Path jar, final Path tempDir) throws IOException
    {
        this.processes = new JarProcesses(jar, tempDir);
        this.tempDir = tempDir;
        this.members = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort() + ",2=127.0.0.1:" +
            NodeCommandTest.freeUdpPort() + ",3=127.0.0.1:" + NodeCommandTest.freeUdpPort();
    }

    /**
     * Starts the three members (founding: {@code --bootstrap} on their first start) and waits for a leader.
     */
    void startAll() throws Exception
    {
        for (int id = 1; id <= 3; id++)
        {
            nodes[id] = processes.startNode(id, members);
        }
        JarProcesses.awaitLeaderOutput(nodes, 90);
        processes.awaitLeader(members, 60);
    }

    Path nodeDirectory(final int id)
    {
        return processes.nodeDirectory(id);
    }

    /**
     * @return the endpoint of member {@code id} in {@link #members}.
     */
    String endpoint(final int id)
    {
        return Members.parse(members).get(id);
    }

    /**
     * @return the members but {@code id}, as {@code --members} takes them.
     */
    String membersBut(final int id)
    {
        final StringBuilder others = new StringBuilder();
        for (final Map.Entry<Integer, String> member : Members.parse(members).entrySet())
        {
            if (member.getKey() != id)
            {
                others.append(others.length() == 0 ? "" : ",").append(member.getKey()).append('=')
                    .append(member.getValue());
            }
        }
        return others.toString();
    }

    /**
     * Appends {@code count} entries from a remote client and waits for every acknowledgement.
     *
     * @return the highest index acknowledged.
     */
    long append(final int count, final String membersList) throws Exception
    {
        return append(count, membersList, SIZE);
    }

    /**
     * As {@link #append(int, String)}, with payloads of {@code size} bytes.
     */
    long append(final int count, final String membersList, final int size) throws Exception
    {
        final String prefix = "a" + (++appends) + "-";
        final Path acks = tempDir.resolve("acks-" + appends + ".txt");
        final Result result = processes.run(240, "append", "--members", membersList, "--count",
            Integer.toString(count), "--size", Integer.toString(size), "--prefix", prefix, "--acks",
            acks.toString(), "--timeout-ms", "30000");
        assertEquals(0, result.exitCode(), result + outputs());
        long highest = 0;
        final List<String> lines = Files.readAllLines(acks, StandardCharsets.US_ASCII);
        assertEquals(count, lines.size(), "acknowledgements of " + result.command());
        for (final String line : lines)
        {
            final String[] parts = line.split(" ");
            final long index = Long.parseLong(parts[0]);
            assertNull(acknowledged.put(index, parts[1]), "index " + index + " acknowledged twice");
            highest = Math.max(highest, index);
        }
        return highest;
    }

    long append(final int count) throws Exception
    {
        return append(count, members);
    }

    /**
     * @return a member that {@code status} shows following the leader.
     */
    int follower() throws Exception
    {
        final Status leader = processes.awaitLeader(members, 60);
        return leader.id() % 3 + 1;
    }

    /**
     * Waits until the members {@code ids} all show one commit index, at least {@code atLeast}, in {@code status}.
     *
     * @return that commit index.
     */
    long awaitSameCommit(final long atLeast, final long seconds, final String membersList, final int... ids)
        throws InterruptedException
    {
        final long[] commit = new long[1];
        final List<List<Status>> last = new ArrayList<>(List.of(List.of()));
        try
        {
            JarProcesses.awaitUntil(seconds, "members " + java.util.Arrays.toString(ids) + " at one commit index >= " +
                atLeast, () ->
                {
                    final Map<Integer, Status> byId = new HashMap<>();
                    final List<Status> statuses = processes.uncheckedStatus(membersList);
                    last.set(0, statuses);
                    for (final Status status : statuses)
                    {
                        byId.put(status.id(), status);
                    }
                    long first = -1;
                    for (final int id : ids)
                    {
                        final Status status = byId.get(id);
                        if (status == null || status.commit() < atLeast || (first >= 0 && status.commit() != first))
                        {
                            return false;
                        }
                        first = status.commit();
                    }
                    commit[0] = first;
                    return true;
                });
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; status last said " + last.get(0) + outputs(), ex);
        }
        return commit[0];
    }

    /**
     * Waits for a node process to exit by itself.
     *
     * @return its exit status.
     */
    static int awaitExit(final Node node, final long seconds) throws InterruptedException
    {
        assertTrue(node.process.waitFor(seconds, TimeUnit.SECONDS), "node " + node.id + " still runs after " +
            seconds + " s:\n" + node.output());
        return node.process.exitValue();
    }

    /**
     * Stops every running member cleanly, then reads each one's committed log with {@code replay}: all the same,
     * every acknowledged entry at its index.
     *
     * @return the length of the committed log.
     */
    long stopAllAndCompareLogs(final int... ids) throws Exception
    {
        for (final int id : ids)
        {
            if (nodes[id] != null && nodes[id].process.isAlive())
            {
                nodes[id].stop();
            }
        }
        String first = null;
        int firstId = 0;
        long entries = 0;
        for (final int id : ids)
        {
            final Result replay = processes.run(120, "replay", "--dir", nodeDirectory(id).toString());
            assertEquals(0, replay.exitCode(), replay.toString());
            final String[] lines = replay.out().split("\n");
            final Map<Long, String> payloads = new HashMap<>();
            for (final String line : lines)
            {
                final String[] parts = line.split(" ", 3);
                payloads.put(Long.parseLong(parts[0]), parts.length < 3 ? "" : parts[2]);
            }
            for (final Map.Entry<Long, String> ack : acknowledged.entrySet())
            {
                final String payload = payloads.get(ack.getKey());
                assertTrue(payload != null && (payload.equals(ack.getValue()) || payload.startsWith(ack.getValue() +
                    ".")), "member " + id + "'s log holds the entry acknowledged at " + ack.getKey() + " (" +
                    ack.getValue() + "): " + payload);
            }
            assertEquals(payloads.size(), lines.length, "each index once in member " + id + "'s log");
            if (first == null)
            {
                first = replay.out();
                firstId = id;
                entries = lines.length;
            }
            else
            {
                assertEquals(first, replay.out(), "member " + id + "'s committed log is member " + firstId + "'s");
            }
        }
        return entries;
    }

    /**
     * @return the documents of the log of a member that is not running, in order, read with Chronicle itself.
     */
    List<Document> documents(final int id)
    {
        final List<Document> documents = new ArrayList<>();
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(nodeDirectory(id).resolve(MemberStorage.LOG))
            .readOnly(true).rollCycle(ChronicleLogStore.DEFAULT_ROLL_CYCLE).blockSize(ChronicleLogStore.DEFAULT_BLOCK_SIZE)
            .build();
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final int length = (int)bytes.readRemaining();
                    view.wrap(bytes.addressForRead(bytes.readPosition(), length), length);
                    final int type = view.getInt(0, java.nio.ByteOrder.LITTLE_ENDIAN);
                    documents.add(new Document(tailer.currentFile(), bytes.readPosition() - 4, length, type,
                        type == Document.ENTRY ? LogEntryCodec.index(view, 4) : 0));
                }
            }
        }
        return documents;
    }

    /**
     * @return the document of the entry at {@code index} in a stopped member's log (its last version).
     */
    Document entryDocument(final int id, final long index)
    {
        Document found = null;
        for (final Document document : documents(id))
        {
            if (document.frameType() == Document.ENTRY && document.index() == index)
            {
                found = document;
            }
        }
        assertTrue(found != null, "member " + id + "'s log holds entry " + index);
        return found;
    }

    /**
     * @return the last entry document of a stopped member's log.
     */
    Document lastEntryDocument(final int id)
    {
        final List<Document> documents = documents(id);
        for (int i = documents.size() - 1; i >= 0; i--)
        {
            if (documents.get(i).frameType() == Document.ENTRY)
            {
                return documents.get(i);
            }
        }
        throw new AssertionError("member " + id + "'s log holds no entry");
    }

    static void flipBit(final File file, final long position, final int bit) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte)(one.get(0) ^ (1 << bit))).rewind();
            channel.write(one, position);
        }
    }

    /**
     * @return the offset from {@code position} of the last byte that is not zero among the {@code length} there, or
     * -1 if all are zero.
     */
    static int lastNonZeroOffset(final File file, final long position, final int length) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(length);
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            while (bytes.hasRemaining() && channel.read(bytes, position + bytes.position()) >= 0)
            {
                // read on
            }
        }
        for (int offset = length - 1; offset >= 0; offset--)
        {
            if (bytes.get(offset) != 0)
            {
                return offset;
            }
        }
        return -1;
    }

    static void truncate(final File file, final long size) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE))
        {
            channel.truncate(size);
        }
    }

    String outputs()
    {
        final StringBuilder all = new StringBuilder();
        for (int id = 1; id <= 3; id++)
        {
            if (nodes[id] != null)
            {
                all.append("\n--- node ").append(id).append(nodes[id].process.isAlive() ? " (running)" : " (exited)")
                    .append(":\n").append(nodes[id].output());
            }
        }
        return all.toString();
    }

    public void close() throws Exception
    {
        processes.close();
    }
}

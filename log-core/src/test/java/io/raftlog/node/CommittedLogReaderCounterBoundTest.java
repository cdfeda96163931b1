package io.raftlog.node;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.Role;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.CommitIndexRecorder;
import io.raftlog.storage.CommittedLogReader;
import io.raftlog.storage.Durability;
import io.raftlog.storage.FileMetaStore;
import io.raftlog.storage.FileSnapshotStore;
import io.raftlog.storage.MetaFileCommitIndex;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A committed-log reader of one member's Chronicle directory, bounded by that member's commit-index counter read from
 * the driver's CnC file ({@link AeronCounterCommitIndex}), beside three live node agents on loopback UDP: it
 * delivers each entry once, in order, never one the member has not committed (checked at every delivery against
 * the member's core, which the test thread drives too); when the member stops it notices and goes on to the commit
 * index the member recorded on close ({@link CommitIndexRecorder}), while the other two commit more; when the member
 * restarts from its files it follows the new counter; and what it delivered is the members' log.
 */
@Timeout(180)
class CommittedLogReaderCounterBoundTest
{
    private static final int PAYLOAD_LENGTH = 48;

    @TempDir
    Path tempDir;

    private LoopbackNodes cluster;
    private final ChronicleLogStore[] logs = new ChronicleLogStore[4];
    private final FileMetaStore[] metas = new FileMetaStore[4];
    private final FileSnapshotStore[] snapshots = new FileSnapshotStore[4];
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
    private final List<long[]> delivered = new ArrayList<>(); // index, term, entry type, payload checksum
    private int followed;
    private long offered;

    @AfterEach
    void close()
    {
        CloseHelper.close(cluster);
        CloseHelper.closeAll(logs);
        CloseHelper.closeAll(metas);
        CloseHelper.closeAll(snapshots);
    }

    @Test
    void aReaderBoundedByTheMembersCounterDeliversItsCommittedLogOnceInOrderThroughAStopAndARestart() throws Exception
    {
        cluster = new LoopbackNodes(tempDir);
        for (int id = 1; id <= 3; id++)
        {
            start(id);
        }
        final int leader = cluster.awaitLeader(0);
        followed = leader == 1 ? 2 : 1; // a follower: the cluster goes on without it

        final Path memberDirectory = tempDir.resolve("node-" + followed);
        try (MetaFileCommitIndex recorded = new MetaFileCommitIndex(memberDirectory.resolve("meta"));
            AeronCounterCommitIndex bound = new AeronCounterCommitIndex(
                Path.of(cluster.driver.aeronDirectoryName()), followed, recorded,
                AeronCounterCommitIndex.DEFAULT_DRIVER_TIMEOUT_MS, 0, System::currentTimeMillis);
            CommittedLogReader reader = CommittedLogReader.open(memberDirectory.resolve("log"), bound))
        {
            assertTrue(bound.isAttached(), "the running member's counter is found");
            final CommittedLogReader.EntryHandler handler = (index, term, timestamp, entryType, buffer, offset,
                length) ->
            {
                final RaftNode node = cluster.nodes[followed];
                assertTrue(node == null || index <= node.core().commitIndex(),
                    "entry " + index + " delivered, the member has committed " + node.core().commitIndex());
                assertTrue(index <= bound.commitIndex(), "never past the bound");
                record(index, term, entryType, buffer, offset, length);
            };

            // 1. the member runs: 20,000 entries, the reader polled between duty cycles
            offerAndRead(20_000, reader, handler);
            assertEquals(1, bound.attachments());

            // 2. the member stops (its counter freed, its commit index recorded on close); the others commit more
            final long commitAtStop = cluster.nodes[followed].core().commitIndex();
            cluster.stop(followed);
            CloseHelper.closeAll(logs[followed], metas[followed], snapshots[followed]);
            logs[followed] = null;
            metas[followed] = null;
            snapshots[followed] = null;
            offerAndRead(5_000, reader, handler);
            cluster.runUntil(() ->
            {
                reader.poll(handler, 256);
                return !bound.isAttached() && reader.isCaughtUp();
            }, 30);
            assertEquals(commitAtStop, recorded.commitIndex(), "recorded on close");
            assertEquals(commitAtStop, reader.nextIndex() - 1, "delivered up to the member's last commit index");
            assertEquals(1, bound.detachments());
            assertEquals(0, reader.poll(handler, 256), "nothing beyond it, however far the others went");

            // 3. the member restarts from its files and catches up: its new counter is followed
            start(followed);
            offerAndRead(5_000, reader, handler);
            assertTrue(bound.isAttached());
            assertEquals(2, bound.attachments());
            assertEquals(cluster.nodes[followed].core().commitIndex(), reader.nextIndex() - 1);
        }

        // what was delivered is the member's log, which matching says is every member's log
        final long last = delivered.size();
        assertTrue(last > 25_000, "delivered " + last); // 30,000 offered; a leader change may drop a few uncommitted
        final RecordCheck check = new RecordCheck();
        for (int id = 1; id <= 3; id++)
        {
            for (long index = 1; index <= last; index++)
            {
                check.assertSame(logs[id], delivered.get((int)index - 1), "member " + id);
            }
        }
    }

    /**
     * Offers {@code count} more entries wherever the leader is, and runs the members (the reader polled between
     * duty cycles) until every running member committed them and the reader delivered the followed member's commit
     * index (when it runs).
     */
    private void offerAndRead(final int count, final CommittedLogReader reader,
        final CommittedLogReader.EntryHandler handler)
    {
        final long target = offered + count;
        final long[] lastIndex = new long[1];
        cluster.runUntil(() ->
        {
            final int leader = leader();
            while (leader != 0 && offered < target)
            {
                payload.putLong(0, offered + 1);
                payload.putLong(8, ~offered);
                final long index = cluster.nodes[leader].offer(payload, 0, PAYLOAD_LENGTH);
                if (index < 0)
                {
                    break;
                }
                lastIndex[0] = index;
                offered++;
            }
            reader.poll(handler, 256);
            final RaftNode member = cluster.nodes[followed];
            return offered == target && cluster.allCommitted(lastIndex[0]) &&
                (member == null || reader.nextIndex() - 1 == member.core().commitIndex());
        }, 120);
    }

    private int leader()
    {
        for (int id = 1; id <= 3; id++)
        {
            if (cluster.nodes[id] != null && cluster.nodes[id].core().role() == Role.LEADER)
            {
                return id;
            }
        }
        return 0;
    }

    private void record(final long index, final long term, final int entryType, final DirectBuffer buffer,
        final int offset, final int length)
    {
        assertEquals(delivered.size() + 1, index, "each index once, in order");
        long checksum = length;
        for (int i = 0; i < length; i++)
        {
            checksum = checksum * 31 + buffer.getByte(offset + i);
        }
        delivered.add(new long[]{ index, term, entryType, checksum });
        if (entryType == EntryType.APPLICATION.value())
        {
            assertEquals(PAYLOAD_LENGTH, length);
        }
    }

    private void start(final int id)
    {
        final Path directory = tempDir.resolve("node-" + id);
        metas[id] = FileMetaStore.open(directory.resolve("meta"), !Files.exists(directory.resolve("meta")));
        snapshots[id] = FileSnapshotStore.open(directory);
        logs[id] = ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(directory.resolve("log"))
            .durability(Durability.PAGE_CACHE)
            .committedIndexHint(metas[id].lastRecordedCommitIndex()));
        cluster.nodes[id] = new RaftNode(new NodeContext()
            .memberId(id)
            .endpoints(cluster.endpoints)
            .raftConfig(new RaftConfig().selfId(id).memberIds(1, 2, 3).randomSeed(System.nanoTime() + id)
                .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
                .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .maxPayloadBytes(1024).maxBatchBytes(64 * 1024))
            .aeron(cluster.aeron)
            .logStore(logs[id])
            .metaStore(metas[id])
            .snapshotStore(snapshots[id])
            .listener(new CommitIndexRecorder(metas[id])));
        cluster.nodes[id].onStart();
    }

    /**
     * Reads a store's records one at a time and compares them with what the reader delivered.
     */
    private static final class RecordCheck
    {
        private final UnsafeBuffer record = new UnsafeBuffer(new byte[4096]);

        void assertSame(final ChronicleLogStore log, final long[] expected, final String who)
        {
            final long index = expected[0];
            final int length = log.copyRecords(index, LogEntryCodec.HEADER_LENGTH + 1024, record, 0);
            assertTrue(length > 0, who + " has entry " + index);
            assertEquals(index, LogEntryCodec.index(record, 0));
            assertEquals(expected[1], LogEntryCodec.term(record, 0), who + ": term of " + index);
            assertEquals(expected[2], LogEntryCodec.entryTypeCode(record, 0), who + ": type of " + index);
            final int payloadLength = LogEntryCodec.payloadLength(record, 0);
            final int payloadOffset = LogEntryCodec.payloadOffset(0);
            long checksum = payloadLength;
            for (int i = 0; i < payloadLength; i++)
            {
                checksum = checksum * 31 + record.getByte(payloadOffset + i);
            }
            assertEquals(expected[3], checksum, who + ": payload of " + index);
        }
    }
}

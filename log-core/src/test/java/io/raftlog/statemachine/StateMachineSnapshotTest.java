package io.raftlog.statemachine;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.raftlog.statemachine.StateMachineCluster.MEMBERS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log compaction by snapshots of the state machine (dissertation chapter 5): each member snapshots its state and its
 * client session table as of one applied index and drops the log behind it; a member restarted from its snapshot,
 * or brought up by the leader's snapshot (InstallSnapshot) after losing its disk, reaches the same state with every
 * entry applied exactly once, its client sessions included.
 */
@Timeout(240)
class StateMachineSnapshotTest
{
    private static final int SNAPSHOT_EVERY = 1_000;
    private static final int RETAIN = 100;

    @TempDir
    Path tempDir;

    private StateMachineCluster cluster;
    private final RecordedResults[] results = new RecordedResults[MEMBERS + 1];

    @AfterEach
    void close()
    {
        CloseHelper.close(cluster);
    }

    @Test
    void aMemberRestartedFromItsSnapshotComesBackToTheSameStateApplyingEachEntryOnce() throws Exception
    {
        cluster = new StateMachineCluster(tempDir);
        for (int id = 1; id <= MEMBERS; id++)
        {
            start(id);
        }
        final int leader = cluster.awaitLeader(0);
        cluster.offerAndAwaitCommit(leader, 5_000);
        cluster.awaitAllApplied(leader);
        cluster.runUntil(() -> allCompacted(), 30);
        for (int id = 1; id <= MEMBERS; id++)
        {
            assertTrue(cluster.nodes[id].snapshotsTaken() >= 1, "member " + id + " snapshots as it applies");
            final long snapshotIndex = cluster.snapshots[id].lastIncludedIndex();
            final long base = cluster.logs[id].baseIndex();
            assertTrue(base > 0 && base <= snapshotIndex - RETAIN,
                "member " + id + ": log compacted to " + base + ", " + RETAIN + " entries behind its snapshot at " +
                snapshotIndex);
        }

        final int restarted = leader == 1 ? 2 : 1;
        cluster.stop(restarted);
        final long snapshotIndex = snapshotIndexOnDisk(restarted);
        start(restarted);
        cluster.awaitAllApplied(leader);

        final HashingStateMachine machine = cluster.machines[restarted];
        assertEquals(1, machine.restores(), "restored from its snapshot once");
        assertEquals(snapshotIndex, machine.restoredIndex());
        assertEquals(5_000, machine.count(), "the snapshot's entries plus the log after it: each applied once");
        assertSameState(leader);

        cluster.offerAndAwaitCommit(leader, 1_000);
        cluster.awaitAllApplied(leader);
        assertEquals(6_000, cluster.machines[leader].count());
        assertSameState(leader);
        assertTrue(cluster.errors.isEmpty(), cluster.errors.toString());
    }

    @Test
    void aFollowerThatLostItsDiskWhileTheLeaderCompactedIsBroughtUpByInstallSnapshotWithItsSessions() throws Exception
    {
        cluster = new StateMachineCluster(tempDir);
        for (int id = 1; id <= MEMBERS; id++)
        {
            start(id);
        }
        final int leader = cluster.awaitLeader(0);
        final long session = cluster.openSession(leader);
        final long[] sequenceIndex = new long[7];
        for (int sequence = 1; sequence <= 5; sequence++)
        {
            sequenceIndex[sequence] = cluster.appendSessionEntry(leader, session, sequence);
        }
        cluster.appendSessionEntry(leader, session, 5); // a retry in the log: never applied twice
        cluster.appendSessionEntry(leader, session, 3);
        cluster.offerAndAwaitCommit(leader, 500);
        cluster.awaitAllApplied(leader);
        cluster.runUntil(() -> results[1].appends.size() >= 5 && results[2].appends.size() >= 5 &&
            results[3].appends.size() >= 5, 30); // the agents hand results on in their next duty cycle
        for (int id = 1; id <= MEMBERS; id++)
        {
            assertEquals(505, cluster.machines[id].count(), "member " + id + ": the retries were not applied");
            assertEquals(5, results[id].appends.size(), "member " + id + ": one result per admitted append");
            for (int sequence = 1; sequence <= 5; sequence++)
            {
                assertArrayEquals(new long[]{ session, sequence, sequenceIndex[sequence], sequence },
                    results[id].appends.get(sequence - 1), "member " + id + " sequence " + sequence);
            }
        }

        final int lost = leader == 1 ? 2 : 1;
        cluster.stop(lost);
        cluster.wipe(lost);
        cluster.offerAndAwaitCommit(leader, 5_000);
        cluster.awaitAllApplied(leader);
        cluster.runUntil(() -> cluster.logs[leader].baseIndex() > 0, 30);

        start(lost);
        cluster.awaitAllApplied(leader);
        assertTrue(cluster.nodes[lost].core().snapshotsInstalled() >= 1, "brought up by the leader's snapshot");
        assertTrue(cluster.machines[lost].restores() >= 1);
        assertTrue(cluster.machines[lost].restoredIndex() > sequenceIndex[5]);
        assertEquals(5_505, cluster.machines[lost].count(), "each entry once: the snapshot's and the log's after it");
        assertSameState(leader);
        assertEquals(5, cluster.nodes[lost].sessions().committedTable().lastSequence(session),
            "the session service's table came with the snapshot");
        assertTrue(results[lost].appends.isEmpty(), "nothing applied again: " + results[lost].appends.size());

        // the state machine's own session table came with the snapshot too: the next sequence is admitted (an
        // unknown session would be refused) and a retry is not
        final long index6 = cluster.appendSessionEntry(leader, session, 6);
        cluster.appendSessionEntry(leader, session, 4);
        cluster.awaitAllApplied(leader);
        cluster.runUntil(() -> !results[lost].appends.isEmpty(), 30);
        assertEquals(5_506, cluster.machines[lost].count());
        assertSameState(leader);
        assertEquals(1, results[lost].appends.size());
        assertArrayEquals(new long[]{ session, 6, index6, 5_506 }, results[lost].appends.get(0));
        assertTrue(cluster.errors.isEmpty(), cluster.errors.toString());
    }

    private void start(final int id)
    {
        results[id] = new RecordedResults();
        cluster.start(id, new HashingStateMachine(), context -> context
            .snapshotEveryEntries(SNAPSHOT_EVERY)
            .snapshotRetainEntries(RETAIN)
            .appliedResults(results[id]));
    }

    private boolean allCompacted()
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            if (cluster.logs[id].baseIndex() == 0)
            {
                return false;
            }
        }
        return true;
    }

    private long snapshotIndexOnDisk(final int id)
    {
        try (io.raftlog.storage.FileSnapshotStore store =
            io.raftlog.storage.FileSnapshotStore.open(cluster.memberDirectory(id).resolve("snapshots")))
        {
            return store.lastIncludedIndex();
        }
    }

    private void assertSameState(final int leader)
    {
        final HashingStateMachine expected = cluster.machines[leader];
        for (int id = 1; id <= MEMBERS; id++)
        {
            final HashingStateMachine machine = cluster.machines[id];
            assertEquals(expected.count(), machine.count(), "member " + id);
            assertEquals(expected.hash(), machine.hash(), "member " + id);
            assertEquals(expected.lastIndex(), machine.lastIndex(), "member " + id);
        }
    }
}

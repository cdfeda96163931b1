package io.raftlog.statemachine;

import io.raftlog.storage.FileSnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.raftlog.statemachine.StateMachineCluster.MEMBERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node without a state machine snapshots only when told to ({@code snapshotEveryEntries}): its replicated state is
 * the client session table, written in the same layout with an empty state machine part, and it comes back from
 * that snapshot after a restart or an install from the leader.
 */
@Timeout(180)
class PureLogSnapshotTest
{
    @TempDir
    Path tempDir;

    private StateMachineCluster cluster;

    @AfterEach
    void close()
    {
        CloseHelper.close(cluster);
    }

    @Test
    void aPureLogSnapshotsItsSessionTableAndAMemberComesBackWithItByRestartOrInstall() throws Exception
    {
        cluster = new StateMachineCluster(tempDir);
        for (int id = 1; id <= MEMBERS; id++)
        {
            start(id);
        }
        final int leader = cluster.awaitLeader(0);
        final long session = cluster.openSession(leader);
        for (int sequence = 1; sequence <= 3; sequence++)
        {
            cluster.appendSessionEntry(leader, session, sequence);
        }
        cluster.offerAndAwaitCommit(leader, 3_000);
        cluster.runUntil(() -> cluster.logs[1].baseIndex() > 0 && cluster.logs[2].baseIndex() > 0 &&
            cluster.logs[3].baseIndex() > 0, 30);
        for (int id = 1; id <= MEMBERS; id++)
        {
            assertNull(cluster.nodes[id].stateMachineRunner());
            final FileSnapshotStore store = cluster.snapshots[id];
            final UnsafeBuffer state = new UnsafeBuffer(new byte[(int)store.length()]);
            store.read(0, state, 0, state.capacity());
            final int tableLength = SnapshotLayout.sessionTableLength(state, store.length());
            assertTrue(tableLength > 0, "member " + id + ": the session table is in the snapshot");
            assertEquals(0, SnapshotLayout.stateLength(store.length(), tableLength), "and no state machine state");
        }

        final int restarted = leader == 1 ? 2 : 1;
        final int lost = leader == 3 ? 2 : 3;
        cluster.stop(restarted);
        start(restarted);
        cluster.stop(lost);
        cluster.wipe(lost);
        cluster.offerAndAwaitCommit(leader, 2_000);
        start(lost);
        final long committed = cluster.nodes[leader].core().commitIndex();
        cluster.runUntil(() -> cluster.allCommitted(committed), 60);

        assertTrue(cluster.nodes[lost].core().snapshotsInstalled() >= 1, "brought up by the leader's snapshot");
        for (int id = 1; id <= MEMBERS; id++)
        {
            assertEquals(3, cluster.nodes[id].sessions().committedTable().lastSequence(session),
                "member " + id + ": the session and its last sequence, from the log or a snapshot");
        }
        assertTrue(cluster.logs[restarted].baseIndex() > 0, "the restarted member's log starts after its snapshot");
    }

    private void start(final int id)
    {
        cluster.start(id, null, context -> context
            .stateMachine(null)
            .snapshotEveryEntries(1_000)
            .snapshotRetainEntries(100));
    }
}

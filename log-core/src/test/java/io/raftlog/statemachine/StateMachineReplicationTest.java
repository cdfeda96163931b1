package io.raftlog.statemachine;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.raftlog.statemachine.StateMachineCluster.MEMBERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicated state machines (Raft paper, section 2): every member applies the same committed entries in the same
 * order, each exactly once, on the state machine's own thread, and reaches the same state.
 */
@Timeout(180)
class StateMachineReplicationTest
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
    void everyMemberAppliesTheSameEntriesInTheSameOrderOnTheStateMachinesOwnThread() throws Exception
    {
        cluster = new StateMachineCluster(tempDir);
        for (int id = 1; id <= MEMBERS; id++)
        {
            cluster.start(id, new HashingStateMachine(), context -> context.snapshotEveryEntries(0));
        }
        final int leader = cluster.awaitLeader(0);
        cluster.offerAndAwaitCommit(leader, 20_000);
        cluster.awaitAllApplied(leader);

        final HashingStateMachine expected = cluster.machines[leader];
        assertEquals(20_000, expected.count(), "each committed application entry applied once");
        for (int id = 1; id <= MEMBERS; id++)
        {
            final HashingStateMachine machine = cluster.machines[id];
            assertEquals(expected.count(), machine.count(), "member " + id);
            assertEquals(expected.lastIndex(), machine.lastIndex(), "member " + id);
            assertEquals(expected.hash(), machine.hash(), "member " + id + ": the same entries in the same order");
            assertNotNull(machine.applyThread());
            assertNotSame(Thread.currentThread(), machine.applyThread(), "not on the node's agent thread");
            assertSame(cluster.nodes[id].stateMachineThread(), machine.applyThread(), "on its runner's thread");
            assertFalse(machine.appliedOnTwoThreads());
            assertEquals(0, cluster.nodes[id].snapshotsTaken(), "snapshotEveryEntries 0: never");
            assertEquals(0, cluster.logs[id].baseIndex(), "and the log is never compacted");
        }
        assertTrue(cluster.errors.isEmpty(), cluster.errors.toString());
    }
}

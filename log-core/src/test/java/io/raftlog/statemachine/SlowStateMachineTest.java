package io.raftlog.statemachine;

import io.raftlog.core.Role;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.raftlog.statemachine.StateMachineCluster.MEMBERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine runs off the node's agent thread: one that takes several election timeouts to apply what is
 * committed stalls neither heartbeats nor commits, and a query waits for the read index it was given, however far
 * behind the state machine is, and runs in the order it was submitted.
 */
@Timeout(180)
class SlowStateMachineTest
{
    /** 1,500 entries at 3 ms each: 4.5 s of applying, fifteen election timeouts of 300 ms. */
    private static final int ENTRIES = 1_500;
    private static final long SLEEP_PER_APPLY_NS = HashingStateMachine.millis(3);

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
    void aSlowStateMachineStallsNeitherHeartbeatsNorCommits() throws Exception
    {
        startSlowCluster();
        final int leader = cluster.awaitLeader(0);
        final long term = cluster.nodes[leader].core().currentTerm();
        final long[] elections = electionsStarted();

        // commits come in batches, while the state machines fall further and further behind
        long last = 0;
        for (int batch = 0; batch < 5; batch++)
        {
            last = cluster.offerAndAwaitCommit(leader, ENTRIES / 5);
        }
        final long committed = last;
        for (int id = 1; id <= MEMBERS; id++)
        {
            assertTrue(cluster.nodes[id].appliedIndex() < committed - 500,
                "member " + id + " applied " + cluster.nodes[id].appliedIndex() + " of " + committed +
                ": the state machine lags while the log commits");
        }

        // the agents go on (heartbeats, no election) for as long as the state machines need to catch up
        cluster.runUntil(() -> cluster.allApplied(committed), 60);
        for (int id = 1; id <= MEMBERS; id++)
        {
            assertEquals(ENTRIES, cluster.machines[id].count(), "member " + id);
            assertEquals(cluster.machines[leader].hash(), cluster.machines[id].hash(), "member " + id);
            assertEquals(elections[id], cluster.nodes[id].core().electionsStarted(), "member " + id + ": no election");
        }
        assertEquals(Role.LEADER, cluster.nodes[leader].core().role());
        assertEquals(term, cluster.nodes[leader].core().currentTerm(), "the same leader in the same term throughout");
        assertTrue(cluster.errors.isEmpty(), cluster.errors.toString());
    }

    @Test
    void queriesWaitForTheirReadIndexAndRunInTheOrderSubmitted() throws Exception
    {
        startSlowCluster();
        final int leader = cluster.awaitLeader(0);
        final long readIndex = cluster.offerAndAwaitCommit(leader, 1_000);
        final long applied = cluster.nodes[leader].appliedIndex();
        assertTrue(applied < readIndex - 200, "the state machine lags: applied " + applied + " of " + readIndex);

        final UnsafeBuffer query = new UnsafeBuffer(new byte[8]);
        assertTrue(cluster.nodes[leader].submitQuery(1, readIndex, query, 0, 8));
        assertTrue(cluster.nodes[leader].submitQuery(2, 1, query, 0, 8), "a read of an index long applied");
        final RecordedResults leaderResults = results[leader];
        cluster.runUntil(() -> leaderResults.queries.size() == 2, 60);

        final long[] first = leaderResults.queries.get(0);
        final long[] second = leaderResults.queries.get(1);
        assertEquals(1, first[0], "submission order: the one that waited first");
        assertEquals(2, second[0]);
        assertTrue(first[3] >= readIndex, "ran on the state as of " + first[3] + ", read index " + readIndex);
        assertTrue(second[3] >= first[3]);
        assertEquals(1_000, cluster.machines[leader].count());
        assertEquals(1_000, first[1], "the state as of the read index holds every entry up to it");
        assertFalse(cluster.machines[leader].appliedOnTwoThreads(), "queries run on the state machine's thread");
        assertTrue(cluster.errors.isEmpty(), cluster.errors.toString());
    }

    private void startSlowCluster() throws Exception
    {
        cluster = new StateMachineCluster(tempDir);
        for (int id = 1; id <= MEMBERS; id++)
        {
            results[id] = new RecordedResults();
            final RecordedResults recorded = results[id];
            cluster.start(id, new HashingStateMachine().sleepPerApplyNs(SLEEP_PER_APPLY_NS), context -> context
                .snapshotEveryEntries(0)
                .appliedResults(recorded));
        }
    }

    private long[] electionsStarted()
    {
        final long[] elections = new long[MEMBERS + 1];
        for (int id = 1; id <= MEMBERS; id++)
        {
            elections[id] = cluster.nodes[id].core().electionsStarted();
        }
        return elections;
    }
}

package io.raftlog.statemachine;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static io.raftlog.statemachine.StateMachineCluster.MEMBERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Applying the log to a state machine allocates nothing per entry once warm: not on the state machine's thread
 * (reading the committed log, the session table, handing results back, writing snapshots) and not on the node's
 * agent thread (publishing the commit index, draining the results).
 */
@Timeout(240)
class StateMachineAllocationTest
{
    @TempDir
    Path tempDir;

    private StateMachineCluster cluster;
    private final CountingResults[] results = new CountingResults[MEMBERS + 1];

    @AfterEach
    void close()
    {
        CloseHelper.close(cluster);
    }

    @Test
    void theStateMachinesThreadAllocatesNothingPerAppliedEntry() throws Exception
    {
        final com.sun.management.ThreadMXBean threads = threads();
        start(25_000);
        final int leader = cluster.awaitLeader(0);
        final long session = cluster.openSession(leader);
        long sequence = 1;
        // warm up: JIT, buffers at their sizes, snapshots written and saved
        cluster.offerAndAwaitCommit(leader, 60_000);
        cluster.offerSessionEntriesAndAwaitCommit(leader, session, sequence, 10_000);
        sequence += 10_000;
        cluster.awaitAllApplied(leader);

        final long[] threadIds = new long[MEMBERS + 1];
        final long[] before = new long[MEMBERS + 1];
        final long[] appliedBefore = new long[MEMBERS + 1];
        final long[] snapshotsBefore = new long[MEMBERS + 1];
        for (int id = 1; id <= MEMBERS; id++)
        {
            threadIds[id] = cluster.nodes[id].stateMachineThread().getId();
            appliedBefore[id] = cluster.nodes[id].appliedIndex();
            snapshotsBefore[id] = cluster.nodes[id].stateMachineRunner().snapshotsWritten();
            before[id] = threads.getThreadAllocatedBytes(threadIds[id]);
        }
        for (int round = 0; round < 4; round++)
        {
            cluster.offerAndAwaitCommit(leader, 25_000);
            cluster.offerSessionEntriesAndAwaitCommit(leader, session, sequence, 5_000);
            sequence += 5_000;
        }
        cluster.awaitAllApplied(leader);
        final long appends = sequence - 1;
        awaitResultsDrained(appends);

        long allocated = 0;
        long applied = 0;
        final StringBuilder report = new StringBuilder();
        for (int id = 1; id <= MEMBERS; id++)
        {
            final long bytes = threads.getThreadAllocatedBytes(threadIds[id]) - before[id];
            final long entries = cluster.nodes[id].appliedIndex() - appliedBefore[id];
            final long snapshots = cluster.nodes[id].stateMachineRunner().snapshotsWritten() - snapshotsBefore[id];
            allocated += bytes;
            applied += entries;
            report.append(" member ").append(id).append(": ").append(bytes).append(" B, ").append(entries)
                .append(" entries, ").append(snapshots).append(" snapshots;");
            assertTrue(entries >= 120_000, "member " + id + " applied " + entries);
            assertTrue(snapshots >= 2, "member " + id + " wrote snapshots while measured: " + snapshots);
        }
        System.out.printf("state machine threads:%s %.4f B/entry%n", report, (double)allocated / applied);
        // anything allocated per entry would be 8 bytes or more per entry; what is left is one-off (the JIT
        // recompiling code that had eliminated an allocation, Chronicle mapping a new chunk)
        assertTrue((double)allocated / applied < 0.1, "bytes allocated on the state machines' threads:" + report);
        assertTrue(cluster.errors.isEmpty(), cluster.errors.toString());
    }

    @Test
    void theNodesAgentAllocatesNothingPerEntryWithAStateMachine() throws Exception
    {
        final com.sun.management.ThreadMXBean threads = threads();
        start(0); // saving a snapshot (files, channels) allocates on the agent: once per snapshot, not measured here
        final int leader = cluster.awaitLeader(0);
        final long session = cluster.openSession(leader);
        cluster.offerAndAwaitCommit(leader, 100_000);
        cluster.offerSessionEntriesAndAwaitCommit(leader, session, 1, 10_000);
        cluster.awaitAllApplied(leader);
        awaitResultsDrained(10_000); // warms the test's own waiting up too: its first run loads classes

        final long agents = Thread.currentThread().getId();
        final long commitBefore = cluster.nodes[leader].core().commitIndex();
        final long resultsBefore = results[leader].appendResults;
        final long before = threads.getThreadAllocatedBytes(agents);
        cluster.offerAndAwaitCommit(leader, 200_000);
        cluster.offerSessionEntriesAndAwaitCommit(leader, session, 10_001, 20_000);
        cluster.awaitAllApplied(leader);
        awaitResultsDrained(30_000);
        final long allocated = threads.getThreadAllocatedBytes(agents) - before;
        final long committed = cluster.nodes[leader].core().commitIndex() - commitBefore;

        System.out.printf("node agents with state machines: %d entries committed and applied, %d B, %.4f B/entry%n",
            committed, allocated, (double)allocated / committed);
        assertEquals(20_000, results[leader].appendResults - resultsBefore, "a result per session append, drained");
        assertTrue(committed >= 220_000);
        assertTrue((double)allocated / committed < 0.1, "bytes allocated on the agents' thread: " + allocated);
        assertTrue(cluster.errors.isEmpty(), cluster.errors.toString());
    }

    private void start(final long snapshotEveryEntries) throws Exception
    {
        cluster = new StateMachineCluster(tempDir);
        for (int id = 1; id <= MEMBERS; id++)
        {
            results[id] = new CountingResults();
            final CountingResults counting = results[id];
            cluster.start(id, new HashingStateMachine(), context -> context
                .snapshotEveryEntries(snapshotEveryEntries)
                .snapshotRetainEntries(1_000)
                .appliedResults(counting));
        }
    }

    private void awaitResultsDrained(final long appends)
    {
        cluster.runUntil(() -> allResultsDrained(appends), 30);
    }

    /**
     * @return true once every member's agent handed on a result for each of the session's appends.
     */
    private boolean allResultsDrained(final long appends)
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            if (results[id].appendResults < appends)
            {
                return false;
            }
            assertEquals(appends, results[id].appendResults, "member " + id + ": one result per session append");
        }
        return true;
    }

    private static com.sun.management.ThreadMXBean threads()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }

    /**
     * Counts results without allocating.
     */
    private static final class CountingResults implements AppliedResults
    {
        long appendResults;
        long queryResults;

        public void onAppendResult(
            final long sessionId,
            final long sequence,
            final long index,
            final DirectBuffer result,
            final int offset,
            final int length)
        {
            appendResults++;
        }

        public void onQueryResult(final long readId, final DirectBuffer result, final int offset, final int length)
        {
            queryResults++;
        }
    }
}

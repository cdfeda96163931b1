package io.raftlog.sim;

import io.raftlog.core.Role;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zero allocation in steady state: three cores on one thread, the leader replicating batches, followers
 * acknowledging, commitment advancing, everything encoded and decoded as SBE, and not one byte allocated on that
 * thread per committed entry once warmed up. The harness (event queue, network, simulated disk, workload) is itself
 * allocation-free, with its pools and buffers sized up front, and the invariant checker (which does allocate) off.
 */
class CoreAllocationTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    void steadyStateReplicationAllocatesNothingPerCommittedEntry()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        final SimOptions options = new SimOptions().members(3).seed(42);
        options.checkInvariants = false;
        options.initialStreamBytes = 64 << 20;
        options.initialEntries = 1 << 20;
        final SimCluster cluster = new SimCluster(options);
        cluster.prefillEvents(4096);
        cluster.startAll();
        final ClientWorkload workload = new ClientWorkload(cluster, 200_000L, 1_000_000L, 8);
        workload.start(200_000_000L);

        // warm up: elect a leader, let the JIT compile the loops, let every pool and buffer reach its size
        cluster.runFor(20 * SECOND);
        final int leader = cluster.leader();
        assertTrue(leader != 0, "a leader was elected");
        final long leaderTerm = cluster.node(leader).core().currentTerm();

        // A window with 0 bytes shows that nothing is allocated per entry: an allocation per entry would show in
        // every window. Up to three windows are measured because a one-off can land in one: another test's thread
        // loading a class makes the JIT deoptimize code here, materializing objects it had scalar-replaced.
        final long thread = Thread.currentThread().getId();
        final StringBuilder windows = new StringBuilder();
        long allocated = -1;
        for (int window = 0; window < 3 && allocated != 0; window++)
        {
            final long committedBefore = cluster.node(leader).core().commitIndex();
            final long allocatedBefore = threads.getThreadAllocatedBytes(thread);
            cluster.runFor(20 * SECOND);
            allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
            final long committed = cluster.node(leader).core().commitIndex() - committedBefore;

            assertEquals(Role.LEADER, cluster.node(leader).core().role(), "steady state: no election while measuring");
            assertEquals(leaderTerm, cluster.node(leader).core().currentTerm());
            assertTrue(committed > 10_000, "enough entries committed to measure: " + committed);
            System.out.printf("core allocation: %d entries committed, %d bytes allocated, %.4f bytes/entry%n",
                committed, allocated, (double)allocated / committed);
            windows.append(windows.length() == 0 ? "" : ", ").append(allocated).append(" B / ").append(committed);
        }
        assertEquals(0, allocated, "bytes allocated on the cores' thread per window of committed entries: " + windows);
    }
}

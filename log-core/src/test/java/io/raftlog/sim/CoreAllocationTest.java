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

        assertAllocatesNothing(cluster, leader, threads, () -> 0);
    }

    /**
     * Reads as well: ReadIndex at the leader and forwarded from followers, each confirmed by a round of heartbeats,
     * while entries replicate.
     */
    @Test
    void readIndexReadsAllocateNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final SimOptions options = new SimOptions().members(3).seed(43);
        options.checkInvariants = false;
        options.initialStreamBytes = 64 << 20;
        options.initialEntries = 1 << 20;
        final SimCluster cluster = new SimCluster(options);
        cluster.prefillEvents(4096);
        cluster.startAll();
        new ClientWorkload(cluster, 200_000L, 1_000_000L, 8).start(200_000_000L);
        final ReadLoad reads = new ReadLoad(cluster);
        cluster.schedule(reads, 300_000_000L);
        cluster.runFor(20 * SECOND);
        final int leader = cluster.leader();
        assertTrue(leader != 0, "a leader was elected");
        final long readsBefore = reads.confirmed();
        assertAllocatesNothing(cluster, leader, threads, reads::confirmed);
        assertTrue(reads.confirmed() - readsBefore > 10_000, "reads confirmed while measuring: " + reads.confirmed());
    }

    /**
     * Every 100 microseconds a read at some member: the leader confirms its own and its followers' reads.
     */
    private static final class ReadLoad implements SimActor
    {
        private final SimCluster cluster;
        private long nextId = 1;
        private int member;

        ReadLoad(final SimCluster cluster)
        {
            this.cluster = cluster;
        }

        public void onTimer(final long nowNs)
        {
            member = member % cluster.size() + 1;
            final SimNode node = cluster.node(member);
            if (node.isAlive() && node.core().readIndex(nextId++) == 0)
            {
                cluster.endCycle(node);
            }
            cluster.schedule(this, nowNs + 100_000L);
        }

        long confirmed()
        {
            long confirmed = 0;
            for (int id = 1; id <= cluster.size(); id++)
            {
                confirmed += cluster.node(id).readsConfirmed;
            }
            return confirmed;
        }
    }

    private static void assertAllocatesNothing(
        final SimCluster cluster,
        final int leader,
        final com.sun.management.ThreadMXBean threads,
        final java.util.function.LongSupplier readsConfirmed)
    {
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
            final long readsBefore = readsConfirmed.getAsLong();
            final long allocatedBefore = threads.getThreadAllocatedBytes(thread);
            cluster.runFor(20 * SECOND);
            allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
            final long committed = cluster.node(leader).core().commitIndex() - committedBefore;
            final long reads = readsConfirmed.getAsLong() - readsBefore;

            assertEquals(Role.LEADER, cluster.node(leader).core().role(), "steady state: no election while measuring");
            assertEquals(leaderTerm, cluster.node(leader).core().currentTerm());
            assertTrue(committed > 10_000, "enough entries committed to measure: " + committed);
            System.out.printf("core allocation: %d entries committed, %d reads confirmed, %d bytes allocated, " +
                "%.4f bytes/entry%n", committed, reads, allocated, (double)allocated / committed);
            windows.append(windows.length() == 0 ? "" : ", ").append(allocated).append(" B / ").append(committed);
        }
        assertEquals(0, allocated, "bytes allocated on the cores' thread per window of committed entries: " + windows);
    }
}

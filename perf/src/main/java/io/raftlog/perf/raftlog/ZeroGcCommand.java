package io.raftlog.perf.raftlog;

import io.raftlog.perf.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The zero-GC proof: a three-node raftlog cluster in this JVM sequences entries at its maximum rate until
 * {@code --entries} are committed. Run it under Epsilon GC (which never collects) with a small heap: it completes
 * only if the hot path allocates (next to) nothing per entry.
 */
@Command(
    name = "zero-gc",
    mixinStandardHelpOptions = true,
    description = {
        "Sequence --entries entries through a three-node raftlog cluster (embedded load, Chronicle files, one media "
            + "driver per node, all in this JVM) and report the bytes allocated per entry on the node agent threads "
            + "and the heap used. Meant to run under Epsilon GC, which never frees anything:",
        "  java -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xms512m -Xmx512m -XX:MaxDirectMemorySize=2g "
            + "-jar perf/target/raftlog-perf.jar zero-gc --entries 10000000",
        "The heap is the 512 MB; direct memory is not heap: each node's index from Raft index to queue position "
            + "lives off-heap (16 bytes per entry kept, doubling as it grows) beside Chronicle's mapped files.",
        "Exit status 0 when every entry committed; an allocating hot path runs out of heap and dies instead."})
public final class ZeroGcCommand implements Callable<Integer>
{
    @Option(names = "--entries", defaultValue = "10000000", paramLabel = "N", description = "Entries to commit.")
    long entries;

    @Option(names = "--payload", defaultValue = "32", paramLabel = "BYTES", description = "Bytes per entry.")
    int payload;

    @Option(names = "--idle", defaultValue = "backoff", paramLabel = "NAME",
        description = "Idle strategy: backoff (default, for few cores) or busy-spin.")
    String idle;

    @Option(names = "--timeout-sec", defaultValue = "1800", paramLabel = "S", description = "Give up after S s.")
    long timeoutSec;

    public Integer call() throws Exception
    {
        final String gcs = collectors();
        System.out.printf("zero-gc: %,d entries of %d bytes through 3 nodes (page-cache, %s idle); GC: %s; " +
            "max heap %,d MB%n", entries, payload, idle, gcs, Runtime.getRuntime().maxMemory() >> 20);
        final Workload workload = new Workload(3, payload, 0, 0, 0, "page-cache", idle);
        try (PerfCluster cluster = new PerfCluster(workload, 0))
        {
            final int leader = cluster.awaitLeader(30);
            final AgentAllocation allocation = new AgentAllocation(cluster.agentThreadIds());
            final long heapBefore = heapUsed();
            final AgentAllocation warmAllocation = new AgentAllocation(cluster.agentThreadIds());
            allocation.start();
            final long warmUpEntries = entries / 10;
            long warmCommittedAtStart = -1;
            final long start = System.nanoTime();
            cluster.phase(OpenLoopSequencer.MEASURE);
            final long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSec);
            long lastReportNs = start;
            long committed;
            while ((committed = cluster.sequencers[leader].committedInMeasure()) < entries)
            {
                final long nowNs = System.nanoTime();
                if (nowNs > deadline)
                {
                    System.out.printf("zero-gc: gave up after %d s with %,d of %,d committed%n",
                        timeoutSec, committed, entries);
                    return 1;
                }
                if (warmCommittedAtStart < 0 && committed >= warmUpEntries)
                {
                    // from here on the JIT has compiled the loops: what is allocated now is what the hot path costs
                    warmCommittedAtStart = committed;
                    warmAllocation.start();
                }
                if (nowNs - lastReportNs > TimeUnit.SECONDS.toNanos(10))
                {
                    lastReportNs = nowNs;
                    System.out.printf("zero-gc: %,d committed (%.0f/s), heap used %,d MB%n", committed,
                        committed / ((nowNs - start) / 1e9), heapUsed() >> 20);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            cluster.phase(OpenLoopSequencer.STOPPED);
            final long elapsedNs = System.nanoTime() - start;
            allocation.stop();
            warmAllocation.stop();
            final long warmEntries = committed - Math.max(0, warmCommittedAtStart);
            final long heapAfter = heapUsed();
            System.out.printf("zero-gc: %,d entries committed in %.1f s (%,.0f/s); node agent threads allocated " +
                "%,d bytes in all (%.4f B/entry), %,d bytes over the %,d entries after the first tenth (%.4f " +
                "B/entry); heap used %,d MB before, %,d MB after; GC: %s%n",
                committed, elapsedNs / 1e9, committed / (elapsedNs / 1e9), allocation.allocatedBytes(),
                (double)allocation.allocatedBytes() / committed, warmAllocation.allocatedBytes(), warmEntries,
                (double)warmAllocation.allocatedBytes() / Math.max(1, warmEntries), heapBefore >> 20,
                heapAfter >> 20, gcs);
            return 0;
        }
    }

    private static long heapUsed()
    {
        final MemoryUsage usage = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return usage.getUsed();
    }

    private static String collectors()
    {
        final StringBuilder names = new StringBuilder();
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            names.append(names.length() == 0 ? "" : ", ").append(gc.getName());
        }
        return names.length() == 0 ? "none reported (Epsilon)" : names.toString();
    }
}

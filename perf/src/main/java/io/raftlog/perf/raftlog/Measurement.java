package io.raftlog.perf.raftlog;

import io.raftlog.perf.Progress;
import io.raftlog.perf.Result;
import io.raftlog.perf.Workload;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The phases of one raftlog measurement (warm-up, measure, drain) with the allocation of the cluster's agent
 * threads over the measured window, and the result built from what was measured.
 */
final class Measurement
{
    private static final long DRAIN_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final String system;
    private final Workload workload;
    private final Progress progress;
    private int leaderAtStart;
    private int leaderAtEnd;
    private long measuredNs;
    private long allocatedBytes;

    Measurement(final String system, final Workload workload, final Progress progress)
    {
        this.system = system;
        this.workload = workload;
        this.progress = progress;
    }

    void run(final MeasuredCluster cluster, final int leader)
    {
        leaderAtStart = leader;
        final AgentAllocation allocation = new AgentAllocation(cluster.agentThreadIds());
        cluster.phase(OpenLoopSequencer.WARMUP);
        sleep(workload.warmupSec(), "warm-up", cluster);
        allocation.start();
        final long start = System.nanoTime();
        cluster.phase(OpenLoopSequencer.MEASURE);
        sleep(workload.measureSec(), "measure", cluster);
        cluster.phase(OpenLoopSequencer.DRAIN);
        measuredNs = System.nanoTime() - start;
        LockSupport.parkNanos(DRAIN_NS);
        allocation.stop();
        allocatedBytes = allocation.allocatedBytes();
        cluster.phase(OpenLoopSequencer.STOPPED);
        leaderAtEnd = cluster.awaitLeader(5);
    }

    int leaderAtEnd()
    {
        return leaderAtEnd;
    }

    Result result(final Histogram histogram, final long committed, final long committedWhileMeasuring,
        final String note)
    {
        final double throughput = committedWhileMeasuring / (measuredNs / 1e9);
        final double allocPerEntry = committed == 0 ? Double.NaN : (double)allocatedBytes / committed;
        final String leaderNote = leaderAtStart == leaderAtEnd ? "" :
            "; the leader changed during the run (member " + (leaderAtStart + 1) + " to " + (leaderAtEnd + 1) + ")";
        return new Result(system, workload, workload.isThroughputRun() ? null : histogram, throughput, allocPerEntry,
            note + "; " + workload.idleStrategy() + " idle strategy; alloc measured on " +
            "the node agent threads over " + committed + " entries" + leaderNote);
    }

    /**
     * @return a note for a run whose open-loop schedule fell behind by more than 100 ms: the rate was not sustained.
     */
    static String lagNote(final long scheduleLagNs)
    {
        if (scheduleLagNs < TimeUnit.MILLISECONDS.toNanos(100))
        {
            return "";
        }
        return "; OVERLOADED: the schedule was " + TimeUnit.NANOSECONDS.toMillis(scheduleLagNs) +
            " ms behind at the end of the window (rate not sustained; percentiles are a lower bound)";
    }

    private void sleep(final int seconds, final String what, final MeasuredCluster cluster)
    {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end)
        {
            progress.update(system + " " + workload.key() + ": " + what + ", " +
                Math.max(0, TimeUnit.NANOSECONDS.toSeconds(end - System.nanoTime())) + " s left");
            LockSupport.parkNanos(Math.min(end - System.nanoTime(), TimeUnit.SECONDS.toNanos(1)));
        }
    }
}

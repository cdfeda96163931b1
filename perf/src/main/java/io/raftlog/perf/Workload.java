package io.raftlog.perf;

/**
 * One scenario of the side-by-side comparison: the same on every system that runs it.
 *
 * @param nodes        cluster members (1 for a physical-limit measurement that has no cluster).
 * @param payloadBytes bytes of each message or entry.
 * @param ratePerSec   offered load, open loop, for a latency run; 0 for a run at the maximum sustained throughput.
 * @param warmupSec    seconds run before measuring (JIT, buffers, page faults).
 * @param measureSec   seconds measured.
 * @param durability   {@code page-cache} or {@code fsync} where a system stores; {@code none} where it does not.
 * @param idleStrategy the idle strategy of every duty cycle in the run: {@code backoff} or {@code busy-spin}.
 */
public record Workload(
    int nodes, int payloadBytes, int ratePerSec, int warmupSec, int measureSec, String durability, String idleStrategy)
{
    public boolean isThroughputRun()
    {
        return ratePerSec == 0;
    }

    /**
     * @return a key naming the scenario (everything but the system), for grouping results into tables and plots.
     */
    public String key()
    {
        return nodes + "n-" + payloadBytes + "B-" + (ratePerSec == 0 ? "max" : ratePerSec + "ps") + "-" + durability;
    }

    public Workload withDurability(final String durability)
    {
        return new Workload(nodes, payloadBytes, ratePerSec, warmupSec, measureSec, durability, idleStrategy);
    }

    public Workload withNodes(final int nodes)
    {
        return new Workload(nodes, payloadBytes, ratePerSec, warmupSec, measureSec, durability, idleStrategy);
    }
}

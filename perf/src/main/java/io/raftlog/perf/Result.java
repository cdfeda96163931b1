package io.raftlog.perf;

import org.HdrHistogram.Histogram;

/**
 * What one system measured for one {@link Workload}.
 *
 * @param system             e.g. {@code raftlog-embedded}, {@code raftlog-client}, {@code aeron-cluster},
 *                           {@code aeron-udp-rtt}, {@code aeron-udp-fanout}, {@code chronicle-append}.
 * @param latencyNs          nanoseconds from the intended send time (open loop, so coordinated omission is
 *                           corrected) to the acknowledgement; null for a throughput-only measurement.
 * @param throughputPerSec   messages or entries completed per second while measuring.
 * @param allocBytesPerEntry bytes allocated per entry on the agent threads of the system's nodes; NaN where not
 *                           measured.
 * @param note               anything a reader must know to read the numbers (empty if nothing).
 */
public record Result(
    String system, Workload workload, Histogram latencyNs, double throughputPerSec, double allocBytesPerEntry,
    String note)
{
    public double percentileUs(final double percentile)
    {
        return latencyNs == null || latencyNs.getTotalCount() == 0 ? Double.NaN :
            latencyNs.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxUs()
    {
        return latencyNs == null || latencyNs.getTotalCount() == 0 ? Double.NaN : latencyNs.getMaxValue() / 1000.0;
    }
}

package io.raftlog.perf;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Histograms of the harness: nanoseconds, up to a minute, three significant digits.
 */
public final class LatencyHistograms
{
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);

    private LatencyHistograms()
    {
    }

    public static Histogram create()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, 3);
    }

    /**
     * Records a latency measured from the intended send time, clamped into the histogram's range.
     */
    public static void record(final Histogram histogram, final long latencyNs)
    {
        histogram.recordValue(Math.max(0, Math.min(latencyNs, HIGHEST_TRACKABLE_NS)));
    }
}

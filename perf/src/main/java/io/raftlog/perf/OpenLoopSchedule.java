package io.raftlog.perf;

/**
 * Send times of an open-loop load at a fixed rate: the n-th message is due at {@code start + n * interval},
 * whatever happened to the ones before. Latency is measured from the due time, not from when the message could be
 * sent, so a stall is charged to every message it delayed (no coordinated omission).
 */
public final class OpenLoopSchedule
{
    private final long startNs;
    private final double intervalNs;
    private long sent;

    public OpenLoopSchedule(final long startNs, final int ratePerSec)
    {
        if (ratePerSec <= 0)
        {
            throw new IllegalArgumentException("ratePerSec must be positive: " + ratePerSec);
        }
        this.startNs = startNs;
        this.intervalNs = 1e9 / ratePerSec;
    }

    /**
     * @return when the next message is due.
     */
    public long nextDueNs()
    {
        return startNs + (long)(sent * intervalNs);
    }

    /**
     * @return whether the next message is due at {@code nowNs}.
     */
    public boolean isDue(final long nowNs)
    {
        return nowNs - nextDueNs() >= 0;
    }

    /**
     * Marks the next message sent.
     *
     * @return the time it was due.
     */
    public long sent()
    {
        final long due = nextDueNs();
        sent++;
        return due;
    }

    public long count()
    {
        return sent;
    }
}

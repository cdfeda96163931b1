package io.raftlog.perf.raftlog;

import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.node.EmbeddedApplication;
import io.raftlog.node.RaftNode;
import io.raftlog.perf.LatencyHistograms;
import io.raftlog.perf.OpenLoopSchedule;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The embedded load of a measured raftlog member, on its node's own thread: while this member leads, it offers
 * entries on an open-loop schedule (or as fast as back-pressure allows for a throughput run) and, told of each
 * commit, records the latency of its entries from the time each was due. Nothing allocates per entry.
 */
final class OpenLoopSequencer implements EmbeddedApplication, RaftListener
{
    static final int IDLE = 0;
    static final int WARMUP = 1;
    static final int MEASURE = 2;
    static final int STOPPED = 3;
    /** No more offers; commits of what was offered while measuring are still timed. */
    static final int DRAIN = 4;

    private static final int RING = 1 << 20;
    private static final int MASK = RING - 1;
    private static final int MAX_OFFERS_PER_CYCLE = 1024;

    private final int ratePerSec;
    private final UnsafeBuffer payload;
    private final int payloadLength;
    private final long[] dueByIndex = new long[RING];
    private final Histogram histogram = LatencyHistograms.create();
    private volatile int phase = IDLE;
    private volatile boolean leader;
    private volatile long committedInMeasure;
    private volatile long committedWhileMeasuring;
    private volatile long measureStartNs;
    private volatile long scheduleLagNs;
    private OpenLoopSchedule schedule;
    private long lastRecordedIndex;
    private long lastOfferedIndex;
    private long measuredCommits;
    private boolean justElected;
    private long whileMeasuring;

    OpenLoopSequencer(final int ratePerSec, final int payloadLength)
    {
        this.ratePerSec = ratePerSec;
        this.payloadLength = payloadLength;
        this.payload = new UnsafeBuffer(new byte[Math.max(8, payloadLength)]);
    }

    boolean isLeader()
    {
        return leader;
    }

    void phase(final int phase)
    {
        if (phase == MEASURE)
        {
            measureStartNs = System.nanoTime();
        }
        this.phase = phase;
    }

    /**
     * @return entries of this member committed while measuring (read after the agent stopped, or as a progress hint).
     */
    long committedInMeasure()
    {
        return committedInMeasure;
    }

    /**
     * @return entries committed during the measurement window itself: the throughput's numerator.
     */
    long committedWhileMeasuring()
    {
        return committedWhileMeasuring;
    }

    /**
     * @return how far the open-loop schedule was behind when the window ended (0 if it kept up): an overloaded run
     *         commits fewer entries than were due, and its percentiles are a lower bound.
     */
    long scheduleLagNs()
    {
        return Math.max(0, scheduleLagNs);
    }

    Histogram histogram()
    {
        return histogram;
    }

    public int doWork(final RaftNode node)
    {
        final int phase = this.phase;
        if (!leader || phase == IDLE || phase == STOPPED || phase == DRAIN)
        {
            return 0;
        }
        if (justElected)
        {
            // what the log holds already is not this leader's to time
            justElected = false;
            lastRecordedIndex = node.core().lastIndex();
            lastOfferedIndex = lastRecordedIndex;
        }
        final long nowNs = System.nanoTime();
        int offered = 0;
        if (ratePerSec > 0)
        {
            if (schedule == null)
            {
                schedule = new OpenLoopSchedule(nowNs, ratePerSec);
            }
            while (offered < MAX_OFFERS_PER_CYCLE && schedule.isDue(nowNs))
            {
                payload.putLong(0, schedule.count());
                final long index = node.offer(payload, 0, payloadLength);
                if (index <= 0)
                {
                    break; // still due: the wait counts in its latency
                }
                dueByIndex[(int)(index & MASK)] = schedule.sent();
                lastOfferedIndex = index;
                offered++;
            }
            if (phase == MEASURE)
            {
                scheduleLagNs = nowNs - schedule.nextDueNs();
            }
        }
        else
        {
            while (offered < MAX_OFFERS_PER_CYCLE)
            {
                payload.putLong(0, lastOfferedIndex);
                final long index = node.offer(payload, 0, payloadLength);
                if (index <= 0)
                {
                    break;
                }
                dueByIndex[(int)(index & MASK)] = nowNs;
                lastOfferedIndex = index;
                offered++;
            }
        }
        return offered;
    }

    public void onCommit(final long commitIndex)
    {
        if (!leader || justElected)
        {
            return;
        }
        final long upTo = Math.min(commitIndex, lastOfferedIndex);
        final int phase = this.phase;
        final boolean inWindow = phase == MEASURE;
        final boolean measuring = inWindow || phase == DRAIN;
        final long nowNs = System.nanoTime();
        final long start = measureStartNs;
        for (long index = lastRecordedIndex + 1; index <= upTo; index++)
        {
            final int slot = (int)(index & MASK);
            final long due = dueByIndex[slot];
            if (due != 0)
            {
                dueByIndex[slot] = 0;
                // timed: every entry committed in the window (an overloaded run commits entries that were due before
                // it), and, while draining, those that were due in it
                if (inWindow || (measuring && due - start >= 0))
                {
                    LatencyHistograms.record(histogram, nowNs - due);
                    measuredCommits++;
                    if (inWindow)
                    {
                        whileMeasuring++;
                    }
                }
            }
        }
        if (upTo > lastRecordedIndex)
        {
            lastRecordedIndex = upTo;
        }
        if (measuring)
        {
            committedInMeasure = measuredCommits;
            committedWhileMeasuring = whileMeasuring;
        }
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        final boolean isLeader = role == Role.LEADER;
        justElected |= isLeader && !leader;
        leader = isLeader;
    }
}

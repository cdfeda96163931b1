package io.raftlog.samples;

import io.raftlog.core.LogStore;
import org.HdrHistogram.Histogram;

import java.util.Arrays;

/**
 * What the demo's client knows: which event it offered at which index to which leader in which term, and which
 * events are acknowledged. An event is acknowledged when a leader has committed the index it was offered at, with
 * that entry: by the leader it was offered to (the commit latency, offer to commit, is recorded), or, after that
 * leader died, by a successor whose log holds the entry at that index in the term it was offered in (log matching,
 * Raft paper 5.3: same index and term, same entry). Events that the successor's log does not hold were lost with
 * the dead leader and are sent again, so every event is acknowledged exactly once and in sequence order; the ledger
 * checks that as it goes and remembers the index of each acknowledged event for the replay to compare against.
 * <p>
 * Offers and acknowledgements are arrays indexed by Raft index and by sequence number: nothing allocated per event.
 */
final class EventLedger
{
    private long[] seqAt;
    private long[] termAt;
    private long[] offeredNsAt;
    private int[] memberAt;
    private long[] indexOfSeq;

    private long nextSeq = 1;
    private long lastAckedSeq;
    private long lastAckedIndex;
    private long lastOfferedIndex;
    private long scannedThrough;
    private long ackedByOwnLeader;
    private long ackedBySuccessor;
    private long resent;
    private String violation;
    private final Histogram commitLatencyNs = new Histogram(3_600_000_000_000L, 3);

    EventLedger(final int expectedEvents)
    {
        final int capacity = Math.max(1024, expectedEvents + (expectedEvents >> 2));
        seqAt = new long[capacity];
        termAt = new long[capacity];
        offeredNsAt = new long[capacity];
        memberAt = new int[capacity];
        indexOfSeq = new long[capacity];
    }

    long nextSeq()
    {
        return nextSeq;
    }

    long lastAckedSeq()
    {
        return lastAckedSeq;
    }

    long lastAckedIndex()
    {
        return lastAckedIndex;
    }

    /**
     * @return events offered and not (yet) acknowledged.
     */
    long inFlight()
    {
        return nextSeq - 1 - lastAckedSeq;
    }

    long ackedByOwnLeader()
    {
        return ackedByOwnLeader;
    }

    long ackedBySuccessor()
    {
        return ackedBySuccessor;
    }

    long resent()
    {
        return resent;
    }

    Histogram commitLatencyNs()
    {
        return commitLatencyNs;
    }

    /**
     * @return the first broken rule, or null.
     */
    String violation()
    {
        return violation;
    }

    /**
     * @return the index at which event {@code seq} was acknowledged, or 0 if it was not.
     */
    long indexOf(final long seq)
    {
        return seq > 0 && seq < indexOfSeq.length ? indexOfSeq[(int)seq] : 0;
    }

    /**
     * The leader {@code memberId} of {@code term} accepted event {@link #nextSeq()} at {@code index}.
     */
    void offered(final long index, final int memberId, final long term, final long nowNs)
    {
        if (index <= lastOfferedIndex)
        {
            fail("index " + index + " offered after " + lastOfferedIndex);
        }
        ensureCapacity(Math.max(index, nextSeq));
        final int i = (int)index;
        seqAt[i] = nextSeq;
        termAt[i] = term;
        memberAt[i] = memberId;
        offeredNsAt[i] = nowNs;
        lastOfferedIndex = index;
        nextSeq++;
    }

    /**
     * The leader the events are offered to, {@code memberId} in {@code term}, has committed up to
     * {@code commitIndex}: what it was offered up to there is acknowledged.
     *
     * @return events acknowledged by this call.
     */
    int onLeaderCommit(final int memberId, final long term, final long commitIndex, final long nowNs)
    {
        final long end = Math.min(commitIndex, lastOfferedIndex);
        int acked = 0;
        for (long index = scannedThrough + 1; index <= end; index++)
        {
            final int i = (int)index;
            if (seqAt[i] == 0)
            {
                continue; // not an event of ours: the leader's no-op or a configuration
            }
            if (memberAt[i] != memberId || termAt[i] != term)
            {
                fail("index " + index + " was offered to member " + memberAt[i] + " in term " + termAt[i] +
                    " but committed by member " + memberId + " in term " + term + " before it was resolved");
                return acked;
            }
            acknowledge(index);
            commitLatencyNs.recordValue(Math.max(0, nowNs - offeredNsAt[i]));
            ackedByOwnLeader++;
            acked++;
        }
        scannedThrough = Math.max(scannedThrough, end);
        return acked;
    }

    /**
     * A new leader has committed an entry of its own term, so its log up to {@code commitIndex} is the committed log
     * and holds no entry of an older term after it. Every event offered to an earlier leader and not yet
     * acknowledged is settled against it: acknowledged if the new leader's log holds it (same index, same term), else
     * lost; the lost ones are sent again from the first of them.
     *
     * @return the events acknowledged by the new leader in {@code [0]}, the events to send again in {@code [1]}.
     */
    long[] settleWith(final LogStore newLeaderLog, final long commitIndex)
    {
        long survived = 0;
        long lost = 0;
        for (long index = scannedThrough + 1; index <= lastOfferedIndex; index++)
        {
            final int i = (int)index;
            if (seqAt[i] == 0)
            {
                continue;
            }
            if (lost == 0 && index <= commitIndex && newLeaderLog.termAt(index) == termAt[i])
            {
                acknowledge(index);
                ackedBySuccessor++;
                survived++;
                scannedThrough = index;
            }
            else
            {
                lost++;
            }
            seqAt[i] = 0;
        }
        if (lost != inFlight())
        {
            fail(lost + " events lost but " + inFlight() + " were in flight");
        }
        resent += lost;
        nextSeq = lastAckedSeq + 1;
        lastOfferedIndex = scannedThrough;
        return new long[] { survived, lost };
    }

    private void acknowledge(final long index)
    {
        final int i = (int)index;
        final long seq = seqAt[i];
        if (seq != lastAckedSeq + 1)
        {
            fail("event " + seq + " acknowledged at index " + index + " after event " + lastAckedSeq);
        }
        if (index <= lastAckedIndex)
        {
            fail("event " + seq + " acknowledged at index " + index + ", not after index " + lastAckedIndex);
        }
        indexOfSeq[(int)seq] = index;
        lastAckedSeq = seq;
        lastAckedIndex = index;
        seqAt[i] = 0;
    }

    private void fail(final String message)
    {
        if (violation == null)
        {
            violation = message;
        }
    }

    private void ensureCapacity(final long needed)
    {
        if (needed >= seqAt.length)
        {
            final int capacity = (int)Math.min(Integer.MAX_VALUE - 8, Math.max(needed + 1, 2L * seqAt.length));
            seqAt = Arrays.copyOf(seqAt, capacity);
            termAt = Arrays.copyOf(termAt, capacity);
            offeredNsAt = Arrays.copyOf(offeredNsAt, capacity);
            memberAt = Arrays.copyOf(memberAt, capacity);
            indexOfSeq = Arrays.copyOf(indexOfSeq, capacity);
        }
    }
}

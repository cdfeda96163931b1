package io.raftlog.core;

import java.util.Arrays;

/**
 * Where each term starts in a log. Terms change only on elections, so this stays tiny while the log grows, and it
 * answers {@code termAt}, and the first and last index of a term, without touching the records (the fast back-up of
 * a diverging follower asks both, paper section 5.3).
 * <p>
 * Invariant: start indices strictly increase and so do terms; the last run ends at {@link #lastIndex()}.
 */
public final class TermHistory
{
    private long[] terms = new long[16];
    private long[] starts = new long[16];
    private int size;
    private long lastIndex;
    private long baseIndex;
    private long baseTerm;

    /**
     * Resets to an empty log that starts after {@code baseIndex}, whose entry had {@code baseTerm}.
     */
    public void reset(final long baseIndex, final long baseTerm)
    {
        this.size = 0;
        this.baseIndex = baseIndex;
        this.baseTerm = baseTerm;
        this.lastIndex = baseIndex;
    }

    public long lastIndex()
    {
        return lastIndex;
    }

    public long lastTerm()
    {
        return size == 0 ? baseTerm : terms[size - 1];
    }

    /**
     * Records that the entry at {@code index}, which must be {@code lastIndex() + 1}, has {@code term}.
     */
    public void append(final long index, final long term)
    {
        if (index != lastIndex + 1)
        {
            throw new IllegalStateException("non-consecutive index " + index + " after " + lastIndex);
        }
        final long lastTerm = lastTerm();
        if (term < lastTerm)
        {
            throw new IllegalStateException("term " + term + " at " + index + " goes back from " + lastTerm);
        }
        if (term != lastTerm || size == 0)
        {
            if (size == terms.length)
            {
                terms = Arrays.copyOf(terms, size * 2);
                starts = Arrays.copyOf(starts, size * 2);
            }
            terms[size] = term;
            starts[size] = index;
            size++;
        }
        lastIndex = index;
    }

    /**
     * Forgets the entries from {@code index} on.
     */
    public void truncateFrom(final long index)
    {
        if (index <= baseIndex)
        {
            throw new IllegalStateException("truncate at " + index + " at or below the base " + baseIndex);
        }
        if (index > lastIndex)
        {
            return;
        }
        while (size > 0 && starts[size - 1] >= index)
        {
            size--;
        }
        lastIndex = index - 1;
    }

    /**
     * Forgets the entries up to {@code index}, which becomes the base (log compaction).
     */
    public void compactTo(final long index)
    {
        if (index < baseIndex || index > lastIndex)
        {
            throw new IllegalStateException("compact to " + index + " outside [" + baseIndex + ", " + lastIndex + "]");
        }
        final long term = termAt(index);
        int drop = 0;
        while (drop < size && runEnd(drop) <= index)
        {
            drop++;
        }
        if (drop > 0)
        {
            System.arraycopy(terms, drop, terms, 0, size - drop);
            System.arraycopy(starts, drop, starts, 0, size - drop);
            size -= drop;
        }
        if (size > 0 && starts[0] <= index)
        {
            starts[0] = index + 1;
        }
        baseIndex = index;
        baseTerm = term;
    }

    public long baseIndex()
    {
        return baseIndex;
    }

    private long runEnd(final int run)
    {
        return run == size - 1 ? lastIndex : starts[run + 1] - 1;
    }

    /**
     * @return the term at {@code index} in [baseIndex, lastIndex]; -1 outside it.
     */
    public long termAt(final long index)
    {
        if (index == baseIndex)
        {
            return baseTerm;
        }
        if (index < baseIndex || index > lastIndex)
        {
            return -1;
        }
        final int run = runContaining(index);
        return terms[run];
    }

    public long firstIndexOfTerm(final long term)
    {
        final int run = runOfTerm(term);
        return run < 0 ? 0 : starts[run];
    }

    public long lastIndexOfTerm(final long term)
    {
        final int run = runOfTerm(term);
        if (run < 0)
        {
            return 0;
        }
        return run == size - 1 ? lastIndex : starts[run + 1] - 1;
    }

    private int runContaining(final long index)
    {
        int low = 0;
        int high = size - 1;
        while (low < high)
        {
            final int mid = (low + high + 1) >>> 1;
            if (starts[mid] <= index)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return low;
    }

    private int runOfTerm(final long term)
    {
        int low = 0;
        int high = size - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long midTerm = terms[mid];
            if (midTerm == term)
            {
                return mid;
            }
            if (midTerm < term)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return -1;
    }
}

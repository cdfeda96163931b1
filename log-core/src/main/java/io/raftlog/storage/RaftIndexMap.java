package io.raftlog.storage;


/**
 * From Raft index to the Chronicle index of the document holding its entry, and the bytes the log holds up to each
 * entry: two off-heap arrays of longs indexed from an origin, 16 bytes per entry kept. They grow by doubling only when full
 * after sliding out the entries compaction dropped, so after warm-up (or with an initial capacity that covers the
 * retained log) appending allocates nothing.
 * <p>
 * Slot {@code k} holds index {@code origin + k}; the entries held are {@code [origin, last]}; those below
 * {@code floor} (at or below the log's base) are dead and slide out on the next growth.
 */
final class RaftIndexMap
{
    /** The entry's document is not known: it lies in a cycle file deleted after compaction. */
    static final long UNKNOWN = -1;

    private OffHeapLongArray queueIndices;
    private OffHeapLongArray cumulativeBytes;
    private long origin = 1;
    private long floor = 1;
    private long last;
    private long bytesBeforeOrigin;

    RaftIndexMap(final int initialEntries)
    {
        queueIndices = new OffHeapLongArray(Math.max(16, initialEntries));
        cumulativeBytes = new OffHeapLongArray(queueIndices.length());
    }

    /**
     * Empty: the next entry is {@code baseIndex + 1}.
     */
    void reset(final long baseIndex)
    {
        origin = baseIndex + 1;
        floor = origin;
        last = baseIndex;
        bytesBeforeOrigin = 0;
    }

    void append(final long index, final long queueIndex, final int bytes)
    {
        if (index != last + 1)
        {
            throw new IllegalStateException("index map: append of " + index + " after " + last);
        }
        if (index - origin >= queueIndices.length())
        {
            makeRoom();
        }
        final int slot = (int)(index - origin);
        queueIndices.set(slot, queueIndex);
        cumulativeBytes.set(slot, cumulativeBefore(slot) + bytes);
        last = index;
    }

    void truncateFrom(final long index)
    {
        if (index < floor)
        {
            throw new IllegalStateException("index map: truncate at " + index + " below " + floor);
        }
        if (index <= last)
        {
            last = index - 1;
        }
    }

    /**
     * Entries up to {@code baseIndex} are no longer needed.
     */
    void compactTo(final long baseIndex)
    {
        floor = Math.max(floor, baseIndex + 1);
    }

    long last()
    {
        return last;
    }

    /**
     * @return the Chronicle index of the entry, or {@link #UNKNOWN}; the index must be held.
     */
    long queueIndex(final long index)
    {
        return queueIndices.get(slot(index));
    }

    /**
     * @return the bytes of the entry at {@code index} as counted by {@link #bytesFrom}.
     */
    long bytesOf(final long index)
    {
        final int slot = slot(index);
        return cumulativeBytes.get(slot) - cumulativeBefore(slot);
    }

    /**
     * @return the bytes held from {@code index} to the end: 0 past the end.
     */
    long bytesFrom(final long index)
    {
        if (index > last)
        {
            return 0;
        }
        final int slot = slot(index);
        return cumulativeBytes.get((int)(last - origin)) - cumulativeBefore(slot);
    }

    /**
     * @return the lowest index at or after {@code from} whose document is unknown, or 0 if none up to the end.
     */
    long firstUnknownFrom(final long from)
    {
        for (long index = Math.max(from, origin); index <= last; index++)
        {
            if (queueIndices.get((int)(index - origin)) == UNKNOWN)
            {
                return index;
            }
        }
        return 0;
    }

    private long cumulativeBefore(final int slot)
    {
        return slot == 0 ? bytesBeforeOrigin : cumulativeBytes.get(slot - 1);
    }

    private int slot(final long index)
    {
        if (index < floor || index > last)
        {
            throw new IllegalStateException("index map: " + index + " not in [" + floor + ", " + last + "]");
        }
        return (int)(index - origin);
    }

    private void makeRoom()
    {
        final int dead = (int)(floor - origin);
        final int live = (int)(last - floor + 1);
        if (dead > 0)
        {
            bytesBeforeOrigin = cumulativeBefore(dead);
            queueIndices.move(dead, 0, live);
            cumulativeBytes.move(dead, 0, live);
            origin = floor;
        }
        if (live >= queueIndices.length() / 2)
        {
            final int capacity = queueIndices.length() * 2;
            if (capacity < 0)
            {
                throw new IllegalStateException("index map: more than 2^30 entries retained");
            }
            queueIndices = queueIndices.grownTo(capacity, live);
            cumulativeBytes = cumulativeBytes.grownTo(capacity, live);
        }
    }
}

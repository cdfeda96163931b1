package io.raftlog.storage;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A fixed-length array of longs outside the Java heap: an index over a large log costs the collector nothing and
 * does not count against the heap. Growing means a new, larger array.
 */
final class OffHeapLongArray
{
    private final UnsafeBuffer buffer;
    private final int length;

    OffHeapLongArray(final int length)
    {
        this.length = length;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length * Long.BYTES, Long.BYTES));
    }

    int length()
    {
        return length;
    }

    long get(final int index)
    {
        return buffer.getLong(index * Long.BYTES);
    }

    void set(final int index, final long value)
    {
        buffer.putLong(index * Long.BYTES, value);
    }

    /**
     * Moves {@code count} values from {@code from} to {@code to} within this array.
     */
    void move(final int from, final int to, final int count)
    {
        buffer.putBytes(to * Long.BYTES, buffer, from * Long.BYTES, count * Long.BYTES);
    }

    /**
     * @return a copy of the first {@code count} values in a new array of {@code newLength}.
     */
    OffHeapLongArray grownTo(final int newLength, final int count)
    {
        final OffHeapLongArray grown = new OffHeapLongArray(newLength);
        grown.buffer.putBytes(0, buffer, 0, count * Long.BYTES);
        return grown;
    }
}

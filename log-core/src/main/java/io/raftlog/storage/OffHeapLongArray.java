package io.raftlog.storage;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

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
        // a whole direct buffer (malloc'd memory is aligned to at least 16 bytes), not an aligned slice of a larger
        // one: only a whole buffer can be freed at once when the array grows
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(length * Long.BYTES));
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
     * @return a copy of the first {@code count} values in a new array of {@code newLength}; this array's memory is
     * released at once (not when a garbage collector finds it: under a collector that never runs, such as Epsilon,
     * it would never be), so this array must not be used again.
     */
    OffHeapLongArray grownTo(final int newLength, final int count)
    {
        final OffHeapLongArray grown = new OffHeapLongArray(newLength);
        grown.buffer.putBytes(0, buffer, 0, count * Long.BYTES);
        BufferUtil.free(buffer);
        return grown;
    }
}

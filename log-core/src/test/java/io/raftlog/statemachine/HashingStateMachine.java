package io.raftlog.statemachine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A state machine whose whole state is a running hash of the entries it applied (index and bytes, in order), their
 * count and the last index: two members hold the same state only if they applied the same entries in the same
 * order, each once. Its fields are volatile so the test thread can compare them; it allocates nothing per entry.
 * It can be made slow: {@link #sleepPerApplyNs}.
 * <pre>
 *   result of apply: count after it (int64)
 *   result of query and snapshot: 0 count | 8 hash | 16 last index                    (little-endian)
 * </pre>
 */
final class HashingStateMachine implements StateMachine
{
    static final int STATE_LENGTH = 24;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private volatile long count;
    private volatile long hash = FNV_OFFSET;
    private volatile long lastIndex;
    private volatile long restoredIndex = -1;
    private volatile long sleepPerApplyNs;
    private volatile long restores;
    private volatile Thread applyThread;
    private volatile boolean appliedOnTwoThreads;

    HashingStateMachine sleepPerApplyNs(final long sleepPerApplyNs)
    {
        this.sleepPerApplyNs = sleepPerApplyNs;
        return this;
    }

    public int apply(
        final long index,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final MutableDirectBuffer result)
    {
        noteThread();
        if (index <= lastIndex)
        {
            throw new IllegalStateException("entry " + index + " applied after " + lastIndex);
        }
        long h = hash;
        h = (h ^ index) * FNV_PRIME;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (buffer.getByte(offset + i) & 0xFF)) * FNV_PRIME;
        }
        hash = h;
        lastIndex = index;
        count = count + 1;
        final long sleepNs = sleepPerApplyNs;
        if (sleepNs > 0)
        {
            sleep(sleepNs);
        }
        result.putLong(0, count, ORDER);
        return 8;
    }

    public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
    {
        noteThread();
        return writeState(result);
    }

    public int snapshot(final MutableDirectBuffer out)
    {
        noteThread();
        return writeState(out);
    }

    public void restore(final long index, final DirectBuffer state, final int offset, final int length)
    {
        noteThread();
        if (length == 0)
        {
            count = 0;
            hash = FNV_OFFSET;
            lastIndex = 0;
        }
        else
        {
            if (length != STATE_LENGTH)
            {
                throw new IllegalArgumentException("state of " + length + " bytes");
            }
            count = state.getLong(offset, ORDER);
            hash = state.getLong(offset + 8, ORDER);
            lastIndex = state.getLong(offset + 16, ORDER);
            if (lastIndex > index)
            {
                throw new IllegalStateException("a state as of " + lastIndex + " restored as of " + index);
            }
        }
        restoredIndex = index;
        restores = restores + 1;
    }

    long restores()
    {
        return restores;
    }

    long count()
    {
        return count;
    }

    long hash()
    {
        return hash;
    }

    long lastIndex()
    {
        return lastIndex;
    }

    /**
     * @return the index of the last snapshot restored, -1 when none was.
     */
    long restoredIndex()
    {
        return restoredIndex;
    }

    Thread applyThread()
    {
        return applyThread;
    }

    boolean appliedOnTwoThreads()
    {
        return appliedOnTwoThreads;
    }

    static long countOf(final DirectBuffer state, final int offset)
    {
        return state.getLong(offset, ORDER);
    }

    static long hashOf(final DirectBuffer state, final int offset)
    {
        return state.getLong(offset + 8, ORDER);
    }

    static long lastIndexOf(final DirectBuffer state, final int offset)
    {
        return state.getLong(offset + 16, ORDER);
    }

    private int writeState(final MutableDirectBuffer out)
    {
        out.putLong(0, count, ORDER);
        out.putLong(8, hash, ORDER);
        out.putLong(16, lastIndex, ORDER);
        return STATE_LENGTH;
    }

    private void noteThread()
    {
        final Thread current = Thread.currentThread();
        final Thread first = applyThread;
        if (first == null)
        {
            applyThread = current;
        }
        else if (first != current)
        {
            appliedOnTwoThreads = true;
        }
    }

    private static void sleep(final long ns)
    {
        final long deadline = System.nanoTime() + ns;
        long left = ns;
        while (left > 0)
        {
            LockSupport.parkNanos(left);
            left = deadline - System.nanoTime();
        }
    }

    static long millis(final long ms)
    {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}

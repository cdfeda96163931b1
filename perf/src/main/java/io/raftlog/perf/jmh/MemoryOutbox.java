package io.raftlog.perf.jmh;

import io.raftlog.protocol.PeerOutbox;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link PeerOutbox} that writes every message into one off-heap ring, one after another and 8-byte aligned as
 * Aeron's term buffer holds them, and then forgets it: what {@code PeerMessageEncoder} costs (the claim, the
 * flyweight encode, the copy of the records) without a network. A claim never wraps; one that does not fit before
 * the end starts again at 0. Never back-pressured.
 */
final class MemoryOutbox implements PeerOutbox
{
    private static final int ALIGNMENT = 8;

    private final UnsafeBuffer buffer;
    private int offset;
    private int next;
    private long claims;
    private long bytes;

    /**
     * @param capacity bytes of the ring; the largest message must fit.
     */
    MemoryOutbox(final int capacity)
    {
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BitUtil.align(capacity, 64), 64));
    }

    public boolean tryClaim(final int memberId, final int length)
    {
        if (length > buffer.capacity())
        {
            return false;
        }
        if (next + length > buffer.capacity())
        {
            next = 0;
        }
        offset = next;
        next = BitUtil.align(next + length, ALIGNMENT);
        claims++;
        bytes += length;
        return true;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public boolean commit()
    {
        return true;
    }

    long claims()
    {
        return claims;
    }

    long bytes()
    {
        return bytes;
    }
}

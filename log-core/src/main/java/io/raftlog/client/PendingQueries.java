package io.raftlog.client;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The client's queries not yet answered, each with its bytes kept for sending again (to a new leader, or after a
 * refusal that retrying cures). Preallocated slots; a query is found by its correlation id.
 */
final class PendingQueries
{
    static final int NONE = -1;

    private final int capacity;
    private final int slotBytes;
    private final UnsafeBuffer bytes;
    private final long[] correlationIds;
    private final int[] lengths;
    private final boolean[] lease;
    private final long[] sentAtNs;
    private final boolean[] sent;
    private int count;

    PendingQueries(final int capacity, final int maxQueryLength)
    {
        this.capacity = capacity;
        this.slotBytes = Math.max(1, maxQueryLength);
        this.bytes = new UnsafeBuffer(new byte[capacity * slotBytes]);
        this.correlationIds = new long[capacity];
        this.lengths = new int[capacity];
        this.lease = new boolean[capacity];
        this.sentAtNs = new long[capacity];
        this.sent = new boolean[capacity];
    }

    int count()
    {
        return count;
    }

    boolean isFull()
    {
        return count == capacity;
    }

    void add(final long correlationId, final DirectBuffer query, final int offset, final int length,
        final boolean leaseRead)
    {
        final int slot = count++;
        correlationIds[slot] = correlationId;
        lengths[slot] = length;
        lease[slot] = leaseRead;
        sent[slot] = false;
        bytes.putBytes(slot * slotBytes, query, offset, length);
    }

    int slotOf(final long correlationId)
    {
        for (int slot = 0; slot < count; slot++)
        {
            if (correlationIds[slot] == correlationId)
            {
                return slot;
            }
        }
        return NONE;
    }

    void remove(final int slot)
    {
        final int last = --count;
        if (slot != last)
        {
            correlationIds[slot] = correlationIds[last];
            lengths[slot] = lengths[last];
            lease[slot] = lease[last];
            sentAtNs[slot] = sentAtNs[last];
            sent[slot] = sent[last];
            bytes.putBytes(slot * slotBytes, bytes, last * slotBytes, lengths[last]);
        }
    }

    long correlationId(final int slot)
    {
        return correlationIds[slot];
    }

    boolean isLease(final int slot)
    {
        return lease[slot];
    }

    boolean isSent(final int slot)
    {
        return sent[slot];
    }

    long sentAtNs(final int slot)
    {
        return sentAtNs[slot];
    }

    void markSent(final int slot, final long nowNs)
    {
        sent[slot] = true;
        sentAtNs[slot] = nowNs;
    }

    /**
     * Every query is sent again: to a new leader, or after the old one went quiet.
     */
    void markAllUnsent()
    {
        for (int slot = 0; slot < count; slot++)
        {
            sent[slot] = false;
        }
    }

    void markUnsent(final int slot)
    {
        sent[slot] = false;
    }

    DirectBuffer buffer()
    {
        return bytes;
    }

    int offset(final int slot)
    {
        return slot * slotBytes;
    }

    int length(final int slot)
    {
        return lengths[slot];
    }
}

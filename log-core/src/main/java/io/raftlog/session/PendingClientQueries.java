package io.raftlog.session;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Remote clients' queries in flight on this member: each waits for its read index from the core, then for the state
 * machine's answer. Preallocated slots with the query's bytes; a query's read id names its slot
 * ({@code readId % capacity}) and, above it, a count that tells a reused slot from the query it held before. Bit 62
 * is set in every read id this service makes, so its reads are told apart from an application's own
 * ({@link #READ_ID_FLAG}) when both share the core's read indexes and the state machine's queue.
 */
public final class PendingClientQueries
{
    static final int NONE = -1;
    static final int WAITING_FOR_INDEX = 1;
    static final int WITH_STATE_MACHINE = 2;
    /** Marks the read ids of remote clients' queries; an application's own read ids must stay below it. */
    public static final long READ_ID_FLAG = 1L << 62;

    private final int capacity;
    private final int maxQueryBytes;
    private final UnsafeBuffer bytes;
    private final long[] readIds;
    private final int[] states;
    private final int[] responders;
    private final long[] sessionIds;
    private final long[] correlationIds;
    private final long[] startedNs;
    private final long[] readIndexes;
    private final int[] lengths;
    private long nextCount = 1;
    private int inUse;

    PendingClientQueries(final int capacity, final int maxQueryBytes)
    {
        this.capacity = capacity;
        this.maxQueryBytes = Math.max(1, maxQueryBytes);
        this.bytes = new UnsafeBuffer(new byte[capacity * this.maxQueryBytes]);
        this.readIds = new long[capacity];
        this.states = new int[capacity];
        this.responders = new int[capacity];
        this.sessionIds = new long[capacity];
        this.correlationIds = new long[capacity];
        this.startedNs = new long[capacity];
        this.readIndexes = new long[capacity];
        this.lengths = new int[capacity];
    }

    int capacity()
    {
        return capacity;
    }

    int inUse()
    {
        return inUse;
    }

    /**
     * @return the slot of a new query waiting for its read index, or {@link #NONE} when all are taken.
     */
    int add(
        final int responder,
        final long sessionId,
        final long correlationId,
        final DirectBuffer query,
        final int offset,
        final int length,
        final long nowNs)
    {
        if (length > maxQueryBytes)
        {
            throw new IllegalArgumentException("query of " + length + " bytes, at most " + maxQueryBytes);
        }
        for (int slot = 0; slot < capacity; slot++)
        {
            if (states[slot] == 0)
            {
                states[slot] = WAITING_FOR_INDEX;
                readIds[slot] = READ_ID_FLAG | (nextCount++ * capacity + slot);
                responders[slot] = responder;
                sessionIds[slot] = sessionId;
                correlationIds[slot] = correlationId;
                startedNs[slot] = nowNs;
                readIndexes[slot] = 0;
                lengths[slot] = length;
                bytes.putBytes(slot * maxQueryBytes, query, offset, length);
                inUse++;
                return slot;
            }
        }
        return NONE;
    }

    /**
     * @return the slot holding the query with {@code readId}, or {@link #NONE} (answered, expired, never ours).
     */
    int slotOf(final long readId)
    {
        if ((readId & READ_ID_FLAG) == 0)
        {
            return NONE;
        }
        final int slot = (int)((readId & ~READ_ID_FLAG) % capacity);
        return states[slot] != 0 && readIds[slot] == readId ? slot : NONE;
    }

    void remove(final int slot)
    {
        states[slot] = 0;
        inUse--;
    }

    int state(final int slot)
    {
        return states[slot];
    }

    void withStateMachine(final int slot, final long readIndex)
    {
        states[slot] = WITH_STATE_MACHINE;
        readIndexes[slot] = readIndex;
    }

    long readId(final int slot)
    {
        return readIds[slot];
    }

    int responder(final int slot)
    {
        return responders[slot];
    }

    long sessionId(final int slot)
    {
        return sessionIds[slot];
    }

    long correlationId(final int slot)
    {
        return correlationIds[slot];
    }

    long startedNs(final int slot)
    {
        return startedNs[slot];
    }

    long readIndex(final int slot)
    {
        return readIndexes[slot];
    }

    DirectBuffer buffer()
    {
        return bytes;
    }

    int offset(final int slot)
    {
        return slot * maxQueryBytes;
    }

    int length(final int slot)
    {
        return lengths[slot];
    }
}

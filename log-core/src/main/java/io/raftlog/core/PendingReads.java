package io.raftlog.core;

/**
 * The leader's reads waiting for a round of acknowledgements (ReadIndex, dissertation 6.4), oldest first: for
 * each, who asked (this member or a follower), its id, the read index it was given, and the read round whose
 * acknowledgement by a quorum confirms it. Rounds only grow, so the reads are confirmed in order. Preallocated.
 */
final class PendingReads
{
    private final long[] requestIds;
    private final long[] readIndexes;
    private final long[] rounds;
    private final int[] origins;
    private final int capacity;
    private long head;
    private long tail;

    PendingReads(final int capacity)
    {
        this.capacity = capacity;
        this.requestIds = new long[capacity];
        this.readIndexes = new long[capacity];
        this.rounds = new long[capacity];
        this.origins = new int[capacity];
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    boolean isFull()
    {
        return tail - head == capacity;
    }

    int size()
    {
        return (int)(tail - head);
    }

    void add(final int origin, final long requestId, final long readIndex, final long round)
    {
        final int slot = (int)(tail % capacity);
        origins[slot] = origin;
        requestIds[slot] = requestId;
        readIndexes[slot] = readIndex;
        rounds[slot] = round;
        tail++;
    }

    long oldestRound()
    {
        return rounds[(int)(head % capacity)];
    }

    int oldestOrigin()
    {
        return origins[(int)(head % capacity)];
    }

    long oldestRequestId()
    {
        return requestIds[(int)(head % capacity)];
    }

    long oldestReadIndex()
    {
        return readIndexes[(int)(head % capacity)];
    }

    void removeOldest()
    {
        head++;
    }
}

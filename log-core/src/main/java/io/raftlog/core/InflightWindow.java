package io.raftlog.core;

/**
 * AppendEntries sent to one follower and not yet acknowledged, bounded both in messages and in bytes, so a slow
 * follower cannot make the leader buffer without limit and a fast one is never throttled by round trips.
 * A ring of (last index, bytes) per message; acknowledgements free from the head.
 */
final class InflightWindow
{
    private final long[] lastIndices;
    private final int[] byteCounts;
    private final int maxBytes;
    private int head;
    private int count;
    private long bytes;

    InflightWindow(final int maxMessages, final int maxBytes)
    {
        this.lastIndices = new long[maxMessages];
        this.byteCounts = new int[maxMessages];
        this.maxBytes = maxBytes;
    }

    /**
     * A message of {@code messageBytes} may go when there is a free slot and the bytes fit, except that an empty
     * window always takes one message, so an entry larger than the window still moves.
     */
    boolean canSend(final int messageBytes)
    {
        return count == 0 || (count < lastIndices.length && bytes + messageBytes <= maxBytes);
    }

    boolean isEmpty()
    {
        return count == 0;
    }

    int count()
    {
        return count;
    }

    long bytes()
    {
        return bytes;
    }

    void add(final long lastIndex, final int messageBytes)
    {
        if (count == lastIndices.length)
        {
            throw new IllegalStateException("inflight window full");
        }
        final int slot = (head + count) % lastIndices.length;
        lastIndices[slot] = lastIndex;
        byteCounts[slot] = messageBytes;
        count++;
        bytes += messageBytes;
    }

    /**
     * Frees every message whose entries are all acknowledged.
     */
    void freeUpTo(final long acknowledgedIndex)
    {
        while (count > 0 && lastIndices[head] <= acknowledgedIndex)
        {
            bytes -= byteCounts[head];
            head = (head + 1) % lastIndices.length;
            count--;
        }
    }

    void clear()
    {
        head = 0;
        count = 0;
        bytes = 0;
    }
}

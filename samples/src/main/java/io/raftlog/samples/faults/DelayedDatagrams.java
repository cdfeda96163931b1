package io.raftlog.samples.faults;

import java.nio.ByteBuffer;
import java.util.PriorityQueue;

/**
 * The datagrams a {@link UdpRelay} holds back, in the order they are due (and, when due together, the order they
 * came). Bounded in count and in bytes: beyond either, a datagram is dropped and counted, as a full router queue
 * would drop it, so a relay told to delay more than it can hold never grows without bound.
 */
final class DelayedDatagrams
{
    /**
     * One datagram held back: a copy of its bytes, since the receive buffer is reused at once.
     */
    static final class Datagram
    {
        final long releaseNs;
        final long sequence;
        final byte[] bytes;
        final RelayFlow flow;
        final boolean towardsNode;

        Datagram(
            final long releaseNs, final long sequence, final byte[] bytes, final RelayFlow flow,
            final boolean towardsNode)
        {
            this.releaseNs = releaseNs;
            this.sequence = sequence;
            this.bytes = bytes;
            this.flow = flow;
            this.towardsNode = towardsNode;
        }
    }

    private final PriorityQueue<Datagram> queue = new PriorityQueue<>(DelayedDatagrams::compare);
    private final int maxDatagrams;
    private final long maxBytes;
    private long bytes;
    private long nextSequence;
    private long droppedOverCap;

    DelayedDatagrams(final int maxDatagrams, final long maxBytes)
    {
        if (maxDatagrams < 1 || maxBytes < 1)
        {
            throw new IllegalArgumentException("maxDatagrams and maxBytes must be positive");
        }
        this.maxDatagrams = maxDatagrams;
        this.maxBytes = maxBytes;
    }

    /**
     * Holds a copy of {@code payload}'s remaining bytes (its position is left as it was) until {@code releaseNs}.
     *
     * @return false when it was dropped: the queue is full.
     */
    boolean add(final long releaseNs, final ByteBuffer payload, final RelayFlow flow, final boolean towardsNode)
    {
        final int length = payload.remaining();
        if (queue.size() >= maxDatagrams || bytes + length > maxBytes)
        {
            droppedOverCap++;
            return false;
        }
        final byte[] copy = new byte[length];
        payload.get(payload.position(), copy);
        queue.add(new Datagram(releaseNs, nextSequence++, copy, flow, towardsNode));
        bytes += length;
        return true;
    }

    /**
     * @return the next datagram due by {@code nowNs}, taken out of the queue, or null when none is due.
     */
    Datagram pollDue(final long nowNs)
    {
        final Datagram head = queue.peek();
        if (head == null || head.releaseNs - nowNs > 0)
        {
            return null;
        }
        queue.poll();
        bytes -= head.bytes.length;
        return head;
    }

    /**
     * @return when the next datagram is due, or {@link Long#MAX_VALUE} when none is held.
     */
    long nextReleaseNs()
    {
        final Datagram head = queue.peek();
        return head == null ? Long.MAX_VALUE : head.releaseNs;
    }

    int size()
    {
        return queue.size();
    }

    long bytes()
    {
        return bytes;
    }

    long droppedOverCap()
    {
        return droppedOverCap;
    }

    private static int compare(final Datagram a, final Datagram b)
    {
        // nanoTime values are compared by difference: they may be negative, and only their order matters
        final long byTime = a.releaseNs - b.releaseNs;
        return byTime != 0 ? (byTime < 0 ? -1 : 1) : Long.compare(a.sequence, b.sequence);
    }
}

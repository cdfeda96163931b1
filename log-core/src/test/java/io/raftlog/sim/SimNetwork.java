package io.raftlog.sim;

import org.agrona.DirectBuffer;

import java.util.SplittableRandom;

/**
 * A seeded network between simulated members: each directed link can be cut (partitions, symmetric or one-way);
 * messages are delayed by a random latency (which reorders them), dropped and duplicated with set probabilities.
 * It carries the SBE-encoded bytes the real transport would carry.
 */
public final class SimNetwork
{
    private final int members;
    private final boolean[][] linkUp;
    private final long[][] lastDeliveryNs;
    /** Like one Aeron publication per peer: each link delivers in order unless the network is unreliable. */
    private boolean ordered = true;
    private final SplittableRandom random;
    private final EventQueue queue;
    private double dropRate;
    private double duplicateRate;
    private long minDelayNs = 100_000;
    private long maxDelayNs = 2_000_000;
    private long sent;
    private long delivered;
    private long dropped;
    private long duplicated;
    private long bytesSent;
    private MessageTap tap;

    /** Sees every message as it is sent, for tests that capture and replay old messages. */
    public interface MessageTap
    {
        void onSend(int from, int to, DirectBuffer buffer, int length);
    }

    public void tap(final MessageTap tap)
    {
        this.tap = tap;
    }

    SimNetwork(final int members, final SplittableRandom random, final EventQueue queue)
    {
        this.members = members;
        this.linkUp = new boolean[members + 1][members + 1];
        this.lastDeliveryNs = new long[members + 1][members + 1];
        this.random = random;
        this.queue = queue;
        healAll();
    }

    public void healAll()
    {
        for (int a = 1; a <= members; a++)
        {
            for (int b = 1; b <= members; b++)
            {
                linkUp[a][b] = true;
            }
        }
    }

    public void cut(final int from, final int to)
    {
        linkUp[from][to] = false;
    }

    public void link(final int from, final int to)
    {
        linkUp[from][to] = true;
    }

    public boolean isLinked(final int from, final int to)
    {
        return linkUp[from][to];
    }

    /**
     * Cuts every link between the two sides, in both directions.
     */
    public void partition(final int[] sideA, final int[] sideB)
    {
        for (final int a : sideA)
        {
            for (final int b : sideB)
            {
                linkUp[a][b] = false;
                linkUp[b][a] = false;
            }
        }
    }

    /**
     * Cuts a member off from everyone, both ways (6.824's disconnect).
     */
    public void isolate(final int member)
    {
        for (int other = 1; other <= members; other++)
        {
            if (other != member)
            {
                linkUp[member][other] = false;
                linkUp[other][member] = false;
            }
        }
    }

    public void reconnect(final int member)
    {
        for (int other = 1; other <= members; other++)
        {
            linkUp[member][other] = true;
            linkUp[other][member] = true;
        }
    }

    public void reliable()
    {
        ordered = true;
        dropRate = 0;
        duplicateRate = 0;
        minDelayNs = 100_000;
        maxDelayNs = 2_000_000;
    }

    /**
     * 6.824's unreliable network: some messages lost, some delayed long enough to arrive out of order.
     */
    public void unreliable(final double dropRate, final double duplicateRate, final long maxDelayNs)
    {
        this.ordered = false;
        this.dropRate = dropRate;
        this.duplicateRate = duplicateRate;
        this.maxDelayNs = maxDelayNs;
    }

    public long messagesSent()
    {
        return sent;
    }

    public long messagesDelivered()
    {
        return delivered;
    }

    public long messagesDropped()
    {
        return dropped;
    }

    public long messagesDuplicated()
    {
        return duplicated;
    }

    public long bytesSent()
    {
        return bytesSent;
    }

    void onDelivered()
    {
        delivered++;
    }

    /**
     * Takes an event already filled with the message bytes and schedules its delivery, or drops it.
     */
    void send(final SimEvent message, final long nowNs)
    {
        sent++;
        bytesSent += message.length;
        final int from = message.from;
        final int to = message.to;
        if (tap != null)
        {
            tap.onSend(from, to, message.payload, message.length);
        }
        if (!linkUp[from][to] || (dropRate > 0 && random.nextDouble() < dropRate))
        {
            dropped++;
            queue.release(message);
            return;
        }
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate)
        {
            duplicated++;
            final SimEvent copy = queue.acquire();
            copy.type = SimEvent.DELIVER;
            copy.from = from;
            copy.to = to;
            copy.length = message.length;
            copy.payload.putBytes(0, message.payload, 0, message.length);
            queue.schedule(copy, deliveryTime(from, to, nowNs));
        }
        queue.schedule(message, deliveryTime(from, to, nowNs));
    }

    private long deliveryTime(final int from, final int to, final long nowNs)
    {
        long time = nowNs + delay();
        if (ordered)
        {
            time = Math.max(time, lastDeliveryNs[from][to]);
            lastDeliveryNs[from][to] = time;
        }
        return time;
    }

    /**
     * Whether a message may still be delivered when it arrives: links are checked at send and at delivery, so a
     * partition also stops messages already in flight.
     */
    boolean canDeliver(final int from, final int to)
    {
        return linkUp[from][to];
    }

    private long delay()
    {
        return minDelayNs + (maxDelayNs > minDelayNs ? random.nextLong(maxDelayNs - minDelayNs) : 0);
    }

    static void copy(final SimEvent event, final DirectBuffer buffer, final int offset, final int length)
    {
        event.payload.putBytes(0, buffer, offset, length);
        event.length = length;
    }
}

package io.raftlog.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.raftlog.transport.AeronClientPort;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.NanoClock;

import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A client's Aeron plumbing: one publication to each member's client stream and one subscription for the
 * responses, on a port the system picks, whose resolved channel the client sends with each request that needs an
 * answer.
 */
final class ClusterLink implements AutoCloseable
{
    private final Aeron aeron;
    private final Int2ObjectHashMap<ExclusivePublication> publications = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<String> endpoints = new Int2ObjectHashMap<>();
    private final int[] memberIds;
    private final Subscription subscription;
    private final String responseChannel;
    private final int responseStreamId;

    ClusterLink(
        final Aeron aeron,
        final Map<Integer, String> members,
        final String responseHost,
        final int responseStreamId,
        final long timeoutNs,
        final NanoClock clock)
    {
        this.aeron = aeron;
        this.responseStreamId = responseStreamId;
        this.memberIds = new int[members.size()];
        int i = 0;
        for (final Map.Entry<Integer, String> member : members.entrySet())
        {
            memberIds[i++] = member.getKey();
            addMember(member.getKey(), member.getValue());
        }
        this.subscription = aeron.addSubscription("aeron:udp?endpoint=" + responseHost + ":0", responseStreamId);
        final long deadline = clock.nanoTime() + timeoutNs;
        String resolved = subscription.tryResolveChannelEndpointPort();
        while (resolved == null)
        {
            if (clock.nanoTime() - deadline > 0)
            {
                close();
                throw new RaftlogClientException("the response subscription got no port from the media driver");
            }
            LockSupport.parkNanos(1_000_000);
            resolved = subscription.tryResolveChannelEndpointPort();
        }
        this.responseChannel = resolved;
    }

    String responseChannel()
    {
        return responseChannel;
    }

    int responseStreamId()
    {
        return responseStreamId;
    }

    int[] memberIds()
    {
        return memberIds;
    }

    boolean isKnown(final int memberId)
    {
        return publications.containsKey(memberId);
    }

    String endpointOf(final int memberId)
    {
        return endpoints.get(memberId);
    }

    /**
     * Learns a member the client was not told of (a leader's redirect names it with its endpoint).
     */
    void addMember(final int memberId, final String endpoint)
    {
        if (publications.containsKey(memberId) || endpoint == null || endpoint.isEmpty())
        {
            return;
        }
        publications.put(memberId, aeron.addExclusivePublication(
            "aeron:udp?endpoint=" + endpoint, AeronClientPort.CLIENT_STREAM_ID));
        endpoints.put(memberId, endpoint);
    }

    /**
     * @return the publication's result: positive when sent.
     */
    long offer(final int memberId, final DirectBuffer buffer, final int offset, final int length)
    {
        final ExclusivePublication publication = publications.get(memberId);
        return publication == null ? Publication.NOT_CONNECTED : publication.offer(buffer, offset, length);
    }

    int poll(final FragmentHandler handler, final int fragmentLimit)
    {
        return subscription.poll(handler, fragmentLimit);
    }

    public void close()
    {
        CloseHelper.closeAll(publications.values());
        CloseHelper.close(subscription);
    }
}

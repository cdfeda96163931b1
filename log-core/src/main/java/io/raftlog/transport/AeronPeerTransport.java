package io.raftlog.transport;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftlog.protocol.KnownMembers;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.protocol.PeerOutbox;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.Map;

/**
 * Peer messages over Aeron UDP: one exclusive publication to each peer's endpoint, one subscription on this member's
 * own. A message that fits the publication's max payload is encoded straight into a claimed term buffer
 * ({@code tryClaim}); a larger one (a full AppendEntries batch) is encoded into a reused buffer and offered, and the
 * receiver reassembles its fragments. Back-pressure and a peer not yet connected are answered at once with
 * "not sent": the duty cycle never waits on the network. No Raft rules here.
 */
public final class AeronPeerTransport implements PeerOutbox, KnownMembers, AutoCloseable, ControlledFragmentHandler
{
    public static final int PEER_STREAM_ID = 1001;

    private final Int2ObjectHashMap<ExclusivePublication> publications = new Int2ObjectHashMap<>();
    private final Subscription subscription;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final BufferClaim bufferClaim = new BufferClaim();
    private final ExpandableDirectByteBuffer largeMessage = new ExpandableDirectByteBuffer(64 * 1024);
    private PeerMessageDispatcher dispatcher;
    private ExclusivePublication offerTo;
    private int largeLength;
    private boolean claimedLarge;
    private long notConnected;
    private long backPressured;
    private long tooLarge;
    private long unknownPeer;

    /**
     * @param endpoints     member id to {@code host:port}, this member included.
     * @param channelParams extra channel parameters such as {@code mtu=8192|term-length=16m}, or empty.
     */
    public AeronPeerTransport(
        final Aeron aeron, final int selfId, final Map<Integer, String> endpoints, final String channelParams)
    {
        final String self = endpoints.get(selfId);
        if (self == null)
        {
            throw new IllegalArgumentException("endpoints: no endpoint for this member " + selfId);
        }
        subscription = aeron.addSubscription(channel(self, channelParams), PEER_STREAM_ID);
        for (final Map.Entry<Integer, String> e : endpoints.entrySet())
        {
            if (e.getKey() != selfId)
            {
                publications.put(e.getKey().intValue(),
                    aeron.addExclusivePublication(channel(e.getValue(), channelParams), PEER_STREAM_ID));
            }
        }
    }

    static String channel(final String endpoint, final String params)
    {
        return "aeron:udp?endpoint=" + endpoint + (params == null || params.isEmpty() ? "" : "|" + params);
    }

    /**
     * Where received messages go: the member's dispatcher into its core.
     */
    public void dispatcher(final PeerMessageDispatcher dispatcher)
    {
        this.dispatcher = dispatcher;
    }

    /**
     * @return the fragments read.
     */
    public int poll(final int fragmentLimit)
    {
        return subscription.controlledPoll(assembler, fragmentLimit);
    }

    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        dispatcher.onMessage(buffer, offset, length);
        return Action.CONTINUE;
    }

    /**
     * @return whether this node has an endpoint for {@code memberId}: messages from anyone else are foreign.
     */
    public boolean isKnown(final int memberId)
    {
        return publications.containsKey(memberId);
    }

    public boolean tryClaim(final int memberId, final int length)
    {
        final ExclusivePublication publication = publications.get(memberId);
        if (publication == null)
        {
            unknownPeer++;
            return false;
        }
        if (length <= publication.maxPayloadLength())
        {
            final long result = publication.tryClaim(length, bufferClaim);
            if (result > 0)
            {
                claimedLarge = false;
                return true;
            }
            countFailure(result);
            return false;
        }
        if (length > publication.maxMessageLength())
        {
            tooLarge++;
            return false;
        }
        if (!publication.isConnected())
        {
            notConnected++;
            return false;
        }
        claimedLarge = true;
        offerTo = publication;
        largeLength = length;
        largeMessage.checkLimit(length);
        return true;
    }

    public MutableDirectBuffer buffer()
    {
        return claimedLarge ? largeMessage : bufferClaim.buffer();
    }

    public int offset()
    {
        return claimedLarge ? 0 : bufferClaim.offset();
    }

    public boolean commit()
    {
        if (!claimedLarge)
        {
            bufferClaim.commit();
            return true;
        }
        claimedLarge = false;
        final long result = offerTo.offer(largeMessage, 0, largeLength);
        if (result > 0)
        {
            return true;
        }
        countFailure(result);
        return false;
    }

    private void countFailure(final long result)
    {
        if (result == Publication.NOT_CONNECTED)
        {
            notConnected++;
        }
        else
        {
            backPressured++;
        }
    }

    public long notConnected()
    {
        return notConnected;
    }

    public long backPressured()
    {
        return backPressured;
    }

    public long tooLarge()
    {
        return tooLarge;
    }

    public long unknownPeer()
    {
        return unknownPeer;
    }

    /**
     * @return whether this member's subscription and its publication to {@code memberId} are connected.
     */
    public boolean isConnected(final int memberId)
    {
        final ExclusivePublication publication = publications.get(memberId);
        return publication != null && publication.isConnected();
    }

    public void close()
    {
        CloseHelper.closeAll(publications.values());
        CloseHelper.close(subscription);
    }
}

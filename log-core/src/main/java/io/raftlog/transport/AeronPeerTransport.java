package io.raftlog.transport;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
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
 * own (or on a listen endpoint of its own, where something in between, a relay or a NAT, forwards what is sent to
 * its endpoint there; the peers still send to the endpoint they know). A message that fits the publication's max
 * payload is encoded straight into a claimed term buffer ({@code tryClaim}); a larger one (a full AppendEntries
 * batch) is encoded into a reused buffer and offered, and the receiver reassembles its fragments. Back-pressure and a
 * peer not yet connected are answered at once with "not sent": the duty cycle never waits on the network. No Raft
 * rules here.
 * <p>
 * The peers are those given at construction, then whatever {@link PeerLinks} makes of them as the membership
 * changes. A peer added at runtime gets its publication asynchronously ({@code asyncAddExclusivePublication}, picked
 * up by a later {@link #poll}), so a configuration change never stalls the duty cycle on a round trip to the media
 * driver; until then it is known (its messages are accepted) but sends to it report "not connected". A publication
 * the driver refuses (a malformed endpoint in a configuration entry) is counted in {@link #peerErrors()} and leaves
 * the peer known but unreachable until its endpoint changes: replicated data never stops the agent.
 */
public final class AeronPeerTransport
    implements PeerOutbox, KnownMembers, PeerLinks, AutoCloseable, ControlledFragmentHandler
{
    public static final int PEER_STREAM_ID = 1001;

    private static final long NO_REGISTRATION = Aeron.NULL_VALUE;

    /**
     * One peer: where it is and the publication to it, null while the driver is still creating it (or refused it).
     */
    private static final class Peer
    {
        final int memberId;
        final String endpoint;
        long pendingRegistrationId = NO_REGISTRATION;
        ExclusivePublication publication;

        Peer(final int memberId, final String endpoint)
        {
            this.memberId = memberId;
            this.endpoint = endpoint;
        }
    }

    private final Aeron aeron;
    private final int selfId;
    private final String channelParams;
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private final Subscription subscription;
    private final ControlledFragmentAssembler assembler;
    private final BufferClaim bufferClaim = new BufferClaim();
    private final HandlerFailure handlerFailure = new HandlerFailure();
    private final ExpandableDirectByteBuffer largeMessage;
    private PeerMessageDispatcher dispatcher;
    private ExclusivePublication offerTo;
    private int largeLength;
    private boolean claimedLarge;
    private int pendingPeers;
    private long notConnected;
    private long backPressured;
    private long tooLarge;
    private long unknownPeer;
    private long peerErrors;

    /**
     * @param endpoints     member id to {@code host:port}, this member included.
     * @param channelParams extra channel parameters such as {@code mtu=8192|term-length=16m}, or empty.
     */
    public AeronPeerTransport(
        final Aeron aeron, final int selfId, final Map<Integer, String> endpoints, final String channelParams)
    {
        this(aeron, selfId, endpoints, channelParams, 64 * 1024, endpoints.get(selfId));
    }

    /**
     * @param largestMessageBytes the largest message sent or received (a full batch with its header): the buffers
     *                            that send and reassemble large messages start at this size, so they never grow
     *                            (and allocate) in steady state.
     * @param bindEndpoint        where this member's subscription binds: its endpoint in {@code endpoints} (the one
     *                            the peers send to), or another where a relay or a NAT forwards that one.
     */
    public AeronPeerTransport(
        final Aeron aeron,
        final int selfId,
        final Map<Integer, String> endpoints,
        final String channelParams,
        final int largestMessageBytes,
        final String bindEndpoint)
    {
        this.assembler = new ControlledFragmentAssembler(this, largestMessageBytes);
        this.largeMessage = new ExpandableDirectByteBuffer(largestMessageBytes);
        final String self = endpoints.get(selfId);
        if (self == null)
        {
            throw new IllegalArgumentException("endpoints: no endpoint for this member " + selfId);
        }
        this.aeron = aeron;
        this.selfId = selfId;
        this.channelParams = channelParams;
        subscription = aeron.addSubscription(channel(bindEndpoint, channelParams), PEER_STREAM_ID);
        for (final Map.Entry<Integer, String> e : endpoints.entrySet())
        {
            if (e.getKey() != selfId)
            {
                // at start a bad endpoint fails the node at once, with the driver's reason
                final Peer peer = new Peer(e.getKey(), e.getValue());
                peer.publication = aeron.addExclusivePublication(channel(e.getValue(), channelParams), PEER_STREAM_ID);
                peers.put(peer.memberId, peer);
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
     * Reads what arrived, after picking up the publications the driver has created for peers added since.
     *
     * @return the fragments read (plus the peers whose publication became ready).
     * @throws RuntimeException what handling a message threw (a storage failure in a follower's append), after the
     *                          fragments before it were handled.
     */
    public int poll(final int fragmentLimit)
    {
        final int work = pendingPeers > 0 ? resolvePendingPeers() : 0;
        final int fragments = subscription.controlledPoll(assembler, fragmentLimit);
        handlerFailure.rethrowIfAny();
        return work + fragments;
    }

    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        try
        {
            dispatcher.onMessage(buffer, offset, length);
            return Action.CONTINUE;
        }
        catch (final RuntimeException ex)
        {
            return handlerFailure.capture(ex); // thrown from poll: Aeron would log it and go on
        }
    }

    /**
     * @return whether {@code memberId} is a peer (this node has its endpoint): messages from anyone else are foreign.
     */
    public boolean isKnown(final int memberId)
    {
        return peers.containsKey(memberId);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Peers at runtime
    // ---------------------------------------------------------------------------------------------------------------

    public void openPeer(final int memberId, final String endpoint)
    {
        if (memberId == selfId || endpoint == null)
        {
            return; // this member's own endpoint is its subscription, fixed at start
        }
        final Peer existing = peers.get(memberId);
        if (existing != null)
        {
            if (existing.endpoint.equals(endpoint))
            {
                return;
            }
            release(existing);
        }
        final Peer peer = new Peer(memberId, endpoint);
        try
        {
            peer.pendingRegistrationId = aeron.asyncAddExclusivePublication(
                channel(endpoint, channelParams), PEER_STREAM_ID);
            pendingPeers++;
        }
        catch (final AeronException ex)
        {
            peerErrors++;
        }
        peers.put(memberId, peer);
    }

    public void closePeer(final int memberId)
    {
        final Peer peer = peers.remove(memberId);
        if (peer != null)
        {
            release(peer);
        }
    }

    /**
     * @return the endpoint this transport sends to {@code memberId} at, or null when it is not a peer.
     */
    public String endpointOf(final int memberId)
    {
        final Peer peer = peers.get(memberId);
        return peer == null ? null : peer.endpoint;
    }

    /**
     * @return whether a publication to {@code memberId} exists (it may not be connected yet).
     */
    public boolean hasPublication(final int memberId)
    {
        final Peer peer = peers.get(memberId);
        return peer != null && peer.publication != null;
    }

    public int peerCount()
    {
        return peers.size();
    }

    private int resolvePendingPeers()
    {
        int resolved = 0;
        for (final Peer peer : peers.values())
        {
            if (peer.pendingRegistrationId != NO_REGISTRATION)
            {
                try
                {
                    final ExclusivePublication publication = aeron.getExclusivePublication(peer.pendingRegistrationId);
                    if (publication == null)
                    {
                        continue; // the driver has not answered yet
                    }
                    peer.publication = publication;
                }
                catch (final AeronException ex)
                {
                    peerErrors++; // refused by the driver: the peer stays known, unreachable
                }
                peer.pendingRegistrationId = NO_REGISTRATION;
                pendingPeers--;
                resolved++;
            }
        }
        return resolved;
    }

    private void release(final Peer peer)
    {
        if (peer.pendingRegistrationId != NO_REGISTRATION)
        {
            aeron.asyncRemovePublication(peer.pendingRegistrationId);
            peer.pendingRegistrationId = NO_REGISTRATION;
            pendingPeers--;
        }
        CloseHelper.close(peer.publication);
        peer.publication = null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sending
    // ---------------------------------------------------------------------------------------------------------------

    public boolean tryClaim(final int memberId, final int length)
    {
        final Peer peer = peers.get(memberId);
        if (peer == null)
        {
            unknownPeer++;
            return false;
        }
        final ExclusivePublication publication = peer.publication;
        if (publication == null)
        {
            notConnected++; // still being created, or refused
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
        offerTo = null;
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
     * @return publications to peers added at runtime that could not be created (the driver refused the channel).
     */
    public long peerErrors()
    {
        return peerErrors;
    }

    /**
     * @return whether this member's subscription and its publication to {@code memberId} are connected.
     */
    public boolean isConnected(final int memberId)
    {
        final Peer peer = peers.get(memberId);
        return peer != null && peer.publication != null && peer.publication.isConnected();
    }

    public void close()
    {
        for (final Peer peer : peers.values())
        {
            release(peer);
        }
        peers.clear();
        CloseHelper.close(subscription);
    }
}

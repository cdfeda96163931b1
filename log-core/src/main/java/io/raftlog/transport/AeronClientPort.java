package io.raftlog.transport;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftlog.session.ClientResponders;
import io.raftlog.session.ClientSessionService;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The client side of a member's network face: a subscription on the member's own endpoint for the client stream
 * (the same UDP port as its peers use, another stream), and one exclusive publication back to each client response
 * channel. A response channel is a client's {@code aeron:udp?endpoint=host:port}; the paths are kept in a fixed
 * table and the one idle longest is reused when the table is full, with a new generation in its id so that a stale
 * id is never answered on someone else's path.
 * <p>
 * Creating a path blocks the agent on the media driver briefly; it happens when a client opens or attaches a
 * session or asks for status, never on the append path.
 */
public final class AeronClientPort implements ClientResponders, ControlledFragmentHandler, AutoCloseable
{
    public static final int CLIENT_STREAM_ID = 1002;
    public static final int DEFAULT_MAX_RESPONDERS = 256;

    private static final int SLOT_BITS = 16;
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;
    private static final int MAX_PENDING = 1024;
    private static final int PENDING_BYTES = 512;
    private static final long PENDING_TIMEOUT_NS = 2_000_000_000L;
    private static final long MIN_IDLE_BEFORE_REUSE_NS = 30_000_000_000L;

    private final Aeron aeron;
    private final Subscription subscription;
    private final ControlledFragmentAssembler assembler;
    private final HandlerFailure handlerFailure = new HandlerFailure();
    private final String channelParams;
    private final int maxResponders;
    private final ExclusivePublication[] publications;
    private final String[] channels;
    private final int[] streamIds;
    private final int[] generations;
    private final long[] lastUsedNs;
    private final int[] pendingResponder = new int[MAX_PENDING];
    private final int[] pendingLength = new int[MAX_PENDING];
    private final long[] pendingDeadlineNs = new long[MAX_PENDING];
    private final UnsafeBuffer[] pendingBytes = new UnsafeBuffer[MAX_PENDING];
    private int pendingCount;
    private ClientSessionService service;
    private long nowNs;
    private long respondersRefused;
    private long responsesDropped;

    /**
     * @param endpoint            this member's {@code host:port}, the same as its peers reach it on.
     * @param channelParams       extra channel parameters for the response publications (e.g. {@code mtu=8192}).
     * @param largestRequestBytes the largest request: the reassembly buffer starts at this size and never grows.
     */
    public AeronClientPort(
        final Aeron aeron,
        final String endpoint,
        final String channelParams,
        final int maxResponders,
        final int largestRequestBytes)
    {
        this.assembler = new ControlledFragmentAssembler(this, largestRequestBytes);
        if (maxResponders < 1 || maxResponders > SLOT_MASK)
        {
            throw new IllegalArgumentException("maxResponders out of range: " + maxResponders);
        }
        this.aeron = aeron;
        this.channelParams = channelParams == null || channelParams.isEmpty() ? "" : "|" + channelParams;
        this.maxResponders = maxResponders;
        this.publications = new ExclusivePublication[maxResponders];
        this.channels = new String[maxResponders];
        this.streamIds = new int[maxResponders];
        this.generations = new int[maxResponders];
        this.lastUsedNs = new long[maxResponders];
        for (int i = 0; i < MAX_PENDING; i++)
        {
            pendingBytes[i] = new UnsafeBuffer(new byte[PENDING_BYTES]);
        }
        this.subscription = aeron.addSubscription(
            "aeron:udp?endpoint=" + endpoint + this.channelParams, CLIENT_STREAM_ID);
    }

    public void service(final ClientSessionService service)
    {
        this.service = service;
    }

    /**
     * Receives client requests and retries the responses still waiting for their path to connect.
     *
     * @return the amount of work done.
     */
    public int poll(final long nowNs, final int fragmentLimit)
    {
        this.nowNs = nowNs;
        int work = subscription.controlledPoll(assembler, fragmentLimit);
        handlerFailure.rethrowIfAny();
        if (pendingCount > 0)
        {
            work += retryPending();
        }
        return work;
    }

    /**
     * An append the leader cannot stage in this duty cycle stays in the subscription (ABORT) and comes again in the
     * next poll, after the cycle's batch has been flushed: the client is slowed down instead of refused.
     */
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        try
        {
            return service.onMessage(buffer, offset, length) ? Action.CONTINUE : Action.ABORT;
        }
        catch (final RuntimeException ex)
        {
            return handlerFailure.capture(ex); // thrown from poll: Aeron would log it and go on
        }
    }

    /**
     * @return paths refused: a channel that is not a UDP endpoint, or one the driver would not open.
     */
    public long respondersRefused()
    {
        return respondersRefused;
    }

    public long responsesDropped()
    {
        return responsesDropped;
    }

    public int responderCount()
    {
        int count = 0;
        for (final ExclusivePublication publication : publications)
        {
            count += publication != null ? 1 : 0;
        }
        return count;
    }

    public int responderFor(final String channel, final int streamId)
    {
        int free = -1;
        int oldest = -1;
        for (int slot = 0; slot < maxResponders; slot++)
        {
            if (publications[slot] == null)
            {
                if (free < 0)
                {
                    free = slot;
                }
            }
            else if (streamIds[slot] == streamId && channels[slot].equals(channel))
            {
                lastUsedNs[slot] = nowNs;
                return idOf(slot);
            }
            else if (oldest < 0 || lastUsedNs[slot] < lastUsedNs[oldest])
            {
                oldest = slot;
            }
        }
        if (!isResponseChannel(channel))
        {
            respondersRefused++;
            return NONE;
        }
        int slot = free;
        if (slot < 0)
        {
            if (nowNs - lastUsedNs[oldest] < MIN_IDLE_BEFORE_REUSE_NS)
            {
                respondersRefused++;
                return NONE;
            }
            CloseHelper.quietClose(publications[oldest]);
            publications[oldest] = null;
            slot = oldest;
        }
        try
        {
            publications[slot] = aeron.addExclusivePublication(channel + channelParams, streamId);
        }
        catch (final AeronException | IllegalArgumentException ex)
        {
            respondersRefused++;
            return NONE;
        }
        channels[slot] = channel;
        streamIds[slot] = streamId;
        generations[slot] = (generations[slot] + 1) & 0x7FFF;
        lastUsedNs[slot] = nowNs;
        return idOf(slot);
    }

    public boolean send(
        final int responderId, final DirectBuffer buffer, final int offset, final int length,
        final boolean untilConnected)
    {
        final int slot = responderId & SLOT_MASK;
        if (responderId < 0 || slot >= maxResponders || publications[slot] == null ||
            generations[slot] != (responderId >>> SLOT_BITS))
        {
            responsesDropped++;
            return false;
        }
        lastUsedNs[slot] = nowNs;
        // behind responses already waiting on this path, in order
        long result = hasPendingFor(responderId) ? Publication.BACK_PRESSURED :
            publications[slot].offer(buffer, offset, length);
        if (result == Publication.ADMIN_ACTION)
        {
            result = publications[slot].offer(buffer, offset, length); // the term rotated: try once more at once
        }
        if (result > 0)
        {
            return true;
        }
        // a response is kept for a moment when its path is busy (back-pressure, a term rotating), so that a client
        // is not left to its timeout for an answer that was ready; while a path connects only the answers to open,
        // status and admin requests are kept: appends are answered again when the client retries
        final boolean keep = result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION ||
            (untilConnected && result == Publication.NOT_CONNECTED);
        if (keep && pendingCount < MAX_PENDING && length <= PENDING_BYTES)
        {
            pendingResponder[pendingCount] = responderId;
            pendingLength[pendingCount] = length;
            pendingDeadlineNs[pendingCount] = nowNs + PENDING_TIMEOUT_NS;
            pendingBytes[pendingCount].putBytes(0, buffer, offset, length);
            pendingCount++;
            return true;
        }
        responsesDropped++;
        return false;
    }

    private int retryPending()
    {
        int work = 0;
        int i = 0;
        while (i < pendingCount)
        {
            final int responderId = pendingResponder[i];
            final int slot = responderId & SLOT_MASK;
            final boolean live = publications[slot] != null && generations[slot] == (responderId >>> SLOT_BITS);
            final boolean sent = live && publications[slot].offer(pendingBytes[i], 0, pendingLength[i]) > 0;
            if (sent || !live || nowNs - pendingDeadlineNs[i] > 0)
            {
                if (!sent)
                {
                    responsesDropped++;
                }
                work++;
                removePending(i);
            }
            else
            {
                i++;
            }
        }
        return work;
    }

    private boolean hasPendingFor(final int responderId)
    {
        for (int i = 0; i < pendingCount; i++)
        {
            if (pendingResponder[i] == responderId)
            {
                return true;
            }
        }
        return false;
    }

    private void removePending(final int i)
    {
        pendingCount--;
        if (i != pendingCount)
        {
            final UnsafeBuffer bytes = pendingBytes[i];
            pendingResponder[i] = pendingResponder[pendingCount];
            pendingLength[i] = pendingLength[pendingCount];
            pendingDeadlineNs[i] = pendingDeadlineNs[pendingCount];
            pendingBytes[i] = pendingBytes[pendingCount];
            pendingBytes[pendingCount] = bytes;
        }
    }

    private int idOf(final int slot)
    {
        return (generations[slot] << SLOT_BITS) | slot;
    }

    /**
     * @return whether {@code channel} is a plain UDP unicast channel with an endpoint: the only kind of path a
     * member opens for a client.
     */
    static boolean isResponseChannel(final String channel)
    {
        if (channel == null || channel.isEmpty() || channel.length() > 256)
        {
            return false;
        }
        try
        {
            final ChannelUri uri = ChannelUri.parse(channel);
            return CommonContext.UDP_MEDIA.equals(uri.media()) &&
                uri.get(CommonContext.ENDPOINT_PARAM_NAME) != null &&
                uri.get(CommonContext.MDC_CONTROL_PARAM_NAME) == null &&
                uri.get(CommonContext.MDC_CONTROL_MODE_PARAM_NAME) == null;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    public void close()
    {
        CloseHelper.closeAll(publications);
        CloseHelper.close(subscription);
    }
}

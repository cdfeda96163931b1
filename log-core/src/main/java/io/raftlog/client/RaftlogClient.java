package io.raftlog.client;

import io.aeron.FragmentAssembler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftlog.codecs.AppendCode;
import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.ClientQueryRequestEncoder;
import io.raftlog.codecs.ClientQueryResponseDecoder;
import io.raftlog.codecs.ClientAppendRequestEncoder;
import io.raftlog.codecs.ClientAppendResponseDecoder;
import io.raftlog.codecs.CloseSessionRequestEncoder;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.MessageValidator;
import io.raftlog.codecs.OpenSessionRequestEncoder;
import io.raftlog.codecs.OpenSessionResponseDecoder;
import io.raftlog.codecs.ReadMode;
import io.raftlog.codecs.RejectReason;
import io.raftlog.codecs.SessionCode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A remote client of a raftlog cluster over Aeron: finds the leader from any member (followers redirect), opens a
 * session, and appends entries with consecutive sequence numbers, many in flight. Each is acknowledged with the
 * index at which it committed. When the leader stops answering or changes, the client attaches its session to the
 * new leader and sends again everything not yet acknowledged; the cluster's replicated session table makes sure
 * each entry is appended exactly once, and answers a retry of an entry already in the log with its index.
 * <p>
 * Not thread-safe: one thread calls {@link #offer} and {@link #poll}. Nothing allocates on the append path after
 * the session is open: unacknowledged entries wait in a preallocated store for resending.
 */
public final class RaftlogClient implements FragmentHandler, AutoCloseable
{
    /** {@link #offer}: the in-flight window or the resend store is full; poll and try again. */
    public static final long BACK_PRESSURED = -2;
    /** {@link #offer}: larger than the cluster accepts ({@link #maxPayloadLength()}). */
    public static final long TOO_LARGE = -3;
    /** {@link #offer}: the client failed ({@link #failure()}) or was closed. */
    public static final long CLOSED = -8;

    /**
     * Told of each acknowledged append, on the thread that calls {@link #poll}.
     */
    @FunctionalInterface
    public interface AckHandler
    {
        void onCommitted(long sequence, long index);
    }

    /**
     * Told of each acknowledged append with what the cluster's state machine returned when it applied it, on the
     * thread that calls {@link #poll}. The result's bytes are valid only during the call.
     */
    @FunctionalInterface
    public interface ResultHandler
    {
        /**
         * @param hasResult false when the append was a retry of an entry applied before, whose result the cluster
         *                  does not keep (its index is still exact), or when the cluster runs no state machine.
         */
        void onApplied(long sequence, long index, boolean hasResult, DirectBuffer result, int offset, int length);
    }

    /**
     * Told of each answered or refused query ({@link #query}), on the thread that calls {@link #poll}.
     */
    public interface QueryHandler
    {
        /**
         * A linearizable answer: the state it was read from held every entry committed before the query was sent.
         * The bytes are valid only during the call.
         */
        void onAnswer(long correlationId, long readIndex, DirectBuffer result, int offset, int length);

        /**
         * The cluster cannot answer it (no state machine, the query too large): retrying will not help.
         */
        void onRefused(long correlationId, RejectReason reason);
    }

    /** Queries a client may have waiting at once. */
    public static final int MAX_PENDING_QUERIES = 64;

    private enum State
    {
        OPENING, ATTACHING, CONNECTED, FAILED, CLOSED
    }

    private static final long REJECT_BACKOFF_NS = 50_000_000L;
    private static final long REWIND_DELAY_NS = 1_000_000L;
    private static final int FRAGMENT_LIMIT = 64;

    private final ClusterLink link;
    private final ResultHandler resultHandler;
    private QueryHandler queryHandler;
    private PendingQueries queries;
    private long nextQueryCorrelationId = 1;
    private final ClientQueryRequestEncoder queryRequest = new ClientQueryRequestEncoder();
    private final ClientQueryResponseDecoder queryResponse = new ClientQueryResponseDecoder();
    private final UnsafeBuffer resultView = new UnsafeBuffer(0, 0);
    /** Answers with a state machine's result may be larger than one datagram. */
    private final FragmentAssembler assembler = new FragmentAssembler(this);
    private final NanoClock clock;
    private final long responseTimeoutNs;
    private final long noLeaderTimeoutNs;
    private final int maxInFlight;
    private final int retransmitBufferBytes;
    private final MessageValidator validator = new MessageValidator();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OpenSessionRequestEncoder openRequest = new OpenSessionRequestEncoder();
    private final OpenSessionResponseDecoder openResponse = new OpenSessionResponseDecoder();
    private final ClientAppendRequestEncoder appendRequest = new ClientAppendRequestEncoder();
    private final ClientAppendResponseDecoder appendResponse = new ClientAppendResponseDecoder();
    private final CloseSessionRequestEncoder closeRequest = new CloseSessionRequestEncoder();
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[1024]);

    private State state = State.OPENING;
    private String failure;
    private int targetSlot;
    private int targetId;
    private long correlationId;
    private boolean requestSent;
    private long attemptStartNs;
    private long noLeaderSinceNs;
    private long backoffUntilNs;
    private long lastHeardNs;
    private long waitingSinceNs;

    private long sessionId;
    private int maxPayloadLength;
    private int capacity;
    private int slotMask;
    private int slotBytes;
    private UnsafeBuffer store;
    private UnsafeBuffer sendBuffer;
    private int[] slotLength;
    private long[] slotIndex;
    private long nextSequence = 1;
    private long oldestUnacked = 1;
    private long nextToSend = 1;
    private long resendFrom = Long.MAX_VALUE;
    private long rewindAtNs;

    private long acknowledged;
    private long resent;
    private long leaderChanges;
    private long rejections;

    private RaftlogClient(final ClientContext context, final ResultHandler resultHandler)
    {
        context.conclude();
        this.clock = context.clock();
        this.responseTimeoutNs = context.responseTimeoutNs();
        this.noLeaderTimeoutNs = context.noLeaderTimeoutNs();
        this.maxInFlight = context.maxInFlight();
        this.retransmitBufferBytes = context.retransmitBufferBytes();
        this.resultHandler = resultHandler;
        this.link = new ClusterLink(context.aeron(), context.members(), context.responseHost(),
            context.responseStreamId(), context.noLeaderTimeoutNs(), clock);
        final long nowNs = clock.nanoTime();
        noLeaderSinceNs = nowNs;
        targetSlot = 0;
        targetId = link.memberIds()[0];
        attemptStartNs = nowNs;
    }

    /**
     * Opens a session, waiting (with a backoff idle strategy) until a leader accepts it.
     *
     * @throws RaftlogClientException when no leader accepts a session within the no-leader timeout.
     */
    public static RaftlogClient connect(final ClientContext context, final AckHandler ackHandler)
    {
        return connect(context, (sequence, index, hasResult, result, offset, length) ->
            ackHandler.onCommitted(sequence, index));
    }

    /**
     * Opens a session whose acknowledgements carry the state machine's results.
     *
     * @throws RaftlogClientException when no leader accepts a session within the no-leader timeout.
     */
    public static RaftlogClient connect(final ClientContext context, final ResultHandler resultHandler)
    {
        final RaftlogClient client = new RaftlogClient(context, resultHandler);
        final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 1_000_000);
        while (client.state == State.OPENING)
        {
            idle.idle(client.poll());
        }
        if (client.state == State.FAILED)
        {
            final String reason = client.failure;
            client.close();
            throw new RaftlogClientException(reason);
        }
        return client;
    }

    public long sessionId()
    {
        return sessionId;
    }

    /**
     * @return the member this client sends to: the leader as far as it knows.
     */
    public int leaderId()
    {
        return state == State.CONNECTED ? targetId : 0;
    }

    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * @return appends sent and not yet acknowledged.
     */
    public int inFlight()
    {
        return (int)(nextSequence - oldestUnacked);
    }

    /**
     * @return the most appends that may be in flight: the smaller of the client's, the cluster's window and what
     * the resend store holds.
     */
    public int capacity()
    {
        return capacity;
    }

    public boolean isConnected()
    {
        return state == State.CONNECTED;
    }

    public boolean isFailed()
    {
        return state == State.FAILED;
    }

    /**
     * @return why the client failed, or null.
     */
    public String failure()
    {
        return failure;
    }

    public long acknowledged()
    {
        return acknowledged;
    }

    public long resent()
    {
        return resent;
    }

    public long leaderChanges()
    {
        return leaderChanges;
    }

    public long rejections()
    {
        return rejections;
    }

    /**
     * Appends an entry: copied, so the buffer may be reused at once.
     *
     * @return its sequence number (from 1), acknowledged later through the {@link AckHandler}; or BACK_PRESSURED,
     * TOO_LARGE, CLOSED.
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (state == State.FAILED || state == State.CLOSED)
        {
            return CLOSED;
        }
        if (length > maxPayloadLength || length < 0)
        {
            return TOO_LARGE;
        }
        if (nextSequence - oldestUnacked >= capacity)
        {
            return BACK_PRESSURED;
        }
        final long sequence = nextSequence;
        final int slot = (int)(sequence & slotMask);
        store.putBytes(slot * slotBytes, buffer, offset, length);
        slotLength[slot] = length;
        slotIndex[slot] = 0;
        if (oldestUnacked == nextSequence)
        {
            waitingSinceNs = clock.nanoTime();
        }
        nextSequence++;
        if (state == State.CONNECTED)
        {
            sendAppends();
        }
        return sequence;
    }

    /**
     * Where the answers to {@link #query} go.
     */
    public RaftlogClient queryHandler(final QueryHandler queryHandler)
    {
        this.queryHandler = queryHandler;
        return this;
    }

    /**
     * A linearizable read of the cluster's state machine: the leader confirms it still leads (ReadIndex), or
     * answers from its lease when {@code lease} is true and it holds one, then its state machine answers once it
     * has applied everything committed before. Retried with the leader when it changes: a read has no effect, so
     * sending it twice is harmless. The query's bytes are copied.
     *
     * @return a correlation id for the {@link QueryHandler}; or BACK_PRESSURED ({@link #MAX_PENDING_QUERIES}
     * waiting), TOO_LARGE, CLOSED.
     */
    public long query(final DirectBuffer query, final int offset, final int length, final boolean lease)
    {
        if (state == State.FAILED || state == State.CLOSED)
        {
            return CLOSED;
        }
        if (queryHandler == null)
        {
            throw new IllegalStateException("set a queryHandler first");
        }
        if (length > maxPayloadLength || length < 0)
        {
            return TOO_LARGE;
        }
        if (queries.isFull())
        {
            return BACK_PRESSURED;
        }
        final long correlationId = nextQueryCorrelationId++;
        queries.add(correlationId, query, offset, length, lease);
        if (state == State.CONNECTED)
        {
            sendQueries(clock.nanoTime());
        }
        return correlationId;
    }

    /**
     * @return queries sent or waiting to be, not yet answered.
     */
    public int pendingQueries()
    {
        return queries == null ? 0 : queries.count();
    }

    /**
     * Receives responses, sends what waits, and acts on timeouts: call it in the client's duty cycle.
     *
     * @return the amount of work done.
     */
    public int poll()
    {
        if (state == State.FAILED || state == State.CLOSED)
        {
            return 0;
        }
        int work = link.poll(assembler, FRAGMENT_LIMIT);
        final long nowNs = clock.nanoTime();
        switch (state)
        {
            case OPENING:
            case ATTACHING:
                work += pollAttaching(nowNs);
                break;

            case CONNECTED:
                work += pollConnected(nowNs);
                break;

            default:
                break;
        }
        return work;
    }

    private int pollAttaching(final long nowNs)
    {
        if (nowNs - noLeaderSinceNs > noLeaderTimeoutNs)
        {
            fail("no leader accepted the session within " + noLeaderTimeoutNs / 1_000_000 + " ms (members " +
                java.util.Arrays.toString(link.memberIds()) + ")");
            return 1;
        }
        if (nowNs - backoffUntilNs < 0)
        {
            return 0;
        }
        if (!requestSent)
        {
            openRequest.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
                .correlationId(correlationId)
                .sessionId(state == State.ATTACHING ? sessionId : 0)
                .responseStreamId(link.responseStreamId())
                .responseChannel(link.responseChannel());
            final long result = link.offer(
                targetId, controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + openRequest.encodedLength());
            if (result > 0)
            {
                requestSent = true;
                attemptStartNs = nowNs;
                return 1;
            }
        }
        if (nowNs - attemptStartNs > responseTimeoutNs)
        {
            tryNextMember(nowNs);
            return 1;
        }
        return 0;
    }

    private int pollConnected(final long nowNs)
    {
        if (rewindAtNs != 0 && nowNs - rewindAtNs >= 0)
        {
            rewindAtNs = 0;
            if (resendFrom < nextToSend)
            {
                resent += nextToSend - resendFrom;
                nextToSend = Math.max(resendFrom, oldestUnacked);
            }
            resendFrom = Long.MAX_VALUE;
        }
        int work = sendAppends();
        work += sendQueries(nowNs);
        if ((oldestUnacked < nextSequence && nowNs - Math.max(lastHeardNs, waitingSinceNs) > responseTimeoutNs) ||
            isQueryOverdue(nowNs))
        {
            // the leader went quiet with appends outstanding: look for the leader again
            leaderChanges++;
            noLeaderSinceNs = nowNs;
            state = State.ATTACHING;
            tryNextMember(nowNs);
            backoffUntilNs = nowNs;
            work++;
        }
        return work;
    }

    private int sendAppends()
    {
        int sent = 0;
        while (nextToSend < nextSequence)
        {
            final int slot = (int)(nextToSend & slotMask);
            if (slotIndex[slot] != 0)
            {
                nextToSend++; // acknowledged already (an answer to an earlier send)
                continue;
            }
            appendRequest.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .sessionId(sessionId)
                .sequence(nextToSend)
                .putPayload(store, slot * slotBytes, slotLength[slot]);
            final long result = link.offer(
                targetId, sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + appendRequest.encodedLength());
            if (result <= 0)
            {
                break;
            }
            nextToSend++;
            sent++;
        }
        return sent;
    }

    private int sendQueries(final long nowNs)
    {
        int sent = 0;
        for (int slot = 0; slot < queries.count(); slot++)
        {
            if (queries.isSent(slot))
            {
                continue;
            }
            queryRequest.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .sessionId(sessionId)
                .correlationId(queries.correlationId(slot))
                .mode(queries.isLease(slot) ? ReadMode.LEASE : ReadMode.READ_INDEX)
                .putQuery(queries.buffer(), queries.offset(slot), queries.length(slot));
            if (link.offer(targetId, sendBuffer, 0,
                MessageHeaderEncoder.ENCODED_LENGTH + queryRequest.encodedLength()) <= 0)
            {
                break;
            }
            queries.markSent(slot, nowNs);
            sent++;
        }
        return sent;
    }

    private boolean isQueryOverdue(final long nowNs)
    {
        for (int slot = 0; slot < queries.count(); slot++)
        {
            if (queries.isSent(slot) && nowNs - Math.max(lastHeardNs, queries.sentAtNs(slot)) > responseTimeoutNs)
            {
                return true;
            }
        }
        return false;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int templateId = validator.validate(buffer, offset, length);
        if (templateId < 0)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        if (templateId == ClientAppendResponseDecoder.TEMPLATE_ID)
        {
            appendResponse.wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
            onAppendResponse();
        }
        else if (templateId == OpenSessionResponseDecoder.TEMPLATE_ID)
        {
            openResponse.wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
            onOpenResponse();
        }
        else if (templateId == ClientQueryResponseDecoder.TEMPLATE_ID)
        {
            queryResponse.wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
            onQueryResponse();
        }
    }

    private void onOpenResponse()
    {
        if ((state != State.OPENING && state != State.ATTACHING) || openResponse.correlationId() != correlationId)
        {
            return; // an answer to an earlier attempt
        }
        final long nowNs = clock.nanoTime();
        final SessionCode code = openResponse.code();
        final RejectReason reason = openResponse.reason();
        final int leaderId = openResponse.leaderId();
        final long openedSessionId = openResponse.sessionId();
        final int maxPayload = openResponse.maxPayloadLength();
        final int window = openResponse.window();
        final String leaderEndpoint = openResponse.leaderEndpoint();
        if (code == SessionCode.OPEN)
        {
            if (state == State.OPENING)
            {
                sessionId = openedSessionId;
                allocateStore(maxPayload, window);
            }
            state = State.CONNECTED;
            lastHeardNs = nowNs;
            waitingSinceNs = nowNs;
            queries.markAllUnsent(); // this member may not have had them
            nextToSend = oldestUnacked;
            if (nextToSend < nextSequence)
            {
                resent += nextSequence - nextToSend;
            }
            sendAppends();
            return;
        }
        if (code == SessionCode.REDIRECT && leaderId != 0 && leaderId != targetId)
        {
            redirectTo(leaderId, leaderEndpoint, nowNs);
            return;
        }
        if (reason == RejectReason.UNKNOWN_SESSION || reason == RejectReason.SESSION_EXPIRED ||
            reason == RejectReason.TOO_MANY_SESSIONS)
        {
            fail("member " + targetId + " refused session " + sessionId + ": " + reason);
            return;
        }
        rejections++;
        tryNextMember(nowNs);
        backoffUntilNs = nowNs + REJECT_BACKOFF_NS;
    }

    private void onAppendResponse()
    {
        if (appendResponse.sessionId() != sessionId || sessionId == 0)
        {
            return;
        }
        final long nowNs = clock.nanoTime();
        final long sequence = appendResponse.sequence();
        final AppendCode code = appendResponse.code();
        if (code == AppendCode.COMMITTED)
        {
            if (state == State.CONNECTED)
            {
                lastHeardNs = nowNs;
            }
            final boolean hasResult = appendResponse.hasResult() == BooleanType.TRUE;
            appendResponse.skipLeaderEndpoint();
            final int resultLength = appendResponse.resultLength();
            appendResponse.wrapResult(resultView);
            acknowledge(sequence, appendResponse.index(), hasResult, resultView, 0, resultLength);
            return;
        }
        if (state != State.CONNECTED)
        {
            return;
        }
        lastHeardNs = nowNs;
        rejections++;
        final RejectReason reason = appendResponse.reason();
        final int leaderId = appendResponse.leaderId();
        final String leaderEndpoint = appendResponse.leaderEndpoint();
        switch (reason)
        {
            case NOT_LEADER:
            case NO_LEADER:
                leaderLost(reason, leaderId, leaderEndpoint, nowNs);
                break;

            case BACK_PRESSURED:
            case OUT_OF_SEQUENCE:
            case TRANSFERRING:
            case NOT_READY:
                // go back to the oldest refused sequence, once the refusals of this burst are in
                resendFrom = Math.min(resendFrom, sequence);
                if (rewindAtNs == 0)
                {
                    rewindAtNs = nowNs + REWIND_DELAY_NS;
                }
                break;

            default:
                fail("append " + sequence + " of session " + sessionId + " refused: " + reason);
                break;
        }
    }

    /**
     * The member this client talks to no longer leads: to the leader it names (NOT_LEADER), or, when it knows
     * none (NO_LEADER), to the next member after a pause.
     */
    private void leaderLost(
        final RejectReason reason, final int leaderId, final String leaderEndpoint, final long nowNs)
    {
        leaderChanges++;
        noLeaderSinceNs = nowNs;
        state = State.ATTACHING;
        if (reason == RejectReason.NOT_LEADER)
        {
            redirectTo(leaderId, leaderEndpoint, nowNs);
        }
        else
        {
            tryNextMember(nowNs);
            backoffUntilNs = nowNs + REJECT_BACKOFF_NS;
        }
    }

    private void onQueryResponse()
    {
        if (queryResponse.sessionId() != sessionId || sessionId == 0)
        {
            return;
        }
        final int slot = queries.slotOf(queryResponse.correlationId());
        if (slot == PendingQueries.NONE)
        {
            return; // answered already: a duplicate of a resent query
        }
        final long nowNs = clock.nanoTime();
        lastHeardNs = nowNs;
        final long correlationId = queryResponse.correlationId();
        final long readIndex = queryResponse.readIndex();
        final AppendCode code = queryResponse.code();
        final RejectReason reason = queryResponse.reason();
        final int leaderId = queryResponse.leaderId();
        if (code == AppendCode.COMMITTED)
        {
            queryResponse.skipLeaderEndpoint();
            final int resultLength = queryResponse.resultLength();
            queryResponse.wrapResult(resultView);
            queries.remove(slot);
            queryHandler.onAnswer(correlationId, readIndex, resultView, 0, resultLength);
            return;
        }
        rejections++;
        switch (reason)
        {
            case NOT_LEADER:
            case NO_LEADER:
            {
                final String leaderEndpoint = queryResponse.leaderEndpoint();
                queries.markAllUnsent();
                if (state == State.CONNECTED)
                {
                    leaderLost(reason, leaderId, leaderEndpoint, nowNs);
                }
                break;
            }

            case BACK_PRESSURED:
            case TRANSFERRING:
            case NOT_READY:
                queries.markUnsent(slot); // sent again in the next poll
                break;

            default:
                queries.remove(slot);
                queryHandler.onRefused(correlationId, reason);
                break;
        }
    }

    private void acknowledge(
        final long sequence,
        final long index,
        final boolean hasResult,
        final DirectBuffer result,
        final int resultOffset,
        final int resultLength)
    {
        if (sequence < oldestUnacked || sequence >= nextSequence)
        {
            return;
        }
        final int slot = (int)(sequence & slotMask);
        if (slotIndex[slot] != 0)
        {
            return;
        }
        slotIndex[slot] = index;
        acknowledged++;
        resultHandler.onApplied(sequence, index, hasResult, result, resultOffset, resultLength);
        final long oldestBefore = oldestUnacked;
        while (oldestUnacked < nextSequence && slotIndex[(int)(oldestUnacked & slotMask)] != 0)
        {
            slotIndex[(int)(oldestUnacked & slotMask)] = 0;
            oldestUnacked++;
        }
        if (oldestUnacked != oldestBefore)
        {
            waitingSinceNs = clock.nanoTime(); // the oldest outstanding append changed: its wait starts now
        }
        if (nextToSend < oldestUnacked)
        {
            nextToSend = oldestUnacked;
        }
    }

    private void redirectTo(final int leaderId, final String leaderEndpoint, final long nowNs)
    {
        if (leaderId == 0 || (!link.isKnown(leaderId) && leaderEndpoint.isEmpty()))
        {
            tryNextMember(nowNs);
            backoffUntilNs = nowNs + REJECT_BACKOFF_NS;
            return;
        }
        link.addMember(leaderId, leaderEndpoint);
        targetId = leaderId;
        beginAttempt(nowNs);
    }

    private void tryNextMember(final long nowNs)
    {
        final int[] memberIds = link.memberIds();
        targetSlot = (targetSlot + 1) % memberIds.length;
        targetId = memberIds[targetSlot];
        beginAttempt(nowNs);
    }

    private void beginAttempt(final long nowNs)
    {
        correlationId++;
        requestSent = false;
        attemptStartNs = nowNs;
    }

    private void allocateStore(final int maxPayload, final int window)
    {
        maxPayloadLength = maxPayload;
        slotBytes = Math.max(64, (maxPayload + 63) & ~63);
        final int byBytes = Math.max(1, retransmitBufferBytes / slotBytes);
        final int limit = Math.min(Math.min(maxInFlight, Math.max(1, window)), byBytes);
        int slots = Integer.highestOneBit(limit);
        capacity = slots;
        slotMask = slots - 1;
        store = new UnsafeBuffer(new byte[slots * slotBytes]);
        sendBuffer = new UnsafeBuffer(new byte[slotBytes + 128]);
        slotLength = new int[slots];
        slotIndex = new long[slots];
        queries = new PendingQueries(MAX_PENDING_QUERIES, maxPayload);
    }

    private void fail(final String reason)
    {
        failure = reason;
        state = State.FAILED;
    }

    /**
     * Closes the session on the cluster (best effort: an unanswered close is left to expire) and the client's
     * publications and subscription. The Aeron client is the caller's.
     */
    public void close()
    {
        if (state == State.CONNECTED)
        {
            closeRequest.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).sessionId(sessionId);
            link.offer(targetId, controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + closeRequest.encodedLength());
        }
        if (state != State.FAILED)
        {
            state = State.CLOSED;
        }
        CloseHelper.close(link);
    }
}

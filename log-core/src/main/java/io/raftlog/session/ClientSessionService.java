package io.raftlog.session;

import io.raftlog.codecs.AdminAction;
import io.raftlog.codecs.AdminRequestDecoder;
import io.raftlog.codecs.AdminResponseEncoder;
import io.raftlog.codecs.AppendCode;
import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.ClientAppendRequestDecoder;
import io.raftlog.codecs.ClientAppendResponseEncoder;
import io.raftlog.codecs.ClientQueryRequestDecoder;
import io.raftlog.codecs.ClientQueryResponseEncoder;
import io.raftlog.codecs.CloseSessionRequestDecoder;
import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.MessageValidator;
import io.raftlog.codecs.OpenSessionRequestDecoder;
import io.raftlog.codecs.OpenSessionResponseEncoder;
import io.raftlog.codecs.ReadMode;
import io.raftlog.codecs.RejectReason;
import io.raftlog.codecs.SessionCode;
import io.raftlog.codecs.SessionEntry;
import io.raftlog.codecs.StatusRequestDecoder;
import io.raftlog.codecs.StatusResponseEncoder;
import io.raftlog.core.LogStore;
import io.raftlog.core.OfferResult;
import io.raftlog.core.RaftCore;
import io.raftlog.core.Role;
import io.raftlog.core.SnapshotStore;
import io.raftlog.statemachine.SnapshotLayout;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Map;

/**
 * Remote clients' sessions in front of the core, on the node's thread: opens and attaches sessions, appends each
 * client entry exactly once, and answers with the committed index.
 * <p>
 * Two {@link SessionTable}s: the committed table applies every committed entry in order on every member (it is
 * replicated state, rebuilt from the log after a restart and restored from a snapshot); the leader's table starts
 * as a copy of it when this member wins an election, applies the uncommitted rest of its log, then every session
 * entry it stages. The leader never truncates its own log, so its table is exactly what the committed table will
 * be once everything staged commits, and it admits a client entry only when that entry will take effect: a retry
 * of an entry already in the log is answered with its index when committed, and never appended again.
 * <p>
 * No allocation on the append path; opening a session, status and administrative requests allocate a little
 * (the response channel's text).
 */
public final class ClientSessionService
{
    private static final int MAX_PENDING_OPENS = 64;
    /** A response's fixed part, its leader endpoint and framing, beyond a state machine's result. */
    private static final int RESPONSE_HEADROOM_BYTES = 512;
    /** Client queries in flight on this member at once. */
    static final int MAX_PENDING_QUERIES = 256;
    /**
     * A query still without its read index after this long is answered NO_LEADER, for the client to retry: the
     * leader's answer to a follower's request may be lost, and a leader that steps down refuses its reads itself.
     */
    static final long QUERY_INDEX_TIMEOUT_NS = 5_000_000_000L;

    private final RaftCore core;
    private final LogStore log;
    private final SnapshotStore snapshots;
    private final ClientResponders responders;
    private final Map<Integer, String> staticEndpoints;
    private final int selfId;
    private final int maxClientBytes;
    private final SessionTable committed;
    private final SessionTable leaderTable;
    private boolean leaderTableValid;

    private final MessageValidator validator = new MessageValidator();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final OpenSessionRequestDecoder openRequest = new OpenSessionRequestDecoder();
    private final CloseSessionRequestDecoder closeRequest = new CloseSessionRequestDecoder();
    private final ClientAppendRequestDecoder appendRequest = new ClientAppendRequestDecoder();
    private final StatusRequestDecoder statusRequest = new StatusRequestDecoder();
    private final AdminRequestDecoder adminRequest = new AdminRequestDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OpenSessionResponseEncoder openResponse = new OpenSessionResponseEncoder();
    private final ClientAppendResponseEncoder appendResponse = new ClientAppendResponseEncoder();
    private final StatusResponseEncoder statusResponse = new StatusResponseEncoder();
    private final AdminResponseEncoder adminResponse = new AdminResponseEncoder();
    private final ClientQueryRequestDecoder queryRequest = new ClientQueryRequestDecoder();
    private final ClientQueryResponseEncoder queryResponse = new ClientQueryResponseEncoder();
    private final UnsafeBuffer responseBuffer;
    private final PendingClientQueries queries;
    /** Set when the node runs a state machine: appends are answered once applied, with its result. */
    private QueryExecutor queryExecutor;
    private NanoClock clock = new SystemNanoClock();
    private final UnsafeBuffer entryBuffer;
    private final UnsafeBuffer readBuffer;

    /** Session id (the SESSION_OPEN index) to the path its client last attached through on this member. */
    private final Long2LongHashMap responderBySession;
    private final long[] pendingOpenIndex = new long[MAX_PENDING_OPENS];
    private final long[] pendingOpenCorrelation = new long[MAX_PENDING_OPENS];
    private final int[] pendingOpenResponder = new int[MAX_PENDING_OPENS];
    private int pendingOpens;

    private long requestsReceived;
    private long requestsRejected;
    private long responsesDropped;
    private long entriesAppended;
    private long duplicatesAnswered;
    private long ineffectiveEntries;

    public ClientSessionService(
        final RaftCore core,
        final LogStore log,
        final SnapshotStore snapshots,
        final ClientResponders responders,
        final Map<Integer, String> staticEndpoints,
        final int maxPayloadBytes,
        final int maxSessions,
        final int window,
        final long idleTimeoutNs)
    {
        this.core = core;
        this.log = log;
        this.snapshots = snapshots;
        this.responders = responders;
        this.staticEndpoints = staticEndpoints;
        this.selfId = core.selfId();
        this.maxClientBytes = maxPayloadBytes - SessionEntry.APPEND_HEADER_LENGTH;
        if (maxClientBytes < 1)
        {
            throw new IllegalArgumentException("maxPayloadBytes too small for a session entry: " + maxPayloadBytes);
        }
        this.committed = new SessionTable(maxSessions, window, idleTimeoutNs);
        this.leaderTable = new SessionTable(maxSessions, window, idleTimeoutNs);
        this.entryBuffer = new UnsafeBuffer(new byte[maxPayloadBytes]);
        this.responseBuffer = new UnsafeBuffer(new byte[maxPayloadBytes + RESPONSE_HEADROOM_BYTES]);
        this.queries = new PendingClientQueries(MAX_PENDING_QUERIES, maxClientBytes);
        this.readBuffer = new UnsafeBuffer(new byte[Math.max(1 << 20, LogEntryCodec.recordLength(maxPayloadBytes))]);
        this.responderBySession = new Long2LongHashMap(maxSessions * 2, 0.5f, ClientResponders.NONE);
    }

    /**
     * The node runs a state machine: appends are answered when it has applied them, with its result
     * ({@link #onAppendResult}), and clients may query it ({@link #onReadIndex}, {@link #onQueryResult}).
     *
     * @param clock the clock the core is ticked with, for lease reads.
     */
    public ClientSessionService stateMachine(final QueryExecutor queryExecutor, final NanoClock clock)
    {
        this.queryExecutor = queryExecutor;
        this.clock = clock;
        return this;
    }

    /**
     * @return the largest result a response carries: a state machine's result beyond it is not sent.
     */
    public int maxResultBytes()
    {
        return responseBuffer.capacity() - RESPONSE_HEADROOM_BYTES;
    }

    /**
     * @return client queries waiting for a read index or for the state machine.
     */
    public int pendingQueries()
    {
        return queries.inUse();
    }

    /**
     * Loads the committed table from the snapshot the log starts after; the log's entries are applied as the core
     * reports them committed.
     */
    public void start()
    {
        restoreFromSnapshot();
    }

    public SessionTable committedTable()
    {
        return committed;
    }

    public long requestsReceived()
    {
        return requestsReceived;
    }

    /**
     * @return client messages dropped: malformed, foreign, not a client request, or with no way to answer.
     */
    public long requestsRejected()
    {
        return requestsRejected;
    }

    public long responsesDropped()
    {
        return responsesDropped;
    }

    public long entriesAppended()
    {
        return entriesAppended;
    }

    public long duplicatesAnswered()
    {
        return duplicatesAnswered;
    }

    /**
     * @return committed session entries that did not take effect: always 0, since the leader appends only entries
     * that will; a test asserts it.
     */
    public long ineffectiveEntries()
    {
        return ineffectiveEntries;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The core's events
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Applies the newly committed entries to the committed table and answers the clients waiting for them.
     */
    public void onCommit(final long commitIndex)
    {
        if (committed.appliedIndex() < log.baseIndex())
        {
            restoreFromSnapshot();
        }
        long next = committed.appliedIndex() + 1;
        while (next <= commitIndex)
        {
            final int length = log.copyRecords(next, readBuffer.capacity(), readBuffer, 0);
            int offset = 0;
            while (offset < length && next <= commitIndex)
            {
                applyCommitted(readBuffer, offset);
                offset += LogEntryCodec.recordLength(readBuffer, offset);
                next++;
            }
        }
    }

    /**
     * On winning an election: the leader's table becomes the committed table plus the rest of this member's log.
     */
    public void onRoleChange(final Role role)
    {
        leaderTableValid = false;
        pendingOpens = 0;
        if (role != Role.LEADER)
        {
            return;
        }
        leaderTable.copyFrom(committed);
        long next = committed.appliedIndex() + 1;
        final long last = log.lastIndex();
        while (next <= last)
        {
            final int length = log.copyRecords(next, readBuffer.capacity(), readBuffer, 0);
            int offset = 0;
            while (offset < length && next <= last)
            {
                final int payloadOffset = LogEntryCodec.payloadOffset(offset);
                leaderTable.apply(
                    next,
                    LogEntryCodec.timestamp(readBuffer, offset),
                    LogEntryCodec.entryTypeCode(readBuffer, offset),
                    readBuffer,
                    payloadOffset,
                    LogEntryCodec.payloadLength(readBuffer, offset));
                offset += LogEntryCodec.recordLength(readBuffer, offset);
                next++;
            }
        }
        leaderTableValid = true;
    }

    /**
     * A snapshot from the leader replaced this member's state: the committed table is the snapshot's.
     */
    public void onSnapshotInstalled()
    {
        restoreFromSnapshot();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Client requests
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Handles one message received on the client port.
     *
     * @return false when the message must be offered again later: an append the leader cannot stage in this duty
     * cycle (its batch is full, or too much is uncommitted). Flow control, rather than a refusal the client would
     * answer by resending everything after it. Anything else, well-formed or not, is consumed: true.
     */
    public boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        requestsReceived++;
        final int templateId = validator.validate(buffer, offset, length);
        if (templateId < 0)
        {
            requestsRejected++;
            return true;
        }
        headerDecoder.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (templateId)
        {
            case ClientAppendRequestDecoder.TEMPLATE_ID:
                appendRequest.wrap(buffer, body, blockLength, version);
                return onAppend(appendRequest.sessionId(), appendRequest.sequence(), buffer,
                    appendRequest.limit() + ClientAppendRequestDecoder.payloadHeaderLength(),
                    appendRequest.payloadLength());

            case OpenSessionRequestDecoder.TEMPLATE_ID:
            {
                openRequest.wrap(buffer, body, blockLength, version);
                final long correlationId = openRequest.correlationId();
                final long sessionId = openRequest.sessionId();
                final int streamId = openRequest.responseStreamId();
                final int responder = responders.responderFor(openRequest.responseChannel(), streamId);
                if (responder == ClientResponders.NONE)
                {
                    requestsRejected++;
                    return true;
                }
                onOpen(correlationId, sessionId, responder);
                return true;
            }

            case CloseSessionRequestDecoder.TEMPLATE_ID:
                closeRequest.wrap(buffer, body, blockLength, version);
                onClose(closeRequest.sessionId());
                return true;

            case ClientQueryRequestDecoder.TEMPLATE_ID:
                queryRequest.wrap(buffer, body, blockLength, version);
                onQuery(queryRequest.sessionId(), queryRequest.correlationId(), queryRequest.mode(), buffer,
                    queryRequest.limit() + ClientQueryRequestDecoder.queryHeaderLength(), queryRequest.queryLength());
                return true;

            case StatusRequestDecoder.TEMPLATE_ID:
            {
                statusRequest.wrap(buffer, body, blockLength, version);
                final long correlationId = statusRequest.correlationId();
                final int streamId = statusRequest.responseStreamId();
                final int responder = responders.responderFor(statusRequest.responseChannel(), streamId);
                if (responder == ClientResponders.NONE)
                {
                    requestsRejected++;
                    return true;
                }
                sendStatus(responder, correlationId);
                return true;
            }

            case AdminRequestDecoder.TEMPLATE_ID:
            {
                adminRequest.wrap(buffer, body, blockLength, version);
                final long correlationId = adminRequest.correlationId();
                final AdminAction action = adminRequest.action();
                final int memberId = adminRequest.memberId();
                final int streamId = adminRequest.responseStreamId();
                final int responder = responders.responderFor(adminRequest.responseChannel(), streamId);
                final String endpoint = adminRequest.endpoint();
                if (responder == ClientResponders.NONE)
                {
                    requestsRejected++;
                    return true;
                }
                onAdmin(responder, correlationId, action, memberId, endpoint);
                return true;
            }

            default: // a peer message or a response sent to the client port
                requestsRejected++;
                return true;
        }
    }

    private void onOpen(final long correlationId, final long sessionId, final int responder)
    {
        if (!isServingLeader())
        {
            sendOpenResponse(responder, correlationId, 0, notLeaderReason());
            return;
        }
        final long nowNs = core.nowNs();
        if (sessionId != 0)
        {
            final int state = leaderTable.sessionState(sessionId, nowNs);
            if (state != 0)
            {
                sendOpenResponse(responder, correlationId, 0, reasonOf(state));
                return;
            }
            responderBySession.put(sessionId, responder);
            sendOpenResponse(responder, correlationId, sessionId, RejectReason.NONE);
            return;
        }
        if (!leaderTable.canOpen(nowNs))
        {
            sendOpenResponse(responder, correlationId, 0, RejectReason.TOO_MANY_SESSIONS);
            return;
        }
        if (pendingOpens == MAX_PENDING_OPENS)
        {
            sendOpenResponse(responder, correlationId, 0, RejectReason.BACK_PRESSURED);
            return;
        }
        final long index = core.offer(EntryType.SESSION_OPEN, entryBuffer, 0, 0);
        if (index < 0)
        {
            sendOpenResponse(responder, correlationId, 0, refusalOf(index));
            return;
        }
        final int result = leaderTable.apply(index, nowNs, EntryType.SESSION_OPEN.value(), entryBuffer, 0, 0);
        assert result == SessionTable.OPENED : result;
        pendingOpenIndex[pendingOpens] = index;
        pendingOpenCorrelation[pendingOpens] = correlationId;
        pendingOpenResponder[pendingOpens] = responder;
        pendingOpens++;
    }

    private boolean onAppend(
        final long sessionId, final long sequence, final DirectBuffer buffer, final int offset, final int length)
    {
        final int responder = (int)responderBySession.get(sessionId);
        if (!isServingLeader())
        {
            if (responder == ClientResponders.NONE)
            {
                requestsRejected++;
                return true;
            }
            sendAppendResponse(responder, sessionId, sequence, 0, notLeaderReason());
            return true;
        }
        if (length > maxClientBytes)
        {
            requestsRejected++;
            if (responder != ClientResponders.NONE)
            {
                sendAppendResponse(responder, sessionId, sequence, 0, RejectReason.TOO_LARGE);
            }
            return true;
        }
        final long nowNs = core.nowNs();
        final int check = leaderTable.check(sessionId, sequence, nowNs);
        if (check == SessionTable.NEXT)
        {
            SessionEntry.encodeAppendHeader(entryBuffer, 0, sessionId, sequence);
            entryBuffer.putBytes(SessionEntry.APPEND_HEADER_LENGTH, buffer, offset, length);
            final int payloadLength = SessionEntry.APPEND_HEADER_LENGTH + length;
            final long index = core.offer(EntryType.SESSION_APPEND, entryBuffer, 0, payloadLength);
            if (index == OfferResult.BACK_PRESSURED)
            {
                return false;
            }
            if (index < 0)
            {
                if (responder != ClientResponders.NONE)
                {
                    sendAppendResponse(responder, sessionId, sequence, 0, refusalOf(index));
                }
                return true;
            }
            final int result = leaderTable.apply(
                index, nowNs, EntryType.SESSION_APPEND.value(), entryBuffer, 0, payloadLength);
            assert result == SessionTable.APPENDED : result;
            entriesAppended++;
            return true;
        }
        if (responder == ClientResponders.NONE)
        {
            // a session that never attached here: there is no path to answer on
            requestsRejected++;
            return true;
        }
        if (check == SessionTable.DUPLICATE)
        {
            duplicatesAnswered++;
            if (committed.lastSequence(sessionId) >= sequence)
            {
                final long index = committed.indexOf(sessionId, sequence);
                if (index > 0)
                {
                    sendAppendResponse(responder, sessionId, sequence, index, RejectReason.NONE);
                }
                else
                {
                    sendAppendResponse(responder, sessionId, sequence, 0, RejectReason.SEQUENCE_TOO_OLD);
                }
                // a duplicate applied before: its result is not kept, the client is told so (hasResult false)
            }
            // else: in the log but not committed yet; the answer goes out when it commits
            return true;
        }
        requestsRejected++;
        sendAppendResponse(responder, sessionId, sequence, 0, reasonOf(check));
        return true;
    }

    private void onClose(final long sessionId)
    {
        if (!isServingLeader() || leaderTable.sessionState(sessionId, core.nowNs()) != 0)
        {
            requestsRejected++;
            return;
        }
        entryBuffer.putLong(0, sessionId, SessionEntry.ORDER);
        final long index = core.offer(EntryType.SESSION_CLOSE, entryBuffer, 0, SessionEntry.CLOSE_LENGTH);
        if (index > 0)
        {
            leaderTable.apply(index, core.nowNs(), EntryType.SESSION_CLOSE.value(), entryBuffer, 0,
                SessionEntry.CLOSE_LENGTH);
        }
    }

    private void onAdmin(
        final int responder,
        final long correlationId,
        final AdminAction action,
        final int memberId,
        final String endpoint)
    {
        if (core.role() != Role.LEADER)
        {
            sendAdminResponse(responder, correlationId, 0, notLeaderReason());
            return;
        }
        final long result;
        switch (action)
        {
            case TRANSFER_LEADER:
                result = memberId == selfId || core.transferLeadership(memberId) ?
                    core.lastIndex() : OfferResult.INVALID_CHANGE;
                break;

            case ADD_MEMBER:
                if (!isEndpoint(endpoint))
                {
                    result = OfferResult.INVALID_CHANGE;
                }
                else if (core.configuration().isMember(memberId))
                {
                    // said apart from other refusals: the client may be retrying a change whose answer was lost
                    sendAdminResponse(responder, correlationId, core.configurationIndex(),
                        endpoint.equals(core.configuration().endpoint(memberId)) ?
                        RejectReason.ALREADY_A_MEMBER : RejectReason.INVALID_REQUEST);
                    return;
                }
                else
                {
                    result = core.addMember(memberId, endpoint);
                }
                break;

            case REMOVE_MEMBER:
                if (!core.configuration().isMember(memberId))
                {
                    sendAdminResponse(responder, correlationId, core.configurationIndex(), RejectReason.NOT_A_MEMBER);
                    return;
                }
                result = core.removeMember(memberId);
                break;

            default:
                result = OfferResult.INVALID_CHANGE;
                break;
        }
        sendAdminResponse(responder, correlationId, Math.max(0, result),
            result < 0 ? refusalOf(result) : RejectReason.NONE);
    }

    private static boolean isEndpoint(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1)
        {
            return false;
        }
        for (int i = colon + 1; i < endpoint.length(); i++)
        {
            if (!Character.isDigit(endpoint.charAt(i)))
            {
                return false;
            }
        }
        final int port = Integer.parseInt(endpoint.substring(colon + 1));
        return port > 0 && port < 65536;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The state machine: results and queries
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The state machine applied a client's entry: answer the client, if it attached here, with the result.
     */
    public void onAppendResult(
        final long sessionId,
        final long sequence,
        final long index,
        final DirectBuffer result,
        final int offset,
        final int length)
    {
        final int responder = (int)responderBySession.get(sessionId);
        if (responder == ClientResponders.NONE)
        {
            return;
        }
        if (length > maxResultBytes())
        {
            // too large to send: the client learns its entry's index, not the result
            sendAppendResponse(responder, sessionId, sequence, index, RejectReason.NONE, false, result, offset, 0);
            return;
        }
        sendAppendResponse(responder, sessionId, sequence, index, RejectReason.NONE, true, result, offset, length);
    }

    /**
     * The core's answer to a read index this service asked for: hand the query to the state machine, or tell the
     * client it was refused.
     */
    public void onReadIndex(final long readId, final long readIndex)
    {
        final int slot = queries.slotOf(readId);
        if (slot == PendingClientQueries.NONE || queries.state(slot) != PendingClientQueries.WAITING_FOR_INDEX)
        {
            return; // expired already
        }
        if (readIndex < 0)
        {
            refuseQuery(slot, refusalOf(readIndex));
            return;
        }
        submitQuery(slot, readIndex);
    }

    /**
     * The state machine answered a query.
     */
    public void onQueryResult(final long readId, final DirectBuffer result, final int offset, final int length)
    {
        final int slot = queries.slotOf(readId);
        if (slot == PendingClientQueries.NONE)
        {
            return;
        }
        if (length > maxResultBytes())
        {
            refuseQuery(slot, RejectReason.TOO_LARGE);
            return;
        }
        sendQueryResponse(queries.responder(slot), queries.sessionId(slot), queries.correlationId(slot),
            queries.readIndex(slot), RejectReason.NONE, result, offset, length);
        queries.remove(slot);
    }

    /**
     * Answers NO_LEADER to queries that waited too long for a read index (a lost message between a follower and the
     * leader), so their clients ask again.
     *
     * @return the amount of work done.
     */
    public int expireQueries(final long nowNs)
    {
        if (queries.inUse() == 0)
        {
            return 0;
        }
        int expired = 0;
        for (int slot = 0; slot < queries.capacity(); slot++)
        {
            if (queries.state(slot) == PendingClientQueries.WAITING_FOR_INDEX &&
                nowNs - queries.startedNs(slot) > QUERY_INDEX_TIMEOUT_NS)
            {
                refuseQuery(slot, RejectReason.NO_LEADER);
                expired++;
            }
        }
        return expired;
    }

    private void onQuery(
        final long sessionId,
        final long correlationId,
        final ReadMode mode,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int responder = (int)responderBySession.get(sessionId);
        if (responder == ClientResponders.NONE)
        {
            requestsRejected++; // a session that never attached here: no path to answer on
            return;
        }
        if (queryExecutor == null)
        {
            sendQueryResponse(responder, sessionId, correlationId, 0, RejectReason.INVALID_REQUEST, responseBuffer, 0,
                0);
            return;
        }
        if (length > maxClientBytes)
        {
            sendQueryResponse(responder, sessionId, correlationId, 0, RejectReason.TOO_LARGE, responseBuffer, 0, 0);
            return;
        }
        final long nowNs = clock.nanoTime();
        final int slot = queries.add(responder, sessionId, correlationId, buffer, offset, length, nowNs);
        if (slot == PendingClientQueries.NONE)
        {
            sendQueryResponse(responder, sessionId, correlationId, 0, RejectReason.BACK_PRESSURED, responseBuffer, 0,
                0);
            return;
        }
        if (mode == ReadMode.LEASE)
        {
            final long leaseIndex = core.leaseReadIndex(nowNs);
            if (leaseIndex >= 0)
            {
                submitQuery(slot, leaseIndex);
                return;
            }
        }
        final long result = core.readIndex(queries.readId(slot));
        if (result < 0)
        {
            refuseQuery(slot, refusalOf(result));
        }
    }

    private void submitQuery(final int slot, final long readIndex)
    {
        if (!queryExecutor.submit(
            queries.readId(slot), readIndex, queries.buffer(), queries.offset(slot), queries.length(slot)))
        {
            refuseQuery(slot, RejectReason.BACK_PRESSURED);
            return;
        }
        queries.withStateMachine(slot, readIndex);
    }

    private void refuseQuery(final int slot, final RejectReason reason)
    {
        sendQueryResponse(queries.responder(slot), queries.sessionId(slot), queries.correlationId(slot), 0, reason,
            responseBuffer, 0, 0);
        queries.remove(slot);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Committed entries
    // ---------------------------------------------------------------------------------------------------------------

    private void applyCommitted(final DirectBuffer records, final int recordOffset)
    {
        final long index = LogEntryCodec.index(records, recordOffset);
        final int type = LogEntryCodec.entryTypeCode(records, recordOffset);
        final int payloadOffset = LogEntryCodec.payloadOffset(recordOffset);
        final int payloadLength = LogEntryCodec.payloadLength(records, recordOffset);
        final int result = committed.apply(
            index, LogEntryCodec.timestamp(records, recordOffset), type, records, payloadOffset, payloadLength);
        if (result < 0)
        {
            ineffectiveEntries++;
            return;
        }
        if (result == SessionTable.APPENDED && queryExecutor == null)
        {
            // with a state machine the answer waits for its result: onAppendResult
            final long sessionId = SessionEntry.sessionId(records, payloadOffset);
            final int responder = (int)responderBySession.get(sessionId);
            if (responder != ClientResponders.NONE)
            {
                sendAppendResponse(
                    responder, sessionId, SessionEntry.sequence(records, payloadOffset), index, RejectReason.NONE);
            }
        }
        else if (result == SessionTable.OPENED)
        {
            answerPendingOpen(index);
        }
        else if (result == SessionTable.CLOSED)
        {
            responderBySession.remove(SessionEntry.sessionId(records, payloadOffset));
        }
    }

    private void answerPendingOpen(final long sessionId)
    {
        for (int i = 0; i < pendingOpens; i++)
        {
            if (pendingOpenIndex[i] == sessionId)
            {
                final int responder = pendingOpenResponder[i];
                responderBySession.put(sessionId, responder);
                sendOpenResponse(responder, pendingOpenCorrelation[i], sessionId, RejectReason.NONE);
                pendingOpens--;
                pendingOpenIndex[i] = pendingOpenIndex[pendingOpens];
                pendingOpenCorrelation[i] = pendingOpenCorrelation[pendingOpens];
                pendingOpenResponder[i] = pendingOpenResponder[pendingOpens];
                return;
            }
        }
    }

    /**
     * The committed table becomes the one in the snapshot the log starts after: the session-table part of its state
     * ({@link SnapshotLayout}: the state machine's part, if any, is not read here).
     */
    private void restoreFromSnapshot()
    {
        final long index = snapshots.lastIncludedIndex();
        final long length = snapshots.length();
        if (length == 0)
        {
            // a pure log's snapshot holds no session: the sessions of the dropped prefix are forgotten
            committed.reset(index);
            return;
        }
        final UnsafeBuffer header = new UnsafeBuffer(new byte[SnapshotLayout.HEADER_LENGTH]);
        if (length < SnapshotLayout.HEADER_LENGTH ||
            snapshots.read(0, header, 0, SnapshotLayout.HEADER_LENGTH) != SnapshotLayout.HEADER_LENGTH)
        {
            throw new IllegalStateException("the snapshot at " + index + " of " + length + " bytes has no session " +
                "table header");
        }
        final int tableLength = SnapshotLayout.sessionTableLength(header, length);
        final UnsafeBuffer table = new UnsafeBuffer(new byte[tableLength]);
        int position = 0;
        while (position < tableLength)
        {
            final int read = snapshots.read(
                SnapshotLayout.HEADER_LENGTH + position, table, position, tableLength - position);
            if (read <= 0)
            {
                throw new IllegalStateException("the snapshot at " + index + " ends inside its session table");
            }
            position += read;
        }
        SnapshotLayout.restoreSessions(committed, table, 0, tableLength, index);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Responses
    // ---------------------------------------------------------------------------------------------------------------

    private boolean isServingLeader()
    {
        return core.role() == Role.LEADER && leaderTableValid;
    }

    /**
     * @return the reason a client is told for a refusal by the core: NOT_LEADER only with a leader to go to.
     */
    private RejectReason refusalOf(final long offerResult)
    {
        return offerResult == OfferResult.NOT_LEADER ? notLeaderReason() : reasonOfOffer(offerResult);
    }

    private RejectReason notLeaderReason()
    {
        return core.leaderId() == RaftCore.NO_MEMBER || core.leaderId() == selfId ?
            RejectReason.NO_LEADER : RejectReason.NOT_LEADER;
    }

    private String leaderEndpoint()
    {
        final int leaderId = core.leaderId();
        if (leaderId == RaftCore.NO_MEMBER)
        {
            return "";
        }
        final String fromConfiguration = core.configuration().endpoint(leaderId);
        if (fromConfiguration != null && !fromConfiguration.isEmpty())
        {
            return fromConfiguration;
        }
        final String known = staticEndpoints.get(leaderId);
        return known == null ? "" : known;
    }

    private void sendOpenResponse(
        final int responder, final long correlationId, final long sessionId, final RejectReason reason)
    {
        final SessionCode code = reason == RejectReason.NONE ? SessionCode.OPEN :
            reason == RejectReason.NOT_LEADER ? SessionCode.REDIRECT : SessionCode.REJECTED;
        openResponse.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .leaderId(core.leaderId())
            .code(code)
            .reason(reason)
            .maxPayloadLength(maxClientBytes)
            .window(committed.window())
            .leaderEndpoint(code == SessionCode.REDIRECT ? leaderEndpoint() : "");
        send(responder, MessageHeaderEncoder.ENCODED_LENGTH + openResponse.encodedLength(), true);
    }

    private void sendAppendResponse(
        final int responder, final long sessionId, final long sequence, final long index, final RejectReason reason)
    {
        sendAppendResponse(responder, sessionId, sequence, index, reason, false, responseBuffer, 0, 0);
    }

    private void sendAppendResponse(
        final int responder,
        final long sessionId,
        final long sequence,
        final long index,
        final RejectReason reason,
        final boolean hasResult,
        final DirectBuffer result,
        final int resultOffset,
        final int resultLength)
    {
        final AppendCode code = appendCodeOf(reason);
        appendResponse.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .sequence(sequence)
            .index(index)
            .leaderId(core.leaderId())
            .code(code)
            .reason(reason)
            .hasResult(hasResult ? BooleanType.TRUE : BooleanType.FALSE);
        if (code == AppendCode.REDIRECT)
        {
            appendResponse.leaderEndpoint(leaderEndpoint());
        }
        else
        {
            appendResponse.putLeaderEndpoint(responseBuffer, 0, 0);
        }
        appendResponse.putResult(result, resultOffset, resultLength);
        send(responder, MessageHeaderEncoder.ENCODED_LENGTH + appendResponse.encodedLength(), false);
    }

    private void sendQueryResponse(
        final int responder,
        final long sessionId,
        final long correlationId,
        final long readIndex,
        final RejectReason reason,
        final DirectBuffer result,
        final int resultOffset,
        final int resultLength)
    {
        final AppendCode code = appendCodeOf(reason);
        queryResponse.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .correlationId(correlationId)
            .readIndex(readIndex)
            .leaderId(core.leaderId())
            .code(code)
            .reason(reason);
        if (code == AppendCode.REDIRECT)
        {
            queryResponse.leaderEndpoint(leaderEndpoint());
        }
        else
        {
            queryResponse.putLeaderEndpoint(responseBuffer, 0, 0);
        }
        queryResponse.putResult(result, resultOffset, resultLength);
        send(responder, MessageHeaderEncoder.ENCODED_LENGTH + queryResponse.encodedLength(), false);
    }

    private void sendStatus(final int responder, final long correlationId)
    {
        statusResponse.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .memberId(selfId)
            .role(core.role().code())
            .term(core.currentTerm())
            .leaderId(core.leaderId())
            .commitIndex(core.commitIndex())
            .lastIndex(core.lastIndex())
            .isVoter(core.configuration().isVoter(selfId) ? BooleanType.TRUE : BooleanType.FALSE)
            .leaderEndpoint(leaderEndpoint());
        send(responder, MessageHeaderEncoder.ENCODED_LENGTH + statusResponse.encodedLength(), true);
    }

    private void sendAdminResponse(
        final int responder, final long correlationId, final long index, final RejectReason reason)
    {
        final AppendCode code = appendCodeOf(reason);
        adminResponse.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .index(index)
            .leaderId(core.leaderId())
            .code(code)
            .reason(reason)
            .leaderEndpoint(code == AppendCode.REDIRECT ? leaderEndpoint() : "");
        send(responder, MessageHeaderEncoder.ENCODED_LENGTH + adminResponse.encodedLength(), true);
    }

    private void send(final int responder, final int length, final boolean untilConnected)
    {
        if (!responders.send(responder, responseBuffer, 0, length, untilConnected))
        {
            responsesDropped++;
        }
    }

    private static AppendCode appendCodeOf(final RejectReason reason)
    {
        return reason == RejectReason.NONE ? AppendCode.COMMITTED :
            reason == RejectReason.NOT_LEADER ? AppendCode.REDIRECT : AppendCode.REJECTED;
    }

    static RejectReason reasonOf(final int sessionResult)
    {
        switch (sessionResult)
        {
            case SessionTable.UNKNOWN_SESSION: return RejectReason.UNKNOWN_SESSION;
            case SessionTable.SESSION_EXPIRED: return RejectReason.SESSION_EXPIRED;
            case SessionTable.OUT_OF_SEQUENCE: return RejectReason.OUT_OF_SEQUENCE;
            case SessionTable.SEQUENCE_TOO_OLD: return RejectReason.SEQUENCE_TOO_OLD;
            case SessionTable.TOO_MANY_SESSIONS: return RejectReason.TOO_MANY_SESSIONS;
            default: return RejectReason.MALFORMED;
        }
    }

    static RejectReason reasonOfOffer(final long offerResult)
    {
        if (offerResult == OfferResult.NOT_LEADER)
        {
            return RejectReason.NOT_LEADER;
        }
        if (offerResult == OfferResult.BACK_PRESSURED)
        {
            return RejectReason.BACK_PRESSURED;
        }
        if (offerResult == OfferResult.TOO_LARGE)
        {
            return RejectReason.TOO_LARGE;
        }
        if (offerResult == OfferResult.TRANSFERRING)
        {
            return RejectReason.TRANSFERRING;
        }
        if (offerResult == OfferResult.CHANGE_IN_PROGRESS)
        {
            return RejectReason.CHANGE_IN_PROGRESS;
        }
        if (offerResult == OfferResult.NOT_READY)
        {
            return RejectReason.NOT_READY;
        }
        return RejectReason.INVALID_REQUEST;
    }
}

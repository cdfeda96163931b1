package io.raftlog.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * One well-formed example of every wire message, with distinctive field values, shared by the round-trip and the
 * validator tests. Each sample writes header and body at an offset and returns the message length.
 */
enum SampleMessages
{
    VOTE_REQUEST(VoteRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new VoteRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).lastLogIndex(LAST_LOG_INDEX).lastLogTerm(LAST_LOG_TERM).candidateId(NODE_ID)
                .voteType(VoteType.PRE_VOTE).leadershipTransfer(BooleanType.TRUE)
                .encodedLength();
        }
    },
    VOTE_RESPONSE(VoteResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new VoteResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).voterId(NODE_ID).voteType(VoteType.VOTE).granted(BooleanType.TRUE)
                .encodedLength();
        }
    },
    APPEND_ENTRIES_HEARTBEAT(AppendEntriesDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new AppendEntriesEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).prevLogIndex(PREV_LOG_INDEX).prevLogTerm(PREV_LOG_TERM).leaderCommit(LEADER_COMMIT)
                .leaderId(NODE_ID).entryCount(0)
                .putEntries(new UnsafeBuffer(new byte[0]), 0, 0)
                .encodedLength();
        }
    },
    APPEND_ENTRIES_THREE(AppendEntriesDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            final UnsafeBuffer entries = new UnsafeBuffer(new byte[4096]);
            final int entriesLength = encodeEntries(entries, 0);

            return HEADER_LENGTH + new AppendEntriesEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).prevLogIndex(PREV_LOG_INDEX).prevLogTerm(PREV_LOG_TERM).leaderCommit(LEADER_COMMIT)
                .leaderId(NODE_ID).entryCount(ENTRY_PAYLOADS.length).readSeq(READ_SEQ).leaderTimeNs(LEADER_TIME_NS)
                .putEntries(entries, 0, entriesLength)
                .encodedLength();
        }
    },
    APPEND_RESPONSE(AppendResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new AppendResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).matchIndex(MATCH_INDEX).conflictIndex(CONFLICT_INDEX).conflictTerm(CONFLICT_TERM)
                .lastLogIndex(LAST_LOG_INDEX).followerId(NODE_ID).success(BooleanType.FALSE)
                .ackedReadSeq(READ_SEQ).ackedLeaderTimeNs(LEADER_TIME_NS)
                .encodedLength();
        }
    },
    TIMEOUT_NOW(TimeoutNowDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new TimeoutNowEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).leaderId(NODE_ID)
                .encodedLength();
        }
    },
    INSTALL_SNAPSHOT(InstallSnapshotDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new InstallSnapshotEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).lastIncludedIndex(LAST_INCLUDED_INDEX).lastIncludedTerm(LAST_INCLUDED_TERM)
                .chunkOffset(CHUNK_OFFSET).snapshotLength(SNAPSHOT_LENGTH).leaderId(NODE_ID)
                .lastChunk(BooleanType.TRUE)
                .putConfiguration(new UnsafeBuffer(CONFIGURATION), 0, CONFIGURATION.length)
                .putChunk(new UnsafeBuffer(CHUNK), 0, CHUNK.length)
                .encodedLength();
        }
    },
    INSTALL_SNAPSHOT_RESPONSE(InstallSnapshotResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new InstallSnapshotResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).lastIncludedIndex(LAST_INCLUDED_INDEX).nextChunkOffset(CHUNK_OFFSET + CHUNK.length)
                .followerId(NODE_ID).success(BooleanType.TRUE)
                .encodedLength();
        }
    },
    OPEN_SESSION_REQUEST(OpenSessionRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new OpenSessionRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .correlationId(CORRELATION_ID).sessionId(SESSION_ID).responseStreamId(STREAM_ID)
                .responseChannel(RESPONSE_CHANNEL)
                .encodedLength();
        }
    },
    OPEN_SESSION_RESPONSE(OpenSessionResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new OpenSessionResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .correlationId(CORRELATION_ID).sessionId(SESSION_ID).leaderId(NODE_ID)
                .code(SessionCode.REDIRECT).reason(RejectReason.NOT_LEADER)
                .leaderEndpoint(LEADER_ENDPOINT)
                .encodedLength();
        }
    },
    CLOSE_SESSION_REQUEST(CloseSessionRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new CloseSessionRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .sessionId(SESSION_ID)
                .encodedLength();
        }
    },
    CLIENT_APPEND_REQUEST(ClientAppendRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new ClientAppendRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .sessionId(SESSION_ID).sequence(SEQUENCE)
                .putPayload(new UnsafeBuffer(CLIENT_PAYLOAD), 0, CLIENT_PAYLOAD.length)
                .encodedLength();
        }
    },
    CLIENT_APPEND_RESPONSE(ClientAppendResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new ClientAppendResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .sessionId(SESSION_ID).sequence(SEQUENCE).index(COMMITTED_INDEX).leaderId(NODE_ID)
                .code(AppendCode.COMMITTED).reason(RejectReason.NONE).hasResult(BooleanType.TRUE)
                .leaderEndpoint(LEADER_ENDPOINT)
                .putResult(new UnsafeBuffer(RESULT), 0, RESULT.length)
                .encodedLength();
        }
    },
    CLIENT_QUERY_REQUEST(ClientQueryRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new ClientQueryRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .sessionId(SESSION_ID).correlationId(CORRELATION_ID).mode(ReadMode.LEASE)
                .putQuery(new UnsafeBuffer(CLIENT_PAYLOAD), 0, CLIENT_PAYLOAD.length)
                .encodedLength();
        }
    },
    CLIENT_QUERY_RESPONSE(ClientQueryResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new ClientQueryResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .sessionId(SESSION_ID).correlationId(CORRELATION_ID).readIndex(COMMITTED_INDEX).leaderId(NODE_ID)
                .code(AppendCode.COMMITTED).reason(RejectReason.NONE)
                .leaderEndpoint(LEADER_ENDPOINT)
                .putResult(new UnsafeBuffer(RESULT), 0, RESULT.length)
                .encodedLength();
        }
    },
    READ_INDEX_REQUEST(ReadIndexRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new ReadIndexRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).requestId(CORRELATION_ID).fromId(NODE_ID)
                .encodedLength();
        }
    },
    READ_INDEX_RESPONSE(ReadIndexResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new ReadIndexResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .term(TERM).requestId(CORRELATION_ID).readIndex(COMMITTED_INDEX).leaderId(NODE_ID)
                .encodedLength();
        }
    },
    STATUS_REQUEST(StatusRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new StatusRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .correlationId(CORRELATION_ID).responseStreamId(STREAM_ID)
                .responseChannel(RESPONSE_CHANNEL)
                .encodedLength();
        }
    },
    STATUS_RESPONSE(StatusResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new StatusResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .correlationId(CORRELATION_ID).memberId(NODE_ID).role(ROLE).term(TERM).leaderId(LEADER_ID)
                .commitIndex(LEADER_COMMIT).lastIndex(LAST_LOG_INDEX).isVoter(BooleanType.TRUE)
                .leaderEndpoint(LEADER_ENDPOINT)
                .encodedLength();
        }
    },
    /** A membership change: both var-data fields non-empty. */
    ADMIN_REQUEST_ADD_MEMBER(AdminRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new AdminRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .correlationId(CORRELATION_ID).action(AdminAction.ADD_MEMBER).memberId(MEMBER_ID)
                .responseStreamId(STREAM_ID)
                .responseChannel(RESPONSE_CHANNEL)
                .endpoint(MEMBER_ENDPOINT)
                .encodedLength();
        }
    },
    /** A leadership transfer: no endpoint, so the message ends with an empty var-data field. */
    ADMIN_REQUEST_TRANSFER_LEADER(AdminRequestDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new AdminRequestEncoder().wrapAndApplyHeader(buffer, offset, header())
                .correlationId(CORRELATION_ID).action(AdminAction.TRANSFER_LEADER).memberId(MEMBER_ID)
                .responseStreamId(STREAM_ID)
                .responseChannel(RESPONSE_CHANNEL)
                .endpoint("")
                .encodedLength();
        }
    },
    ADMIN_RESPONSE(AdminResponseDecoder.TEMPLATE_ID)
    {
        int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return HEADER_LENGTH + new AdminResponseEncoder().wrapAndApplyHeader(buffer, offset, header())
                .correlationId(CORRELATION_ID).index(ADMIN_INDEX).leaderId(LEADER_ID)
                .code(AppendCode.REJECTED).reason(RejectReason.CHANGE_IN_PROGRESS)
                .leaderEndpoint(LEADER_ENDPOINT)
                .encodedLength();
        }
    };

    static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    static final long TERM = 0x0102_0304_0506_0708L;
    static final long LAST_LOG_INDEX = 1_000_001L;
    static final long LAST_LOG_TERM = 41L;
    static final int NODE_ID = 3;
    static final long PREV_LOG_INDEX = 7_000_000_000L;
    static final long PREV_LOG_TERM = 40L;
    static final long LEADER_COMMIT = 6_999_999_999L;
    static final long MATCH_INDEX = 999_999L;
    static final long CONFLICT_INDEX = 123_456L;
    static final long CONFLICT_TERM = 39L;
    static final long LAST_INCLUDED_INDEX = 5_000L;
    static final long LAST_INCLUDED_TERM = 12L;
    static final long CHUNK_OFFSET = 65_536L;
    static final long SNAPSHOT_LENGTH = 1L << 33;
    static final long CORRELATION_ID = -77L;
    static final int STREAM_ID = 1_002;
    static final long SESSION_ID = 0x7FFF_0000_1234L;
    static final long SEQUENCE = 88L;
    static final long COMMITTED_INDEX = 7_000_000_003L;
    static final int ROLE = 3;
    static final int LEADER_ID = 5;
    static final int MEMBER_ID = 4;
    static final long ADMIN_INDEX = 7_000_000_011L;
    static final String MEMBER_ENDPOINT = "10.0.0.4:9010";
    static final String RESPONSE_CHANNEL = "aeron:udp?endpoint=localhost:20121";
    static final String LEADER_ENDPOINT = "10.0.0.3:9010";
    static final byte[] CHUNK = bytes(1_000, 11);
    static final byte[] CONFIGURATION = bytes(57, 3);
    static final byte[] CLIENT_PAYLOAD = bytes(64, 23);
    static final byte[] RESULT = bytes(9, 31);
    static final long READ_SEQ = 77_777L;
    static final long LEADER_TIME_NS = 123_456_789_012L;

    /** Payloads of the three entries of {@link #APPEND_ENTRIES_THREE}: empty, small, larger than a cache line. */
    static final byte[][] ENTRY_PAYLOADS = { new byte[0], bytes(17, 5), bytes(300, 9) };
    static final long[] ENTRY_TERMS = { PREV_LOG_TERM, PREV_LOG_TERM, TERM };
    static final long[] ENTRY_TIMESTAMPS = { 1_700_000_000_000_000_000L, 1_700_000_000_000_000_001L, -1L };
    static final EntryType[] ENTRY_TYPES = { EntryType.NOOP, EntryType.APPLICATION, EntryType.CONFIGURATION };

    final int templateId;

    SampleMessages(final int templateId)
    {
        this.templateId = templateId;
    }

    /**
     * Writes the message.
     *
     * @return its length, header included.
     */
    abstract int encode(MutableDirectBuffer buffer, int offset);

    /** The entries of {@link #APPEND_ENTRIES_THREE}, indices from {@code PREV_LOG_INDEX + 1}. */
    static int encodeEntries(final MutableDirectBuffer buffer, final int offset)
    {
        final LogEntryCodec codec = new LogEntryCodec();
        int position = offset;
        for (int i = 0; i < ENTRY_PAYLOADS.length; i++)
        {
            final byte[] payload = ENTRY_PAYLOADS[i];
            position += codec.encode(
                buffer, position, PREV_LOG_INDEX + 1 + i, ENTRY_TERMS[i], ENTRY_TIMESTAMPS[i], ENTRY_TYPES[i],
                new UnsafeBuffer(payload), 0, payload.length);
        }

        return position - offset;
    }

    /** Distinct, non-zero bytes so a misplaced copy is noticed. */
    static byte[] bytes(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed + i * 31 + 1);
        }

        return bytes;
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static MessageHeaderEncoder header()
    {
        return new MessageHeaderEncoder();
    }
}

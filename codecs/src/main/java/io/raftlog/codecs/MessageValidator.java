package io.raftlog.codecs;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Decides whether bytes off the wire are a well-formed message of this schema before any generated decoder touches
 * them. The generated decoders trust their input: a var-data length that runs past the fragment reads the next
 * message or throws, and an unknown enum code throws from {@code VoteType.get}. A node must count and drop such a
 * message, never stop, so the adapter calls {@link #validate} first and decodes only what it accepts.
 * <p>
 * Accepted means: the header names this schema, a version this code knows and a wire template of the schema; the
 * fixed block is at least as long as this version's and lies inside the bytes; every enum field holds a value the
 * schema defines; every var-data field, walked in schema order from the header's block length (a newer sender may
 * have appended fields to the block), lies inside the bytes; and an AppendEntries carries exactly
 * {@code entryCount} intact records numbered from {@code prevLogIndex + 1} (see {@link LogEntryCodec#validateRun}).
 * Bytes after the end of the message are tolerated; {@link #messageLength()} says where it ended.
 * <p>
 * One instance per thread. Never throws on any input and allocates nothing.
 */
public final class MessageValidator
{
    /** Fewer bytes than a message header. */
    public static final int TOO_SHORT_FOR_HEADER = -1;
    /** The header's schema id is not this schema's. */
    public static final int FOREIGN_SCHEMA = -2;
    /** The header's version is 0 or newer than this code's schema version. */
    public static final int UNSUPPORTED_VERSION = -3;
    /** The template id is not a wire message of this schema (LogEntry, a stored record, is not one). */
    public static final int UNKNOWN_TEMPLATE = -4;
    /** The header's block length is shorter than the template's fixed block. */
    public static final int BLOCK_TOO_SHORT = -5;
    /** The fixed block, a var-data length or var-data body runs past the bytes given (or they lie outside the buffer). */
    public static final int TRUNCATED = -6;
    /** An AppendEntries whose entries do not pass {@link LogEntryCodec#validateRun}; see {@link #entriesReason()}. */
    public static final int BAD_ENTRIES = -7;
    /** An enum field holds a code the schema does not define (or its null value). */
    public static final int BAD_ENUM_VALUE = -8;

    private static final ByteOrder ORDER = MessageHeaderDecoder.BYTE_ORDER;
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    private static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;
    private static final int VAR_DATA_32 = 4;
    private static final int VAR_ASCII_16 = 2;

    private static final boolean[] BOOLEAN_TYPES = new boolean[256];
    private static final boolean[] VOTE_TYPES = new boolean[256];
    private static final boolean[] SESSION_CODES = new boolean[256];
    private static final boolean[] APPEND_CODES = new boolean[256];
    private static final boolean[] REJECT_REASONS = new boolean[256];
    private static final boolean[] ADMIN_ACTIONS = new boolean[256];
    private static final boolean[] READ_MODES = new boolean[256];

    static
    {
        for (final BooleanType value : BooleanType.values())
        {
            BOOLEAN_TYPES[value.value()] = BooleanType.NULL_VAL != value;
        }
        for (final VoteType value : VoteType.values())
        {
            VOTE_TYPES[value.value()] = VoteType.NULL_VAL != value;
        }
        for (final SessionCode value : SessionCode.values())
        {
            SESSION_CODES[value.value()] = SessionCode.NULL_VAL != value;
        }
        for (final AppendCode value : AppendCode.values())
        {
            APPEND_CODES[value.value()] = AppendCode.NULL_VAL != value;
        }
        for (final RejectReason value : RejectReason.values())
        {
            REJECT_REASONS[value.value()] = RejectReason.NULL_VAL != value;
        }
        for (final AdminAction value : AdminAction.values())
        {
            ADMIN_ACTIONS[value.value()] = AdminAction.NULL_VAL != value;
        }
        for (final ReadMode value : ReadMode.values())
        {
            READ_MODES[value.value()] = ReadMode.NULL_VAL != value;
        }

        // The var-data walk below hard-codes each field's length-prefix size; fail at load if the schema changes it.
        if (VAR_DATA_32 != AppendEntriesDecoder.entriesHeaderLength() ||
            VAR_DATA_32 != InstallSnapshotDecoder.configurationHeaderLength() ||
            VAR_DATA_32 != InstallSnapshotDecoder.chunkHeaderLength() ||
            VAR_DATA_32 != ClientAppendRequestDecoder.payloadHeaderLength() ||
            VAR_ASCII_16 != OpenSessionRequestDecoder.responseChannelHeaderLength() ||
            VAR_ASCII_16 != OpenSessionResponseDecoder.leaderEndpointHeaderLength() ||
            VAR_ASCII_16 != ClientAppendResponseDecoder.leaderEndpointHeaderLength() ||
            VAR_DATA_32 != ClientAppendResponseDecoder.resultHeaderLength() ||
            VAR_DATA_32 != ClientQueryRequestDecoder.queryHeaderLength() ||
            VAR_ASCII_16 != ClientQueryResponseDecoder.leaderEndpointHeaderLength() ||
            VAR_DATA_32 != ClientQueryResponseDecoder.resultHeaderLength() ||
            VAR_ASCII_16 != StatusRequestDecoder.responseChannelHeaderLength() ||
            VAR_ASCII_16 != StatusResponseDecoder.leaderEndpointHeaderLength() ||
            VAR_ASCII_16 != AdminRequestDecoder.responseChannelHeaderLength() ||
            VAR_ASCII_16 != AdminRequestDecoder.endpointHeaderLength() ||
            VAR_ASCII_16 != AdminResponseDecoder.leaderEndpointHeaderLength())
        {
            throw new IllegalStateException("schema var-data headers changed: update MessageValidator");
        }
    }

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final LogEntryCodec logEntryCodec = new LogEntryCodec();
    private int messageLength;
    private int entriesReason;

    /**
     * Checks one message.
     *
     * @param buffer holding the message.
     * @param offset where its header starts.
     * @param length bytes available from {@code offset} (the fragment length).
     * @return the template id of a well-formed message, or one of the negative reasons of this class.
     */
    public int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        messageLength = 0;
        entriesReason = LogEntryCodec.OK;

        if (!LogEntryCodec.inBounds(buffer, offset, length))
        {
            return TRUNCATED;
        }
        if (length < HEADER_LENGTH)
        {
            return TOO_SHORT_FOR_HEADER;
        }

        header.wrap(buffer, offset);
        if (header.schemaId() != SCHEMA_ID)
        {
            return FOREIGN_SCHEMA;
        }

        final int version = header.version();
        if (version == 0 || version > SCHEMA_VERSION)
        {
            return UNSUPPORTED_VERSION;
        }

        final int templateId = header.templateId();
        final int minBlockLength = blockLengthOf(templateId);
        if (minBlockLength < 0)
        {
            return UNKNOWN_TEMPLATE;
        }

        final int blockLength = header.blockLength();
        if (blockLength < minBlockLength)
        {
            return BLOCK_TOO_SHORT;
        }

        final int end = offset + length;
        final int body = offset + HEADER_LENGTH;
        if (blockLength > end - body)
        {
            return TRUNCATED;
        }

        final int limit = checkBody(buffer, templateId, body, body + blockLength, end);
        if (limit < 0)
        {
            return limit;
        }

        messageLength = limit - offset;
        return templateId;
    }

    /**
     * @return bytes of the last message {@link #validate} accepted, header included; 0 after a rejection.
     */
    public int messageLength()
    {
        return messageLength;
    }

    /**
     * @return the {@link LogEntryCodec} reason behind the last {@link #BAD_ENTRIES}, else {@link LogEntryCodec#OK}.
     */
    public int entriesReason()
    {
        return entriesReason;
    }

    private static int blockLengthOf(final int templateId)
    {
        switch (templateId)
        {
            case VoteRequestDecoder.TEMPLATE_ID: return VoteRequestDecoder.BLOCK_LENGTH;
            case VoteResponseDecoder.TEMPLATE_ID: return VoteResponseDecoder.BLOCK_LENGTH;
            case AppendEntriesDecoder.TEMPLATE_ID: return AppendEntriesDecoder.BLOCK_LENGTH;
            case AppendResponseDecoder.TEMPLATE_ID: return AppendResponseDecoder.BLOCK_LENGTH;
            case TimeoutNowDecoder.TEMPLATE_ID: return TimeoutNowDecoder.BLOCK_LENGTH;
            case InstallSnapshotDecoder.TEMPLATE_ID: return InstallSnapshotDecoder.BLOCK_LENGTH;
            case InstallSnapshotResponseDecoder.TEMPLATE_ID: return InstallSnapshotResponseDecoder.BLOCK_LENGTH;
            case ReadIndexRequestDecoder.TEMPLATE_ID: return ReadIndexRequestDecoder.BLOCK_LENGTH;
            case ReadIndexResponseDecoder.TEMPLATE_ID: return ReadIndexResponseDecoder.BLOCK_LENGTH;
            case OpenSessionRequestDecoder.TEMPLATE_ID: return OpenSessionRequestDecoder.BLOCK_LENGTH;
            case OpenSessionResponseDecoder.TEMPLATE_ID: return OpenSessionResponseDecoder.BLOCK_LENGTH;
            case CloseSessionRequestDecoder.TEMPLATE_ID: return CloseSessionRequestDecoder.BLOCK_LENGTH;
            case ClientAppendRequestDecoder.TEMPLATE_ID: return ClientAppendRequestDecoder.BLOCK_LENGTH;
            case ClientAppendResponseDecoder.TEMPLATE_ID: return ClientAppendResponseDecoder.BLOCK_LENGTH;
            case StatusRequestDecoder.TEMPLATE_ID: return StatusRequestDecoder.BLOCK_LENGTH;
            case StatusResponseDecoder.TEMPLATE_ID: return StatusResponseDecoder.BLOCK_LENGTH;
            case AdminRequestDecoder.TEMPLATE_ID: return AdminRequestDecoder.BLOCK_LENGTH;
            case AdminResponseDecoder.TEMPLATE_ID: return AdminResponseDecoder.BLOCK_LENGTH;
            case ClientQueryRequestDecoder.TEMPLATE_ID: return ClientQueryRequestDecoder.BLOCK_LENGTH;
            case ClientQueryResponseDecoder.TEMPLATE_ID: return ClientQueryResponseDecoder.BLOCK_LENGTH;
            default: return -1; // includes LogEntry: a stored record, never sent on its own
        }
    }

    /**
     * Checks enum fields (inside the fixed block, already known to fit) and walks var data in schema order.
     *
     * @return where the message ends, or a negative reason.
     */
    private int checkBody(
        final DirectBuffer buffer, final int templateId, final int body, final int varDataStart, final int end)
    {
        switch (templateId)
        {
            case VoteRequestDecoder.TEMPLATE_ID:
                return isValid(VOTE_TYPES, buffer, body + VoteRequestDecoder.voteTypeEncodingOffset()) &&
                    isValid(BOOLEAN_TYPES, buffer, body + VoteRequestDecoder.leadershipTransferEncodingOffset()) ?
                    varDataStart : BAD_ENUM_VALUE;

            case VoteResponseDecoder.TEMPLATE_ID:
                return isValid(VOTE_TYPES, buffer, body + VoteResponseDecoder.voteTypeEncodingOffset()) &&
                    isValid(BOOLEAN_TYPES, buffer, body + VoteResponseDecoder.grantedEncodingOffset()) ?
                    varDataStart : BAD_ENUM_VALUE;

            case AppendEntriesDecoder.TEMPLATE_ID:
                return checkAppendEntries(buffer, body, varDataStart, end);

            case AppendResponseDecoder.TEMPLATE_ID:
                return isValid(BOOLEAN_TYPES, buffer, body + AppendResponseDecoder.successEncodingOffset()) ?
                    varDataStart : BAD_ENUM_VALUE;

            case InstallSnapshotDecoder.TEMPLATE_ID:
            {
                if (!isValid(BOOLEAN_TYPES, buffer, body + InstallSnapshotDecoder.lastChunkEncodingOffset()))
                {
                    return BAD_ENUM_VALUE;
                }
                final int afterConfiguration = skipVarData32(buffer, varDataStart, end);
                return afterConfiguration < 0 ? afterConfiguration : skipVarData32(buffer, afterConfiguration, end);
            }

            case InstallSnapshotResponseDecoder.TEMPLATE_ID:
                return isValid(BOOLEAN_TYPES, buffer, body + InstallSnapshotResponseDecoder.successEncodingOffset()) ?
                    varDataStart : BAD_ENUM_VALUE;

            case OpenSessionRequestDecoder.TEMPLATE_ID:
                return skipVarAscii16(buffer, varDataStart, end);

            case OpenSessionResponseDecoder.TEMPLATE_ID:
                return isValid(SESSION_CODES, buffer, body + OpenSessionResponseDecoder.codeEncodingOffset()) &&
                    isValid(REJECT_REASONS, buffer, body + OpenSessionResponseDecoder.reasonEncodingOffset()) ?
                    skipVarAscii16(buffer, varDataStart, end) : BAD_ENUM_VALUE;

            case ClientAppendRequestDecoder.TEMPLATE_ID:
                return skipVarData32(buffer, varDataStart, end);

            case ClientAppendResponseDecoder.TEMPLATE_ID:
            {
                if (!isValid(APPEND_CODES, buffer, body + ClientAppendResponseDecoder.codeEncodingOffset()) ||
                    !isValid(REJECT_REASONS, buffer, body + ClientAppendResponseDecoder.reasonEncodingOffset()) ||
                    !isValid(BOOLEAN_TYPES, buffer, body + ClientAppendResponseDecoder.hasResultEncodingOffset()))
                {
                    return BAD_ENUM_VALUE;
                }
                final int afterEndpoint = skipVarAscii16(buffer, varDataStart, end);
                return afterEndpoint < 0 ? afterEndpoint : skipVarData32(buffer, afterEndpoint, end);
            }

            case ClientQueryRequestDecoder.TEMPLATE_ID:
                return isValid(READ_MODES, buffer, body + ClientQueryRequestDecoder.modeEncodingOffset()) ?
                    skipVarData32(buffer, varDataStart, end) : BAD_ENUM_VALUE;

            case ClientQueryResponseDecoder.TEMPLATE_ID:
            {
                if (!isValid(APPEND_CODES, buffer, body + ClientQueryResponseDecoder.codeEncodingOffset()) ||
                    !isValid(REJECT_REASONS, buffer, body + ClientQueryResponseDecoder.reasonEncodingOffset()))
                {
                    return BAD_ENUM_VALUE;
                }
                final int afterEndpoint = skipVarAscii16(buffer, varDataStart, end);
                return afterEndpoint < 0 ? afterEndpoint : skipVarData32(buffer, afterEndpoint, end);
            }

            case StatusRequestDecoder.TEMPLATE_ID:
                return skipVarAscii16(buffer, varDataStart, end);

            case StatusResponseDecoder.TEMPLATE_ID:
                return isValid(BOOLEAN_TYPES, buffer, body + StatusResponseDecoder.isVoterEncodingOffset()) ?
                    skipVarAscii16(buffer, varDataStart, end) : BAD_ENUM_VALUE;

            case AdminRequestDecoder.TEMPLATE_ID:
            {
                if (!isValid(ADMIN_ACTIONS, buffer, body + AdminRequestDecoder.actionEncodingOffset()))
                {
                    return BAD_ENUM_VALUE;
                }
                final int afterChannel = skipVarAscii16(buffer, varDataStart, end);
                return afterChannel < 0 ? afterChannel : skipVarAscii16(buffer, afterChannel, end);
            }

            case AdminResponseDecoder.TEMPLATE_ID:
                return isValid(APPEND_CODES, buffer, body + AdminResponseDecoder.codeEncodingOffset()) &&
                    isValid(REJECT_REASONS, buffer, body + AdminResponseDecoder.reasonEncodingOffset()) ?
                    skipVarAscii16(buffer, varDataStart, end) : BAD_ENUM_VALUE;

            default: // TimeoutNow, ReadIndexRequest/Response, CloseSessionRequest: fixed block only
                return varDataStart;
        }
    }

    private int checkAppendEntries(final DirectBuffer buffer, final int body, final int varDataStart, final int end)
    {
        final int limit = skipVarData32(buffer, varDataStart, end);
        if (limit < 0)
        {
            return limit;
        }

        final int entryCount = buffer.getInt(body + AppendEntriesDecoder.entryCountEncodingOffset(), ORDER);
        final long prevLogIndex = buffer.getLong(body + AppendEntriesDecoder.prevLogIndexEncodingOffset(), ORDER);
        final int entriesOffset = varDataStart + VAR_DATA_32;
        final int reason = logEntryCodec.validateRun(
            buffer, entriesOffset, limit - entriesOffset, entryCount, prevLogIndex + 1);
        if (LogEntryCodec.OK != reason)
        {
            entriesReason = reason;
            return BAD_ENTRIES;
        }

        return limit;
    }

    private static boolean isValid(final boolean[] validCodes, final DirectBuffer buffer, final int index)
    {
        return validCodes[buffer.getByte(index) & 0xFF];
    }

    /**
     * @return the end of a var-data field with a uint32 length prefix at {@code position}, or {@link #TRUNCATED}.
     */
    private static int skipVarData32(final DirectBuffer buffer, final int position, final int end)
    {
        if (end - position < VAR_DATA_32)
        {
            return TRUNCATED;
        }

        final long dataLength = buffer.getInt(position, ORDER) & 0xFFFF_FFFFL;
        if (dataLength > end - position - VAR_DATA_32)
        {
            return TRUNCATED;
        }

        return position + VAR_DATA_32 + (int)dataLength;
    }

    /**
     * @return the end of a var-data field with a uint16 length prefix at {@code position}, or {@link #TRUNCATED}.
     */
    private static int skipVarAscii16(final DirectBuffer buffer, final int position, final int end)
    {
        if (end - position < VAR_ASCII_16)
        {
            return TRUNCATED;
        }

        final int dataLength = buffer.getShort(position, ORDER) & 0xFFFF;
        if (dataLength > end - position - VAR_ASCII_16)
        {
            return TRUNCATED;
        }

        return position + VAR_ASCII_16 + dataLength;
    }

    /**
     * A text for a result of {@link #validate} or of {@link LogEntryCodec#validateRun}, for logs and tests.
     *
     * @param code a result code.
     * @return its name, or the message name for a template id.
     */
    public static String reasonText(final int code)
    {
        switch (code)
        {
            case TOO_SHORT_FOR_HEADER: return "TOO_SHORT_FOR_HEADER";
            case FOREIGN_SCHEMA: return "FOREIGN_SCHEMA";
            case UNSUPPORTED_VERSION: return "UNSUPPORTED_VERSION";
            case UNKNOWN_TEMPLATE: return "UNKNOWN_TEMPLATE";
            case BLOCK_TOO_SHORT: return "BLOCK_TOO_SHORT";
            case TRUNCATED: return "TRUNCATED";
            case BAD_ENTRIES: return "BAD_ENTRIES";
            case BAD_ENUM_VALUE: return "BAD_ENUM_VALUE";
            case VoteRequestDecoder.TEMPLATE_ID: return "VoteRequest";
            case VoteResponseDecoder.TEMPLATE_ID: return "VoteResponse";
            case AppendEntriesDecoder.TEMPLATE_ID: return "AppendEntries";
            case AppendResponseDecoder.TEMPLATE_ID: return "AppendResponse";
            case TimeoutNowDecoder.TEMPLATE_ID: return "TimeoutNow";
            case InstallSnapshotDecoder.TEMPLATE_ID: return "InstallSnapshot";
            case InstallSnapshotResponseDecoder.TEMPLATE_ID: return "InstallSnapshotResponse";
            case OpenSessionRequestDecoder.TEMPLATE_ID: return "OpenSessionRequest";
            case OpenSessionResponseDecoder.TEMPLATE_ID: return "OpenSessionResponse";
            case CloseSessionRequestDecoder.TEMPLATE_ID: return "CloseSessionRequest";
            case ClientAppendRequestDecoder.TEMPLATE_ID: return "ClientAppendRequest";
            case ClientAppendResponseDecoder.TEMPLATE_ID: return "ClientAppendResponse";
            case StatusRequestDecoder.TEMPLATE_ID: return "StatusRequest";
            case StatusResponseDecoder.TEMPLATE_ID: return "StatusResponse";
            case AdminRequestDecoder.TEMPLATE_ID: return "AdminRequest";
            case AdminResponseDecoder.TEMPLATE_ID: return "AdminResponse";
            case ReadIndexRequestDecoder.TEMPLATE_ID: return "ReadIndexRequest";
            case ReadIndexResponseDecoder.TEMPLATE_ID: return "ReadIndexResponse";
            case ClientQueryRequestDecoder.TEMPLATE_ID: return "ClientQueryRequest";
            case ClientQueryResponseDecoder.TEMPLATE_ID: return "ClientQueryResponse";
            default:
                final String entryReason = LogEntryCodec.reasonText(code);
                return "UNKNOWN_REASON".equals(entryReason) ? "UNKNOWN_REASON(" + code + ")" : entryReason;
        }
    }
}

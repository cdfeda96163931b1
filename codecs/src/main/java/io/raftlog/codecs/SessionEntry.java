package io.raftlog.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The payload layout of the client-session entry types. A {@link EntryType#SESSION_APPEND} payload is the session
 * id, the client's sequence number, then the client's own bytes; a {@link EntryType#SESSION_CLOSE} payload is the
 * session id; a {@link EntryType#SESSION_OPEN} payload is empty, because the entry's index is the new session's id.
 * Consumers of the committed log read a client's bytes with {@link #clientBytesOffset} and
 * {@link #clientBytesLength}.
 */
public final class SessionEntry
{
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int SESSION_ID_OFFSET = 0;
    public static final int SEQUENCE_OFFSET = 8;
    /** Bytes a SESSION_APPEND payload holds before the client's bytes. */
    public static final int APPEND_HEADER_LENGTH = 16;
    public static final int CLOSE_LENGTH = 8;

    private SessionEntry()
    {
    }

    public static void encodeAppendHeader(
        final MutableDirectBuffer buffer, final int payloadOffset, final long sessionId, final long sequence)
    {
        buffer.putLong(payloadOffset + SESSION_ID_OFFSET, sessionId, ORDER);
        buffer.putLong(payloadOffset + SEQUENCE_OFFSET, sequence, ORDER);
    }

    public static long sessionId(final DirectBuffer buffer, final int payloadOffset)
    {
        return buffer.getLong(payloadOffset + SESSION_ID_OFFSET, ORDER);
    }

    public static long sequence(final DirectBuffer buffer, final int payloadOffset)
    {
        return buffer.getLong(payloadOffset + SEQUENCE_OFFSET, ORDER);
    }

    /**
     * @return where the application's bytes start in an entry's payload: after the session header of a
     * SESSION_APPEND, at the payload's start for an APPLICATION entry.
     */
    public static int clientBytesOffset(final int entryType, final int payloadOffset)
    {
        return entryType == EntryType.SESSION_APPEND.value() ? payloadOffset + APPEND_HEADER_LENGTH : payloadOffset;
    }

    /**
     * @return the length of the application's bytes in an entry's payload (0 for a malformed SESSION_APPEND).
     */
    public static int clientBytesLength(final int entryType, final int payloadLength)
    {
        if (entryType == EntryType.SESSION_APPEND.value())
        {
            return Math.max(0, payloadLength - APPEND_HEADER_LENGTH);
        }
        return payloadLength;
    }

    /**
     * @return whether an entry of this type carries application bytes: APPLICATION (offered in the node's JVM) or
     * SESSION_APPEND (from a remote client).
     */
    public static boolean carriesApplicationBytes(final int entryType)
    {
        return entryType == EntryType.APPLICATION.value() || entryType == EntryType.SESSION_APPEND.value();
    }
}

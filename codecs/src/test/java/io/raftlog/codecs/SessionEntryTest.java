package io.raftlog.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

class SessionEntryTest
{
    private static final int APPLICATION = EntryType.APPLICATION.value();
    private static final int SESSION_APPEND = EntryType.SESSION_APPEND.value();

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);

    @Test
    void layoutIsSessionIdThenSequenceLittleEndian()
    {
        assertEquals(ByteOrder.LITTLE_ENDIAN, SessionEntry.ORDER);
        assertEquals(LogEntryEncoder.BYTE_ORDER, SessionEntry.ORDER);
        assertEquals(0, SessionEntry.SESSION_ID_OFFSET);
        assertEquals(8, SessionEntry.SEQUENCE_OFFSET);
        assertEquals(16, SessionEntry.APPEND_HEADER_LENGTH);
        assertEquals(8, SessionEntry.CLOSE_LENGTH);

        SessionEntry.encodeAppendHeader(buffer, 0, 0x0102_0304_0506_0708L, 0x1112_1314_1516_1718L);
        assertEquals(0x08, buffer.getByte(0));
        assertEquals(0x01, buffer.getByte(7));
        assertEquals(0x18, buffer.getByte(8));
        assertEquals(0x11, buffer.getByte(15));
    }

    @Test
    void appendHeaderRoundTripsAtAnOffsetAndTouchesOnlyItsSixteenBytes()
    {
        final long[] values = { 0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x7FFF_0000_1234L };
        final int offset = 13;
        for (final long sessionId : values)
        {
            for (final long sequence : values)
            {
                buffer.setMemory(0, 64, (byte)0x5A);
                SessionEntry.encodeAppendHeader(buffer, offset, sessionId, sequence);

                assertEquals(sessionId, SessionEntry.sessionId(buffer, offset));
                assertEquals(sequence, SessionEntry.sequence(buffer, offset));
                for (int i = 0; i < 64; i++)
                {
                    if (i < offset || i >= offset + SessionEntry.APPEND_HEADER_LENGTH)
                    {
                        assertEquals((byte)0x5A, buffer.getByte(i), "byte " + i);
                    }
                }
            }
        }
    }

    @Test
    void clientBytesOfASessionAppendFollowItsHeaderAndOfAnApplicationEntryAreTheWholePayload()
    {
        final int payloadOffset = 100;
        for (final int payloadLength : new int[] { 16, 17, 80, 1 << 20 })
        {
            assertEquals(payloadOffset + 16, SessionEntry.clientBytesOffset(SESSION_APPEND, payloadOffset));
            assertEquals(payloadLength - 16, SessionEntry.clientBytesLength(SESSION_APPEND, payloadLength));

            assertEquals(payloadOffset, SessionEntry.clientBytesOffset(APPLICATION, payloadOffset));
            assertEquals(payloadLength, SessionEntry.clientBytesLength(APPLICATION, payloadLength));
        }
        assertEquals(0, SessionEntry.clientBytesLength(APPLICATION, 0));
        assertEquals(5, SessionEntry.clientBytesLength(APPLICATION, 5));
    }

    @Test
    void aSessionAppendTooShortForItsHeaderHasNoClientBytes()
    {
        for (int payloadLength = 0; payloadLength <= SessionEntry.APPEND_HEADER_LENGTH; payloadLength++)
        {
            assertEquals(0, SessionEntry.clientBytesLength(SESSION_APPEND, payloadLength), "length " + payloadLength);
        }
    }

    @Test
    void onlyApplicationAndSessionAppendEntriesCarryApplicationBytes()
    {
        for (int code = 0; code < 256; code++)
        {
            final boolean expected = code == APPLICATION || code == SESSION_APPEND;
            assertEquals(expected, SessionEntry.carriesApplicationBytes(code), "code " + code);
        }
    }

    @Test
    void sessionEntriesRoundTripThroughTheLogEntryCodec()
    {
        final LogEntryCodec codec = new LogEntryCodec();
        final byte[] clientBytes = SampleMessages.bytes(40, 7);
        final long sessionId = 1_001L;
        final long sequence = 17L;

        final UnsafeBuffer appendPayload = new UnsafeBuffer(new byte[SessionEntry.APPEND_HEADER_LENGTH + 40]);
        SessionEntry.encodeAppendHeader(appendPayload, 0, sessionId, sequence);
        appendPayload.putBytes(SessionEntry.APPEND_HEADER_LENGTH, clientBytes);
        final UnsafeBuffer closePayload = new UnsafeBuffer(new byte[SessionEntry.CLOSE_LENGTH]);
        closePayload.putLong(SessionEntry.SESSION_ID_OFFSET, sessionId, SessionEntry.ORDER);

        final int start = 5;
        int position = start;
        position += codec.encode(buffer, position, sessionId, 2, 10, EntryType.SESSION_OPEN, appendPayload, 0, 0);
        final int append = position;
        position += codec.encode(buffer, position, sessionId + 1, 2, 11, EntryType.SESSION_APPEND,
            appendPayload, 0, appendPayload.capacity());
        final int close = position;
        position += codec.encode(buffer, position, sessionId + 2, 2, 12, EntryType.SESSION_CLOSE,
            closePayload, 0, closePayload.capacity());
        assertEquals(LogEntryCodec.OK, codec.validateRun(buffer, start, position - start, 3, sessionId));

        assertEquals(EntryType.SESSION_OPEN.value(), LogEntryCodec.entryTypeCode(buffer, start));
        assertEquals(0, LogEntryCodec.payloadLength(buffer, start));

        final int type = LogEntryCodec.entryTypeCode(buffer, append);
        assertEquals(SESSION_APPEND, type);
        final int payloadOffset = LogEntryCodec.payloadOffset(append);
        final int payloadLength = LogEntryCodec.payloadLength(buffer, append);
        assertEquals(sessionId, SessionEntry.sessionId(buffer, payloadOffset));
        assertEquals(sequence, SessionEntry.sequence(buffer, payloadOffset));
        assertTrue(SessionEntry.carriesApplicationBytes(type));
        assertEquals(clientBytes.length, SessionEntry.clientBytesLength(type, payloadLength));
        assertArrayEquals(clientBytes, SampleMessages.copy(buffer,
            SessionEntry.clientBytesOffset(type, payloadOffset), SessionEntry.clientBytesLength(type, payloadLength)));

        assertEquals(EntryType.SESSION_CLOSE.value(), LogEntryCodec.entryTypeCode(buffer, close));
        assertEquals(SessionEntry.CLOSE_LENGTH, LogEntryCodec.payloadLength(buffer, close));
        assertEquals(sessionId, SessionEntry.sessionId(buffer, LogEntryCodec.payloadOffset(close)));
    }
}

package io.raftlog.samples;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventPayloadTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

    @Test
    void anEventIsItsTextPaddedWithSpaces()
    {
        assertEquals(EventPayload.LENGTH, EventPayload.encode(buffer, 3, 42));
        assertEquals("event-42" + " ".repeat(EventPayload.LENGTH - 8), buffer.getStringWithoutLengthAscii(3, 32));
        assertEquals(42, EventPayload.decode(buffer, 3, EventPayload.LENGTH));
        EventPayload.encode(buffer, 0, 123_456_789_012L);
        assertEquals(123_456_789_012L, EventPayload.decode(buffer, 0, EventPayload.LENGTH));
    }

    @Test
    void anythingElseIsNotAnEvent()
    {
        assertEquals(EventPayload.NOT_AN_EVENT, decode("event-"));
        assertEquals(EventPayload.NOT_AN_EVENT, decode("event-07"));
        assertEquals(EventPayload.NOT_AN_EVENT, decode("event-7x"));
        assertEquals(EventPayload.NOT_AN_EVENT, decode("Event-7"));
        assertEquals(EventPayload.NOT_AN_EVENT, decode("event- 7"));
        EventPayload.encode(buffer, 0, 7);
        assertEquals(EventPayload.NOT_AN_EVENT, EventPayload.decode(buffer, 0, EventPayload.LENGTH - 1));
    }

    private long decode(final String text)
    {
        final String padded = text + " ".repeat(EventPayload.LENGTH - text.length());
        buffer.putBytes(0, padded.getBytes(StandardCharsets.US_ASCII));
        return EventPayload.decode(buffer, 0, EventPayload.LENGTH);
    }
}

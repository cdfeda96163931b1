package io.raftlog.samples.faults;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's held datagrams: released in the order they are due, those due together in the order they came, and
 * bounded in count and bytes, with what does not fit dropped and counted.
 */
class DelayedDatagramsTest
{
    @Test
    void datagramsAreReleasedWhenDueInOrderOfDueTimeThenArrival()
    {
        final DelayedDatagrams delayed = new DelayedDatagrams(10, 1024);
        delayed.add(300, payload(1), null, true);
        delayed.add(100, payload(2), null, true);
        delayed.add(100, payload(3), null, false);
        assertEquals(100, delayed.nextReleaseNs());
        assertNull(delayed.pollDue(99));
        assertEquals(2, delayed.pollDue(100).bytes[0]);
        assertEquals(3, delayed.pollDue(100).bytes[0]);
        assertNull(delayed.pollDue(299));
        assertEquals(1, delayed.pollDue(1_000).bytes[0]);
        assertEquals(Long.MAX_VALUE, delayed.nextReleaseNs());
        assertEquals(0, delayed.bytes());
    }

    @Test
    void beyondItsBoundsADatagramIsDroppedAndCounted()
    {
        final DelayedDatagrams delayed = new DelayedDatagrams(2, 10);
        assertTrue(delayed.add(1, ByteBuffer.wrap(new byte[4]), null, true));
        assertTrue(delayed.add(1, ByteBuffer.wrap(new byte[4]), null, true));
        assertFalse(delayed.add(1, ByteBuffer.wrap(new byte[1]), null, true), "two held: the most in count");
        delayed.pollDue(1);
        assertFalse(delayed.add(1, ByteBuffer.wrap(new byte[7]), null, true), "4 + 7 bytes: over the bound");
        assertTrue(delayed.add(1, ByteBuffer.wrap(new byte[6]), null, true));
        assertEquals(2, delayed.droppedOverCap());
        assertEquals(2, delayed.size());
        assertEquals(10, delayed.bytes());
    }

    @Test
    void aDatagramHeldIsACopyAndThePayloadIsLeftAsItWas()
    {
        final DelayedDatagrams delayed = new DelayedDatagrams(10, 1024);
        final ByteBuffer payload = ByteBuffer.wrap(new byte[]{ 7, 8, 9 });
        payload.position(1);
        delayed.add(0, payload, null, true);
        payload.put(1, (byte)0);
        assertEquals(1, payload.position());
        final byte[] held = delayed.pollDue(0).bytes;
        assertEquals(2, held.length);
        assertEquals(8, held[0]);
    }

    private static ByteBuffer payload(final int marker)
    {
        return ByteBuffer.wrap(new byte[]{ (byte)marker });
    }
}

package io.raftlog.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader pipelines AppendEntries to a follower in replicate state, bounded in messages and in bytes
 * (etcd's inflights); acknowledgements free whole messages from the oldest.
 */
class InflightWindowTest
{
    @ParameterizedTest(name = "window of {0} messages / {1} bytes holding {2} x {3} bytes: {4} more bytes fit? {5}")
    @CsvSource({
        // max msgs, max bytes, held, bytes each, next bytes, can send
        "4, 1000, 0,   0, 5000, true",  // empty: always one message, however large
        "4, 1000, 1, 100,  900, true",  // exactly fills the bytes
        "4, 1000, 1, 100,  901, false", // one byte over
        "4, 1000, 3, 100,  100, true",  // the last free slot
        "4, 1000, 4, 100,    1, false", // count bound: no slot left, bytes to spare
        "4, 1000, 4,  10,    0, false", // even an empty message needs a slot
        "1, 1000, 1,   1,    1, false", // a window of one message
        "8,  300, 3, 100,    1, false", // bytes bound, slots to spare
    })
    void aMessageGoesWhenASlotIsFreeAndItsBytesFit(
        final int maxMessages, final int maxBytes, final int held, final int bytesEach,
        final int nextBytes, final boolean canSend)
    {
        final InflightWindow window = new InflightWindow(maxMessages, maxBytes);
        for (int i = 0; i < held; i++)
        {
            window.add(10 * (i + 1), bytesEach);
        }
        assertEquals(canSend, window.canSend(nextBytes));
    }

    @Test
    void anEmptyWindowAlwaysTakesOneMessageEvenLargerThanTheWindow()
    {
        final InflightWindow window = new InflightWindow(4, 100);
        assertTrue(window.canSend(10_000));
        window.add(1, 10_000);
        assertEquals(10_000, window.bytes());
        assertFalse(window.canSend(0), "over the byte bound now");
        window.freeUpTo(1);
        assertTrue(window.isEmpty());
        assertTrue(window.canSend(10_000), "and again once empty");
    }

    @Test
    void addingToAFullWindowIsRefused()
    {
        final InflightWindow window = new InflightWindow(2, 1000);
        window.add(1, 10);
        window.add(2, 10);
        assertThrows(IllegalStateException.class, () -> window.add(3, 10));
        assertEquals(2, window.count());
    }

    @ParameterizedTest(name = "freeUpTo({0}) leaves {1} messages, {2} bytes")
    @CsvSource({
        " 0, 3, 600", // nothing acknowledged
        " 9, 3, 600", // inside the first message: it is not wholly acknowledged
        "10, 2, 500", // exactly the first message
        "15, 2, 500",
        "20, 1, 300",
        "30, 0,   0",
        "99, 0,   0", // beyond everything
    })
    void freeUpToReleasesEveryMessageWhoseLastIndexIsAcknowledged(
        final long acknowledged, final int count, final long bytes)
    {
        final InflightWindow window = new InflightWindow(4, 1000);
        window.add(10, 100); // entries ..10
        window.add(20, 200); // entries 11..20
        window.add(30, 300); // entries 21..30
        window.freeUpTo(acknowledged);
        assertEquals(count, window.count(), "count");
        assertEquals(bytes, window.bytes(), "bytes");
        assertEquals(count == 0, window.isEmpty());
    }

    @Test
    void freeUpToIsIdempotentAndIgnoresOldAcknowledgements()
    {
        final InflightWindow window = new InflightWindow(4, 1000);
        window.add(10, 100);
        window.add(20, 200);
        window.freeUpTo(10);
        window.freeUpTo(10);
        window.freeUpTo(5);
        assertEquals(1, window.count());
        assertEquals(200, window.bytes());
    }

    @Test
    void theRingWrapsAroundWithoutLosingOrder()
    {
        final InflightWindow window = new InflightWindow(3, 1000);
        long last = 0;
        long freed = 0;
        for (int round = 0; round < 10; round++)
        {
            while (window.canSend(10))
            {
                window.add(++last, 10);
            }
            assertEquals(3, window.count());
            window.freeUpTo(++freed); // frees the oldest only
            assertEquals(2, window.count(), "round " + round);
            assertEquals(20, window.bytes());
        }
        window.freeUpTo(last);
        assertTrue(window.isEmpty());
    }

    @Test
    void clearEmptiesTheWindow()
    {
        final InflightWindow window = new InflightWindow(2, 100);
        window.add(5, 60);
        window.add(6, 40);
        window.clear();
        assertTrue(window.isEmpty());
        assertEquals(0, window.bytes());
        assertTrue(window.canSend(100));
        window.add(1, 100); // indices may start over after a return to probe
        window.freeUpTo(1);
        assertTrue(window.isEmpty());
    }
}

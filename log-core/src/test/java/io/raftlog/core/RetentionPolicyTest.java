package io.raftlog.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RetentionPolicyTest
{
    /**
     * Entries 1..100 after base 0, 10 bytes each, stamped 1,000 ns apart starting at 1,000.
     */
    private static final RetainedLog LOG = new RetainedLog()
    {
        public long baseIndex()
        {
            return 0;
        }

        public long lastIndex()
        {
            return 100;
        }

        public long timestampAt(final long index)
        {
            return index * 1_000;
        }

        public long bytesFrom(final long index)
        {
            return (101 - index) * 10;
        }
    };

    @ParameterizedTest(name = "keep {0} entries: compact to {1}")
    @CsvSource({"100, 0", "150, 0", "99, 1", "10, 90", "0, 100"})
    void aLimitOnEntriesKeepsTheNewestEntries(final long maxEntries, final long expected)
    {
        assertEquals(expected, RetentionPolicy.byEntries(maxEntries).compactionIndex(LOG, 100, 0));
    }

    @ParameterizedTest(name = "keep {0} bytes: compact to {1}")
    @CsvSource({"1000, 0", "999, 1", "995, 1", "500, 50", "10, 99", "9, 100"})
    void aLimitOnBytesKeepsTheNewestEntriesThatFit(final long maxBytes, final long expected)
    {
        assertEquals(expected, RetentionPolicy.byBytes(maxBytes).compactionIndex(LOG, 100, 0));
    }

    @ParameterizedTest(name = "max age {0} at {1}: compact to {2}")
    @CsvSource({"100000, 100000, 0", "50000, 100000, 49", "0, 100001, 100", "1000, 60000, 58"})
    void aLimitOnAgeDropsEntriesOlderThanIt(final long maxAgeNs, final long nowNs, final long expected)
    {
        assertEquals(expected, RetentionPolicy.byAge(maxAgeNs).compactionIndex(LOG, 100, nowNs));
    }

    @Test
    void theStrictestLimitWins()
    {
        final RetentionPolicy policy = new RetentionPolicy(80, 500, 90_000);
        assertEquals(50, policy.compactionIndex(LOG, 100, 100_000), "bytes ask for the most");
    }

    @Test
    void neverPastTheSafeIndex()
    {
        assertEquals(30, RetentionPolicy.byEntries(10).compactionIndex(LOG, 30, 0),
            "uncommitted, unsnapshotted or unread entries stay whatever the limits say");
        assertEquals(0, RetentionPolicy.byEntries(10).compactionIndex(LOG, -5, 0));
    }

    @Test
    void keepEverythingNeverCompacts()
    {
        assertEquals(0, RetentionPolicy.KEEP_EVERYTHING.compactionIndex(LOG, 100, Long.MAX_VALUE));
    }

    @Test
    void negativeLimitsAreRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(-1, 0, 0));
    }
}

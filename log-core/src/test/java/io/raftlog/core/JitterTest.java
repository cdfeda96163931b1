package io.raftlog.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paper 5.2: election timeouts are randomized so that split votes are rare. The randomness comes from a seed, so a
 * simulated run replays exactly.
 */
class JitterTest
{
    private static final int DRAWS = 20_000;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {0, 1, 42, -1, Long.MAX_VALUE, Long.MIN_VALUE})
    void theSameSeedGivesTheSameSequence(final long seed)
    {
        final Jitter a = new Jitter(seed);
        final Jitter b = new Jitter(seed);
        for (int i = 0; i < 1000; i++)
        {
            assertEquals(a.nextLong(1_000_000_007L), b.nextLong(1_000_000_007L), "draw " + i);
        }
    }

    @ParameterizedTest(name = "bound {0}")
    @ValueSource(longs = {1, 2, 3, 10, 300_000_000L, Long.MAX_VALUE})
    void everyValueIsInZeroToBound(final long bound)
    {
        final Jitter jitter = new Jitter(7);
        for (int i = 0; i < DRAWS; i++)
        {
            final long v = jitter.nextLong(bound);
            assertTrue(v >= 0 && v < bound, v + " outside [0, " + bound + ")");
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {0, 1, 2, 12345})
    void valuesAreSpreadEvenlyOverTheRange(final long seed)
    {
        final int buckets = 10;
        final long bound = 300_000_000L; // an election timeout in ns
        final int[] counts = new int[buckets];
        final Jitter jitter = new Jitter(seed);
        for (int i = 0; i < DRAWS; i++)
        {
            counts[(int)(jitter.nextLong(bound) * buckets / bound)]++;
        }
        final int expected = DRAWS / buckets;
        double chiSquare = 0;
        for (final int count : counts)
        {
            assertTrue(Math.abs(count - expected) < expected / 5, "bucket far from uniform: " + count);
            chiSquare += (double)(count - expected) * (count - expected) / expected;
        }
        // 9 degrees of freedom: 27.9 is the 0.999 quantile. Deterministic for the seed, so never flaky.
        assertTrue(chiSquare < 27.9, "chi-square " + chiSquare);
    }

    @Test
    void smallBoundsHitEveryValue()
    {
        final Jitter jitter = new Jitter(3);
        final Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++)
        {
            seen.add(jitter.nextLong(5));
        }
        assertEquals(Set.of(0L, 1L, 2L, 3L, 4L), seen);
    }

    @Test
    void differentSeedsGiveDifferentSequences()
    {
        // neighbouring seeds (member ids, say) must not give neighbouring or equal timeouts
        final Set<Long> firsts = new HashSet<>();
        for (long seed = 0; seed < 1000; seed++)
        {
            firsts.add(new Jitter(seed).nextLong(Long.MAX_VALUE));
        }
        assertEquals(1000, firsts.size(), "every seed starts differently");

        final Jitter a = new Jitter(1);
        final Jitter b = new Jitter(2);
        int equal = 0;
        for (int i = 0; i < 1000; i++)
        {
            if (a.nextLong(300) == b.nextLong(300))
            {
                equal++;
            }
        }
        assertTrue(equal < 20, "seeds 1 and 2 agree on " + equal + " of 1000 draws");
    }

    @Test
    void aSequenceDoesNotRepeatQuickly()
    {
        final Jitter jitter = new Jitter(0);
        final Set<Long> seen = new HashSet<>();
        for (int i = 0; i < DRAWS; i++)
        {
            seen.add(jitter.nextLong(Long.MAX_VALUE));
        }
        assertEquals(DRAWS, seen.size());
        assertNotEquals(0, new Jitter(0).nextLong(Long.MAX_VALUE), "a zero seed still works");
    }
}

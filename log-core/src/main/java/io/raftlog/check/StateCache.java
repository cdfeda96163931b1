package io.raftlog.check;

import java.util.Arrays;

/**
 * Lowe's memo for the linearizability search: the configurations already reached. A configuration is the set of
 * completed operations linearized, the register's value, the value before the current run of unknown operations,
 * and the set of unknown operations taken. What may follow depends on nothing else.
 * <p>
 * Taking an unknown operation is optional, so a configuration that took fewer of them, the rest being equal, can
 * do everything one that took more can: reaching a configuration is pointless when one with a subset of its unknown
 * operations was reached before (it failed, or is an ancestor on the search's stack, which will try the same
 * continuations). So the memo keeps, per completed set, value and run start, the minimal sets of unknown
 * operations taken, and answers by inclusion.
 * <p>
 * Exact, not hash-only: a collision must never prune a state that leads to a linearization. Completed operations
 * are numbered by when they return, so a completed set is mostly leading all-ones words and trailing empty words;
 * it is stored without them.
 */
final class StateCache
{
    private static final long[] EMPTY = new long[0];
    private static final long[][] NO_SETS = new long[0][];

    private long[] hashes;
    private int[] values;
    private int[] runStarts;
    private int[] offsets;
    private long[][] completedSets;
    private long[][][] unknownSets;
    private int[] unknownSetCounts;
    private int mask;
    private int entries;
    private long steps;

    StateCache(final int expectedStates)
    {
        final int capacity = Math.max(64, Integer.highestOneBit(Math.max(1, expectedStates) * 2 - 1) << 1);
        allocate(capacity);
    }

    /**
     * @return the work done so far: one per lookup and one per remembered set of unknown operations compared.
     */
    long steps()
    {
        return steps;
    }

    /**
     * @param completed     the completed operations linearized, one bit each.
     * @param completedHash a hash of {@code completed} maintained by the caller as bits come and go.
     * @param unknown       the unknown operations linearized, one bit each.
     * @return true if the configuration is new and no configuration with fewer unknown operations taken was reached.
     */
    boolean add(
        final long[] completed, final long completedHash, final long[] unknown, final int value, final int runStart)
    {
        int from = 0;
        while (from < completed.length && completed[from] == -1L)
        {
            from++;
        }
        int to = completed.length;
        while (to > from && completed[to - 1] == 0L)
        {
            to--;
        }

        steps++;
        final long hash = mix(completedHash ^ (value * 0x9E3779B97F4A7C15L) ^ (runStart * 0xC2B2AE3D27D4EB4FL));
        int slot = (int)hash & mask;
        while (null != completedSets[slot])
        {
            if (hashes[slot] == hash && values[slot] == value && runStarts[slot] == runStart &&
                offsets[slot] == from && Arrays.equals(completedSets[slot], 0, completedSets[slot].length, completed,
                from, to))
            {
                return addUnknownSet(slot, unknown);
            }
            slot = (slot + 1) & mask;
        }

        hashes[slot] = hash;
        values[slot] = value;
        runStarts[slot] = runStart;
        offsets[slot] = from;
        completedSets[slot] = from == to ? EMPTY : Arrays.copyOfRange(completed, from, to);
        unknownSets[slot] = NO_SETS;
        unknownSetCounts[slot] = 0;
        addUnknownSet(slot, unknown);
        if (++entries > (mask + 1) >> 1)
        {
            grow();
        }
        return true;
    }

    /**
     * SplitMix64's finaliser: spreads the bits so linear probing on the low bits works.
     */
    static long mix(final long z)
    {
        long x = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    private boolean addUnknownSet(final int slot, final long[] unknown)
    {
        long[][] sets = unknownSets[slot];
        int count = unknownSetCounts[slot];
        steps += count;
        for (int i = 0; i < count; i++)
        {
            if (isSubset(sets[i], unknown))
            {
                return false;
            }
        }

        // those the new set is a subset of are dominated from now on
        steps += count;
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (!isSubset(unknown, sets[i]))
            {
                sets[kept++] = sets[i];
            }
        }
        Arrays.fill(sets, kept, count, null);
        count = kept;
        if (count == sets.length)
        {
            sets = Arrays.copyOf(sets, Math.max(1, count * 2));
            unknownSets[slot] = sets;
        }
        int length = unknown.length;
        while (length > 0 && unknown[length - 1] == 0L)
        {
            length--;
        }
        sets[count] = length == 0 ? EMPTY : Arrays.copyOf(unknown, length);
        unknownSetCounts[slot] = count + 1;
        return true;
    }

    private static boolean isSubset(final long[] small, final long[] large)
    {
        for (int i = 0; i < small.length; i++)
        {
            if ((small[i] & ~(i < large.length ? large[i] : 0L)) != 0L)
            {
                return false;
            }
        }
        return true;
    }

    private void grow()
    {
        final long[] oldHashes = hashes;
        final int[] oldValues = values;
        final int[] oldRunStarts = runStarts;
        final int[] oldOffsets = offsets;
        final long[][] oldCompletedSets = completedSets;
        final long[][][] oldUnknownSets = unknownSets;
        final int[] oldUnknownSetCounts = unknownSetCounts;
        allocate(oldCompletedSets.length << 1);
        for (int i = 0; i < oldCompletedSets.length; i++)
        {
            if (null != oldCompletedSets[i])
            {
                int slot = (int)oldHashes[i] & mask;
                while (null != completedSets[slot])
                {
                    slot = (slot + 1) & mask;
                }
                hashes[slot] = oldHashes[i];
                values[slot] = oldValues[i];
                runStarts[slot] = oldRunStarts[i];
                offsets[slot] = oldOffsets[i];
                completedSets[slot] = oldCompletedSets[i];
                unknownSets[slot] = oldUnknownSets[i];
                unknownSetCounts[slot] = oldUnknownSetCounts[i];
            }
        }
    }

    private void allocate(final int capacity)
    {
        hashes = new long[capacity];
        values = new int[capacity];
        runStarts = new int[capacity];
        offsets = new int[capacity];
        completedSets = new long[capacity][];
        unknownSets = new long[capacity][][];
        unknownSetCounts = new int[capacity];
        mask = capacity - 1;
    }
}

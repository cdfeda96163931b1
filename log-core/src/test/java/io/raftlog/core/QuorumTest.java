package io.raftlog.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Paper 5.3/5.4: an entry is committed once it is stored on a majority; the highest such index is the value that
 * a majority of the voters have reached or passed.
 */
class QuorumTest
{
    @ParameterizedTest(name = "{0} voters: majority {1}")
    @CsvSource({"1, 1", "2, 2", "3, 2", "4, 3", "5, 3", "6, 4", "7, 4"})
    void aMajorityIsMoreThanHalfOfTheVoters(final int voters, final int majority)
    {
        assertEquals(majority, Quorum.majority(voters));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
        // one voter: its own index
        "7             | 7",
        // two voters: both are needed, so the lower one
        "5 3           | 3",
        "3 5           | 3",
        "4 4           | 4",
        // three voters (odd): the median
        "1 2 3         | 2",
        "3 2 1         | 2",
        "9 0 0         | 0",
        "9 9 0         | 9",
        "5 5 5         | 5",
        // four voters (even): three are needed, the second lowest
        "1 2 3 4       | 2",
        "4 4 1 1       | 1",
        "4 4 4 1       | 4",
        "0 7 7 0       | 0",
        // five voters: three needed
        "1 2 3 4 5     | 3",
        "5 4 3 2 1     | 3",
        "9 9 1 1 1     | 1",
        "9 9 9 1 1     | 9",
        "2 2 2 2 2     | 2",
        // six voters: four needed
        "6 5 4 3 2 1   | 3",
        "9 9 9 0 0 0   | 0",
        "9 9 9 9 0 0   | 9",
        // seven voters: four needed
        "1 2 3 4 5 6 7 | 4",
        "7 7 7 0 0 0 0 | 0",
        "7 7 7 7 0 0 0 | 7",
        "3 1 4 1 5 9 2 | 3",
    })
    void theMajorityIndexIsTheHighestIndexAMajorityHasReached(final String indices, final long expected)
    {
        final long[] values = parse(indices);
        final Quorum quorum = new Quorum(values.length);
        assertEquals(expected, quorum.majorityIndex(values, values.length));
        assertEquals(expected, bruteForce(values), "brute force agrees");
    }

    @Test
    void theIndicesAreNotReordered()
    {
        final long[] values = {3, 1, 4, 1, 5};
        final long[] copy = values.clone();
        new Quorum(5).majorityIndex(values, 5);
        assertArrayEquals(copy, values);
    }

    @Test
    void onlyTheFirstVotersSlotsCount()
    {
        final Quorum quorum = new Quorum(7);
        final long[] values = {5, 6, 7, 1, 100, 100, 100};
        assertEquals(6, quorum.majorityIndex(values, 3), "the tail beyond 3 voters is ignored");
        assertEquals(5, quorum.majorityIndex(values, 4), "the tail beyond 4 voters is ignored");
    }

    @Test
    void everyCombinationOfSmallIndicesAgreesWithBruteForce()
    {
        for (int voters = 1; voters <= 7; voters++)
        {
            final Quorum quorum = new Quorum(voters);
            final long[] values = new long[voters];
            final int combinations = (int)Math.pow(4, voters);
            for (int c = 0; c < combinations; c++)
            {
                int digits = c;
                for (int i = 0; i < voters; i++)
                {
                    values[i] = digits % 4;
                    digits /= 4;
                }
                assertEquals(bruteForce(values), quorum.majorityIndex(values, voters), Arrays.toString(values));
            }
        }
    }

    /** The largest value v such that at least a majority of the values are >= v. */
    private static long bruteForce(final long[] values)
    {
        long best = 0;
        for (final long candidate : values)
        {
            int atLeast = 0;
            for (final long v : values)
            {
                if (v >= candidate)
                {
                    atLeast++;
                }
            }
            if (atLeast >= values.length / 2 + 1)
            {
                best = Math.max(best, candidate);
            }
        }
        return best;
    }

    private static long[] parse(final String indices)
    {
        return Arrays.stream(indices.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }
}

package io.raftlog.core;

/**
 * Quorum arithmetic over a small preallocated scratch array: the highest index a majority has reached is the
 * median of the members' indices (paper section 5.3 and 5.4). Pure and allocation-free.
 */
final class Quorum
{
    private final long[] scratch;

    Quorum(final int maxMembers)
    {
        scratch = new long[maxMembers];
    }

    static int majority(final int voters)
    {
        return voters / 2 + 1;
    }

    /**
     * @param indices the match index of each voter, in the first {@code voters} slots.
     * @return the largest index held by at least a majority of the voters.
     */
    long majorityIndex(final long[] indices, final int voters)
    {
        System.arraycopy(indices, 0, scratch, 0, voters);
        // insertion sort, descending: clusters are small and this must not allocate
        for (int i = 1; i < voters; i++)
        {
            final long v = scratch[i];
            int j = i - 1;
            while (j >= 0 && scratch[j] < v)
            {
                scratch[j + 1] = scratch[j];
                j--;
            }
            scratch[j + 1] = v;
        }
        return scratch[majority(voters) - 1];
    }
}

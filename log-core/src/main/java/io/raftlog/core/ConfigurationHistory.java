package io.raftlog.core;

/**
 * The configurations in the log, so the core always knows the one in effect: the latest in the log, committed or
 * not (dissertation 4.1), and can fall back to the one before when a conflicting suffix is dropped. The first
 * element is the configuration as of the log's base (the snapshot, or the bootstrap members).
 */
final class ConfigurationHistory
{
    private long[] indices = new long[8];
    private Configuration[] configurations = new Configuration[8];
    private int size;

    void reset(final long baseIndex, final Configuration base)
    {
        size = 0;
        push(baseIndex, base);
    }

    void append(final long index, final Configuration configuration)
    {
        if (index <= indices[size - 1])
        {
            throw new IllegalStateException("configuration at " + index + " after one at " + indices[size - 1]);
        }
        push(index, configuration);
    }

    /**
     * Forgets configurations at {@code index} and after; the base always stays.
     *
     * @return whether the configuration in effect changed.
     */
    boolean truncateFrom(final long index)
    {
        final int before = size;
        while (size > 1 && indices[size - 1] >= index)
        {
            size--;
        }
        return size != before;
    }

    /**
     * The log now starts after {@code baseIndex}: the configuration in effect there becomes the base.
     */
    void compactTo(final long baseIndex)
    {
        int keep = 0;
        while (keep + 1 < size && indices[keep + 1] <= baseIndex)
        {
            keep++;
        }
        if (keep > 0)
        {
            for (int i = 0; i < size - keep; i++)
            {
                final long index = indices[i + keep];
                final Configuration moved = configurations[i + keep];
                configurations[i + keep] = configurations[i];
                configurations[i] = moved;
                indices[i] = index;
            }
            size -= keep;
        }
    }

    Configuration latest()
    {
        return configurations[size - 1];
    }

    /**
     * @return the configuration the latest one replaced (the latest itself when it is the base). A leader appends a
     * configuration only once the one before is committed, so in any log every configuration but the latest is
     * committed.
     */
    Configuration previous()
    {
        return configurations[Math.max(0, size - 2)];
    }

    long latestIndex()
    {
        return indices[size - 1];
    }

    /**
     * @return the configuration in effect at {@code index}.
     */
    Configuration at(final long index)
    {
        for (int i = size - 1; i > 0; i--)
        {
            if (indices[i] <= index)
            {
                return configurations[i];
            }
        }
        return configurations[0];
    }

    private void push(final long index, final Configuration configuration)
    {
        if (size == indices.length)
        {
            indices = java.util.Arrays.copyOf(indices, size * 2);
            configurations = java.util.Arrays.copyOf(configurations, size * 2);
        }
        if (configurations[size] == null)
        {
            configurations[size] = new Configuration();
        }
        configurations[size].copyFrom(configuration);
        indices[size] = index;
        size++;
    }
}

package io.raftlog.perf.jmh;

import io.raftlog.core.SnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A member that never had a snapshot and never takes or receives one: the log starts at index 0. A benchmark that
 * gets here by surprise (a follower fell behind a compaction) fails loudly instead of measuring something else.
 */
final class NoSnapshotStore implements SnapshotStore
{
    public long lastIncludedIndex()
    {
        return 0;
    }

    public long lastIncludedTerm()
    {
        return 0;
    }

    public int readConfiguration(final MutableDirectBuffer dst, final int offset)
    {
        throw unsupported();
    }

    public long length()
    {
        return 0;
    }

    public int read(final long position, final MutableDirectBuffer dst, final int offset, final int length)
    {
        throw unsupported();
    }

    public void save(
        final long index,
        final long term,
        final DirectBuffer configuration,
        final int configurationOffset,
        final int configurationLength,
        final DirectBuffer state,
        final int stateOffset,
        final int stateLength)
    {
        throw unsupported();
    }

    public void beginReceive(final long index, final long term, final long length)
    {
        throw unsupported();
    }

    public void receiveChunk(final long position, final DirectBuffer chunk, final int offset, final int length)
    {
        throw unsupported();
    }

    public void completeReceive(final DirectBuffer configuration, final int offset, final int length)
    {
        throw unsupported();
    }

    private static UnsupportedOperationException unsupported()
    {
        return new UnsupportedOperationException("the benchmark's members have no snapshots");
    }
}

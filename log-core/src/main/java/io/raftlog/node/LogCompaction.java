package io.raftlog.node;

import io.raftlog.core.RaftCore;
import org.agrona.DirectBuffer;

/**
 * Saves a snapshot of the application state as of a committed index through the core (which records it with the
 * term and membership at that index) and drops the log behind it, keeping the last {@code retainEntries} before it
 * so that a follower only a little behind catches up from the log instead of by a snapshot transfer (dissertation
 * 5.1, 5.3). On the node's agent thread.
 */
final class LogCompaction
{
    private final long retainEntries;
    private long snapshotsTaken;

    LogCompaction(final long retainEntries)
    {
        this.retainEntries = retainEntries;
    }

    /**
     * @return false when the core refused the snapshot: not newer than its current one (a snapshot installed from
     * the leader overtook it), or no longer in the log.
     */
    boolean snapshotAndCompact(final RaftCore core, final long index, final DirectBuffer state, final int length)
    {
        if (!core.takeSnapshot(index, state, 0, length))
        {
            return false;
        }
        snapshotsTaken++;
        final long compactTo = index - retainEntries;
        if (compactTo > 0)
        {
            core.compactLog(compactTo); // false when nothing is behind the base yet: nothing to drop
        }
        return true;
    }

    long snapshotsTaken()
    {
        return snapshotsTaken;
    }
}

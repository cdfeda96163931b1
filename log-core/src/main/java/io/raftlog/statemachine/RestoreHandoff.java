package io.raftlog.statemachine;

import io.raftlog.core.SnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A snapshot the state-machine thread must restore from, handed over by the node's agent thread, which alone reads
 * the snapshot store (it is not thread-safe, and the agent may replace the snapshot at any time). The agent copies
 * the whole snapshot into a buffer of its own and publishes it; a newer one replaces one not yet taken, since it
 * covers more. This allocates, once per restore: at start and when a snapshot is installed from the leader, both
 * rare and far from the per-entry path.
 * <p>
 * The agent thread publishes before it raises the commit index the state-machine thread reads, so an entry past the
 * snapshot is never delivered to the state machine before the snapshot is visible.
 */
public final class RestoreHandoff
{
    /**
     * A copy of one snapshot's application state.
     */
    public static final class Snapshot
    {
        private final long index;
        private final UnsafeBuffer state;
        private final int length;

        Snapshot(final long index, final UnsafeBuffer state, final int length)
        {
            this.index = index;
            this.state = state;
            this.length = length;
        }

        public long index()
        {
            return index;
        }

        public DirectBuffer state()
        {
            return state;
        }

        public int length()
        {
            return length;
        }
    }

    private final AtomicReference<Snapshot> pending = new AtomicReference<>();

    /**
     * Agent thread: copies the store's current snapshot and publishes it (nothing when there is none).
     */
    public void offer(final SnapshotStore store)
    {
        final long index = store.lastIncludedIndex();
        if (index == 0)
        {
            return;
        }
        final long length = store.length();
        if (length > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("a snapshot of " + length + " bytes does not fit a buffer");
        }
        final UnsafeBuffer state = new UnsafeBuffer(new byte[(int)length]);
        int position = 0;
        while (position < length)
        {
            final int read = store.read(position, state, position, (int)length - position);
            if (read <= 0)
            {
                throw new IllegalStateException("the snapshot at " + index + " ends at " + position + " of " + length);
            }
            position += read;
        }
        pending.set(new Snapshot(index, state, (int)length));
    }

    /**
     * State-machine thread.
     *
     * @return the snapshot to restore from, or null when none is pending.
     */
    public Snapshot take()
    {
        return pending.get() == null ? null : pending.getAndSet(null);
    }
}

package io.raftlog.statemachine;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One snapshot on its way from the state-machine thread to the node's agent thread, which saves it: a single
 * preallocated buffer that belongs to the state-machine thread while free and to the agent thread while ready. The
 * state-machine thread writes a new snapshot only once the agent released the last, and goes on applying entries
 * meanwhile: it never waits for a save.
 */
public final class SnapshotHandoff
{
    private final ExpandableArrayBuffer buffer;
    private long index;
    private int length;
    private volatile boolean ready;

    public SnapshotHandoff(final int initialCapacity)
    {
        this.buffer = new ExpandableArrayBuffer(initialCapacity);
    }

    /**
     * @return true when the state-machine thread may write a new snapshot (the last one was released).
     */
    public boolean isFree()
    {
        return !ready;
    }

    /**
     * State-machine thread, while {@link #isFree()}: where to write the snapshot.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * State-machine thread: the snapshot as of {@code index} is in the first {@code length} bytes of
     * {@link #buffer()}; the agent thread may take it.
     */
    public void publish(final long index, final int length)
    {
        this.index = index;
        this.length = length;
        ready = true; // volatile write: the bytes, index and length are visible to whoever sees it
    }

    /**
     * @return true when a snapshot waits to be saved (agent thread).
     */
    public boolean isReady()
    {
        return ready;
    }

    /**
     * Agent thread, while {@link #isReady()}.
     */
    public long index()
    {
        return index;
    }

    /**
     * Agent thread, while {@link #isReady()}.
     */
    public int length()
    {
        return length;
    }

    /**
     * Agent thread, while {@link #isReady()}.
     */
    public DirectBuffer state()
    {
        return buffer;
    }

    /**
     * Agent thread: done with the snapshot (saved or refused); the buffer goes back to the state-machine thread.
     */
    public void release()
    {
        ready = false;
    }
}

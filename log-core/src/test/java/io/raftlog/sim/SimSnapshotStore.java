package io.raftlog.sim;

import io.raftlog.core.SnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A member's snapshot on the simulated disk: durable as soon as saved or completely received, so it survives
 * every crash; a transfer cut short by a crash is lost, as a half-written file would be discarded.
 */
public final class SimSnapshotStore implements SnapshotStore
{
    private final ExpandableArrayBuffer configuration = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer state = new ExpandableArrayBuffer(1024);
    private final ExpandableArrayBuffer receiving = new ExpandableArrayBuffer(1024);
    private int configurationLength;
    private long index;
    private long term;
    private long length;
    private long receivingIndex = -1;
    private long receivingTerm;
    private long receivingLength;
    private long saves;
    private long installs;

    public long lastIncludedIndex()
    {
        return index;
    }

    public long lastIncludedTerm()
    {
        return term;
    }

    public int readConfiguration(final MutableDirectBuffer dst, final int offset)
    {
        dst.putBytes(offset, configuration, 0, configurationLength);
        return configurationLength;
    }

    public long length()
    {
        return length;
    }

    public int read(final long position, final MutableDirectBuffer dst, final int offset, final int maxLength)
    {
        final int n = (int)Math.min(maxLength, length - position);
        dst.putBytes(offset, state, (int)position, n);
        return n;
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
        if (index <= this.index)
        {
            throw new IllegalStateException("snapshot at " + index + " not after " + this.index);
        }
        this.configuration.putBytes(0, configuration, configurationOffset, configurationLength);
        this.configurationLength = configurationLength;
        this.state.putBytes(0, state, stateOffset, stateLength);
        this.length = stateLength;
        this.index = index;
        this.term = term;
        saves++;
    }

    public void beginReceive(final long index, final long term, final long length)
    {
        receivingIndex = index;
        receivingTerm = term;
        receivingLength = length;
    }

    public void receiveChunk(final long position, final DirectBuffer chunk, final int offset, final int length)
    {
        if (receivingIndex < 0 || position + length > receivingLength)
        {
            throw new IllegalStateException("chunk outside the snapshot being received");
        }
        receiving.putBytes((int)position, chunk, offset, length);
    }

    public void completeReceive(final DirectBuffer configuration, final int offset, final int length)
    {
        this.configuration.putBytes(0, configuration, offset, length);
        this.configurationLength = length;
        state.putBytes(0, receiving, 0, (int)receivingLength);
        this.length = receivingLength;
        this.index = receivingIndex;
        this.term = receivingTerm;
        receivingIndex = -1;
        installs++;
    }

    /**
     * The process died: a snapshot being received is lost, the current one stays.
     */
    void crash()
    {
        receivingIndex = -1;
    }

    public DirectBuffer state()
    {
        return state;
    }

    public long saves()
    {
        return saves;
    }

    public long installs()
    {
        return installs;
    }
}

package io.raftlog.samples;

import io.raftlog.core.Role;
import io.raftlog.node.EmbeddedApplication;
import io.raftlog.node.RaftNode;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * An application that uses raftlog as its ordered event sequencer. Any of its threads hands an event to
 * {@link #publish}: a lock-free, many-to-one ring buffer, so producers never wait for the log. The sequencer runs in
 * the node's duty cycle ({@link EmbeddedApplication}), on the node's thread: while its node leads it drains the ring
 * buffer into the log, each event getting the next index, in one batch per cycle; when the log back-pressures, the
 * event stays in the ring buffer for the next cycle. The committed log is the single order every replica and every
 * downstream reader sees.
 * <p>
 * What this sample leaves to the application: an event offered to a leader that then dies may be lost (it was never
 * committed); an application that must not lose one keeps it until it sees it committed, as the demo does.
 */
public final class EmbeddedSequencer implements EmbeddedApplication, ControlledMessageHandler
{
    private static final int EVENT_TYPE = 1;

    private final ManyToOneRingBuffer inbox;
    private RaftNode node;
    private long sequenced;
    private long lastIndex;

    /**
     * @param capacity bytes of the ring buffer, a power of two.
     */
    public EmbeddedSequencer(final int capacity)
    {
        inbox = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /**
     * Hands an event to the sequencer; thread-safe, lock-free.
     *
     * @return false when the ring buffer is full (back-pressure: try again).
     */
    public boolean publish(final DirectBuffer event, final int offset, final int length)
    {
        return inbox.write(EVENT_TYPE, event, offset, length);
    }

    public int doWork(final RaftNode node)
    {
        if (node.core().role() != Role.LEADER)
        {
            return 0;
        }
        this.node = node;
        return inbox.controlledRead(this, 256);
    }

    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long result = node.offer(buffer, index, length);
        if (result < 0)
        {
            return Action.ABORT; // back-pressured or no longer leader: the event waits in the ring buffer
        }
        sequenced++;
        lastIndex = result;
        return Action.CONTINUE;
    }

    /**
     * @return how many events were given an index (on this thread only).
     */
    public long sequenced()
    {
        return sequenced;
    }

    /**
     * @return the index of the last event sequenced.
     */
    public long lastIndex()
    {
        return lastIndex;
    }
}

package io.raftlog.statemachine;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * Queries from the node's agent thread to the state-machine thread: a bounded single-producer, single-consumer ring
 * (preallocated off-heap), consumed in submission order. The query at the head runs only once the state has applied
 * its read index; the ones behind it wait for it, so results come back in the order queries went in.
 * <pre>
 *   0 read id | 8 read index | 16 query ...                                          (native byte order)
 * </pre>
 */
public final class QueryQueue
{
    /**
     * Runs one query on the state-machine thread.
     */
    @FunctionalInterface
    public interface QueryExecutor
    {
        void execute(long readId, DirectBuffer query, int offset, int length);
    }

    static final int QUERY = 1;
    static final int HEADER_LENGTH = 16;
    /** Thousands of small queries; and at least eight of the largest, a ring's message being an eighth of it. */
    private static final int MIN_CAPACITY = 1 << 18;

    private final OneToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final int maxQueryLength;
    private final ControlledMessageHandler handler = this::onMessage;
    private QueryExecutor executor;
    private long appliedIndex;

    public QueryQueue(final int maxQueryLength)
    {
        if (maxQueryLength < 0)
        {
            throw new IllegalArgumentException("maxQueryLength must not be negative: " + maxQueryLength);
        }
        this.maxQueryLength = maxQueryLength;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(
            Math.max(MIN_CAPACITY, 8 * (maxQueryLength + HEADER_LENGTH + 64)));
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.buffer = ring.buffer();
    }

    public int maxQueryLength()
    {
        return maxQueryLength;
    }

    /**
     * Node's agent thread.
     *
     * @return false when the queue is full (try again in a later duty cycle).
     * @throws IllegalArgumentException when the query is longer than {@link #maxQueryLength()}.
     */
    public boolean submit(
        final long readId, final long readIndex, final DirectBuffer query, final int offset, final int length)
    {
        if (length < 0 || length > maxQueryLength)
        {
            throw new IllegalArgumentException("a query of " + length + " bytes; at most " + maxQueryLength);
        }
        final int claimed = ring.tryClaim(QUERY, HEADER_LENGTH + length);
        if (claimed == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            return false;
        }
        buffer.putLong(claimed, readId);
        buffer.putLong(claimed + 8, readIndex);
        buffer.putBytes(claimed + HEADER_LENGTH, query, offset, length);
        ring.commit(claimed);
        return true;
    }

    /**
     * State-machine thread: runs the queries at the head whose read index is at or below {@code appliedIndex}, up to
     * {@code limit}, stopping at the first that must wait.
     *
     * @return how many ran.
     */
    public int run(final QueryExecutor executor, final long appliedIndex, final int limit)
    {
        this.executor = executor;
        this.appliedIndex = appliedIndex;
        return ring.controlledRead(handler, limit);
    }

    private ControlledMessageHandler.Action onMessage(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (buffer.getLong(index + 8) > appliedIndex)
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        executor.execute(buffer.getLong(index), buffer, index + HEADER_LENGTH, length - HEADER_LENGTH);
        return ControlledMessageHandler.Action.CONTINUE;
    }
}

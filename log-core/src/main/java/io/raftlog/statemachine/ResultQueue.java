package io.raftlog.statemachine;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * Results from the state-machine thread to the node's agent thread: a bounded single-producer, single-consumer ring
 * (Agrona's {@link OneToOneRingBuffer}, preallocated off-heap). The producer writes straight into the ring; when it
 * is full the producer is told so and waits: a result is never dropped.
 * <pre>
 *   append result: 0 session id | 8 sequence | 16 index | 24 result ...
 *   query result:  0 read id | 8 result ...                                        (native byte order)
 * </pre>
 */
public final class ResultQueue
{
    static final int APPEND_RESULT = 1;
    static final int QUERY_RESULT = 2;
    static final int APPEND_HEADER_LENGTH = 24;
    static final int QUERY_HEADER_LENGTH = 8;
    /**
     * The ring's smallest capacity, thousands of small results before the state machine waits; larger where eight of
     * the largest results need more, a ring's message being an eighth of it at most.
     */
    private static final int MIN_CAPACITY = 1 << 20;

    private final OneToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final int maxResultLength;
    private final MessageHandler handler = this::onMessage;
    private AppliedResults target = AppliedResults.NO_OP;

    /**
     * @param maxResultLength the longest result either kind may carry.
     */
    public ResultQueue(final int maxResultLength)
    {
        if (maxResultLength < 0)
        {
            throw new IllegalArgumentException("maxResultLength must not be negative: " + maxResultLength);
        }
        this.maxResultLength = maxResultLength;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(
            Math.max(MIN_CAPACITY, 8 * (maxResultLength + APPEND_HEADER_LENGTH + 64)));
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.buffer = ring.buffer();
    }

    public int maxResultLength()
    {
        return maxResultLength;
    }

    /**
     * State-machine thread.
     *
     * @return false when the ring is full: offer it again once the node has drained some.
     */
    public boolean offerAppendResult(
        final long sessionId, final long sequence, final long index, final DirectBuffer result, final int length)
    {
        checkLength(length);
        final int claimed = ring.tryClaim(APPEND_RESULT, APPEND_HEADER_LENGTH + length);
        if (claimed == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            return false;
        }
        buffer.putLong(claimed, sessionId);
        buffer.putLong(claimed + 8, sequence);
        buffer.putLong(claimed + 16, index);
        buffer.putBytes(claimed + APPEND_HEADER_LENGTH, result, 0, length);
        ring.commit(claimed);
        return true;
    }

    /**
     * State-machine thread.
     *
     * @return false when the ring is full: offer it again once the node has drained some.
     */
    public boolean offerQueryResult(final long readId, final DirectBuffer result, final int length)
    {
        checkLength(length);
        final int claimed = ring.tryClaim(QUERY_RESULT, QUERY_HEADER_LENGTH + length);
        if (claimed == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            return false;
        }
        buffer.putLong(claimed, readId);
        buffer.putBytes(claimed + QUERY_HEADER_LENGTH, result, 0, length);
        ring.commit(claimed);
        return true;
    }

    /**
     * Node's agent thread: hands up to {@code limit} results to {@code results}, oldest first.
     *
     * @return how many were handed over.
     */
    public int drain(final AppliedResults results, final int limit)
    {
        target = results;
        return ring.read(handler, limit);
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId == APPEND_RESULT)
        {
            target.onAppendResult(buffer.getLong(index), buffer.getLong(index + 8), buffer.getLong(index + 16),
                buffer, index + APPEND_HEADER_LENGTH, length - APPEND_HEADER_LENGTH);
        }
        else if (msgTypeId == QUERY_RESULT)
        {
            target.onQueryResult(
                buffer.getLong(index), buffer, index + QUERY_HEADER_LENGTH, length - QUERY_HEADER_LENGTH);
        }
        else
        {
            throw new IllegalStateException("unknown result type " + msgTypeId);
        }
    }

    private void checkLength(final int length)
    {
        if (length < 0 || length > maxResultLength)
        {
            throw new IllegalStateException("a state machine result of " + length + " bytes; at most " +
                maxResultLength + " (NodeContext.stateMachineMaxResultBytes)");
        }
    }
}

package io.raftlog.statemachine;

import org.agrona.DirectBuffer;

/**
 * Where the state machine's results go: called on the node's agent thread, which drains them from the state-machine
 * thread each duty cycle, in the order they were produced. Buffers are valid only during the call. Implementations
 * must not allocate on the hot path nor block (they run inside the duty cycle).
 */
public interface AppliedResults
{
    /**
     * A SESSION_APPEND entry was applied (every one the session table admitted, with or without a result).
     *
     * @param sessionId the client's session.
     * @param sequence  the client's sequence number of the entry.
     * @param index     the entry's Raft index.
     * @param length    of the state machine's result, 0 for none.
     */
    void onAppendResult(long sessionId, long sequence, long index, DirectBuffer result, int offset, int length);

    /**
     * A query submitted with {@code readId} ran.
     */
    void onQueryResult(long readId, DirectBuffer result, int offset, int length);

    /**
     * Discards every result.
     */
    AppliedResults NO_OP = new AppliedResults()
    {
        public void onAppendResult(
            final long sessionId,
            final long sequence,
            final long index,
            final DirectBuffer result,
            final int offset,
            final int length)
        {
        }

        public void onQueryResult(final long readId, final DirectBuffer result, final int offset, final int length)
        {
        }
    };
}

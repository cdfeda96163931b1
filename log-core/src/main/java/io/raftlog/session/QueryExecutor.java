package io.raftlog.session;

import org.agrona.DirectBuffer;

/**
 * Runs a client's query against the state machine once it has applied up to the read index: the node's state
 * machine thread, reached through a bounded queue.
 */
@FunctionalInterface
public interface QueryExecutor
{
    /**
     * @return false when the queue is full (the query is not taken).
     */
    boolean submit(long readId, long readIndex, DirectBuffer query, int offset, int length);
}

package io.raftlog.statemachine;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The results a node handed to the application, kept in order (on the node's agent thread, which the test drives).
 * An append result as {sessionId, sequence, index, the count the {@link HashingStateMachine} returned}; a query
 * result as {readId, count, hash, last index}.
 */
final class RecordedResults implements AppliedResults
{
    final List<long[]> appends = new ArrayList<>();
    final List<long[]> queries = new ArrayList<>();

    public void onAppendResult(
        final long sessionId,
        final long sequence,
        final long index,
        final DirectBuffer result,
        final int offset,
        final int length)
    {
        if (length != 8)
        {
            throw new AssertionError("append result of " + length + " bytes");
        }
        appends.add(new long[]{ sessionId, sequence, index, result.getLong(offset, ByteOrder.LITTLE_ENDIAN) });
    }

    public void onQueryResult(final long readId, final DirectBuffer result, final int offset, final int length)
    {
        if (length != HashingStateMachine.STATE_LENGTH)
        {
            throw new AssertionError("query result of " + length + " bytes");
        }
        queries.add(new long[]{ readId, HashingStateMachine.countOf(result, offset),
            HashingStateMachine.hashOf(result, offset), HashingStateMachine.lastIndexOf(result, offset) });
    }
}

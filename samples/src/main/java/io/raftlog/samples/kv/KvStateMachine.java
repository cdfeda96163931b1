package io.raftlog.samples.kv;

import io.raftlog.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A replicated key-value store (the Raft paper's "replicated hash table"): put, delete and compare-and-set are log
 * entries applied in order on every member; get is a linearizable query. Its snapshot is every pair, sorted, so two
 * members with the same state write the same bytes.
 * <p>
 * Keys and values are strings: a sample that favours clarity over the node's zero-allocation discipline, which it
 * does not touch (the state machine runs on its own thread). An entry that is not a well-formed command changes
 * nothing and answers nothing: every member skips it the same way, so the state stays identical.
 */
public final class KvStateMachine implements StateMachine
{
    private final Map<String, String> pairs = new HashMap<>();
    private long appliedIndex;

    public int apply(
        final long index,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final MutableDirectBuffer result)
    {
        appliedIndex = index;
        final int end = offset + length;
        if (length < 1)
        {
            return 0;
        }
        final byte op = buffer.getByte(offset);
        final int keyEnd = KvMessages.textEnd(buffer, offset + 1, end);
        if (keyEnd < 0 || buffer.getByte(offset + 1) == 0)
        {
            return 0; // not a command of this store: it changes nothing, here as on every member
        }
        final String key = KvMessages.getText(buffer, offset + 1);
        switch (op)
        {
            case KvMessages.PUT:
            {
                final int valueEnd = KvMessages.textEnd(buffer, keyEnd, end);
                if (valueEnd < 0)
                {
                    return 0;
                }
                final String value = KvMessages.getText(buffer, keyEnd);
                set(key, value);
                return answer(result, KvMessages.OK, value);
            }
            case KvMessages.DELETE:
                pairs.remove(key);
                return answer(result, KvMessages.OK, null);

            case KvMessages.CAS:
            {
                final int valueEnd = KvMessages.textEnd(buffer, keyEnd, end);
                if (valueEnd < 0 || KvMessages.textEnd(buffer, valueEnd, end) < 0)
                {
                    return 0;
                }
                final String value = KvMessages.getText(buffer, keyEnd);
                final String expected = KvMessages.getText(buffer, valueEnd);
                final String current = pairs.get(key);
                if (!Objects.equals(current, expected))
                {
                    return answer(result, KvMessages.NOT_SWAPPED, current);
                }
                set(key, value);
                return answer(result, KvMessages.OK, value);
            }
            default:
                return 0;
        }
    }

    public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
    {
        final int end = offset + length;
        if (length < 1 || query.getByte(offset) != KvMessages.GET || KvMessages.textEnd(query, offset + 1, end) < 0 ||
            query.getByte(offset + 1) == 0)
        {
            return 0;
        }
        final String value = pairs.get(KvMessages.getText(query, offset + 1));
        return answer(result, value == null ? KvMessages.ABSENT : KvMessages.OK, value);
    }

    public int snapshot(final MutableDirectBuffer out)
    {
        int position = 0;
        out.putInt(position, pairs.size());
        position += 4;
        for (final Map.Entry<String, String> pair : new TreeMap<>(pairs).entrySet())
        {
            position = KvMessages.putText(out, position, pair.getKey());
            position = KvMessages.putText(out, position, pair.getValue());
        }
        return position;
    }

    public void restore(final long index, final DirectBuffer state, final int offset, final int length)
    {
        pairs.clear();
        appliedIndex = index;
        if (length == 0)
        {
            return;
        }
        final int count = state.getInt(offset);
        int position = offset + 4;
        for (int i = 0; i < count; i++)
        {
            final String key = KvMessages.getText(state, position);
            position = KvMessages.textEnd(state, position, offset + length);
            final String value = KvMessages.getText(state, position);
            position = KvMessages.textEnd(state, position, offset + length);
            pairs.put(key, value);
        }
    }

    /**
     * @return a copy of the pairs, for tests (from the state machine's thread, or once the node stopped).
     */
    public Map<String, String> contents()
    {
        return new TreeMap<>(pairs);
    }

    public long appliedIndex()
    {
        return appliedIndex;
    }

    private void set(final String key, final String value)
    {
        if (value == null)
        {
            pairs.remove(key);
        }
        else
        {
            pairs.put(key, value);
        }
    }

    private static int answer(final MutableDirectBuffer result, final byte status, final String value)
    {
        result.putByte(0, status);
        return KvMessages.putText(result, 1, value);
    }
}

package io.raftlog.sim;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated members' replicated key-value state: each member applies the committed log to its own copy, in
 * order, and snapshots it with the log. Keys are small numbers, values non-zero longs (0 means absent).
 * <p>
 * A command entry: {@code opId(8) kind(1) key(4) value(8) expected(8)}. The op id comes first so the log's checks
 * that read an entry's first eight bytes as its id still hold.
 */
final class SimKvMachine
{
    static final byte PUT = 1;
    static final byte DELETE = 2;
    static final byte CAS = 3;
    static final int COMMAND_LENGTH = 8 + 1 + 4 + 8 + 8;
    /** What {@link #apply} returns for an entry that is not a command (a no-op, a configuration, another client's). */
    static final int NOT_A_COMMAND = -1;

    private final TreeMap<Integer, Long> values = new TreeMap<>();
    private long appliedIndex;

    long appliedIndex()
    {
        return appliedIndex;
    }

    long get(final int key)
    {
        final Long value = values.get(key);
        return value == null ? 0 : value;
    }

    static int encode(
        final MutableDirectBuffer buffer, final long opId, final byte kind, final int key, final long value,
        final long expected)
    {
        buffer.putLong(0, opId);
        buffer.putByte(8, kind);
        buffer.putInt(9, key);
        buffer.putLong(13, value);
        buffer.putLong(21, expected);
        return COMMAND_LENGTH;
    }

    /**
     * Applies the entry at {@code index} (the next one: entries apply once each, in order).
     *
     * @return for a CAS 1 if it swapped and 0 if not; 1 for a put or delete; {@link #NOT_A_COMMAND} otherwise.
     */
    int apply(final long index, final byte[] payload)
    {
        if (index != appliedIndex + 1)
        {
            throw new IllegalStateException("applied " + appliedIndex + ", next applied " + index);
        }
        appliedIndex = index;
        if (payload.length != COMMAND_LENGTH)
        {
            return NOT_A_COMMAND;
        }
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(payload);
        final byte kind = buffer.getByte(8);
        final int key = buffer.getInt(9);
        final long value = buffer.getLong(13);
        final long expected = buffer.getLong(21);
        switch (kind)
        {
            case PUT:
                values.put(key, value);
                return 1;
            case DELETE:
                values.remove(key);
                return 1;
            case CAS:
                if (get(key) != expected)
                {
                    return 0;
                }
                if (value == 0)
                {
                    values.remove(key);
                }
                else
                {
                    values.put(key, value);
                }
                return 1;
            default:
                return NOT_A_COMMAND;
        }
    }

    /**
     * Skips an entry that carries no command (a no-op, a configuration): it still counts as applied.
     */
    void skip(final long index)
    {
        if (index != appliedIndex + 1)
        {
            throw new IllegalStateException("applied " + appliedIndex + ", next applied " + index);
        }
        appliedIndex = index;
    }

    int encodeState(final MutableDirectBuffer buffer, final int offset)
    {
        int position = offset;
        buffer.putInt(position, values.size());
        position += 4;
        for (final Map.Entry<Integer, Long> entry : values.entrySet())
        {
            buffer.putInt(position, entry.getKey());
            buffer.putLong(position + 4, entry.getValue());
            position += 12;
        }
        return position - offset;
    }

    void restore(final long index, final DirectBuffer buffer, final int offset)
    {
        values.clear();
        final int count = buffer.getInt(offset);
        int position = offset + 4;
        for (int i = 0; i < count; i++)
        {
            values.put(buffer.getInt(position), buffer.getLong(position + 4));
            position += 12;
        }
        appliedIndex = index;
    }

    void clear()
    {
        values.clear();
        appliedIndex = 0;
    }

    Map<Integer, Long> contents()
    {
        return new TreeMap<>(values);
    }
}

package io.raftlog.samples.kv;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The key-value store's commands, queries and results as bytes: what a client appends or queries, and what the
 * state machine answers. Little-endian lengths, UTF-8 text.
 * <pre>
 *   command  = op(1) key value [expected]     op: PUT 1, DELETE 2, CAS 3
 *   query    = op(1) key                      op: GET 4
 *   text     = present(1) [length(4) bytes]   (present 0: absent)
 *   result   = status(1) current-value        status: OK 0, SWAPPED 0, NOT_SWAPPED 1, FOUND 0, ABSENT 2
 * </pre>
 * A put or delete answers OK with the value it left; a compare-and-set answers whether it swapped and the value it
 * found (so a client that lost the race learns what won); a get answers the value.
 */
public final class KvMessages
{
    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte CAS = 3;
    public static final byte GET = 4;

    public static final byte OK = 0;
    public static final byte NOT_SWAPPED = 1;
    public static final byte ABSENT = 2;

    private KvMessages()
    {
    }

    public static int encodePut(final MutableDirectBuffer buffer, final String key, final String value)
    {
        buffer.putByte(0, PUT);
        int position = putText(buffer, 1, key);
        position = putText(buffer, position, value);
        return position;
    }

    public static int encodeDelete(final MutableDirectBuffer buffer, final String key)
    {
        buffer.putByte(0, DELETE);
        return putText(buffer, 1, key);
    }

    /**
     * @param expected null: swap only if the key is absent.
     * @param value    null: delete if the expectation holds.
     */
    public static int encodeCas(
        final MutableDirectBuffer buffer, final String key, final String expected, final String value)
    {
        buffer.putByte(0, CAS);
        int position = putText(buffer, 1, key);
        position = putText(buffer, position, value);
        position = putText(buffer, position, expected);
        return position;
    }

    public static int encodeGet(final MutableDirectBuffer buffer, final String key)
    {
        buffer.putByte(0, GET);
        return putText(buffer, 1, key);
    }

    /**
     * @return the text's encoded length: a presence byte, then a length and the bytes.
     */
    static int putText(final MutableDirectBuffer buffer, final int offset, final String text)
    {
        if (text == null)
        {
            buffer.putByte(offset, (byte)0);
            return offset + 1;
        }
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        buffer.putByte(offset, (byte)1);
        buffer.putInt(offset + 1, bytes.length);
        buffer.putBytes(offset + 5, bytes);
        return offset + 5 + bytes.length;
    }

    /**
     * @return the end of the text at {@code offset}, or -1 if it does not fit within {@code end}.
     */
    static int textEnd(final DirectBuffer buffer, final int offset, final int end)
    {
        if (offset >= end)
        {
            return -1;
        }
        final byte present = buffer.getByte(offset);
        if (present == 0)
        {
            return offset + 1;
        }
        if (present != 1 || offset + 5 > end)
        {
            return -1;
        }
        final int length = buffer.getInt(offset + 1);
        return length < 0 || length > end - offset - 5 ? -1 : offset + 5 + length;
    }

    static String getText(final DirectBuffer buffer, final int offset)
    {
        if (buffer.getByte(offset) == 0)
        {
            return null;
        }
        final int length = buffer.getInt(offset + 1);
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + 5, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A result as a client sees it.
     */
    public record Result(byte status, String value)
    {
        public static Result decode(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length < 2 || textEnd(buffer, offset + 1, offset + length) < 0)
            {
                throw new IllegalArgumentException("not a key-value result: " + length + " bytes");
            }
            return new Result(buffer.getByte(offset), getText(buffer, offset + 1));
        }
    }
}

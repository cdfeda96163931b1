package io.raftlog.samples;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The demo's events: the ASCII text {@code event-<seq>}, padded with spaces to {@link #LENGTH} bytes so every entry
 * is the same size. Written and read without allocating.
 */
final class EventPayload
{
    static final int LENGTH = 32;
    static final String PREFIX = "event-";
    static final long NOT_AN_EVENT = -1;
    private static final int PREFIX_LENGTH = PREFIX.length();
    private static final byte SPACE = ' ';

    private EventPayload()
    {
    }

    /**
     * @return the length written, always {@link #LENGTH}.
     */
    static int encode(final MutableDirectBuffer buffer, final int offset, final long seq)
    {
        if (seq <= 0)
        {
            throw new IllegalArgumentException("seq must be positive: " + seq);
        }
        buffer.putStringWithoutLengthAscii(offset, PREFIX);
        final int digits = buffer.putNaturalLongAscii(offset + PREFIX_LENGTH, seq);
        final int used = PREFIX_LENGTH + digits;
        buffer.setMemory(offset + used, LENGTH - used, SPACE);
        return LENGTH;
    }

    /**
     * @return the sequence number of the event these bytes are, or {@link #NOT_AN_EVENT} if they are not exactly one.
     */
    static long decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != LENGTH)
        {
            return NOT_AN_EVENT;
        }
        for (int i = 0; i < PREFIX_LENGTH; i++)
        {
            if (buffer.getByte(offset + i) != PREFIX.charAt(i))
            {
                return NOT_AN_EVENT;
            }
        }
        int end = offset + PREFIX_LENGTH;
        final int limit = offset + LENGTH;
        while (end < limit && buffer.getByte(end) >= '0' && buffer.getByte(end) <= '9')
        {
            end++;
        }
        final int digits = end - offset - PREFIX_LENGTH;
        if (digits == 0 || digits > 18 || buffer.getByte(offset + PREFIX_LENGTH) == '0')
        {
            return NOT_AN_EVENT;
        }
        for (int i = end; i < limit; i++)
        {
            if (buffer.getByte(i) != SPACE)
            {
                return NOT_AN_EVENT;
            }
        }
        return buffer.parseNaturalLongAscii(offset + PREFIX_LENGTH, digits);
    }
}

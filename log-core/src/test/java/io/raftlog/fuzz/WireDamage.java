package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.raftlog.codecs.MessageHeaderEncoder;
import org.agrona.MutableDirectBuffer;

/**
 * Bends the framing of a well-formed message the way a bad link, a bad sender or a newer version would: cut short,
 * followed by other bytes, a header field changed, any byte changed. Most inputs leave the message as it is, so the
 * handlers behind the validator still see plenty of well-formed traffic.
 */
final class WireDamage
{
    private WireDamage()
    {
    }

    /**
     * @param capacity bytes {@code dst} may hold from {@code offset}.
     * @return the length to deliver.
     */
    static int bend(
        final FuzzedDataProvider data, final MutableDirectBuffer dst, final int offset, final int length,
        final int capacity)
    {
        switch (data.consumeInt(0, 15))
        {
            case 0:
                return data.consumeInt(0, length);

            case 1:
            {
                final byte[] trailing = data.consumeBytes(Math.min(64, capacity - length));
                dst.putBytes(offset + length, trailing);
                return length + trailing.length;
            }

            case 2:
            {
                // block length, template id, schema id or version: four uint16 fields
                final int field = data.consumeInt(0, 3);
                dst.putShort(offset + 2 * field, data.consumeShort(), MessageHeaderEncoder.BYTE_ORDER);
                return length;
            }

            case 3:
            {
                final int at = offset + data.consumeInt(0, Math.max(0, length - 1));
                dst.putByte(at, data.consumeByte());
                return length;
            }

            default:
                return length;
        }
    }
}

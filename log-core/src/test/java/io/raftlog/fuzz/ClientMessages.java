package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.raftlog.codecs.AdminRequestEncoder;
import io.raftlog.codecs.ClientAppendRequestEncoder;
import io.raftlog.codecs.ClientQueryRequestEncoder;
import io.raftlog.codecs.CloseSessionRequestEncoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.OpenSessionRequestEncoder;
import io.raftlog.codecs.StatusRequestEncoder;
import org.agrona.MutableDirectBuffer;

/**
 * Writes one client request from fuzz input: a valid SBE header and one of the six requests a member's client port
 * takes, with session ids and sequences drawn around the sessions the member has opened ({@link Pivot}), response
 * channels it accepts or not, and payloads around the size limit.
 */
final class ClientMessages
{
    /** What the member's sessions hold now: the values fields are drawn around. */
    static final class Pivot
    {
        long sessionId;
        long sequence;
        int maxPayloadBytes;
        int[] memberIds;
    }

    /** The channel {@link RecordingResponders} accepts; anything else is refused, as a transport would. */
    static final String GOOD_CHANNEL = "aeron:udp?endpoint=127.0.0.1:";

    private static final int ADMIN_ACTION_CODES = 3;
    private static final int READ_MODE_CODES = 2;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final OpenSessionRequestEncoder openSession = new OpenSessionRequestEncoder();
    private final CloseSessionRequestEncoder closeSession = new CloseSessionRequestEncoder();
    private final ClientAppendRequestEncoder append = new ClientAppendRequestEncoder();
    private final StatusRequestEncoder status = new StatusRequestEncoder();
    private final AdminRequestEncoder admin = new AdminRequestEncoder();
    private final ClientQueryRequestEncoder query = new ClientQueryRequestEncoder();

    /**
     * @return the encoded length, header included.
     */
    int write(final FuzzedDataProvider data, final MutableDirectBuffer dst, final int offset, final Pivot pivot)
    {
        switch (data.consumeInt(0, 5))
        {
            case 0:
                openSession.wrapAndApplyHeader(dst, offset, header)
                    .correlationId(data.consumeLong())
                    .sessionId(data.consumeBoolean() ? 0 : Draw.near(data, pivot.sessionId))
                    .responseStreamId(data.consumeInt(0, 3))
                    .responseChannel(channel(data));
                return MessageHeaderEncoder.ENCODED_LENGTH + openSession.encodedLength();

            case 1:
                closeSession.wrapAndApplyHeader(dst, offset, header).sessionId(Draw.near(data, pivot.sessionId));
                return MessageHeaderEncoder.ENCODED_LENGTH + closeSession.encodedLength();

            case 2:
            {
                final byte[] payload = data.consumeBytes(payloadLength(data, pivot));
                append.wrapAndApplyHeader(dst, offset, header)
                    .sessionId(Draw.near(data, pivot.sessionId))
                    .sequence(Draw.near(data, pivot.sequence + 1))
                    .putPayload(payload, 0, payload.length);
                return MessageHeaderEncoder.ENCODED_LENGTH + append.encodedLength();
            }

            case 3:
                status.wrapAndApplyHeader(dst, offset, header)
                    .correlationId(data.consumeLong())
                    .responseStreamId(data.consumeInt(0, 3))
                    .responseChannel(channel(data));
                return MessageHeaderEncoder.ENCODED_LENGTH + status.encodedLength();

            case 4:
                admin.wrapAndApplyHeader(dst, offset, header)
                    .correlationId(data.consumeLong())
                    .memberId(Draw.memberId(data, pivot.memberIds))
                    .responseStreamId(data.consumeInt(0, 3));
                dst.putByte(admin.offset() + AdminRequestEncoder.actionEncodingOffset(),
                    Draw.enumCode(data, ADMIN_ACTION_CODES));
                admin.responseChannel(channel(data)).endpoint(endpoint(data));
                return MessageHeaderEncoder.ENCODED_LENGTH + admin.encodedLength();

            default:
            {
                final byte[] bytes = data.consumeBytes(payloadLength(data, pivot));
                query.wrapAndApplyHeader(dst, offset, header)
                    .sessionId(Draw.near(data, pivot.sessionId))
                    .correlationId(data.consumeLong());
                dst.putByte(query.offset() + ClientQueryRequestEncoder.modeEncodingOffset(),
                    Draw.enumCode(data, READ_MODE_CODES));
                query.putQuery(bytes, 0, bytes.length);
                return MessageHeaderEncoder.ENCODED_LENGTH + query.encodedLength();
            }
        }
    }

    private static int payloadLength(final FuzzedDataProvider data, final Pivot pivot)
    {
        return data.consumeInt(0, 7) == 0 ? data.consumeInt(0, pivot.maxPayloadBytes + 64) : data.consumeInt(0, 32);
    }

    private static String channel(final FuzzedDataProvider data)
    {
        return data.consumeInt(0, 3) == 0 ? data.consumeAsciiString(48) : GOOD_CHANNEL + data.consumeInt(0, 9);
    }

    private static String endpoint(final FuzzedDataProvider data)
    {
        switch (data.consumeInt(0, 3))
        {
            case 0: return data.consumeAsciiString(32);
            case 1: return "127.0.0.1:" + data.consumeAsciiString(8);
            default: return "127.0.0.1:" + data.consumeInt(-1, 70000);
        }
    }
}

package io.raftlog.fuzz;

import io.raftlog.codecs.AdminResponseDecoder;
import io.raftlog.codecs.ClientAppendResponseDecoder;
import io.raftlog.codecs.ClientQueryResponseDecoder;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.MessageValidator;
import io.raftlog.codecs.OpenSessionResponseDecoder;
import io.raftlog.codecs.SessionCode;
import io.raftlog.codecs.StatusResponseDecoder;
import io.raftlog.session.ClientResponders;
import org.agrona.DirectBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The client port's paths back to clients, as a transport keeps them: a bounded number of paths, one per channel
 * and stream, and only for channels it accepts ({@link ClientMessages#GOOD_CHANNEL}). Every response sent is checked
 * as a client would read it: a well-formed response message of this schema, exactly as long as the bytes sent, on
 * a path that was handed out.
 */
final class RecordingResponders implements ClientResponders
{
    static final int MAX_PATHS = 4;

    private final String[] channels = new String[MAX_PATHS];
    private final int[] streams = new int[MAX_PATHS];
    private final MessageValidator validator = new MessageValidator();
    private final OpenSessionResponseDecoder openResponse = new OpenSessionResponseDecoder();
    private int paths;
    long responsesSent;
    /** The session the last successful open response named: what the next requests are drawn around. */
    long lastOpenedSessionId;
    long refusedPaths;
    /** Lets a test see the effect of dropped responses: every n-th send fails, 0 for none. */
    int failEvery;

    public int responderFor(final String channel, final int streamId)
    {
        if (!channel.startsWith(ClientMessages.GOOD_CHANNEL))
        {
            refusedPaths++;
            return NONE;
        }
        for (int i = 0; i < paths; i++)
        {
            if (streams[i] == streamId && channels[i].equals(channel))
            {
                return i;
            }
        }
        if (paths == MAX_PATHS)
        {
            refusedPaths++;
            return NONE;
        }
        channels[paths] = channel;
        streams[paths] = streamId;
        return paths++;
    }

    public boolean send(
        final int responderId, final DirectBuffer buffer, final int offset, final int length,
        final boolean untilConnected)
    {
        assertTrue(responderId >= 0 && responderId < paths, () -> "a response on path " + responderId + " of " + paths);
        final int templateId = validator.validate(buffer, offset, length);
        switch (templateId)
        {
            case OpenSessionResponseDecoder.TEMPLATE_ID:
                openResponse.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH,
                    OpenSessionResponseDecoder.BLOCK_LENGTH, OpenSessionResponseDecoder.SCHEMA_VERSION);
                if (openResponse.code() == SessionCode.OPEN)
                {
                    lastOpenedSessionId = openResponse.sessionId();
                }
                assertEquals(length, validator.messageLength(), "a response with bytes after its end");
                break;

            case ClientAppendResponseDecoder.TEMPLATE_ID:
            case ClientQueryResponseDecoder.TEMPLATE_ID:
            case StatusResponseDecoder.TEMPLATE_ID:
            case AdminResponseDecoder.TEMPLATE_ID:
                assertEquals(length, validator.messageLength(), "a response with bytes after its end");
                break;

            default:
                fail("the client port sent what no client can read: " + MessageValidator.reasonText(templateId));
        }
        responsesSent++;
        return failEvery == 0 || responsesSent % failEvery != 0;
    }
}

package io.raftlog.session;

import org.agrona.DirectBuffer;

/**
 * The paths back to remote clients: each request that opens or attaches a session, or asks for status or an
 * administrative action, names a response channel and stream; the transport keeps one path per channel and stream
 * and hands out a small id for it.
 */
public interface ClientResponders
{
    int NONE = -1;

    /**
     * @return the id of the path to {@code channel} and {@code streamId}, created if needed, or {@link #NONE} when the
     * channel is not acceptable or no more paths may be opened.
     */
    int responderFor(String channel, int streamId);

    /**
     * Sends one encoded response. With {@code untilConnected}, a response that cannot leave yet because the path is
     * still connecting is kept and retried for a short while (the reply to an open or status request); otherwise it
     * is dropped, and the client's retry is answered instead.
     *
     * @return false when the response was dropped.
     */
    boolean send(int responderId, DirectBuffer buffer, int offset, int length, boolean untilConnected);
}

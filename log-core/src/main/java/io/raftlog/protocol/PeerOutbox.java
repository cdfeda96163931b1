package io.raftlog.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * Where encoded peer messages go: an Aeron publication per peer in the real node, the simulated network in tests.
 * A claim is written in place and then committed, so an encoder writes straight into the outgoing buffer.
 */
public interface PeerOutbox
{
    /**
     * Claims {@code length} bytes for one message to {@code memberId}.
     *
     * @return false when the message cannot be sent now (back-pressure, not connected, unknown member); nothing
     * is then claimed.
     */
    boolean tryClaim(int memberId, int length);

    /**
     * @return the buffer of the current claim.
     */
    MutableDirectBuffer buffer();

    /**
     * @return where the current claim starts in {@link #buffer()}.
     */
    int offset();

    /**
     * Sends the claimed message.
     *
     * @return false when it could not be sent after all (a large message offered in fragments met back-pressure).
     */
    boolean commit();
}

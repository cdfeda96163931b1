package io.raftlog.transport;

/**
 * The peers a transport can reach, changed at runtime as the membership changes. Called on the node's agent thread,
 * and only when the configuration changes (rare): an implementation may allocate and may start work it finishes in
 * later duty cycles, but must never block the duty cycle waiting for it.
 */
public interface PeerLinks
{
    /**
     * Makes {@code memberId} a peer at {@code endpoint}: messages from it are accepted and messages to it are sent
     * there once the link is up. A peer already at another endpoint is moved; one already at this endpoint is left
     * alone.
     *
     * @param endpoint {@code host:port}.
     */
    void openPeer(int memberId, String endpoint);

    /**
     * Closes the link to {@code memberId} and forgets it: messages from it are foreign from now on. Nothing happens
     * when it is not a peer.
     */
    void closePeer(int memberId);
}

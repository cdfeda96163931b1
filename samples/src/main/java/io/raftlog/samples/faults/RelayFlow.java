package io.raftlog.samples.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

/**
 * One sender's path through a {@link UdpRelay}: the sender's address, and the socket the relay forwards its
 * datagrams to the node from. The node answers (Aeron status messages and NAKs go to the source of the data) on that
 * socket, so the relay knows whom each answer is for.
 */
final class RelayFlow
{
    private final InetSocketAddress sender;
    private final DatagramChannel upstream;
    private long lastActiveNs;

    RelayFlow(final InetSocketAddress sender, final DatagramChannel upstream, final long nowNs)
    {
        this.sender = sender;
        this.upstream = upstream;
        this.lastActiveNs = nowNs;
    }

    InetSocketAddress sender()
    {
        return sender;
    }

    DatagramChannel upstream()
    {
        return upstream;
    }

    void touch(final long nowNs)
    {
        lastActiveNs = nowNs;
    }

    long lastActiveNs()
    {
        return lastActiveNs;
    }

    boolean isOpen()
    {
        return upstream.isOpen();
    }

    void close()
    {
        try
        {
            upstream.close(); // also cancels its selection key
        }
        catch (final IOException ignore)
        {
            // a datagram socket has nothing to flush: closing cannot lose anything
        }
    }
}

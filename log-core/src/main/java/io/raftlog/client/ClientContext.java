package io.raftlog.client;

import io.aeron.Aeron;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of a {@link RaftlogClient}, checked by {@link #conclude()}.
 */
public final class ClientContext
{
    private Aeron aeron;
    private Map<Integer, String> members;
    private String responseHost = "127.0.0.1";
    private int responseStreamId = 1003;
    private long responseTimeoutNs = 1_000_000_000L;
    private long noLeaderTimeoutNs = 10_000_000_000L;
    private int maxInFlight = 256;
    private int retransmitBufferBytes = 8 * 1024 * 1024;
    private NanoClock clock = SystemNanoClock.INSTANCE;

    public ClientContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @param members each member's id and {@code host:port}, as the nodes were started with; any one is enough
     * to find the leader, the more the better when some are down.
     */
    public ClientContext members(final Map<Integer, String> members)
    {
        this.members = new LinkedHashMap<>(members);
        return this;
    }

    public Map<Integer, String> members()
    {
        return members;
    }

    /**
     * The address the members send responses to (default 127.0.0.1); the port is chosen by the system.
     */
    public ClientContext responseHost(final String responseHost)
    {
        this.responseHost = responseHost;
        return this;
    }

    public String responseHost()
    {
        return responseHost;
    }

    public ClientContext responseStreamId(final int responseStreamId)
    {
        this.responseStreamId = responseStreamId;
        return this;
    }

    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * How long to wait for any answer from the member believed to be the leader before trying another (default
     * one second): the oldest unacknowledged append, or a request to open or attach the session.
     */
    public ClientContext responseTimeoutNs(final long responseTimeoutNs)
    {
        this.responseTimeoutNs = responseTimeoutNs;
        return this;
    }

    public long responseTimeoutNs()
    {
        return responseTimeoutNs;
    }

    /**
     * How long the client keeps looking for a leader before it fails (default ten seconds).
     */
    public ClientContext noLeaderTimeoutNs(final long noLeaderTimeoutNs)
    {
        this.noLeaderTimeoutNs = noLeaderTimeoutNs;
        return this;
    }

    public long noLeaderTimeoutNs()
    {
        return noLeaderTimeoutNs;
    }

    /**
     * Appends in flight at most (default 256); the cluster's session window may lower it.
     */
    public ClientContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    /**
     * Bytes kept for resending unacknowledged appends (default 8 MiB): it also bounds the appends in flight to
     * this divided by the largest entry the cluster accepts.
     */
    public ClientContext retransmitBufferBytes(final int retransmitBufferBytes)
    {
        this.retransmitBufferBytes = retransmitBufferBytes;
        return this;
    }

    public int retransmitBufferBytes()
    {
        return retransmitBufferBytes;
    }

    public ClientContext clock(final NanoClock clock)
    {
        this.clock = clock;
        return this;
    }

    public NanoClock clock()
    {
        return clock;
    }

    public ClientContext conclude()
    {
        if (aeron == null)
        {
            throw new IllegalArgumentException("aeron: required");
        }
        if (members == null || members.isEmpty())
        {
            throw new IllegalArgumentException("members: at least one member is required");
        }
        if (responseTimeoutNs <= 0 || noLeaderTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxInFlight < 1)
        {
            throw new IllegalArgumentException("maxInFlight: must be positive");
        }
        if (retransmitBufferBytes < 4096)
        {
            throw new IllegalArgumentException("retransmitBufferBytes: at least 4096");
        }
        return this;
    }
}

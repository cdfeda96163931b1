package io.raftlog.samples.faults;

import java.util.List;

/**
 * Every node on 127.0.0.1: process faults (kill, pause) and slow-network periods, which the relay in front of each
 * node makes in userspace; no partitions or loss, since one host's loopback cannot be cut per node.
 */
final class LoopbackTestbed implements Testbed
{
    private final String why;

    LoopbackTestbed(final String why)
    {
        this.why = why;
    }

    public String describe()
    {
        return "loopback (" + why + "): kills, pauses and slow-network periods (delay, reordering and duplication by " +
            "a UDP relay in front of each node); no partitions or loss";
    }

    public String hostOf(final int id)
    {
        return "127.0.0.1";
    }

    public String clientHost()
    {
        return "127.0.0.1";
    }

    public List<String> commandFor(final int id, final List<String> command)
    {
        return command;
    }

    public boolean sharesHostPorts()
    {
        return true;
    }

    public boolean canBreakNetwork()
    {
        return false;
    }

    public void cut(final int from, final int to)
    {
        throw new UnsupportedOperationException("no partitions on loopback");
    }

    public void loss(final int id, final int percent)
    {
        throw new UnsupportedOperationException("no loss on loopback");
    }

    public void healAll()
    {
    }

    public void close()
    {
    }
}

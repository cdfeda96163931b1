package io.raftlog.samples.faults;

import java.util.List;

/**
 * Where the nodes of a fault run live and how their network is broken: in network namespaces of their own
 * ({@link NamespaceTestbed}), or all on loopback ({@link LoopbackTestbed}) where namespaces cannot be made, with no
 * partitions or loss. Delay, reordering and duplication are not the testbed's: the relay in front of each node makes
 * them, in either ({@link RelayProcesses}).
 */
interface Testbed extends AutoCloseable
{
    /**
     * @return a line saying what this testbed is and what it cannot do.
     */
    String describe();

    /**
     * @return the host node {@code id} (from 1) binds and is reached at.
     */
    String hostOf(int id);

    /**
     * @return the host the clients in this process's namespace receive answers on.
     */
    String clientHost();

    /**
     * @return the command line that runs {@code command} where node {@code id} lives (inside its namespace): the
     * node's process, and its relay's.
     */
    List<String> commandFor(int id, List<String> command);

    /**
     * @return whether {@link #cut} and {@link #loss} work here.
     */
    /**
     * @return whether the nodes' ports are the host's own (loopback), so they must be free there; in network
     * namespaces each node has ports of its own.
     */
    boolean sharesHostPorts();

    boolean canBreakNetwork();

    /**
     * Node {@code to} no longer receives what {@code from} sends (one way).
     */
    void cut(int from, int to);

    /**
     * Node {@code id} drops this share of what it receives from every other node.
     */
    void loss(int id, int percent);

    /**
     * Every link works again, without loss (the relays' delays are healed apart).
     */
    void healAll();

    /**
     * Removes everything it created.
     */
    void close();
}

package io.raftlog.node;

import io.raftlog.core.LogStore;

/**
 * A log store the node agent can make durable once per duty cycle (group commit).
 */
public interface DurableLogStore extends LogStore
{
    /**
     * Makes what was written so far as durable as the store's durability policy promises (page cache: at once;
     * fsync: forced to the device).
     *
     * @return the index up to which the log is now durable.
     */
    long sync();
}

package io.raftlog.core;

/**
 * A log store the node's runtime makes durable once per duty cycle (group commit), then tells the core with
 * {@link RaftCore#onLogDurable(long, long)}. The core itself never calls {@link #sync()}.
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

package io.raftlog.node;

/**
 * An application that runs inside the node's duty cycle, on the node's own thread: the one place where it may call
 * {@link RaftNode#offer}. Whatever it offers in one cycle leaves in that cycle's batch. It must not block or
 * allocate on its hot path: it shares the thread that keeps the cluster's heartbeats going.
 */
@FunctionalInterface
public interface EmbeddedApplication
{
    /**
     * @return the amount of work done, for the node's idle strategy.
     */
    int doWork(RaftNode node);

    EmbeddedApplication NONE = node -> 0;
}

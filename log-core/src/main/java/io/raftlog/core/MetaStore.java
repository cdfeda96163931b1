package io.raftlog.core;

/**
 * The small piece of state Raft must never forget: the current term and the vote cast in it (paper figure 2).
 * {@link #store(long, int)} returns only once the state is durable, because the core answers a vote right after
 * it, and a vote forgotten in a crash would let a member vote twice in one term.
 */
public interface MetaStore
{
    int NO_VOTE = 0;

    long currentTerm();

    int votedFor();

    void store(long term, int votedFor);
}

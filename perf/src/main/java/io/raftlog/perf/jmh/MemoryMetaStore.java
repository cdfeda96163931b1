package io.raftlog.perf.jmh;

import io.raftlog.core.MetaStore;

/**
 * Term and vote in two fields: "durable" at once, which is all a benchmark of a leader's steady state needs.
 */
final class MemoryMetaStore implements MetaStore
{
    private long currentTerm;
    private int votedFor = NO_VOTE;
    private long stores;

    public long currentTerm()
    {
        return currentTerm;
    }

    public int votedFor()
    {
        return votedFor;
    }

    public void store(final long term, final int votedFor)
    {
        this.currentTerm = term;
        this.votedFor = votedFor;
        stores++;
    }

    long stores()
    {
        return stores;
    }
}

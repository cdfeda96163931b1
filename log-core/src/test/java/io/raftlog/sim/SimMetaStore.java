package io.raftlog.sim;

import io.raftlog.core.MetaStore;

/**
 * Term and vote on a simulated disk: durable the moment {@code store} returns, as the real one is (it forces the
 * file before returning), so they survive every crash.
 */
public final class SimMetaStore implements MetaStore
{
    private long currentTerm;
    private int votedFor = NO_VOTE;
    private long writes;

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
        if (term < currentTerm)
        {
            throw new IllegalStateException("term goes back from " + currentTerm + " to " + term);
        }
        if (term == currentTerm && this.votedFor != NO_VOTE && votedFor != this.votedFor)
        {
            throw new IllegalStateException("second vote in term " + term + ": " + this.votedFor + " then " + votedFor);
        }
        this.currentTerm = term;
        this.votedFor = votedFor;
        writes++;
    }

    public long writes()
    {
        return writes;
    }
}

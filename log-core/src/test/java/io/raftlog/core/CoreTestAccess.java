package io.raftlog.core;

/**
 * Test-only access to switches of the core that production code never touches.
 */
public final class CoreTestAccess
{
    private CoreTestAccess()
    {
    }

    /**
     * Lets a new leader change membership before it has committed an entry of its term: the single-server change
     * bug (raft-dev, 2015). Only the test that demonstrates the bug uses it.
     */
    public static void disableCommitInTermBeforeMembershipChange(final RaftCore core)
    {
        core.disableCommitInTermBeforeMembershipChange();
    }
}

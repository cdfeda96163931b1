package io.raftlog.core;

/**
 * What the core tells the outside world. Called on the core's thread; implementations must not allocate on the
 * hot path and must not call back into the core.
 */
public interface RaftListener
{
    /**
     * Entries up to and including {@code commitIndex} are committed: they will never change.
     */
    void onCommit(long commitIndex);

    void onRoleChange(Role role, long term, int leaderId);

    RaftListener NO_OP = new RaftListener()
    {
        public void onCommit(final long commitIndex)
        {
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
        {
        }
    };
}

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

    /**
     * A snapshot from the leader replaced this member's state up to {@code index}: the application restores from the
     * snapshot store before reading entries after it. Followed by {@link #onCommit(long)}.
     */
    default void onSnapshotInstalled(final long index, final long term)
    {
    }

    /**
     * The answer to {@link RaftCore#readIndex(long)}: once this member has applied the log up to {@code readIndex},
     * the read may be served from its state. A negative {@code readIndex} is an {@link OfferResult}: the read was
     * refused (the leader lost its leadership first, or had too many reads waiting) and may be retried.
     */
    default void onReadIndex(final long requestId, final long readIndex)
    {
    }

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

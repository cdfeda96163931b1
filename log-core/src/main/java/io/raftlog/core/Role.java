package io.raftlog.core;

/**
 * The role a member plays in its current term. The code is stable: it is published in a counter.
 */
public enum Role
{
    FOLLOWER(0),
    /** Dissertation 9.6: asking whether an election could be won, without raising the term. */
    PRE_CANDIDATE(1),
    CANDIDATE(2),
    LEADER(3);

    private final int code;

    Role(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }
}

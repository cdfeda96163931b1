package io.raftlog.core;

/**
 * What {@link RaftCore#offer} returns instead of an index: negative codes, so the common case stays a plain long.
 */
public final class OfferResult
{
    /** This member is not the leader; {@link RaftCore#leaderId()} names the one it knows of, or 0. */
    public static final long NOT_LEADER = -1;
    /** The batch for this duty cycle is full or too much is uncommitted: try again on a later cycle. */
    public static final long BACK_PRESSURED = -2;
    /** The payload is larger than the configured maximum. */
    public static final long TOO_LARGE = -3;
    /** Leadership is being handed over; offers resume at the new leader (or here if the transfer fails). */
    public static final long TRANSFERRING = -4;

    /** Membership: a configuration change is still uncommitted; one at a time. */
    public static final long CHANGE_IN_PROGRESS = -5;
    /**
     * Membership: this leader has not yet committed an entry of its own term. A new leader may not change membership
     * before that (the fix for the single-server change bug, raft-dev, 2015).
     */
    public static final long NOT_READY = -6;
    /** Membership: the change is not possible (unknown or existing member, no voters left, too many members). */
    public static final long INVALID_CHANGE = -7;
    /**
     * Reads: this leader holds no lease now (lease reads off, no recent quorum of acknowledgements, or a transfer
     * under way); use a ReadIndex read instead.
     */
    public static final long NO_LEASE = -8;

    private OfferResult()
    {
    }

    public static String describe(final long result)
    {
        if (result >= 0)
        {
            return "index " + result;
        }
        if (result == NOT_LEADER)
        {
            return "NOT_LEADER";
        }
        if (result == BACK_PRESSURED)
        {
            return "BACK_PRESSURED";
        }
        if (result == TOO_LARGE)
        {
            return "TOO_LARGE";
        }
        if (result == TRANSFERRING)
        {
            return "TRANSFERRING";
        }
        if (result == CHANGE_IN_PROGRESS)
        {
            return "CHANGE_IN_PROGRESS";
        }
        if (result == NOT_READY)
        {
            return "NOT_READY";
        }
        if (result == NO_LEASE)
        {
            return "NO_LEASE";
        }
        if (result == INVALID_CHANGE)
        {
            return "INVALID_CHANGE";
        }
        return "UNKNOWN(" + result + ")";
    }
}

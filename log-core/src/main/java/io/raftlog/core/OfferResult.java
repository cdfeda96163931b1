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
        return "UNKNOWN(" + result + ")";
    }
}

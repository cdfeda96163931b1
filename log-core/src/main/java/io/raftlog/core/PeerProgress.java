package io.raftlog.core;

/**
 * The leader's view of one follower (dissertation 3.5, and etcd's probe / replicate states).
 * <ul>
 *     <li>PROBE: where the follower's log matches is unknown; one AppendEntries at a time, resent on each
 *     heartbeat, walking {@code nextIndex} back on each rejection.</li>
 *     <li>REPLICATE: the logs match up to {@code matchIndex}; AppendEntries are pipelined from {@code nextIndex}
 *     without waiting for answers, bounded by the inflight window.</li>
 * </ul>
 */
final class PeerProgress
{
    static final int PROBE = 0;
    static final int REPLICATE = 1;
    /** The entries the follower needs are compacted away: it is sent the snapshot, chunk by chunk. */
    static final int SNAPSHOT = 2;

    final int memberId;
    final InflightWindow inflight;
    int state = PROBE;
    long nextIndex;
    long matchIndex;
    /** The peer's last appended index as it last said, for deciding when a transfer target is caught up. */
    boolean probeSent;
    /** Heard from since the last check-quorum round. */
    boolean recentActive;
    long lastProgressNs;
    long snapshotIndex;
    long snapshotOffset;
    boolean chunkInFlight;
    /** The highest read round the peer has echoed in this term (ReadIndex). */
    long ackedReadSeq;
    /** The latest leader send time the peer has echoed in this term (the lease). */
    long ackedLeaderTimeNs = NEVER;

    /** A time no lease can start from: far enough from the range of long that adding a lease cannot overflow. */
    static final long NEVER = Long.MIN_VALUE / 2;

    PeerProgress(final int memberId, final int maxInflightMessages, final int maxInflightBytes)
    {
        this.memberId = memberId;
        this.inflight = new InflightWindow(maxInflightMessages, maxInflightBytes);
    }

    void resetForNewLeader(final long leaderLastIndex, final long nowNs)
    {
        state = PROBE;
        nextIndex = leaderLastIndex + 1;
        matchIndex = 0;
        probeSent = false;
        chunkInFlight = false;
        recentActive = false;
        lastProgressNs = nowNs;
        ackedReadSeq = 0;
        ackedLeaderTimeNs = NEVER;
        inflight.clear();
    }

    /**
     * The peer echoed a read round and a send time of this leader's: it still followed this leader when it got them.
     */
    void echoed(final long readSeq, final long leaderTimeNs)
    {
        ackedReadSeq = Math.max(ackedReadSeq, readSeq);
        ackedLeaderTimeNs = Math.max(ackedLeaderTimeNs, leaderTimeNs);
    }

    void becomeProbe(final long newNextIndex)
    {
        state = PROBE;
        nextIndex = Math.max(newNextIndex, matchIndex + 1);
        probeSent = false;
        inflight.clear();
    }

    void becomeSnapshot(final long index)
    {
        state = SNAPSHOT;
        snapshotIndex = index;
        snapshotOffset = 0;
        chunkInFlight = false;
        inflight.clear();
    }

    void becomeReplicate(final long nowNs)
    {
        state = REPLICATE;
        nextIndex = matchIndex + 1;
        probeSent = false;
        lastProgressNs = nowNs;
        inflight.clear();
    }

    /**
     * The peer's log ends at {@code lastIndex}, below what it acknowledged: it lost acknowledged entries when it
     * restarted. The match goes back to what it holds, and the leader probes from there.
     */
    void lostEntriesAbove(final long lastIndex)
    {
        matchIndex = Math.max(0, lastIndex);
        becomeProbe(matchIndex + 1);
    }

    /**
     * @return true if the match moved forward.
     */
    boolean acknowledge(final long index, final long nowNs)
    {
        if (index > matchIndex)
        {
            matchIndex = index;
            lastProgressNs = nowNs;
            if (nextIndex <= index)
            {
                nextIndex = index + 1;
            }
            inflight.freeUpTo(index);
            return true;
        }
        return false;
    }
}

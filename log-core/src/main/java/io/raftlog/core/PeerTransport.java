package io.raftlog.core;

import org.agrona.DirectBuffer;

/**
 * Outbound port of the core: one typed method per peer message, primitives only, so an adapter can encode straight
 * into a claimed buffer. Sends are best effort (Raft tolerates loss); only AppendEntries reports back-pressure,
 * because the leader must not count entries as in flight when they never left.
 */
public interface PeerTransport
{
    void sendVoteRequest(
        int to, long term, long lastLogIndex, long lastLogTerm, int candidateId, boolean preVote, boolean transfer);

    void sendVoteResponse(int to, long term, int voterId, boolean preVote, boolean granted);

    /**
     * @param entries      {@code entryCount} consecutive log entry records, as stored.
     * @param readSeq      the leader's read round, echoed by the follower (ReadIndex).
     * @param leaderTimeNs the leader's clock when sending, echoed by the follower (the start of a lease).
     * @return false when the message could not be sent now (back-pressure, not connected).
     */
    boolean sendAppendEntries(
        int to,
        long term,
        int leaderId,
        long prevLogIndex,
        long prevLogTerm,
        long leaderCommit,
        int entryCount,
        DirectBuffer entries,
        int offset,
        int length,
        long readSeq,
        long leaderTimeNs);

    void sendAppendResponse(
        int to,
        long term,
        int followerId,
        boolean success,
        long matchIndex,
        long conflictIndex,
        long conflictTerm,
        long lastLogIndex,
        long rejectedIndex,
        long ackedReadSeq,
        long ackedLeaderTimeNs);

    void sendTimeoutNow(int to, long term, int leaderId);

    /**
     * One chunk of the snapshot; {@code configuration} is the membership as of {@code lastIncludedIndex}.
     *
     * @return false when the message could not be sent now.
     */
    boolean sendInstallSnapshot(
        int to,
        long term,
        int leaderId,
        long lastIncludedIndex,
        long lastIncludedTerm,
        long chunkOffset,
        long snapshotLength,
        boolean lastChunk,
        DirectBuffer configuration,
        int configurationOffset,
        int configurationLength,
        DirectBuffer chunk,
        int chunkOffsetInBuffer,
        int chunkLength);

    void sendInstallSnapshotResponse(
        int to, long term, int followerId, long lastIncludedIndex, long nextChunkOffset, boolean success);

    /**
     * A follower asks the leader to confirm a read index for one of its reads.
     */
    void sendReadIndexRequest(int to, long term, int fromId, long requestId);

    /**
     * @param readIndex the confirmed read index, or a negative {@link OfferResult} when refused.
     */
    void sendReadIndexResponse(int to, long term, int leaderId, long requestId, long readIndex);
}

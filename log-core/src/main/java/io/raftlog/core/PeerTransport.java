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
     * @param entries {@code entryCount} consecutive log entry records, as stored.
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
        int length);

    void sendAppendResponse(
        int to,
        long term,
        int followerId,
        boolean success,
        long matchIndex,
        long conflictIndex,
        long conflictTerm,
        long lastLogIndex,
        long rejectedIndex);

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
}

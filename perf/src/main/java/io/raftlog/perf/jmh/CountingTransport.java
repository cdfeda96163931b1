package io.raftlog.perf.jmh;

import io.raftlog.core.PeerTransport;
import org.agrona.DirectBuffer;

/**
 * A transport that sends nothing and counts what it was asked to send: the core's own cost, without any encoding.
 * Every AppendEntries "leaves" (no back-pressure).
 */
final class CountingTransport implements PeerTransport
{
    private long messages;
    private long appendEntries;
    private long entryBytes;

    long messages()
    {
        return messages;
    }

    long appendEntries()
    {
        return appendEntries;
    }

    long entryBytes()
    {
        return entryBytes;
    }

    public void sendVoteRequest(
        final int to,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final int candidateId,
        final boolean preVote,
        final boolean transfer)
    {
        messages++;
    }

    public void sendVoteResponse(
        final int to, final long term, final int voterId, final boolean preVote, final boolean granted)
    {
        messages++;
    }

    public boolean sendAppendEntries(
        final int to,
        final long term,
        final int leaderId,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final int entryCount,
        final DirectBuffer entries,
        final int offset,
        final int length,
        final long readSeq,
        final long leaderTimeNs)
    {
        messages++;
        appendEntries++;
        entryBytes += length;
        return true;
    }

    public void sendAppendResponse(
        final int to,
        final long term,
        final int followerId,
        final boolean success,
        final long matchIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long lastLogIndex,
        final long rejectedIndex,
        final long ackedReadSeq,
        final long ackedLeaderTimeNs)
    {
        messages++;
    }

    public void sendReadIndexRequest(final int to, final long term, final int fromId, final long requestId)
    {
        messages++;
    }

    public void sendReadIndexResponse(
        final int to, final long term, final int leaderId, final long requestId, final long readIndex)
    {
        messages++;
    }

    public void sendTimeoutNow(final int to, final long term, final int leaderId)
    {
        messages++;
    }

    public boolean sendInstallSnapshot(
        final int to,
        final long term,
        final int leaderId,
        final long lastIncludedIndex,
        final long lastIncludedTerm,
        final long chunkOffset,
        final long snapshotLength,
        final boolean lastChunk,
        final DirectBuffer configuration,
        final int configurationOffset,
        final int configurationLength,
        final DirectBuffer chunk,
        final int chunkOffsetInBuffer,
        final int chunkLength)
    {
        messages++;
        return true;
    }

    public void sendInstallSnapshotResponse(
        final int to,
        final long term,
        final int followerId,
        final long lastIncludedIndex,
        final long nextChunkOffset,
        final boolean success)
    {
        messages++;
    }
}

package io.raftlog.protocol;

import io.raftlog.codecs.AppendEntriesEncoder;
import io.raftlog.codecs.AppendResponseEncoder;
import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.InstallSnapshotEncoder;
import io.raftlog.codecs.InstallSnapshotResponseEncoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.ReadIndexRequestEncoder;
import io.raftlog.codecs.ReadIndexResponseEncoder;
import io.raftlog.codecs.TimeoutNowEncoder;
import io.raftlog.codecs.VoteRequestEncoder;
import io.raftlog.codecs.VoteResponseEncoder;
import io.raftlog.codecs.VoteType;
import io.raftlog.core.PeerTransport;
import org.agrona.DirectBuffer;

/**
 * Binds the core's outbound port to SBE: each call claims exactly the message's length in the outbox and encodes
 * the flyweight in place. No Raft rules here.
 */
public final class PeerMessageEncoder implements PeerTransport
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    private final PeerOutbox outbox;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final VoteRequestEncoder voteRequest = new VoteRequestEncoder();
    private final VoteResponseEncoder voteResponse = new VoteResponseEncoder();
    private final AppendEntriesEncoder appendEntries = new AppendEntriesEncoder();
    private final AppendResponseEncoder appendResponse = new AppendResponseEncoder();
    private final TimeoutNowEncoder timeoutNow = new TimeoutNowEncoder();
    private final InstallSnapshotEncoder installSnapshot = new InstallSnapshotEncoder();
    private final InstallSnapshotResponseEncoder installSnapshotResponse = new InstallSnapshotResponseEncoder();
    private final ReadIndexRequestEncoder readIndexRequest = new ReadIndexRequestEncoder();
    private final ReadIndexResponseEncoder readIndexResponse = new ReadIndexResponseEncoder();
    private long messagesSent;
    private long messagesBackPressured;
    private long entryBytesSent;

    public PeerMessageEncoder(final PeerOutbox outbox)
    {
        this.outbox = outbox;
    }

    public long messagesSent()
    {
        return messagesSent;
    }

    public long messagesBackPressured()
    {
        return messagesBackPressured;
    }

    /**
     * @return the bytes of entry records sent in AppendEntries, for tests that check each entry goes out about once.
     */
    public long entryBytesSent()
    {
        return entryBytesSent;
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
        if (claim(to, HEADER + VoteRequestEncoder.BLOCK_LENGTH))
        {
            voteRequest.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
                .term(term)
                .lastLogIndex(lastLogIndex)
                .lastLogTerm(lastLogTerm)
                .candidateId(candidateId)
                .voteType(preVote ? VoteType.PRE_VOTE : VoteType.VOTE)
                .leadershipTransfer(transfer ? BooleanType.TRUE : BooleanType.FALSE);
            outbox.commit();
        }
    }

    public void sendVoteResponse(
        final int to, final long term, final int voterId, final boolean preVote, final boolean granted)
    {
        if (claim(to, HEADER + VoteResponseEncoder.BLOCK_LENGTH))
        {
            voteResponse.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
                .term(term)
                .voterId(voterId)
                .voteType(preVote ? VoteType.PRE_VOTE : VoteType.VOTE)
                .granted(granted ? BooleanType.TRUE : BooleanType.FALSE);
            outbox.commit();
        }
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
        final int messageLength =
            HEADER + AppendEntriesEncoder.BLOCK_LENGTH + AppendEntriesEncoder.entriesHeaderLength() + length;
        if (!claim(to, messageLength))
        {
            return false;
        }
        appendEntries.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
            .term(term)
            .prevLogIndex(prevLogIndex)
            .prevLogTerm(prevLogTerm)
            .leaderCommit(leaderCommit)
            .leaderId(leaderId)
            .entryCount(entryCount)
            .readSeq(readSeq)
            .leaderTimeNs(leaderTimeNs)
            .putEntries(entries, offset, length);
        if (!outbox.commit())
        {
            messagesBackPressured++;
            return false;
        }
        entryBytesSent += length;
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
        if (claim(to, HEADER + AppendResponseEncoder.BLOCK_LENGTH))
        {
            appendResponse.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
                .term(term)
                .matchIndex(matchIndex)
                .conflictIndex(conflictIndex)
                .conflictTerm(conflictTerm)
                .lastLogIndex(lastLogIndex)
                .rejectedIndex(rejectedIndex)
                .followerId(followerId)
                .success(success ? BooleanType.TRUE : BooleanType.FALSE)
                .ackedReadSeq(ackedReadSeq)
                .ackedLeaderTimeNs(ackedLeaderTimeNs);
            outbox.commit();
        }
    }

    public void sendReadIndexRequest(final int to, final long term, final int fromId, final long requestId)
    {
        if (claim(to, HEADER + ReadIndexRequestEncoder.BLOCK_LENGTH))
        {
            readIndexRequest.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
                .term(term)
                .requestId(requestId)
                .fromId(fromId);
            outbox.commit();
        }
    }

    public void sendReadIndexResponse(
        final int to, final long term, final int leaderId, final long requestId, final long readIndex)
    {
        if (claim(to, HEADER + ReadIndexResponseEncoder.BLOCK_LENGTH))
        {
            readIndexResponse.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
                .term(term)
                .requestId(requestId)
                .readIndex(readIndex)
                .leaderId(leaderId);
            outbox.commit();
        }
    }

    public void sendTimeoutNow(final int to, final long term, final int leaderId)
    {
        if (claim(to, HEADER + TimeoutNowEncoder.BLOCK_LENGTH))
        {
            timeoutNow.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
                .term(term)
                .leaderId(leaderId);
            outbox.commit();
        }
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
        final int messageLength = HEADER + InstallSnapshotEncoder.BLOCK_LENGTH +
            InstallSnapshotEncoder.configurationHeaderLength() + configurationLength +
            InstallSnapshotEncoder.chunkHeaderLength() + chunkLength;
        if (!claim(to, messageLength))
        {
            return false;
        }
        installSnapshot.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
            .term(term)
            .lastIncludedIndex(lastIncludedIndex)
            .lastIncludedTerm(lastIncludedTerm)
            .chunkOffset(chunkOffset)
            .snapshotLength(snapshotLength)
            .leaderId(leaderId)
            .lastChunk(lastChunk ? BooleanType.TRUE : BooleanType.FALSE)
            .putConfiguration(configuration, configurationOffset, configurationLength)
            .putChunk(chunk, chunkOffsetInBuffer, chunkLength);
        if (!outbox.commit())
        {
            messagesBackPressured++;
            return false;
        }
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
        if (claim(to, HEADER + InstallSnapshotResponseEncoder.BLOCK_LENGTH))
        {
            installSnapshotResponse.wrapAndApplyHeader(outbox.buffer(), outbox.offset(), header)
                .term(term)
                .lastIncludedIndex(lastIncludedIndex)
                .nextChunkOffset(nextChunkOffset)
                .followerId(followerId)
                .success(success ? BooleanType.TRUE : BooleanType.FALSE);
            outbox.commit();
        }
    }

    private boolean claim(final int to, final int length)
    {
        if (outbox.tryClaim(to, length))
        {
            messagesSent++;
            return true;
        }
        messagesBackPressured++;
        return false;
    }
}

package io.raftlog.protocol;

import io.raftlog.codecs.AppendEntriesDecoder;
import io.raftlog.codecs.AppendResponseDecoder;
import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.InstallSnapshotDecoder;
import io.raftlog.codecs.InstallSnapshotResponseDecoder;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.ReadIndexRequestDecoder;
import io.raftlog.codecs.ReadIndexResponseDecoder;
import io.raftlog.codecs.MessageValidator;
import io.raftlog.codecs.TimeoutNowDecoder;
import io.raftlog.codecs.VoteRequestDecoder;
import io.raftlog.codecs.VoteResponseDecoder;
import io.raftlog.codecs.VoteType;
import io.raftlog.core.RaftCore;
import org.agrona.DirectBuffer;

/**
 * Decodes one received peer message with flyweights over the receive buffer and calls the core's typed method.
 * Anything malformed or foreign is counted and dropped before the core sees it: a bad message never stops a node.
 */
public final class PeerMessageDispatcher
{
    private final RaftCore core;
    private final KnownMembers knownMembers;
    private final MessageValidator validator = new MessageValidator();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final VoteRequestDecoder voteRequest = new VoteRequestDecoder();
    private final VoteResponseDecoder voteResponse = new VoteResponseDecoder();
    private final AppendEntriesDecoder appendEntries = new AppendEntriesDecoder();
    private final AppendResponseDecoder appendResponse = new AppendResponseDecoder();
    private final TimeoutNowDecoder timeoutNow = new TimeoutNowDecoder();
    private final InstallSnapshotDecoder installSnapshot = new InstallSnapshotDecoder();
    private final InstallSnapshotResponseDecoder installSnapshotResponse = new InstallSnapshotResponseDecoder();
    private final ReadIndexRequestDecoder readIndexRequest = new ReadIndexRequestDecoder();
    private final ReadIndexResponseDecoder readIndexResponse = new ReadIndexResponseDecoder();
    private long messagesReceived;
    private long messagesRejected;
    private long unknownSenders;

    public PeerMessageDispatcher(final RaftCore core)
    {
        this(core, KnownMembers.ANY);
    }

    public PeerMessageDispatcher(final RaftCore core, final KnownMembers knownMembers)
    {
        this.core = core;
        this.knownMembers = knownMembers;
    }

    /**
     * @return well-formed messages dropped because their sender is not a member this node knows.
     */
    public long unknownSenders()
    {
        return unknownSenders;
    }

    private boolean isForeign(final int senderId)
    {
        if (knownMembers.isKnown(senderId))
        {
            return false;
        }
        unknownSenders++;
        messagesRejected++;
        return true;
    }

    public long messagesReceived()
    {
        return messagesReceived;
    }

    /**
     * @return messages dropped as malformed, foreign, or not a peer message.
     */
    public long messagesRejected()
    {
        return messagesRejected;
    }

    /**
     * @return true when the message was well formed and handed to the core.
     */
    public boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        messagesReceived++;
        final int templateId = validator.validate(buffer, offset, length);
        if (templateId < 0)
        {
            messagesRejected++;
            return false;
        }
        header.wrap(buffer, offset);
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        switch (templateId)
        {
            case VoteRequestDecoder.TEMPLATE_ID:
                voteRequest.wrap(buffer, bodyOffset, blockLength, version);
                if (isForeign(voteRequest.candidateId()))
                {
                    return false;
                }
                core.onVoteRequest(
                    voteRequest.term(),
                    voteRequest.lastLogIndex(),
                    voteRequest.lastLogTerm(),
                    voteRequest.candidateId(),
                    voteRequest.voteType() == VoteType.PRE_VOTE,
                    voteRequest.leadershipTransfer() == BooleanType.TRUE);
                return true;

            case VoteResponseDecoder.TEMPLATE_ID:
                voteResponse.wrap(buffer, bodyOffset, blockLength, version);
                if (isForeign(voteResponse.voterId()))
                {
                    return false;
                }
                core.onVoteResponse(
                    voteResponse.term(),
                    voteResponse.voterId(),
                    voteResponse.voteType() == VoteType.PRE_VOTE,
                    voteResponse.granted() == BooleanType.TRUE);
                return true;

            case AppendEntriesDecoder.TEMPLATE_ID:
            {
                appendEntries.wrap(buffer, bodyOffset, blockLength, version);
                final long term = appendEntries.term();
                final long prevLogIndex = appendEntries.prevLogIndex();
                final long prevLogTerm = appendEntries.prevLogTerm();
                final long leaderCommit = appendEntries.leaderCommit();
                final int leaderId = appendEntries.leaderId();
                if (isForeign(leaderId))
                {
                    return false;
                }
                final int entryCount = appendEntries.entryCount();
                final int entriesLength = appendEntries.entriesLength();
                final long readSeq = appendEntries.readSeq();
                final long leaderTimeNs = appendEntries.leaderTimeNs();
                final int entriesOffset = appendEntries.limit() + AppendEntriesDecoder.entriesHeaderLength();
                core.onAppendEntries(
                    term,
                    leaderId,
                    prevLogIndex,
                    prevLogTerm,
                    leaderCommit,
                    entryCount,
                    buffer,
                    entriesOffset,
                    entriesLength,
                    readSeq,
                    leaderTimeNs);
                return true;
            }

            case AppendResponseDecoder.TEMPLATE_ID:
                appendResponse.wrap(buffer, bodyOffset, blockLength, version);
                if (isForeign(appendResponse.followerId()))
                {
                    return false;
                }
                core.onAppendResponse(
                    appendResponse.term(),
                    appendResponse.followerId(),
                    appendResponse.success() == BooleanType.TRUE,
                    appendResponse.matchIndex(),
                    appendResponse.conflictIndex(),
                    appendResponse.conflictTerm(),
                    appendResponse.lastLogIndex(),
                    appendResponse.rejectedIndex(),
                    appendResponse.ackedReadSeq(),
                    appendResponse.ackedLeaderTimeNs());
                return true;

            case TimeoutNowDecoder.TEMPLATE_ID:
                timeoutNow.wrap(buffer, bodyOffset, blockLength, version);
                if (isForeign(timeoutNow.leaderId()))
                {
                    return false;
                }
                core.onTimeoutNow(timeoutNow.term(), timeoutNow.leaderId());
                return true;

            case InstallSnapshotDecoder.TEMPLATE_ID:
            {
                installSnapshot.wrap(buffer, bodyOffset, blockLength, version);
                final long term = installSnapshot.term();
                final long lastIncludedIndex = installSnapshot.lastIncludedIndex();
                final long lastIncludedTerm = installSnapshot.lastIncludedTerm();
                final long chunkOffset = installSnapshot.chunkOffset();
                final long snapshotLength = installSnapshot.snapshotLength();
                final int leaderId = installSnapshot.leaderId();
                if (isForeign(leaderId))
                {
                    return false;
                }
                final boolean lastChunk = installSnapshot.lastChunk() == BooleanType.TRUE;
                final int configurationLength = installSnapshot.configurationLength();
                final int configurationOffset =
                    installSnapshot.limit() + InstallSnapshotDecoder.configurationHeaderLength();
                installSnapshot.skipConfiguration();
                final int chunkLength = installSnapshot.chunkLength();
                final int chunkOffsetInBuffer = installSnapshot.limit() + InstallSnapshotDecoder.chunkHeaderLength();
                core.onInstallSnapshot(
                    term,
                    leaderId,
                    lastIncludedIndex,
                    lastIncludedTerm,
                    chunkOffset,
                    snapshotLength,
                    lastChunk,
                    buffer,
                    configurationOffset,
                    configurationLength,
                    buffer,
                    chunkOffsetInBuffer,
                    chunkLength);
                return true;
            }

            case InstallSnapshotResponseDecoder.TEMPLATE_ID:
                installSnapshotResponse.wrap(buffer, bodyOffset, blockLength, version);
                if (isForeign(installSnapshotResponse.followerId()))
                {
                    return false;
                }
                core.onInstallSnapshotResponse(
                    installSnapshotResponse.term(),
                    installSnapshotResponse.followerId(),
                    installSnapshotResponse.lastIncludedIndex(),
                    installSnapshotResponse.nextChunkOffset(),
                    installSnapshotResponse.success() == BooleanType.TRUE);
                return true;

            case ReadIndexRequestDecoder.TEMPLATE_ID:
                readIndexRequest.wrap(buffer, bodyOffset, blockLength, version);
                if (isForeign(readIndexRequest.fromId()))
                {
                    return false;
                }
                core.onReadIndexRequest(readIndexRequest.term(), readIndexRequest.fromId(), readIndexRequest.requestId());
                return true;

            case ReadIndexResponseDecoder.TEMPLATE_ID:
                readIndexResponse.wrap(buffer, bodyOffset, blockLength, version);
                if (isForeign(readIndexResponse.leaderId()))
                {
                    return false;
                }
                core.onReadIndexResponse(
                    readIndexResponse.term(),
                    readIndexResponse.leaderId(),
                    readIndexResponse.requestId(),
                    readIndexResponse.readIndex());
                return true;

            default:
                messagesRejected++;
                return false;
        }
    }
}

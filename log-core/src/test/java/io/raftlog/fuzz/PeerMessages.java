package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.raftlog.codecs.AppendEntriesEncoder;
import io.raftlog.codecs.AppendResponseEncoder;
import io.raftlog.codecs.InstallSnapshotEncoder;
import io.raftlog.codecs.InstallSnapshotResponseEncoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.ReadIndexRequestEncoder;
import io.raftlog.codecs.ReadIndexResponseEncoder;
import io.raftlog.codecs.TimeoutNowEncoder;
import io.raftlog.codecs.VoteRequestEncoder;
import io.raftlog.codecs.VoteResponseEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes one peer message from fuzz input: a valid SBE header and a body of one of the nine peer messages whose
 * fields are drawn around what the receiver holds ({@link Pivot}), so the input reaches the core's decisions rather
 * than stopping at the validator. {@link WireDamage} may then bend the framing.
 */
final class PeerMessages
{
    /** What the receiving member holds now: the values fields are drawn around. */
    static final class Pivot
    {
        long term;
        long lastIndex;
        long lastTerm;
        long commitIndex;
        int[] memberIds;
    }

    private static final int TEMPLATES = 9;
    private static final int BOOLEAN_CODES = 2;
    private static final int VOTE_TYPE_CODES = 2;

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
    private final EntryRuns entryRuns = new EntryRuns();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);

    /**
     * @return the encoded length, header included.
     */
    int write(final FuzzedDataProvider data, final MutableDirectBuffer dst, final int offset, final Pivot pivot)
    {
        final int[] ids = pivot.memberIds;
        switch (data.consumeInt(0, TEMPLATES - 1))
        {
            case 0:
                voteRequest.wrapAndApplyHeader(dst, offset, header)
                    .term(Draw.near(data, pivot.term))
                    .lastLogIndex(Draw.near(data, pivot.lastIndex))
                    .lastLogTerm(Draw.near(data, pivot.lastTerm))
                    .candidateId(Draw.memberId(data, ids));
                dst.putByte(voteRequest.offset() + VoteRequestEncoder.voteTypeEncodingOffset(),
                    Draw.enumCode(data, VOTE_TYPE_CODES));
                dst.putByte(voteRequest.offset() + VoteRequestEncoder.leadershipTransferEncodingOffset(),
                    Draw.enumCode(data, BOOLEAN_CODES));
                return MessageHeaderEncoder.ENCODED_LENGTH + voteRequest.encodedLength();

            case 1:
                voteResponse.wrapAndApplyHeader(dst, offset, header)
                    .term(Draw.near(data, pivot.term))
                    .voterId(Draw.memberId(data, ids));
                dst.putByte(voteResponse.offset() + VoteResponseEncoder.voteTypeEncodingOffset(),
                    Draw.enumCode(data, VOTE_TYPE_CODES));
                dst.putByte(voteResponse.offset() + VoteResponseEncoder.grantedEncodingOffset(),
                    Draw.enumCode(data, BOOLEAN_CODES));
                return MessageHeaderEncoder.ENCODED_LENGTH + voteResponse.encodedLength();

            case 2:
                return writeAppendEntries(data, dst, offset, pivot);

            case 3:
                appendResponse.wrapAndApplyHeader(dst, offset, header)
                    .term(Draw.near(data, pivot.term))
                    .matchIndex(Draw.near(data, pivot.lastIndex))
                    .conflictIndex(Draw.near(data, pivot.commitIndex))
                    .conflictTerm(Draw.near(data, pivot.lastTerm))
                    .lastLogIndex(Draw.near(data, pivot.lastIndex))
                    .rejectedIndex(Draw.near(data, pivot.lastIndex))
                    .followerId(Draw.memberId(data, ids))
                    .ackedReadSeq(Draw.near(data, 1))
                    .ackedLeaderTimeNs(Draw.near(data, 0));
                dst.putByte(appendResponse.offset() + AppendResponseEncoder.successEncodingOffset(),
                    Draw.enumCode(data, BOOLEAN_CODES));
                return MessageHeaderEncoder.ENCODED_LENGTH + appendResponse.encodedLength();

            case 4:
                timeoutNow.wrapAndApplyHeader(dst, offset, header)
                    .term(Draw.near(data, pivot.term))
                    .leaderId(Draw.memberId(data, ids));
                return MessageHeaderEncoder.ENCODED_LENGTH + timeoutNow.encodedLength();

            case 5:
                return writeInstallSnapshot(data, dst, offset, pivot);

            case 6:
                installSnapshotResponse.wrapAndApplyHeader(dst, offset, header)
                    .term(Draw.near(data, pivot.term))
                    .lastIncludedIndex(Draw.near(data, pivot.commitIndex))
                    .nextChunkOffset(Draw.near(data, 0))
                    .followerId(Draw.memberId(data, ids));
                dst.putByte(installSnapshotResponse.offset() + InstallSnapshotResponseEncoder.successEncodingOffset(),
                    Draw.enumCode(data, BOOLEAN_CODES));
                return MessageHeaderEncoder.ENCODED_LENGTH + installSnapshotResponse.encodedLength();

            case 7:
                readIndexRequest.wrapAndApplyHeader(dst, offset, header)
                    .term(Draw.near(data, pivot.term))
                    .requestId(Draw.near(data, 1))
                    .fromId(Draw.memberId(data, ids));
                return MessageHeaderEncoder.ENCODED_LENGTH + readIndexRequest.encodedLength();

            default:
                readIndexResponse.wrapAndApplyHeader(dst, offset, header)
                    .term(Draw.near(data, pivot.term))
                    .requestId(Draw.near(data, 1))
                    .readIndex(Draw.near(data, pivot.commitIndex))
                    .leaderId(Draw.memberId(data, ids));
                return MessageHeaderEncoder.ENCODED_LENGTH + readIndexResponse.encodedLength();
        }
    }

    private int writeAppendEntries(
        final FuzzedDataProvider data, final MutableDirectBuffer dst, final int offset, final Pivot pivot)
    {
        final long prevLogIndex = Draw.near(data, pivot.lastIndex);
        final long prevLogTerm = Draw.near(data, pivot.lastTerm);
        final long term = Draw.near(data, pivot.term);
        final int length = entryRuns.write(data, scratch, 0, prevLogIndex + 1, data.consumeBoolean() ? term :
            prevLogTerm, pivot.memberIds);
        appendEntries.wrapAndApplyHeader(dst, offset, header)
            .term(term)
            .prevLogIndex(prevLogIndex)
            .prevLogTerm(prevLogTerm)
            .leaderCommit(Draw.near(data, pivot.lastIndex))
            .leaderId(Draw.memberId(data, pivot.memberIds))
            .entryCount(data.consumeInt(0, 15) == 0 ? data.consumeInt() : entryRuns.count())
            .readSeq(Draw.near(data, 1))
            .leaderTimeNs(Draw.near(data, 0))
            .putEntries(scratch, 0, length);
        return MessageHeaderEncoder.ENCODED_LENGTH + appendEntries.encodedLength();
    }

    private int writeInstallSnapshot(
        final FuzzedDataProvider data, final MutableDirectBuffer dst, final int offset, final Pivot pivot)
    {
        final long snapshotLength = data.consumeInt(0, 3) == 0 ? Draw.near(data, 0) : data.consumeInt(0, 64);
        installSnapshot.wrapAndApplyHeader(dst, offset, header)
            .term(Draw.near(data, pivot.term))
            .lastIncludedIndex(Draw.near(data, pivot.lastIndex))
            .lastIncludedTerm(Draw.near(data, pivot.lastTerm))
            .chunkOffset(data.consumeBoolean() ? 0 : Draw.near(data, 0))
            .snapshotLength(snapshotLength)
            .leaderId(Draw.memberId(data, pivot.memberIds));
        dst.putByte(installSnapshot.offset() + InstallSnapshotEncoder.lastChunkEncodingOffset(),
            Draw.enumCode(data, BOOLEAN_CODES));

        // the membership the snapshot carries: as a configuration entry's payload, or any bytes
        final int configurationLength;
        if (data.consumeInt(0, 7) == 0)
        {
            final byte[] bytes = data.consumeBytes(Draw.length(data, 256));
            scratch.putBytes(0, bytes);
            configurationLength = bytes.length;
        }
        else
        {
            configurationLength = entryRuns.writeConfiguration(data, scratch, 0, pivot.memberIds);
        }
        installSnapshot.putConfiguration(scratch, 0, configurationLength);
        final byte[] chunk = data.consumeBytes(Draw.length(data, 128));
        installSnapshot.putChunk(chunk, 0, chunk.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + installSnapshot.encodedLength();
    }
}

package io.raftlog.fuzz;

import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.MembershipConfigurationEncoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.core.RaftCore;
import io.raftlog.core.Role;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the peer-port fuzz target found, one rule each: a faulty or malicious peer's message is refused and counted,
 * never a crash, and never a change to what this member committed. (The inputs that found them are kept under
 * {@code PeerPortFuzzTestInputs} and replay in every build.)
 */
class PeerPortFindingsTest
{
    private static final int FOLLOWER = 0;
    private static final int LEADER_ID = 2;

    private final LogEntryCodec codec = new LogEntryCodec();
    private final ExpandableArrayBuffer records = new ExpandableArrayBuffer(1024);
    private final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[16]);

    @Test
    void aTermAtTheLargestValueNeverWrapsToANegativeOne()
    {
        final PeerNode node = new PeerNode(FOLLOWER, true, false);
        node.core.onTimeoutNow(Long.MAX_VALUE, LEADER_ID);
        node.tick(node.nowNs + 1_000 * PeerNode.MS);

        assertEquals(Long.MAX_VALUE, node.core.currentTerm());
        assertEquals(Long.MAX_VALUE, node.meta.currentTerm());
        assertEquals(Role.FOLLOWER, node.core.role(), "no election: the next term does not exist");
    }

    @Test
    void aConfigurationEntryThatCannotBeReadIsRefusedBeforeItIsAppended()
    {
        final PeerNode node = new PeerNode(FOLLOWER, true, false);
        final long lastIndex = node.log.lastIndex();
        final int configurationLength = configuration(LEADER_ID, LEADER_ID); // a member listed twice
        final int length = codec.encode(records, 0, lastIndex + 1, node.core.currentTerm(), 0,
            EntryType.CONFIGURATION, payload, 0, configurationLength);
        final long dropped = node.core.droppedMessages();

        appendEntries(node, node.core.currentTerm(), lastIndex, 1, length);

        assertEquals(lastIndex, node.log.lastIndex(), "nothing appended");
        assertEquals(dropped + 1, node.core.droppedMessages());
    }

    @Test
    void entriesOfAnEarlierTermThanTheirPredecessorOrALaterTermThanTheLeaderAreRefused()
    {
        final PeerNode node = new PeerNode(FOLLOWER, true, false);
        final long term = node.core.currentTerm();
        final long lastIndex = node.log.lastIndex();

        appendEntries(node, term, lastIndex, 1, entry(lastIndex + 1, term - 1));
        appendEntries(node, term, lastIndex, 1, entry(lastIndex + 1, term + 1));

        assertEquals(lastIndex, node.log.lastIndex(), "nothing appended");
        assertEquals(term, node.log.termAt(lastIndex));
    }

    @Test
    void anEntryThatWouldReplaceACommittedOneIsRefusedAndCounted()
    {
        final PeerNode node = new PeerNode(FOLLOWER, true, false);
        final long commitIndex = node.core.commitIndex();
        final int checksum = node.log.checksumAt(commitIndex);
        final long newTerm = node.core.currentTerm() + 1;

        // a leader of a later term whose log differs at the commit index: Raft says it cannot be elected
        appendEntries(node, newTerm, commitIndex - 1, commitIndex, entry(commitIndex, newTerm));

        assertEquals(checksum, node.log.checksumAt(commitIndex), "the committed entry stays");
        assertEquals(1, node.core.committedConflictsRefused());
        assertEquals(commitIndex, node.core.commitIndex());
    }

    @Test
    void aSnapshotChunkOutsideItsSnapshotOrAMembershipThatCannotBeReadIsRefused()
    {
        final PeerNode node = new PeerNode(FOLLOWER, true, false);
        final long term = node.core.currentTerm();
        final long index = node.log.lastIndex() + 10;
        final int configurationLength = configuration(1, LEADER_ID, 3);
        final long dropped = node.core.droppedMessages();

        installSnapshot(node, term, index, term, 0, 8, configurationLength, 16); // a chunk past its snapshot
        installSnapshot(node, term, index, term, 0, -1, configurationLength, 0); // a negative length
        installSnapshot(node, term, index, term + 1, 0, 8, configurationLength, 8); // a later term than the leader's
        installSnapshot(node, term, RaftCore.MAX_INDEX + 1, term, 0, 8, configurationLength, 8);
        installSnapshot(node, term, index, term, 0, 8, configurationLength - 1, 8); // a membership cut short

        assertEquals(dropped + 5, node.core.droppedMessages());
        assertEquals(0, node.core.snapshotsInstalled());

        installSnapshot(node, term, index, term, 0, 8, configurationLength, 8);
        assertEquals(1, node.core.snapshotsInstalled(), "a well-formed snapshot still installs");
        assertEquals(index, node.core.commitIndex());
    }

    private int entry(final long index, final long term)
    {
        return codec.encode(records, 0, index, term, 0, EntryType.APPLICATION, payload, 0, 8);
    }

    private void appendEntries(
        final PeerNode node, final long term, final long prevLogIndex, final long leaderCommit, final int length)
    {
        node.core.onAppendEntries(term, LEADER_ID, prevLogIndex, node.log.termAt(prevLogIndex), leaderCommit, 1,
            records, 0, length, 0, 0);
    }

    private void installSnapshot(
        final PeerNode node, final long term, final long index, final long indexTerm, final long chunkOffset,
        final long snapshotLength, final int configurationLength, final int chunkLength)
    {
        node.core.onInstallSnapshot(term, LEADER_ID, index, indexTerm, chunkOffset, snapshotLength, true,
            payload, 0, configurationLength, chunk, 0, chunkLength);
    }

    /**
     * Writes a configuration of voters into {@link #payload}.
     *
     * @return its length.
     */
    private int configuration(final int... memberIds)
    {
        final MembershipConfigurationEncoder encoder = new MembershipConfigurationEncoder()
            .wrapAndApplyHeader(payload, 0, new MessageHeaderEncoder())
            .joint(BooleanType.FALSE);
        final MembershipConfigurationEncoder.MembersEncoder members = encoder.membersCount(memberIds.length);
        for (final int id : memberIds)
        {
            members.next().memberId(id).voterInOld(BooleanType.TRUE).voterInNew(BooleanType.TRUE)
                .promote(BooleanType.FALSE).endpoint("127.0.0.1:" + (20000 + id));
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        assertTrue(length < payload.capacity());
        return length;
    }
}

package io.raftlog.core;

import io.raftlog.core.CoreHarness.AppendEntries;
import io.raftlog.core.CoreHarness.AppendResponse;
import io.raftlog.core.CoreHarness.ReadAnswer;
import io.raftlog.core.CoreHarness.ReadIndexRequest;
import io.raftlog.core.CoreHarness.ReadIndexResponse;
import io.raftlog.core.CoreHarness.VoteResponse;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.raftlog.core.CoreHarness.ELECTION_TIMEOUT_NS;
import static io.raftlog.core.CoreHarness.MS;
import static io.raftlog.core.CoreHarness.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linearizable reads without writing to the log (thesis 6.4): ReadIndex, its forwarding from followers, and lease
 * reads (thesis 6.4.1). Each test drives one core by hand.
 */
class RaftCoreReadsTest
{
    private static final long DRIFT_NS = 10 * MS;
    private static final long LEASE_NS = ELECTION_TIMEOUT_NS - DRIFT_NS;

    // ---------------------------------------------------------------------------------------------------------------
    // ReadIndex at the leader
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aReadIsAnsweredOnlyOnceAQuorumAcknowledgesARoundSentAfterIt()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        final long commit = h.core.commitIndex();

        assertEquals(0, h.core.readIndex(7));
        assertEquals(List.of(), h.readAnswers, "not before the round");
        h.flush();
        final long round = h.only(AppendEntries.class, 2).readSeq();
        assertEquals(round, h.only(AppendEntries.class, 3).readSeq(), "every follower hears of the round at once");

        h.echo(h.core.currentTerm(), 2, commit, round - 1, h.now());
        assertEquals(List.of(), h.readAnswers, "an acknowledgement of an earlier round proves nothing about now");

        h.echo(h.core.currentTerm(), 2, commit, round, h.now());
        assertEquals(List.of(new ReadAnswer(7, commit)), h.readAnswers,
            "thesis 6.4 step 3: the leader and one follower are a quorum of three");
        assertEquals(0, h.core.pendingReads());
    }

    @Test
    void theReadIndexOfANewLeaderIsItsNoOpUntilTheNoOpCommits()
    {
        final CoreHarness h = member(1).log(1, 1).meta(1, 0).start().elect();
        final long noOp = h.log.lastIndex();
        assertTrue(h.core.commitIndex() < noOp);

        h.core.readIndex(1);
        h.flush();
        h.echo(h.core.currentTerm(), 3, 0, h.only(AppendEntries.class, 3).readSeq(), h.now());

        assertEquals(List.of(new ReadAnswer(1, noOp)), h.readAnswers,
            "thesis 6.4 step 1: the no-op's commitment brings in every entry committed before the read");
    }

    @Test
    void readsWaitingTogetherAreConfirmedByOneRoundInOrder()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        h.core.readIndex(1);
        h.core.readIndex(2);
        h.flush();
        final long round = h.only(AppendEntries.class, 2).readSeq();

        h.echo(h.core.currentTerm(), 3, h.core.commitIndex(), round, h.now());
        assertEquals(List.of(1L, 2L), h.readAnswers.stream().map(ReadAnswer::requestId).toList());
    }

    @Test
    void aLeaderThatStepsDownRefusesTheReadsItHolds()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        h.core.readIndex(5);
        h.flush();

        h.appendEntries(h.core.currentTerm() + 1, 2, 0, 0, 0); // a newer leader
        assertEquals(List.of(new ReadAnswer(5, OfferResult.NOT_LEADER)), h.readAnswers);
    }

    @Test
    void aSingleMemberConfirmsItsReadsInTheNextFlush()
    {
        final CoreHarness h = member(1).members(1).start().electAndReplicate();
        h.core.readIndex(3);
        h.flush();
        assertEquals(List.of(new ReadAnswer(3, h.core.commitIndex())), h.readAnswers);
    }

    @Test
    void tooManyWaitingReadsAreRefused()
    {
        final CoreHarness h = member(1).config(c -> c.maxPendingReads(2)).start().electAndReplicate();
        assertEquals(0, h.core.readIndex(1));
        assertEquals(0, h.core.readIndex(2));
        assertEquals(OfferResult.BACK_PRESSURED, h.core.readIndex(3));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // ReadIndex from a follower
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aFollowerAsksItsLeaderAndPassesOnTheAnswer()
    {
        final CoreHarness h = member(1).meta(2, 0).start().at(MS);
        h.appendEntries(2, 2, 0, 0, 0);
        h.sent.clear();

        assertEquals(0, h.core.readIndex(9));
        assertEquals(new ReadIndexRequest(2, 2, 1, 9), h.only(ReadIndexRequest.class));

        h.core.onReadIndexResponse(2, 2, 9, 4);
        assertEquals(List.of(new ReadAnswer(9, 4)), h.readAnswers);
    }

    @Test
    void aMemberThatKnowsNoLeaderRefusesAReadAtOnce()
    {
        final CoreHarness h = member(1).start();
        assertEquals(OfferResult.NOT_LEADER, h.core.readIndex(1));
        h.assertNothingSent();
    }

    @Test
    void aLeaderConfirmsAFollowersReadAndAnswersIt()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        final long term = h.core.currentTerm();
        h.core.onReadIndexRequest(term, 2, 42);
        h.flush();

        h.echo(term, 2, h.core.commitIndex(), h.only(AppendEntries.class, 2).readSeq(), h.now());
        assertEquals(new ReadIndexResponse(2, term, 1, 42, h.core.commitIndex()), h.only(ReadIndexResponse.class));
        assertEquals(List.of(), h.readAnswers, "the answer is the follower's, not this member's");
    }

    @Test
    void aMemberThatDoesNotLeadTheRequestersTermRefusesItsRead()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        h.core.onReadIndexRequest(h.core.currentTerm() + 1, 2, 42);
        assertEquals(OfferResult.NOT_LEADER, h.only(ReadIndexResponse.class).readIndex());
    }

    @Test
    void aFollowerEchoesTheLatestRoundAndSendTimeItHasHeardInItsAnswers()
    {
        final CoreHarness h = member(1).meta(2, 0).start().at(MS);
        final UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
        h.core.onAppendEntries(2, 2, 0, 0, 0, 0, none, 0, 0, 5, 1_234);
        h.core.onAppendEntries(2, 2, 0, 0, 0, 0, none, 0, 0, 4, 1_000); // reordered: older
        h.flush();

        final AppendResponse answer = h.only(AppendResponse.class, 2);
        assertEquals(5, answer.ackedReadSeq());
        assertEquals(1_234, answer.ackedLeaderTimeNs());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lease reads
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aLeaseLastsTheElectionTimeoutLessTheDriftBoundFromTheSendTimeAQuorumAcknowledged()
    {
        final CoreHarness h = leaseLeader();
        final long sentAt = h.now();
        h.echo(h.core.currentTerm(), 2, h.core.commitIndex(), 0, sentAt);

        assertEquals(h.core.commitIndex(), h.core.leaseReadIndex(sentAt + LEASE_NS - 1));
        assertEquals(OfferResult.NO_LEASE, h.core.leaseReadIndex(sentAt + LEASE_NS),
            "thesis 6.4.1: past the lease another leader may have been elected");
    }

    @Test
    void anAcknowledgementFromAMinorityGivesNoLease()
    {
        final CoreHarness h = member(1).members(1, 2, 3, 4, 5)
            .config(c -> c.leaseReads(true).clockDriftBoundNs(DRIFT_NS)).start().electAndReplicate();
        h.echo(h.core.currentTerm(), 2, h.core.commitIndex(), 0, h.now());
        assertEquals(OfferResult.NO_LEASE, h.core.leaseReadIndex(h.now()), "two of five");
        h.echo(h.core.currentTerm(), 4, h.core.commitIndex(), 0, h.now());
        assertEquals(h.core.commitIndex(), h.core.leaseReadIndex(h.now()), "three of five");
    }

    @Test
    void aLeaderTransferringLeadershipHoldsNoLease()
    {
        final CoreHarness h = leaseLeader();
        h.echo(h.core.currentTerm(), 2, h.core.commitIndex(), 0, h.now());
        h.echo(h.core.currentTerm(), 3, h.core.commitIndex(), 0, h.now());
        assertTrue(h.core.transferLeadership(2));
        assertEquals(OfferResult.NO_LEASE, h.core.leaseReadIndex(h.now()),
            "TimeoutNow lets the target win at once, lease or not");
    }

    @Test
    void leaseReadsAreOffUnlessConfigured()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        h.echo(h.core.currentTerm(), 2, h.core.commitIndex(), 0, h.now());
        assertEquals(OfferResult.NO_LEASE, h.core.leaseReadIndex(h.now()));
        assertEquals(OfferResult.NOT_LEADER, member(2).start().core.leaseReadIndex(0));
    }

    @Test
    void leaseReadsNeedCheckQuorum()
    {
        assertThrows(IllegalArgumentException.class,
            () -> new RaftConfig().selfId(1).memberIds(1).leaseReads(true).checkQuorum(false).conclude());
    }

    @Test
    void withLeaseReadsARestartedMemberRefusesVotesForAnElectionTimeout()
    {
        final CoreHarness h = member(1).config(c -> c.leaseReads(true)).meta(2, 0).start(MS);
        h.voteRequest(3, 0, 0, 3, false, false);
        h.assertNothingSent();
        assertEquals(2, h.core.currentTerm(), "it may have acknowledged a leader's lease just before it restarted");

        h.at(MS + ELECTION_TIMEOUT_NS);
        h.sent.clear();
        h.voteRequest(3, 0, 0, 3, false, false);
        assertTrue(h.only(VoteResponse.class, 3).granted());
    }

    private static CoreHarness leaseLeader()
    {
        return member(1).config(c -> c.leaseReads(true).clockDriftBoundNs(DRIFT_NS)).start().electAndReplicate();
    }
}

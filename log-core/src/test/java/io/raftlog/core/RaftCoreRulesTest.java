package io.raftlog.core;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.CoreHarness.AppendEntries;
import io.raftlog.core.CoreHarness.AppendResponse;
import io.raftlog.core.CoreHarness.RoleChange;
import io.raftlog.core.CoreHarness.TimeoutNow;
import io.raftlog.core.CoreHarness.VoteRequest;
import io.raftlog.core.CoreHarness.VoteResponse;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.SplittableRandom;

import static io.raftlog.core.CoreHarness.ELECTION_TIMEOUT_NS;
import static io.raftlog.core.CoreHarness.HEARTBEAT_NS;
import static io.raftlog.core.CoreHarness.MS;
import static io.raftlog.core.CoreHarness.SURELY_TIMED_OUT_NS;
import static io.raftlog.core.CoreHarness.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of Raft, one test each, named after the sentence of the paper (In Search of an Understandable Consensus
 * Algorithm, extended version: "paper") or of Ongaro's dissertation ("thesis") that they check. Each drives one
 * {@link RaftCore} by hand through a {@link CoreHarness}: messages, ticks and storage completions are delivered
 * explicitly, and what the core sends is read back from a recording transport.
 */
class RaftCoreRulesTest
{
    private static final long NO_VOTE = MetaStore.NO_VOTE;

    // ---------------------------------------------------------------------------------------------------------------
    // Election timeout (paper 5.2, thesis 9.6)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aFollowerThatHearsNothingForTheElectionTimeoutStartsAPreVoteWithoutRaisingItsTerm()
    {
        final CoreHarness h = member(1).log(1, 2, 3).meta(3, 0).start();
        final long metaWrites = h.meta.writes();

        h.at(ELECTION_TIMEOUT_NS - 1);
        assertEquals(Role.FOLLOWER, h.core.role(), "the timeout is at least the election timeout");
        h.assertNothingSent();

        h.at(SURELY_TIMED_OUT_NS);
        assertEquals(Role.PRE_CANDIDATE, h.core.role());
        assertEquals(3, h.core.currentTerm(), "thesis 9.6: a pre-vote does not raise the term");
        assertEquals(metaWrites, h.meta.writes(), "nothing persisted");
        assertEquals(NO_VOTE, h.meta.votedFor());
        for (final int peer : new int[] {2, 3})
        {
            final VoteRequest request = h.only(VoteRequest.class, peer);
            assertEquals(4, request.term(), "asks about the term it would campaign in");
            assertTrue(request.preVote());
            assertFalse(request.transfer());
            assertEquals(3, request.lastLogIndex());
            assertEquals(3, request.lastLogTerm());
            assertEquals(1, request.candidateId());
        }
        assertEquals(0, h.core.electionsStarted());
    }

    @Test
    void withoutPreVoteATimedOutFollowerCampaignsAtTermPlusOneAndPersistsItsOwnVoteBeforeAsking()
    {
        final CoreHarness h = member(1).config(c -> c.preVote(false)).log(1, 2, 3).meta(3, 0).start();

        h.at(SURELY_TIMED_OUT_NS);
        assertEquals(Role.CANDIDATE, h.core.role());
        assertEquals(4, h.core.currentTerm(), "paper 5.2: increments its current term");
        assertEquals(1, h.core.votedFor(), "votes for itself");
        assertEquals(4, h.meta.currentTerm());
        assertEquals(1, h.meta.votedFor());
        final List<VoteRequest> requests = h.sent(VoteRequest.class);
        assertEquals(2, requests.size());
        for (final VoteRequest request : requests)
        {
            assertEquals(4, request.term());
            assertFalse(request.preVote());
            assertEquals(4, request.metaTerm(), "term persisted before the request left");
            assertEquals(1, request.metaVote(), "own vote persisted before the request left");
            assertEquals(3, request.lastLogIndex());
            assertEquals(3, request.lastLogTerm());
        }
        assertEquals(1, h.core.electionsStarted());
    }

    @Test
    void aPreCandidateThatWinsAMajorityOfPreVotesCampaignsForReal()
    {
        final CoreHarness h = member(1).meta(3, 0).start().at(SURELY_TIMED_OUT_NS);
        h.sent.clear();

        h.preVote(4, 2, true);
        assertEquals(Role.CANDIDATE, h.core.role());
        assertEquals(4, h.core.currentTerm());
        assertEquals(4, h.meta.currentTerm());
        assertEquals(1, h.meta.votedFor());
        assertEquals(2, h.sent(VoteRequest.class).size());
        assertTrue(h.sent(VoteRequest.class).stream().noneMatch(VoteRequest::preVote));
    }

    @Test
    void aPreCandidateRefusedByAMajorityReturnsToFollowerInTheSameTerm()
    {
        final CoreHarness h = member(1).meta(3, 0).start().at(SURELY_TIMED_OUT_NS);

        h.preVote(3, 2, false);
        assertEquals(Role.PRE_CANDIDATE, h.core.role(), "one refusal is not a majority");
        h.preVote(3, 3, false);
        assertEquals(Role.FOLLOWER, h.core.role());
        assertEquals(3, h.core.currentTerm());
        assertEquals(3, h.meta.currentTerm());
    }

    @Test
    void aCandidateBecomesLeaderOnlyWithVotesFromAMajority()
    {
        final CoreHarness h = member(1).members(1, 2, 3, 4, 5).config(c -> c.preVote(false)).start()
            .at(SURELY_TIMED_OUT_NS);
        assertEquals(1, h.core.currentTerm());

        h.vote(1, 2, true);
        assertEquals(Role.CANDIDATE, h.core.role(), "2 of 5 is no majority");
        h.vote(1, 2, true);
        assertEquals(Role.CANDIDATE, h.core.role(), "the same voter twice counts once");
        h.vote(1, 3, false);
        assertEquals(Role.CANDIDATE, h.core.role());
        h.vote(1, 4, true);
        assertEquals(Role.LEADER, h.core.role(), "3 of 5");
        assertEquals(1, h.core.leaderId());
    }

    @Test
    void aCandidateWhoseElectionTimesOutStartsANewElectionInANewTerm()
    {
        final CoreHarness h = member(1).config(c -> c.preVote(false)).start().at(SURELY_TIMED_OUT_NS);
        assertEquals(1, h.core.currentTerm());
        h.sent.clear();

        h.after(SURELY_TIMED_OUT_NS);
        assertEquals(Role.CANDIDATE, h.core.role());
        assertEquals(2, h.core.currentTerm(), "paper 5.2: a split vote leads to a new term");
        assertEquals(2, h.meta.currentTerm());
        assertEquals(2, h.sent(VoteRequest.class).size());
        h.vote(1, 2, true);
        assertEquals(Role.CANDIDATE, h.core.role(), "a vote from the earlier term does not count");
    }

    @Test
    void aSingleMemberElectsItselfAtOnce()
    {
        final CoreHarness h = member(1).members(1).start().at(SURELY_TIMED_OUT_NS);
        assertEquals(Role.LEADER, h.core.role());
        assertEquals(1, h.core.currentTerm());
        h.flush();
        assertEquals(1, h.log.lastIndex(), "its no-op");
        h.sync();
        assertEquals(1, h.core.commitIndex(), "a majority of one is its own durable log");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Voting (paper 5.2, 5.4.1; thesis 4.2.3, 9.6)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aVoteIsGrantedAtMostOncePerTermAndPersistedBeforeTheResponse()
    {
        final CoreHarness h = member(1).meta(1, 0).start().at(MS);

        h.voteRequest(2, 0, 0, 2, false, false);
        final VoteResponse granted = h.only(VoteResponse.class, 2);
        assertTrue(granted.granted());
        assertEquals(2, granted.term());
        assertEquals(2, granted.metaTerm(), "term persisted before the response left");
        assertEquals(2, granted.metaVote(), "vote persisted before the response left");
        assertEquals(2, h.core.votedFor());
        h.sent.clear();

        h.voteRequest(2, 0, 0, 3, false, false);
        final VoteResponse refused = h.only(VoteResponse.class, 3);
        assertFalse(refused.granted(), "paper figure 2: votedFor is null or candidateId");
        assertEquals(2, refused.term());
        assertEquals(2, h.meta.votedFor(), "the vote stands");
        h.sent.clear();

        h.voteRequest(2, 0, 0, 2, false, false);
        assertTrue(h.only(VoteResponse.class, 2).granted(), "a repeated request from the same candidate");
    }

    @ParameterizedTest(name = "candidate last index {0}, last term {1}: granted {2}")
    @CsvSource({
        "10, 1, false", // an older last term loses, however long the log
        " 2, 2, false", // same last term, shorter log
        " 3, 2, true",  // same last term, same length
        " 4, 2, true",  // same last term, longer
        " 1, 3, true",  // a newer last term wins, however short
    })
    void aVoteIsRefusedToACandidateWhoseLogIsLessUpToDate(
        final long lastIndex, final long lastTerm, final boolean granted)
    {
        // paper 5.4.1: the voter's log is [1, 1, 2]: last index 3, last term 2
        final CoreHarness h = member(1).log(1, 1, 2).meta(4, 0).start().at(MS);

        h.voteRequest(5, lastIndex, lastTerm, 2, false, false);
        final VoteResponse response = h.only(VoteResponse.class, 2);
        assertEquals(granted, response.granted());
        assertEquals(5, response.term(), "the newer term is adopted either way");
        assertEquals(5, h.meta.currentTerm());
        assertEquals(granted ? 2 : NO_VOTE, h.meta.votedFor());
    }

    @Test
    void aPreVoteDoesNotChangeTheReceiversTermOrVote()
    {
        final CoreHarness h = member(1).log(1).meta(3, 0).start().at(MS);
        final long metaWrites = h.meta.writes();

        h.voteRequest(4, 1, 1, 2, true, false);
        final VoteResponse response = h.only(VoteResponse.class, 2);
        assertTrue(response.preVote());
        assertTrue(response.granted());
        assertEquals(4, response.term(), "a granted pre-vote answers in the term asked about");
        assertEquals(3, h.core.currentTerm());
        assertEquals(NO_VOTE, h.core.votedFor());
        assertEquals(Role.FOLLOWER, h.core.role());
        assertEquals(metaWrites, h.meta.writes(), "nothing persisted");
        h.sent.clear();

        h.voteRequest(4, 1, 1, 3, false, false);
        assertTrue(h.only(VoteResponse.class, 3).granted(), "the real vote is still free");
    }

    @Test
    void aPreVoteIsRefusedToALessUpToDateLogInTheReceiversOwnTerm()
    {
        final CoreHarness h = member(1).log(1, 2).meta(3, 0).start().at(MS);

        h.voteRequest(4, 5, 1, 2, true, false);
        final VoteResponse response = h.only(VoteResponse.class, 2);
        assertFalse(response.granted());
        assertEquals(3, response.term());
        assertEquals(3, h.core.currentTerm());
    }

    @Test
    void aRequestFromAnOlderTermIsRefusedWithTheCurrentTerm()
    {
        final CoreHarness h = member(1).meta(5, 0).start().at(MS);

        h.voteRequest(4, 10, 4, 2, false, false);
        final VoteResponse response = h.only(VoteResponse.class, 2);
        assertFalse(response.granted());
        assertEquals(5, response.term());
        assertEquals(NO_VOTE, h.meta.votedFor());
    }

    @Test
    void votesAreIgnoredWhileALeaderIsHeardFromWithinTheElectionTimeout()
    {
        final CoreHarness h = member(1).meta(2, 0).start().at(MS);
        h.appendEntries(2, 2, 0, 0, 0); // leader 2's heartbeat
        h.flush();
        h.sent.clear();

        h.at(MS + ELECTION_TIMEOUT_NS / 2);
        h.voteRequest(3, 0, 0, 3, true, false);
        h.voteRequest(3, 0, 0, 3, false, false);
        h.assertNothingSent();
        assertEquals(2, h.core.currentTerm(), "thesis 4.2.3: the disruptive term is not adopted");
        assertEquals(NO_VOTE, h.meta.votedFor());
        assertEquals(2, h.core.leaderId());
    }

    @Test
    void aLeadershipTransferVoteIsHeardEvenWithinTheLease()
    {
        final CoreHarness h = member(1).meta(2, 0).start().at(MS);
        h.appendEntries(2, 2, 0, 0, 0);
        h.at(2 * MS);

        h.voteRequest(3, 0, 0, 3, false, true);
        final VoteResponse response = h.only(VoteResponse.class, 3);
        assertTrue(response.granted(), "thesis 3.10: TimeoutNow's election may disrupt the lease on purpose");
        assertEquals(3, h.core.currentTerm());
        assertEquals(3, h.meta.votedFor());
    }

    @Test
    void votesAreHeardAgainOnceTheLeaderIsSilentForAnElectionTimeout()
    {
        final CoreHarness h = member(1).meta(2, 0).start().at(MS);
        h.appendEntries(2, 2, 0, 0, 0);

        h.at(MS + ELECTION_TIMEOUT_NS); // the lease is over (this may also start a pre-vote: no matter)
        h.sent.clear();
        h.voteRequest(3, 0, 0, 3, false, false);
        assertTrue(h.only(VoteResponse.class, 3).granted());
        assertEquals(3, h.core.currentTerm());
    }

    @Test
    void withoutCheckQuorumThereIsNoLeaseAndVotesAreHeard()
    {
        final CoreHarness h = member(1).config(c -> c.checkQuorum(false)).meta(2, 0).start().at(MS);
        h.appendEntries(2, 2, 0, 0, 0);
        h.at(2 * MS);

        h.voteRequest(3, 0, 0, 3, false, false);
        assertTrue(h.only(VoteResponse.class, 3).granted());
    }

    @Test
    void aLeaderWithCheckQuorumIgnoresAVoteRequestOfAHigherTerm()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        final long term = h.core.currentTerm();

        h.voteRequest(term + 1, 100, term, 2, false, false);
        h.assertNothingSent();
        assertEquals(Role.LEADER, h.core.role());
        assertEquals(term, h.core.currentTerm());
    }

    @Test
    void aVoteRequestFromItselfIsDroppedAndCounted()
    {
        final CoreHarness h = member(1).start().at(MS);
        h.voteRequest(7, 0, 0, 1, false, false); // from itself
        h.assertNothingSent();
        assertEquals(0, h.core.currentTerm());
        assertEquals(1, h.core.droppedMessages());
    }

    /**
     * Dissertation 4.1: a member whose configuration lags must still vote for a candidate it does not know yet, or a
     * cluster whose newer members need its vote could never elect a leader to tell it; disruption by removed members
     * is prevented by pre-vote and the lease instead.
     */
    @Test
    void aVoteRequestFromAMemberNotInTheConfigurationIsAnsweredOnItsMerits()
    {
        final CoreHarness h = member(1).start().at(MS);
        h.voteRequest(7, 0, 0, 9, false, false);
        assertEquals(7, h.core.currentTerm());
        assertEquals(9, h.core.votedFor());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Higher terms (paper figure 2, "Rules for Servers")
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aCandidateThatSeesAHigherTermInAVoteResponseStepsDownToFollowerInThatTerm()
    {
        final CoreHarness h = member(1).config(c -> c.preVote(false)).start().at(SURELY_TIMED_OUT_NS);
        assertEquals(Role.CANDIDATE, h.core.role());

        h.vote(5, 2, false);
        assertEquals(Role.FOLLOWER, h.core.role(), "paper figure 2: if term > currentTerm, convert to follower");
        assertEquals(5, h.core.currentTerm());
        assertEquals(5, h.meta.currentTerm());
        assertEquals(NO_VOTE, h.meta.votedFor(), "no vote yet in the new term");
    }

    @Test
    void aPreCandidateThatSeesAHigherTermStepsDownToFollowerInThatTerm()
    {
        final CoreHarness h = member(1).meta(2, 0).start().at(SURELY_TIMED_OUT_NS);
        assertEquals(Role.PRE_CANDIDATE, h.core.role());

        h.preVote(6, 2, false);
        assertEquals(Role.FOLLOWER, h.core.role());
        assertEquals(6, h.core.currentTerm());
    }

    @Test
    void aLeaderThatSeesAHigherTermInAnAppendResponseStepsDownToFollowerInThatTerm()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        assertEquals(1, h.core.currentTerm());

        h.ack(7, 2, 0);
        assertEquals(Role.FOLLOWER, h.core.role());
        assertEquals(7, h.core.currentTerm());
        assertEquals(7, h.meta.currentTerm());
        assertEquals(RaftCore.NO_MEMBER, h.core.leaderId());
        assertEquals(OfferResult.NOT_LEADER, h.offer(1));
    }

    @Test
    void aLeaderThatReceivesAppendEntriesOfAHigherTermFollowsItsLeader()
    {
        final CoreHarness h = member(1).start().electAndReplicate();

        h.appendEntries(3, 2, 0, 0, 0);
        assertEquals(Role.FOLLOWER, h.core.role());
        assertEquals(3, h.core.currentTerm());
        assertEquals(2, h.core.leaderId());
    }

    @Test
    void aCandidateThatReceivesAppendEntriesFromTheLeaderOfItsTermBecomesFollower()
    {
        final CoreHarness h = member(1).config(c -> c.preVote(false)).start().at(SURELY_TIMED_OUT_NS);
        assertEquals(Role.CANDIDATE, h.core.role());

        h.appendEntries(1, 2, 0, 0, 0);
        assertEquals(Role.FOLLOWER, h.core.role(), "paper 5.2: it recognizes the leader as legitimate");
        assertEquals(1, h.core.currentTerm());
        assertEquals(2, h.core.leaderId());
        assertEquals(1, h.meta.votedFor(), "its vote in the term stands");
    }

    @Test
    void aLeaderDropsAppendEntriesOfItsOwnTerm()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        final long lastIndex = h.log.lastIndex();
        final long dropped = h.core.droppedMessages();

        h.appendEntries(1, 2, lastIndex, 1, 0, 1);
        assertEquals(Role.LEADER, h.core.role(), "two leaders in one term cannot be");
        assertEquals(lastIndex, h.log.lastIndex(), "and must not touch the log");
        assertEquals(dropped + 1, h.core.droppedMessages());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The consistency check and fast back-up (paper 5.3)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void appendEntriesFromAnOlderTermIsRejectedWithTheCurrentTerm()
    {
        final CoreHarness h = member(1).log(1, 2).meta(5, 0).start().at(MS);

        h.appendEntries(4, 2, 2, 2, 2, 4);
        final AppendResponse response = h.only(AppendResponse.class, 2);
        assertFalse(response.success());
        assertEquals(5, response.term(), "paper figure 2: reply false if term < currentTerm");
        assertEquals(List.of(1L, 2L), h.logTerms(), "log untouched");
        assertEquals(0, h.core.commitIndex(), "the stale leader's commit index is not taken");
        assertEquals(RaftCore.NO_MEMBER, h.core.leaderId(), "the stale leader is not followed");
    }

    @Test
    void theConsistencyCheckRejectsAMissingPrevLogIndexWithConflictIndexLastIndexPlusOne()
    {
        final CoreHarness h = member(1).log(1, 1).meta(1, 0).start().at(MS);

        h.appendEntries(2, 2, 5, 2, 0, 2);
        final AppendResponse response = h.only(AppendResponse.class, 2);
        assertFalse(response.success());
        assertEquals(2, response.term());
        assertEquals(3, response.conflictIndex(), "the leader may resume right after this log's end");
        assertEquals(0, response.conflictTerm(), "no entry at prevLogIndex, so no conflicting term");
        assertEquals(5, response.rejectedIndex());
        assertEquals(2, response.lastLogIndex());
        assertEquals(List.of(1L, 1L), h.logTerms());
    }

    @Test
    void theConsistencyCheckRejectsATermMismatchWithTheConflictingTermAndItsFirstIndex()
    {
        final CoreHarness h = member(1).log(1, 1, 2, 2, 2).meta(2, 0).start().at(MS);

        h.appendEntries(3, 3, 4, 3, 0, 3);
        final AppendResponse response = h.only(AppendResponse.class, 3);
        assertFalse(response.success());
        assertEquals(2, response.conflictTerm(), "paper 5.3: the term of the conflicting entry");
        assertEquals(3, response.conflictIndex(), "and the first index it stores for that term");
        assertEquals(4, response.rejectedIndex());
        assertEquals(List.of(1L, 1L, 2L, 2L, 2L), h.logTerms(), "a rejection truncates nothing");
    }

    @Test
    void theConflictIndexNeverPointsIntoTheCommittedPrefix()
    {
        // the follower has committed 1..4 (all term 2 from index 3): the whole term-2 run is not negotiable
        final CoreHarness h = member(1).log(1, 1, 2, 2, 2).meta(2, 0).start().at(MS);
        h.appendEntries(2, 2, 5, 2, 4);
        assertEquals(4, h.core.commitIndex());
        h.sent.clear();

        h.appendEntries(3, 3, 5, 3, 4, 3);
        final AppendResponse response = h.only(AppendResponse.class, 3);
        assertEquals(5, response.conflictIndex(), "max(first index of term 2, commit + 1)");
        assertEquals(2, response.conflictTerm());
    }

    @Test
    void aLeaderSkipsAWholeConflictingTermItDoesNotHold()
    {
        final CoreHarness h = member(1).log(1, 1, 2, 2, 4).meta(4, 0).start().elect();
        assertEquals(5, h.core.currentTerm());
        assertEquals(6, h.log.lastIndex(), "the no-op");

        // follower 2 holds [1, 1, 3, 3, 3]: the probe at 5/4 fails on term 3, which starts at 3
        h.reject(5, 2, 5, 3, 3, 5);
        h.flush();
        final AppendEntries retry = h.only(AppendEntries.class, 2);
        assertEquals(2, retry.prevLogIndex(), "paper 5.3: bypass all conflicting entries in that term");
        assertEquals(1, retry.prevLogTerm());
        assertEquals(List.of(2L, 2L, 4L, 5L), retry.entryTerms());
    }

    @Test
    void aLeaderThatHoldsTheConflictingTermResumesAfterItsLastEntryOfThatTerm()
    {
        final CoreHarness h = member(1).log(1, 1, 2, 2, 4).meta(4, 0).start().elect();

        // follower 2 holds [1, 1, 2, 2, 2, 2]: term 2 from 3, the leader's term 2 ends at 4
        h.reject(5, 2, 5, 3, 2, 6);
        h.flush();
        final AppendEntries retry = h.only(AppendEntries.class, 2);
        assertEquals(4, retry.prevLogIndex());
        assertEquals(2, retry.prevLogTerm());
        assertEquals(List.of(5L, 6L), retry.entryIndices());
    }

    @Test
    void aDuplicatedRejectionDoesNotWalkTheLeaderBackTwice()
    {
        final CoreHarness h = member(1).log(1, 1, 2, 2, 4).meta(4, 0).start().elect();
        h.reject(5, 2, 5, 3, 3, 5);
        h.flush();
        h.sent.clear();

        h.reject(5, 2, 5, 3, 3, 5); // the same rejection again
        h.flush();
        h.assertNothingSent();
        h.ack(5, 2, 6);
        assertEquals(6, h.core.matchIndexOf(2));
    }

    @Test
    void aFollowerInProbeStateGetsOneAppendEntriesAtATimeResentOnEachHeartbeat()
    {
        final CoreHarness h = member(1).log(1, 1).meta(1, 0).start();
        h.after(SURELY_TIMED_OUT_NS);
        h.preVote(2, 2, true);
        h.vote(2, 2, true);
        h.flush();
        assertEquals(1, h.sent(AppendEntries.class, 2).size(), "the first probe");
        h.flush();
        h.flush();
        assertEquals(1, h.sent(AppendEntries.class, 2).size(), "no second probe without an answer");

        h.after(HEARTBEAT_NS).flush();
        assertEquals(2, h.sent(AppendEntries.class, 2).size(), "resent on the heartbeat");
        final AppendEntries probe = h.sent(AppendEntries.class, 2).get(1);
        assertEquals(2, probe.prevLogIndex());
        assertEquals(List.of(3L), probe.entryIndices());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The follower's log, acknowledgements and commit index (paper figure 2, 5.3)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aFollowerTruncatesAConflictingSuffixAndAppendsTheLeadersEntries()
    {
        final CoreHarness h = member(1).log(1, 1, 2, 2).meta(2, 0).start().at(MS);

        h.appendEntries(3, 3, 2, 1, 0, 3, 3);
        assertEquals(List.of(1L, 1L, 3L, 3L), h.logTerms(), "paper figure 2, receiver rule 3");
        assertEquals(2, h.core.durableIndex(), "what was cut is no longer durable");
        h.flush();
        h.assertNothingSent();

        h.sync();
        final AppendResponse ack = h.only(AppendResponse.class, 3);
        assertTrue(ack.success());
        assertEquals(4, ack.matchIndex());
    }

    @Test
    void aSyncIssuedBeforeATruncationDoesNotMakeTheEntriesAppendedAfterItDurable()
    {
        final CoreHarness h = member(1).log(1, 1).meta(2, 0).start().at(MS);
        h.appendEntries(2, 2, 2, 1, 0, 2, 2, 2); // 3..5 of term 2, written, not yet durable
        final long syncCovers = h.log.lastIndex(); // the runtime starts a sync that covers 1..5
        assertEquals(5, syncCovers);

        h.appendEntries(3, 3, 2, 1, 0, 3); // a new leader replaces 3..5 with 3@3 before that sync completes
        assertEquals(List.of(1L, 1L, 3L), h.logTerms());
        h.core.onLogDurable(syncCovers, 2); // the old sync completes: 1..5 of the old log are durable
        h.flush();

        assertEquals(2, h.log.durableIndex(), "the store holds 1..2 durably; 3@3 was written after the sync began");
        for (final AppendResponse ack : h.sent(AppendResponse.class))
        {
            assertTrue(ack.matchIndex() <= h.log.durableIndex(),
                "acknowledged " + ack.matchIndex() + " but only " + h.log.durableIndex() + " is durable");
        }
        assertTrue(h.core.durableIndex() <= h.log.durableIndex(), "core durable " + h.core.durableIndex());
    }

    @Test
    void anOldDuplicatedAppendEntriesNeverTruncatesMatchingEntries()
    {
        final CoreHarness h = member(1).meta(1, 0).start().at(MS);
        h.appendEntries(1, 2, 0, 0, 0, 1, 1, 1);
        h.sync();
        h.sent.clear();

        h.appendEntries(1, 2, 0, 0, 0, 1); // the first AppendEntries, delivered late
        assertEquals(List.of(1L, 1L, 1L), h.logTerms(), "the newer entries stay");
        assertFalse(h.log.hasUnsyncedWrites(), "nothing was written, not even a truncation");
        h.flush();
        final AppendResponse ack = h.only(AppendResponse.class, 2);
        assertTrue(ack.success());
        assertEquals(3, ack.matchIndex(), "still matches everything it verified");
    }

    @Test
    void anAppendEntriesOverlappingTheLogAppendsOnlyTheNewEntries()
    {
        final CoreHarness h = member(1).meta(1, 0).start().at(MS);
        h.appendEntries(1, 2, 0, 0, 0, 1, 1);
        h.appendEntries(1, 2, 1, 1, 0, 1, 1, 1);
        assertEquals(List.of(1L, 1L, 1L, 1L), h.logTerms());
    }

    @Test
    void aFollowerAcknowledgesOnlyWhatIsDurable()
    {
        final CoreHarness h = member(1).meta(1, 0).start().at(MS);

        h.appendEntries(1, 2, 0, 0, 0, 1, 1, 1);
        h.flush();
        h.assertNothingSent(); // paper figure 2: respond after persisting

        h.core.onLogDurable(2, h.log.termAt(2));
        h.flush();
        AppendResponse ack = h.only(AppendResponse.class, 2);
        assertTrue(ack.success());
        assertEquals(2, ack.matchIndex(), "only the durable prefix");
        assertEquals(3, ack.lastLogIndex(), "though it matches up to 3");
        h.sent.clear();

        h.core.onLogDurable(3, h.log.termAt(3));
        h.flush();
        ack = h.only(AppendResponse.class, 2);
        assertEquals(3, ack.matchIndex());
        h.sent.clear();

        h.flush();
        h.assertNothingSent();
    }

    @Test
    void theMatchIndexIsTheSmallerOfTheVerifiedAndTheDurableIndex()
    {
        // a durable log from term 1; the new leader of term 2 has only checked it up to 2
        final CoreHarness h = member(1).log(1, 1, 1, 1, 1).meta(1, 0).start().at(MS);

        h.appendEntries(2, 2, 2, 1, 0);
        h.flush();
        final AppendResponse ack = h.only(AppendResponse.class, 2);
        assertTrue(ack.success());
        assertEquals(2, ack.matchIndex(), "min(verified 2, durable 5)");
        assertEquals(2, ack.lastLogIndex());
    }

    @Test
    void aFollowersCommitIndexIsTheSmallerOfLeaderCommitAndItsLastVerifiedIndex()
    {
        final CoreHarness h = member(1).log(1, 1, 1, 1, 1).meta(1, 0).start().at(MS);

        // paper figure 2: commitIndex = min(leaderCommit, index of last new entry); here the last verified one
        h.appendEntries(2, 2, 2, 1, 5);
        assertEquals(2, h.core.commitIndex(), "3..5 are not known to be the leader's");

        h.appendEntries(2, 2, 2, 1, 5, 2);
        assertEquals(List.of(1L, 1L, 2L), h.logTerms());
        assertEquals(3, h.core.commitIndex());
        assertEquals(List.of(2L, 3L), h.commits);

        h.appendEntries(2, 2, 3, 2, 3);
        assertEquals(3, h.core.commitIndex(), "a lower leaderCommit never moves it back");
    }

    @Test
    void aHeartbeatIsAcknowledgedAtOnce()
    {
        final CoreHarness h = member(1).log(1, 1).meta(1, 0).start().at(MS);
        h.appendEntries(1, 2, 2, 1, 0);
        h.flush();
        assertTrue(h.only(AppendResponse.class, 2).success());
        assertEquals(2, h.core.leaderId());
    }

    @Test
    void appendEntriesResetsTheElectionTimer()
    {
        final CoreHarness h = member(1).meta(1, 0).start();
        for (long t = 50 * MS; t < 10 * SURELY_TIMED_OUT_NS; t += 50 * MS)
        {
            h.at(t);
            h.appendEntries(1, 2, 0, 0, 0);
            assertEquals(Role.FOLLOWER, h.core.role(), "at " + t);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Commitment (paper 5.3, 5.4.2, 8)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aNewLeaderAppendsANoOpOfItsTerm()
    {
        final CoreHarness h = member(1).log(1, 1).meta(1, 0).start().elect();
        assertEquals(2, h.core.currentTerm());
        assertEquals(3, h.log.lastIndex(), "paper 8: a blank no-op entry at the start of its term");
        assertEquals(2, h.log.termAt(3));
        assertEquals(EntryType.NOOP.value(), h.log.entryTypeAt(3));

        h.after(HEARTBEAT_NS).flush(); // the probes go again
        for (final int peer : new int[] {2, 3})
        {
            final AppendEntries probe = h.only(AppendEntries.class, peer);
            assertEquals(2, probe.prevLogIndex());
            assertEquals(1, probe.prevLogTerm());
            assertEquals(List.of(2L), probe.entryTerms());
        }
    }

    @Test
    void theLeaderCountsItsOwnEntriesOnlyOnceTheyAreDurable()
    {
        final CoreHarness h = member(1).start().elect();
        assertEquals(1, h.log.lastIndex());

        h.ack(1, 2, 1);
        assertEquals(0, h.core.commitIndex(), "one follower and a leader whose write is not durable");
        h.core.onLogDurable(1, h.log.termAt(1));
        assertEquals(1, h.core.commitIndex());
        assertEquals(List.of(1L), h.commits);
    }

    @Test
    void aMajorityOfFollowersCommitsWithoutTheLeadersOwnDisk()
    {
        final CoreHarness h = member(1).start().elect();
        h.ack(1, 2, 1);
        h.ack(1, 3, 1);
        assertEquals(1, h.core.commitIndex(), "two of three hold it durably");
    }

    @Test
    void aFollowersMatchCountsOnlyWhatItHasDurablyAcknowledged()
    {
        final CoreHarness h = member(1).start().elect();
        h.core.onLogDurable(1, h.log.termAt(1));

        h.ack(1, 2, 0, 1); // matches 1, durable up to 0
        assertEquals(0, h.core.commitIndex());
        h.ack(1, 2, 1, 1);
        assertEquals(1, h.core.commitIndex());
    }

    @Test
    void figure8_anEntryOfAnEarlierTermIsNotCommittedByCountingReplicas()
    {
        // the leader of term 4 holds [1@1, 2@2]; index 2 comes from its own, uncommitted, term 2
        final CoreHarness h = member(1).members(1, 2, 3, 4, 5).log(1, 2).meta(3, 0).start().elect();
        assertEquals(4, h.core.currentTerm());
        assertEquals(3, h.log.lastIndex(), "the no-op of term 4 at 3");
        h.core.onLogDurable(3, h.log.termAt(3));

        h.ack(4, 2, 2);
        h.ack(4, 3, 2);
        assertEquals(0, h.core.commitIndex(), "paper 5.4.2: a majority holds index 2 of term 2: not enough");

        h.ack(4, 2, 3);
        assertEquals(0, h.core.commitIndex(), "index 3 on 2 of 5");
        h.ack(4, 3, 3);
        assertEquals(3, h.core.commitIndex(), "index 3 of term 4 on a majority commits it, and 1..2 with it");
        assertEquals(List.of(3L), h.commits);
    }

    @Test
    void theCommitIndexReachesFollowersInTheNextAppendEntries()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        assertEquals(1, h.core.commitIndex());

        h.after(HEARTBEAT_NS);
        for (final int peer : new int[] {2, 3})
        {
            assertEquals(1, h.only(AppendEntries.class, peer).leaderCommit());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Offers and batching
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aFollowerOrCandidateRefusesOffersWithNotLeader()
    {
        final CoreHarness h = member(1).start();
        assertEquals(OfferResult.NOT_LEADER, h.offer(10));
        h.at(SURELY_TIMED_OUT_NS);
        assertEquals(Role.PRE_CANDIDATE, h.core.role());
        assertEquals(OfferResult.NOT_LEADER, h.offer(10));
    }

    @Test
    void aPayloadAboveMaxPayloadBytesIsTooLarge()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        assertEquals(OfferResult.TOO_LARGE, h.offer(257));
        assertEquals(2, h.offer(256), "exactly the limit is fine");
    }

    @Test
    void offersBeyondWhatOneBatchHoldsAreBackPressuredUntilTheNextCycle()
    {
        final CoreHarness h = member(1).config(c -> c.maxBatchBytes(1024)).start().electAndReplicate();
        final int fit = 1024 / LogEntryCodec.recordLength(256);
        assertTrue(fit >= 2);

        for (int i = 0; i < fit; i++)
        {
            assertEquals(2 + i, h.offer(256));
        }
        assertEquals(OfferResult.BACK_PRESSURED, h.offer(256));
        final boolean emptyRecordFits = fit * LogEntryCodec.recordLength(256) + LogEntryCodec.recordLength(0) <= 1024;
        assertEquals(emptyRecordFits, h.offer(0) > 0, "the bound is in bytes: a smaller record may still fit");
        h.flush();
        assertTrue(h.offer(256) > 0, "the next cycle has a fresh batch");
    }

    @Test
    void offersBeyondMaxUncommittedEntriesAreBackPressured()
    {
        final CoreHarness h = member(1).config(c -> c.maxUncommittedEntries(3)).start().electAndReplicate();
        assertEquals(1, h.core.commitIndex());

        assertEquals(2, h.offer(1));
        assertEquals(3, h.offer(1));
        assertEquals(4, h.offer(1));
        assertEquals(OfferResult.BACK_PRESSURED, h.offer(1));
        h.flush();
        assertEquals(OfferResult.BACK_PRESSURED, h.offer(1), "still three uncommitted");

        h.sync();
        h.ack(1, 2, 4);
        assertEquals(4, h.core.commitIndex());
        assertEquals(5, h.offer(1));
    }

    @Test
    void offersDuringALeadershipTransferAreRefusedWithTransferring()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        assertTrue(h.core.transferLeadership(2));
        assertEquals(OfferResult.TRANSFERRING, h.offer(1));
    }

    @Test
    void everythingOfferedInOneCycleGoesOutAsOneAppendEntriesPerUpToDateFollower()
    {
        final CoreHarness h = member(1).start().electAndReplicate();

        assertEquals(2, h.offer(10));
        assertEquals(3, h.offer(20));
        assertEquals(4, h.offer(30));
        assertEquals(4, h.core.lastIndex());
        assertEquals(1, h.log.lastIndex(), "nothing is written before flush");
        h.assertNothingSent();

        h.flush();
        assertEquals(4, h.log.lastIndex(), "one append of the batch");
        assertEquals(2, h.sent.size(), "one message per follower: " + h.sent);
        for (final int peer : new int[] {2, 3})
        {
            final AppendEntries message = h.only(AppendEntries.class, peer);
            assertEquals(1, message.prevLogIndex());
            assertEquals(1, message.prevLogTerm());
            assertEquals(3, message.entryCount());
            assertEquals(List.of(2L, 3L, 4L), message.entryIndices());
            assertEquals(List.of(1L, 1L, 1L), message.entryTerms());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Pipelining (etcd progress: replicate state, inflight window)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aFollowerInReplicateStateGetsSeveralAppendEntriesWithoutWaitingBoundedByMaxInflightMessages()
    {
        final CoreHarness h = member(1).config(c -> c.maxInflightMessages(3)).start().electAndReplicate();

        for (int cycle = 0; cycle < 5; cycle++)
        {
            h.offer(8);
            h.flush();
        }
        final List<AppendEntries> toTwo = h.sent(AppendEntries.class, 2);
        assertEquals(3, toTwo.size(), "three in flight, then the window is full: " + toTwo);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(List.of(2L + i), toTwo.get(i).entryIndices());
        }
        h.sent.clear();

        h.ack(1, 2, 2); // frees the first message
        h.flush();
        final AppendEntries next = h.only(AppendEntries.class, 2);
        assertEquals(4, next.prevLogIndex());
        assertEquals(List.of(5L, 6L), next.entryIndices(), "what waited goes in one message");
        assertTrue(h.sent(AppendEntries.class, 3).isEmpty(), "follower 3 acknowledged nothing");
    }

    @Test
    void thePipelineIsBoundedByMaxInflightBytes()
    {
        final int recordLength = LogEntryCodec.recordLength(256);
        final CoreHarness h = member(1)
            .config(c -> c.maxInflightMessages(32).maxBatchBytes(1024).maxInflightBytes(1024))
            .start().electAndReplicate();

        for (int cycle = 0; cycle < 6; cycle++)
        {
            h.offer(256);
            h.flush();
        }
        assertEquals(1024 / recordLength, h.sent(AppendEntries.class, 2).size(),
            "as many one-entry messages as fit in 1024 bytes");
    }

    @Test
    void aFollowerThatAcknowledgesNothingForTwoHeartbeatsIsProbedAgainFromItsMatch()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        h.offer(8);
        h.flush();
        h.offer(8);
        h.flush();
        h.ack(1, 3, 3); // 3 keeps up, 2 goes silent
        h.sent.clear();

        h.after(HEARTBEAT_NS);
        h.after(HEARTBEAT_NS);
        h.flush();
        final List<AppendEntries> toTwo = h.sent(AppendEntries.class, 2);
        final AppendEntries probe = toTwo.get(toTwo.size() - 1);
        assertEquals(1, probe.prevLogIndex(), "back to the last known match");
        assertEquals(List.of(2L, 3L), probe.entryIndices());
    }

    @Test
    void aBackPressuredAppendEntriesIsNotCountedInFlightAndGoesLater()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        h.backPressured.add(2);
        h.offer(8);
        h.flush();
        assertTrue(h.sent(AppendEntries.class, 2).isEmpty());

        h.backPressured.clear();
        h.flush();
        assertEquals(List.of(2L), h.only(AppendEntries.class, 2).entryIndices());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Check-quorum (thesis 6.2)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aLeaderThatHearsFromNoMajorityWithinAnElectionTimeoutStepsDown()
    {
        final CoreHarness h = member(1).start().elect();
        final long electedAt = h.now();

        h.at(electedAt + ELECTION_TIMEOUT_NS - 1);
        assertEquals(Role.LEADER, h.core.role());
        h.at(electedAt + ELECTION_TIMEOUT_NS);
        assertEquals(Role.FOLLOWER, h.core.role(), "thesis 6.2: steps down without a majority");
        assertEquals(1, h.core.currentTerm(), "in the same term");
        assertEquals(RaftCore.NO_MEMBER, h.core.leaderId());
        assertEquals(new RoleChange(Role.FOLLOWER, 1, RaftCore.NO_MEMBER), h.roleChanges.get(h.roleChanges.size() - 1),
            "and says so");
    }

    @Test
    void aLeaderThatHearsFromAMajorityEachElectionTimeoutStaysLeader()
    {
        final CoreHarness h = member(1).members(1, 2, 3, 4, 5).start().elect();
        long t = h.now();
        for (int round = 0; round < 5; round++)
        {
            h.ack(1, 2 + round % 4, 0);
            h.ack(1, 2 + (round + 1) % 4, 0);
            t += ELECTION_TIMEOUT_NS;
            h.at(t);
            assertEquals(Role.LEADER, h.core.role(), "round " + round);
        }

        h.ack(1, 2, 0); // one follower is not a majority of five
        h.at(t + ELECTION_TIMEOUT_NS);
        assertEquals(Role.FOLLOWER, h.core.role());
    }

    @Test
    void withoutCheckQuorumALeaderStaysLeaderAlone()
    {
        final CoreHarness h = member(1).config(c -> c.checkQuorum(false)).start().elect();
        h.at(h.now() + 10 * ELECTION_TIMEOUT_NS);
        assertEquals(Role.LEADER, h.core.role());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Leadership transfer (thesis 3.10)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void theLeaderSendsTimeoutNowOnceTheTargetsMatchIndexReachesItsLastIndex()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        h.offer(8);
        h.flush();
        h.sent.clear();

        assertTrue(h.core.transferLeadership(2));
        assertTrue(h.core.isTransferringLeadership());
        h.flush();
        assertTrue(h.sent(TimeoutNow.class).isEmpty(), "thesis 3.10: first bring the target up to date");

        h.ack(1, 2, 2);
        h.flush();
        final TimeoutNow timeoutNow = h.only(TimeoutNow.class);
        assertEquals(2, timeoutNow.to());
        assertEquals(1, timeoutNow.term());
        assertEquals(1, timeoutNow.leaderId());

        h.flush();
        assertEquals(1, h.sent(TimeoutNow.class).size(), "sent once");
    }

    @Test
    void aTargetAlreadyUpToDateIsToldAtOnce()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        assertTrue(h.core.transferLeadership(3));
        h.flush();
        assertEquals(3, h.only(TimeoutNow.class).to());
    }

    @Test
    void theTargetCampaignsImmediatelyWithTheTransferFlag()
    {
        final CoreHarness h = member(2).meta(1, 0).start().at(MS);
        h.appendEntries(1, 1, 0, 0, 0);
        h.sent.clear();

        h.core.onTimeoutNow(1, 1);
        assertEquals(Role.CANDIDATE, h.core.role(), "no pre-vote, no waiting for its own timeout");
        assertEquals(2, h.core.currentTerm());
        assertEquals(2, h.meta.votedFor());
        final List<VoteRequest> requests = h.sent(VoteRequest.class);
        assertEquals(2, requests.size());
        for (final VoteRequest request : requests)
        {
            assertTrue(request.transfer());
            assertFalse(request.preVote());
            assertEquals(2, request.term());
            assertEquals(2, request.metaVote(), "own vote persisted first");
        }
    }

    @Test
    void timeoutNowFromAnyoneButTheCurrentLeaderIsIgnored()
    {
        final CoreHarness h = member(2).meta(3, 0).start().at(MS);
        h.appendEntries(3, 1, 0, 0, 0);

        h.core.onTimeoutNow(3, 3); // not the leader
        h.core.onTimeoutNow(2, 1); // an older term
        assertEquals(Role.FOLLOWER, h.core.role());
        assertEquals(3, h.core.currentTerm());
        assertTrue(h.sent(VoteRequest.class).isEmpty());
    }

    @Test
    void aTransferIsAbandonedAfterAnElectionTimeout()
    {
        final CoreHarness h = member(1).start().electAndReplicate();
        h.offer(8);
        h.flush();
        final long start = h.now();
        assertTrue(h.core.transferLeadership(2));

        h.at(start + ELECTION_TIMEOUT_NS - 1);
        assertTrue(h.core.isTransferringLeadership());
        h.ack(1, 3, 2); // keeps check-quorum happy
        h.at(start + ELECTION_TIMEOUT_NS);
        assertFalse(h.core.isTransferringLeadership(), "thesis 3.10: abort after an election timeout");
        assertEquals(Role.LEADER, h.core.role());
        assertTrue(h.offer(8) > 0, "offers resume");

        h.ack(1, 2, 2);
        h.flush();
        assertTrue(h.sent(TimeoutNow.class).isEmpty(), "a target that catches up later is not told");
    }

    @Test
    void onlyALeaderTransfersAndOnlyToAnotherMember()
    {
        final CoreHarness follower = member(1).start();
        assertFalse(follower.core.transferLeadership(2));

        final CoreHarness leader = member(1).start().electAndReplicate();
        assertFalse(leader.core.transferLeadership(1), "not to itself");
        assertFalse(leader.core.transferLeadership(9), "not to a stranger");
        assertFalse(leader.core.isTransferringLeadership());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Restart (paper figure 2: persistent state)
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aCoreStartedOverAStoreAndMetaKeepsItsTermVoteAndLog()
    {
        final CoreHarness before = member(1).start().at(MS);
        before.voteRequest(5, 0, 0, 3, false, false);
        before.appendEntries(5, 3, 0, 0, 0, 5, 5, 5);
        before.sync();
        assertEquals(3, before.log.lastIndex());

        final CoreHarness after = member(1).disk(before.log, before.meta).start(10 * MS);
        assertEquals(5, after.core.currentTerm(), "paper figure 2: currentTerm is persistent");
        assertEquals(3, after.core.votedFor(), "and so is votedFor");
        assertEquals(Role.FOLLOWER, after.core.role());
        assertEquals(RaftCore.NO_MEMBER, after.core.leaderId());
        assertEquals(3, after.core.lastIndex(), "and so is the log");
        assertEquals(3, after.core.durableIndex(), "what survived a restart is durable");
        assertEquals(0, after.core.commitIndex(), "the commit index is volatile");

        after.voteRequest(5, 3, 5, 2, false, false);
        assertFalse(after.only(VoteResponse.class, 2).granted(), "the vote of term 5 was cast before");
        after.sent.clear();
        after.voteRequest(5, 3, 5, 3, false, false);
        assertTrue(after.only(VoteResponse.class, 3).granted());
    }

    @Test
    void aRestartAfterACrashKeepsOnlyWhatWasDurable()
    {
        final CoreHarness before = member(1).start().at(MS);
        before.appendEntries(1, 2, 0, 0, 0, 1, 1);
        before.sync();
        before.appendEntries(1, 2, 2, 1, 0, 1, 1); // not synced
        before.log.crash(new SplittableRandom(1), false);

        final CoreHarness after = member(1).disk(before.log, before.meta).start(10 * MS);
        assertEquals(1, after.core.currentTerm());
        assertEquals(2, after.core.lastIndex());
        assertEquals(2, after.core.durableIndex());
    }

    @Test
    void aRestartedLeaderComesBackAsAFollowerOfItsTerm()
    {
        final CoreHarness before = member(1).start().electAndReplicate();
        final SimLogStore log = before.log;
        final SimMetaStore meta = before.meta;

        final CoreHarness after = member(1).disk(log, meta).start(before.now());
        assertEquals(Role.FOLLOWER, after.core.role());
        assertEquals(1, after.core.currentTerm());
        assertEquals(1, after.core.votedFor());
        assertEquals(1, after.core.lastIndex());
        assertEquals(OfferResult.NOT_LEADER, after.offer(1));
    }
}

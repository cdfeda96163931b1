package io.raftlog.sim;

import io.raftlog.core.Configuration;
import io.raftlog.core.OfferResult;
import io.raftlog.core.RaftCore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.raftlog.sim.RaftScenario.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes (dissertation chapter 4) on the simulator: the raft-dev single-server change bug and its fix,
 * removed members that cannot disrupt, joint consensus under a partition, a leader removing itself, and learners.
 */
class MembershipScenarioTest
{
    private static SimOptions options(final int members, final int voters, final long seed)
    {
        final SimOptions options = new SimOptions().members(members).seed(seed);
        options.voters = voters;
        options.keepSomeUnsyncedOnCrash = false;
        return options;
    }

    private static RaftCore core(final RaftScenario s, final int id)
    {
        return s.cluster().node(id).core();
    }

    private static void cutBothWays(final RaftScenario s, final int a, final int b)
    {
        s.cluster().network().cut(a, b);
        s.cluster().network().cut(b, a);
    }

    private static void linkBothWays(final RaftScenario s, final int a, final int b)
    {
        s.cluster().network().link(a, b);
        s.cluster().network().link(b, a);
    }

    private static long perform(final RaftScenario s, final int leader, final long result)
    {
        s.cluster().endCycle(s.cluster().node(leader));
        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // raft-dev, "bug in single-server membership changes" (Ongaro, 2015)
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Without the fix, a new leader that changes membership before committing an entry of its term lets a committed
     * entry be lost: four voters, S1 adds S5 (config D, reaching only S5) and crashes; S2 wins term 2 with S3 and S4,
     * at once removes S1 (config E) and commits E with S3 alone; S1 comes back, wins term 3 with S4 and S5 under D,
     * and overwrites E. The simulator's checker sees the committed entry lost.
     */
    @Test
    void withoutTheFixTheSingleServerChangeBugLosesACommittedEntry()
    {
        final List<String> violations = singleServerChangeScenario(false);
        assertFalse(violations.isEmpty(), "the bug must show: a committed entry lost");
        assertTrue(violations.stream().anyMatch(v -> v.contains("leader completeness") || v.contains("state machine")),
            violations.toString());
    }

    /**
     * With the fix, the new leader may not change membership until it has committed an entry of its own term, which
     * needs a majority of the old configuration, which S1 and S4 then cannot form without it: nothing is lost.
     */
    @Test
    void withTheFixNoCommittedEntryIsLost()
    {
        assertEquals(List.of(), singleServerChangeScenario(true));
    }

    private static List<String> singleServerChangeScenario(final boolean fix)
    {
        final SimOptions options = options(5, 4, 2015);
        options.unsafeSkipMembershipChangeFix = !fix;
        final RaftScenario s = new RaftScenario(options);
        final SimCluster cluster = s.cluster();

        final int s1 = s.checkOneLeader();
        s.one(1, 4, true);
        final List<Integer> others = new ArrayList<>();
        for (int id = 1; id <= 4; id++)
        {
            if (id != s1)
            {
                others.add(id);
            }
        }

        // S1 adds S5 as a learner, which catches up; then S1 promotes it (config D) while cut off from the others
        final long addition = perform(s, s1, core(s, s1).addLearner(5, null, false));
        assertTrue(addition > 0, OfferResult.describe(addition));
        s.runUntil(() -> core(s, s1).commitIndex() >= addition && core(s, 5).commitIndex() >= addition, 2_000 * MS);
        for (final int id : others)
        {
            cutBothWays(s, s1, id);
        }
        final long d = perform(s, s1, core(s, s1).promoteLearner(5));
        assertTrue(d > 0, OfferResult.describe(d));
        s.runUntil(() -> cluster.node(5).store().lastIndex() >= d && cluster.node(s1).store().durableIndex() >= d,
            1_000 * MS);
        assertTrue(core(s, s1).commitIndex() < d, "D is not committed");
        s.crash(s1);

        // S2 wins with S3 and S4, then hears only from S3; it removes S1 at once (config E)
        s.disconnect(5);
        s.runUntil(() -> leaderAmong(cluster, others) != 0, 5_000 * MS);
        final int s2 = leaderAmong(cluster, others);
        final int s4 = others.get(others.get(0) == s2 ? 1 : 0);
        final int s3 = others.stream().filter(id -> id != s2 && id != s4).findFirst().orElseThrow();
        cutBothWays(s, s2, s4);
        final long e = perform(s, s2, core(s, s2).removeMember(s1));
        if (fix)
        {
            assertEquals(OfferResult.NOT_READY, e, "no membership change before an entry of the new term commits");
            s.sleep(300 * MS);
            assertTrue(perform(s, s2, core(s, s2).removeMember(s1)) < 0, "still no change");
        }
        else
        {
            assertTrue(e > 0, OfferResult.describe(e));
            s.runUntil(() -> core(s, s2).commitIndex() >= e, 2_000 * MS);
        }

        // S1 restarts; with S4 and S5 it is a majority of D and wins; then it reaches S3
        s.disconnect(s2);
        s.disconnect(s3);
        linkBothWays(s, s1, s4);
        linkBothWays(s, s1, 5);
        linkBothWays(s, s4, 5);
        s.restart(s1);
        s.runUntil(() -> cluster.node(s1).isLeader() || cluster.node(5).isLeader(), 10_000 * MS);
        final int leader3 = cluster.node(s1).isLeader() ? s1 : 5;
        linkBothWays(s, leader3, s3);
        final List<String> violations = new ArrayList<>(cluster.checker().violations());
        try
        {
            s.sleep(1_000 * MS);
        }
        catch (final IllegalStateException ex)
        {
            // S3's core refuses to overwrite an entry it knows is committed: its own safety assertion
            violations.add("state machine safety: " + ex.getMessage());
        }
        violations.addAll(cluster.checker().violations());
        return violations;
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Dissertation 4.2.3: a member removed while cut off never learns it; when it comes back it times out and asks
     * for votes in ever higher terms. Pre-vote, the lease and dropping vote requests from non-voters keep the
     * leader in place.
     */
    @Test
    void aRemovedServerDoesNotDisruptTheLeader()
    {
        final RaftScenario s = new RaftScenario(options(3, 3, 3101));
        final int leader = s.checkOneLeader();
        final long term = core(s, leader).currentTerm();
        final int removed = 1 + leader % 3;
        s.disconnect(removed);
        final long removal = perform(s, leader, core(s, leader).removeMember(removed));
        assertTrue(removal > 0, OfferResult.describe(removal));
        s.runUntil(() -> core(s, leader).commitIndex() >= removal, 2_000 * MS);
        assertTrue(core(s, removed).configuration().isVoter(removed), "the removed member never heard");

        final long sentBefore = s.cluster().node(removed).messagesSent();
        s.connect(removed);
        s.sleep(3_000 * MS);
        assertTrue(s.cluster().node(removed).messagesSent() > sentBefore, "the removed member kept campaigning");
        assertTrue(s.cluster().node(leader).isLeader(), "the leader stays");
        assertEquals(term, core(s, leader).currentTerm(), "no term change");
        s.one(7, 2, false);
        s.finish();
    }

    /**
     * Dissertation 4.3: a member of a three-member cluster is replaced by a caught-up learner in one step, through
     * C_old,new and C_new, while another member is partitioned: each phase needs majorities of both old and new,
     * which the leader, the outgoing and the incoming member provide.
     */
    @Test
    void aMemberIsReplacedThroughJointConsensusWhileAnotherIsPartitioned()
    {
        final RaftScenario s = new RaftScenario(options(4, 3, 3102));
        final SimCluster cluster = s.cluster();
        final int leader = s.checkOneLeader();
        s.one(1, 3, false);
        final int partitioned = 1 + leader % 3;
        final int replaced = 1 + (leader + 1) % 3;

        final long learner = perform(s, leader, core(s, leader).addLearner(4, null, false));
        assertTrue(learner > 0);
        s.runUntil(() -> core(s, 4).commitIndex() >= learner, 2_000 * MS);

        s.disconnect(partitioned);
        final long joint = perform(s, leader, core(s, leader).changeVoters(leader, partitioned, 4));
        assertTrue(joint > 0, OfferResult.describe(joint));
        assertTrue(core(s, leader).configuration().isJoint(), "C_old,new is in effect once appended");
        s.runUntil(() -> !core(s, leader).configuration().isJoint() &&
            core(s, leader).commitIndex() >= core(s, leader).configurationIndex(), 3_000 * MS);

        final Configuration result = core(s, leader).configuration();
        assertTrue(result.isVoter(leader) && result.isVoter(partitioned) && result.isVoter(4));
        assertFalse(result.isMember(replaced), "the replaced member is gone");
        s.one(2, 2, false);

        s.connect(partitioned);
        s.one(3, 3, true);
        assertEquals(core(s, leader).configurationIndex(), core(s, partitioned).configurationIndex());
        assertTrue(cluster.checker().configurationChanges() >= 3, "learner, C_old,new and C_new");
        s.finish();
    }

    /**
     * Dissertation 4.2.2: a leader may remove itself; it keeps leading without counting itself until the change
     * commits, then steps down and never campaigns again; the others elect a leader among themselves.
     */
    @Test
    void aLeaderRemovesItself()
    {
        final RaftScenario s = new RaftScenario(options(3, 3, 3103));
        final int leader = s.checkOneLeader();
        s.one(1, 3, false);
        final long removal = perform(s, leader, core(s, leader).removeMember(leader));
        assertTrue(removal > 0, OfferResult.describe(removal));
        s.runUntil(() -> !s.cluster().node(leader).isLeader(), 2_000 * MS);
        assertTrue(core(s, leader).commitIndex() >= removal, "it stepped down once the change committed");

        s.disconnect(leader);
        final int next = s.checkOneLeader();
        assertTrue(next != leader);
        s.one(2, 2, false);
        s.connect(leader);
        final long elections = core(s, leader).electionsStarted();
        s.sleep(2_000 * MS);
        assertEquals(elections, core(s, leader).electionsStarted(), "the removed leader never campaigns");
        assertFalse(core(s, next).configuration().isMember(leader));
        s.finish();
    }

    /**
     * A learner receives the log but never counts toward commitment.
     */
    @Test
    void aLearnerNeverCountsTowardCommitment()
    {
        final RaftScenario s = new RaftScenario(options(4, 3, 3104));
        final int leader = s.checkOneLeader();
        final long learner = perform(s, leader, core(s, leader).addLearner(4, null, false));
        s.runUntil(() -> core(s, 4).commitIndex() >= learner, 2_000 * MS);

        // the leader and the learner alone: two of four members, but only one of three voters
        s.disconnect(1 + leader % 3);
        s.disconnect(1 + (leader + 1) % 3);
        final long index = s.start(leader, 42);
        assertTrue(index > 0);
        s.sleep(100 * MS);
        assertTrue(s.cluster().node(4).store().lastIndex() >= index, "the learner has the entry");
        assertTrue(core(s, leader).commitIndex() < index, "but it does not count");

        s.connect(1 + leader % 3);
        s.connect(1 + (leader + 1) % 3);
        s.one(43, 4, true);
        s.finish();
    }

    /**
     * A member added to vote starts as a learner and becomes a voter only once it has caught up (etcd #7625): an
     * empty new member never holds up commitment.
     */
    @Test
    void aNewMemberVotesOnlyOnceCaughtUp()
    {
        final SimOptions options = options(4, 3, 3105);
        options.promotionLagEntries = 4;
        final RaftScenario s = new RaftScenario(options);
        final int leader = s.checkOneLeader();
        for (int i = 0; i < 200; i++)
        {
            s.start(leader, 1000 + i);
            s.sleep(MS);
        }
        s.disconnect(4);
        final long addition = perform(s, leader, core(s, leader).addMember(4, "127.0.0.1:20004"));
        assertTrue(addition > 0);
        s.sleep(500 * MS);
        assertFalse(core(s, leader).configuration().isVoter(4), "lagging: still a learner");
        s.one(1, 3, true);

        s.connect(4);
        s.runUntil(() -> core(s, leader).configuration().isVoter(4), 3_000 * MS);
        assertTrue(core(s, leader).matchIndexOf(4) + options.promotionLagEntries >= core(s, leader).configurationIndex() - 1);
        assertEquals("127.0.0.1:20004", core(s, leader).configuration().endpoint(4));
        s.one(2, 4, true);
        s.finish();
    }

    /**
     * One change at a time (dissertation 4.1): until the configuration last appended is committed, another change is
     * refused.
     */
    @Test
    void oneMembershipChangeAtATime()
    {
        final RaftScenario s = new RaftScenario(options(5, 3, 3106));
        final int leader = s.checkOneLeader();
        s.one(1, 3, false);
        final long first = core(s, leader).addLearner(4, null, false);
        assertTrue(first > 0);
        assertEquals(OfferResult.CHANGE_IN_PROGRESS, core(s, leader).addLearner(5, null, false));
        assertEquals(OfferResult.CHANGE_IN_PROGRESS, core(s, leader).changeVoters(leader, 4));
        s.cluster().endCycle(s.cluster().node(leader));
        s.runUntil(() -> core(s, leader).commitIndex() >= first, 1_000 * MS);
        assertTrue(perform(s, leader, core(s, leader).addLearner(5, null, false)) > 0, "committed: the next may go");
        s.finish();
    }

    private static int leaderAmong(final SimCluster cluster, final List<Integer> ids)
    {
        for (final int id : ids)
        {
            if (cluster.node(id).isLeader())
            {
                return id;
            }
        }
        return 0;
    }
}

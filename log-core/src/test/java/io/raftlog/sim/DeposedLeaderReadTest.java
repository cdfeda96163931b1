package io.raftlog.sim;

import io.raftlog.core.OfferResult;
import io.raftlog.core.Role;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A leader cut off in a minority partition while the majority elects another and writes: the old leader's state is
 * stale from then on. A ReadIndex read at it is never answered from that stale state, and a lease read is only
 * answered while no other leader can exist, with clocks drifting within the configured bound.
 */
class DeposedLeaderReadTest
{
    private static final int KEY = 7;
    private static final long OLD_VALUE = 100;
    private static final long NEW_VALUE = 200;
    private static final long MS = 1_000_000L;

    @Test
    void aDeposedLeaderInAMinorityNeverAnswersAReadIndexReadWithStaleData()
    {
        // without check-quorum the cut-off leader keeps believing it leads: the worst case for reads
        final SimOptions options = new SimOptions().members(5).seed(11);
        options.checkQuorum = false;
        final Scenario s = new Scenario(options);
        s.partitionOldLeaderAndWriteOnTheMajority();
        assertEquals(Role.LEADER, s.oldLeader().core().role(), "it does not know it was deposed");
        assertEquals(OLD_VALUE, s.oldLeader().kv().get(KEY), "its own state is stale");

        final long requestId = 1;
        assertEquals(0, s.oldLeader().core().readIndex(requestId));
        s.cluster.endCycle(s.oldLeader());
        s.cluster.runFor(2_000 * MS);
        assertFalse(s.answers.containsKey(requestId), "no quorum confirms the read: it is never answered");

        s.cluster.network().healAll();
        s.cluster.runFor(2_000 * MS);
        assertEquals(List.of(requestId), s.refused, "deposed for good once it hears the new term: the read is refused");
        assertFalse(s.answers.containsKey(requestId));
    }

    @Test
    void aReadFromTheDeposedLeadersOwnStateWouldBeStale()
    {
        final SimOptions options = new SimOptions().members(5).seed(11);
        options.checkQuorum = false;
        final Scenario s = new Scenario(options);
        s.partitionOldLeaderAndWriteOnTheMajority();
        // what a read path without ReadIndex would answer: the write acknowledged on the majority is missing
        assertNotEquals(NEW_VALUE, s.oldLeader().kv().get(KEY));
    }

    @Test
    void aLeaseReadIsAnsweredOnlyWhileNoOtherLeaderCanExistWithClocksDriftingWithinTheBound()
    {
        final SimOptions options = new SimOptions().members(5).seed(12);
        options.leaseReads = true;
        options.clockDriftBoundNs = options.electionTimeoutNs / 20;
        final Scenario s = new Scenario(options);
        // the worst drift the bound allows for: the old leader's clock slow, everyone else's fast
        for (int id = 1; id <= 5; id++)
        {
            s.cluster.node(id).clockRate(id == s.oldLeaderId ? 0.98 : 1.02, s.cluster.nowNs());
        }
        s.cutOffOldLeader();
        int leaseReadsServed = 0;
        boolean newLeaderSeen = false;
        for (int step = 0; step < 400; step++)
        {
            s.cluster.runFor(MS);
            final SimNode old = s.oldLeader();
            final long readIndex = old.core().leaseReadIndex(old.localNs(s.cluster.nowNs()));
            final boolean anotherLeader = s.anotherLeaderExists();
            newLeaderSeen |= anotherLeader;
            if (readIndex >= 0)
            {
                leaseReadsServed++;
                assertFalse(newLeaderSeen, "a lease read at " + s.cluster.nowNs() / MS + " ms, after another leader");
            }
        }
        assertTrue(leaseReadsServed > 0, "the lease served reads for a while after the cut");
        assertTrue(newLeaderSeen, "the majority elected another leader");
        assertTrue(s.oldLeader().core().leaseReadIndex(s.oldLeader().localNs(s.cluster.nowNs())) < 0,
            "by the end it holds no lease");
    }

    private static final class Scenario implements SimNode.KvObserver
    {
        final SimCluster cluster;
        final Map<Long, Long> answers = new HashMap<>();
        final List<Long> refused = new ArrayList<>();
        final UnsafeBuffer command = new UnsafeBuffer(new byte[SimKvMachine.COMMAND_LENGTH]);
        final int oldLeaderId;
        int newLeaderId;

        Scenario(final SimOptions options)
        {
            options.checkInvariants = true;
            cluster = new SimCluster(options);
            for (int id = 1; id <= options.members; id++)
            {
                cluster.node(id).kv(this);
            }
            cluster.startAll();
            oldLeaderId = awaitLeader();
            write(oldLeaderId, 1, OLD_VALUE);
            cluster.runFor(500 * MS);
            for (int id = 1; id <= options.members; id++)
            {
                assertEquals(OLD_VALUE, cluster.node(id).kv().get(KEY), "member " + id + " applied the first write");
            }
        }

        SimNode oldLeader()
        {
            return cluster.node(oldLeaderId);
        }

        void cutOffOldLeader()
        {
            final int buddy = oldLeaderId % 5 + 1;
            final int[] minority = {oldLeaderId, buddy};
            final int[] majority = new int[3];
            int n = 0;
            for (int id = 1; id <= 5; id++)
            {
                if (id != oldLeaderId && id != buddy)
                {
                    majority[n++] = id;
                }
            }
            cluster.network().partition(minority, majority);
        }

        void partitionOldLeaderAndWriteOnTheMajority()
        {
            cutOffOldLeader();
            cluster.runFor(1_500 * MS);
            newLeaderId = 0;
            for (int id = 1; id <= 5; id++)
            {
                if (id != oldLeaderId && cluster.node(id).isLeader())
                {
                    newLeaderId = id;
                }
            }
            assertNotEquals(0, newLeaderId, "the majority elected a leader");
            write(newLeaderId, 2, NEW_VALUE);
            cluster.runFor(500 * MS);
            assertEquals(NEW_VALUE, cluster.node(newLeaderId).kv().get(KEY), "the new leader applied the write");
        }

        boolean anotherLeaderExists()
        {
            for (int id = 1; id <= 5; id++)
            {
                if (id != oldLeaderId && cluster.node(id).isLeader())
                {
                    return true;
                }
            }
            return false;
        }

        private int awaitLeader()
        {
            for (int i = 0; i < 100 && cluster.leader() == 0; i++)
            {
                cluster.runFor(50 * MS);
            }
            assertNotEquals(0, cluster.leader());
            cluster.runFor(200 * MS);
            return cluster.leader();
        }

        private void write(final int leader, final long opId, final long value)
        {
            SimKvMachine.encode(command, opId, SimKvMachine.PUT, KEY, value, 0);
            assertTrue(cluster.offer(leader, command, 0, SimKvMachine.COMMAND_LENGTH) > 0);
        }

        public void onApplied(final SimNode node, final long index, final long opId, final int result)
        {
        }

        public void onReadReady(final SimNode node, final long requestId)
        {
            answers.put(requestId, node.kv().get(KEY));
        }

        public void onReadRefused(final SimNode node, final long requestId, final long reason)
        {
            refused.add(requestId);
        }
    }
}

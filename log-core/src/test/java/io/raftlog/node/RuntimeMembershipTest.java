package io.raftlog.node;

import io.raftlog.core.Configuration;
import io.raftlog.core.Role;
import io.raftlog.transport.AeronPeerTransport;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.raftlog.node.MembershipNodes.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes of real node agents over Aeron UDP on loopback (dissertation chapter 4): the endpoints of
 * members added at runtime travel in their configuration entries, and each node opens and closes its peer links as
 * the configuration in effect changes. Members 1 to 3 are started knowing only each other; member 4 joins as a
 * learner knowing the three and itself.
 */
class RuntimeMembershipTest
{
    @TempDir
    Path tempDir;

    private MembershipNodes cluster;

    @AfterEach
    void close()
    {
        CloseHelper.close(cluster);
    }

    private int startThreeAndAwaitLeader() throws Exception
    {
        cluster = new MembershipNodes(tempDir);
        for (int id = 1; id <= 3; id++)
        {
            cluster.start(id, ids(1, 2, 3), ids(), 1, 2, 3);
        }
        return cluster.awaitLeader();
    }

    private void startJoiningLearner()
    {
        cluster.start(4, ids(1, 2, 3), ids(4), 1, 2, 3);
    }

    private boolean isVoterEverywhere(final int memberId, final int... members)
    {
        for (final int id : members)
        {
            final Configuration configuration = cluster.nodes[id].core().configuration();
            if (!configuration.isVoter(memberId) || configuration.isJoint())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Dissertation 4.2.1: a new member joins as a learner, catches up without holding up commitment, and the leader
     * promotes it to voter; from then on entries commit on it and its acknowledgement counts toward commitment.
     */
    @Test
    void aJoiningLearnerIsAddedCatchesUpBecomesAVoterAndLaterEntriesCommitOnIt() throws Exception
    {
        final int leader = startThreeAndAwaitLeader();
        final long before = cluster.offerAndAwaitCommit(leader, 2_000);

        startJoiningLearner();
        cluster.runFor(700); // longer than an election timeout: a learner neither campaigns nor hears anything
        final RaftNode joiner = cluster.nodes[4];
        assertEquals(0, joiner.core().commitIndex());
        assertEquals(0, joiner.core().electionsStarted());
        assertFalse(cluster.nodes[leader].core().configuration().isMember(4));

        final long added = cluster.change(() -> cluster.nodes[leader].core().addMember(4, cluster.endpoints.get(4)));
        assertTrue(added > before);
        cluster.runUntil(() -> isVoterEverywhere(4, 1, 2, 3, 4) && joiner.core().commitIndex() >= added, 30);

        final long after = cluster.offerAndAwaitCommit(leader, 2_000);
        for (int id = 1; id <= 4; id++)
        {
            assertEquals(cluster.logs[leader].prefixHash(after), cluster.logs[id].prefixHash(after), "member " + id);
        }

        // four voters: with one original member gone, commitment needs member 4's acknowledgement
        final int gone = leader == 1 ? 2 : 1;
        cluster.stop(gone);
        final int leaderNow = cluster.awaitLeader();
        final long last = cluster.offerAndAwaitCommit(leaderNow, 500);
        assertTrue(cluster.nodes[leaderNow].core().configuration().isVoter(4));
        assertEquals(cluster.logs[leaderNow].prefixHash(last), cluster.logs[4].prefixHash(last));
    }

    /**
     * The original members were never told member 4's endpoint: each learns it from the configuration entry that adds
     * member 4, as soon as that entry is in its log, and then hears and reaches member 4. Member 4 takes over the
     * leadership and replicates to all of them.
     */
    @Test
    void aMemberTheOthersWereNotToldOfIsReachableOnceItsConfigurationEntryIsApplied() throws Exception
    {
        final int leader = startThreeAndAwaitLeader();
        cluster.offerAndAwaitCommit(leader, 100);
        startJoiningLearner();
        for (int id = 1; id <= 3; id++)
        {
            assertFalse(cluster.nodes[id].transport().isKnown(4), "member " + id + " knows nothing of 4");
        }

        cluster.change(() -> cluster.nodes[leader].core().addMember(4, cluster.endpoints.get(4)));
        for (int id = 1; id <= 3; id++)
        {
            final RaftNode node = cluster.nodes[id];
            final AeronPeerTransport transport = node.transport();
            cluster.runUntil(() -> node.core().configuration().isMember(4) && transport.isConnected(4), 20);
            assertEquals(cluster.endpoints.get(4), transport.endpointOf(4), "member " + id + " reaches 4 at its endpoint");
        }
        cluster.runUntil(() -> isVoterEverywhere(4, 1, 2, 3, 4), 30);

        // member 4 campaigns (TimeoutNow from the leader): its vote requests reach 1 to 3, and their votes reach it
        cluster.runUntil(() -> cluster.nodes[leader].core().transferLeadership(4), 10);
        cluster.runUntil(() -> cluster.nodes[4].core().role() == Role.LEADER, 20);
        final long last = cluster.offerAndAwaitCommit(4, 1_000);
        for (int id = 1; id <= 4; id++)
        {
            assertEquals(cluster.logs[4].prefixHash(last), cluster.logs[id].prefixHash(last), "member " + id);
        }
        for (int id = 1; id <= 4; id++)
        {
            assertEquals(0, cluster.nodes[id].transport().peerErrors());
        }
    }

    /**
     * Dissertation 4.2.2: once the configuration without it is committed, a removed member's links are closed on the
     * members that remain: nothing more is sent to it, and what it sends (it never learns it was removed, and asks
     * for votes once it stops hearing heartbeats) is dropped as foreign, so it cannot disturb the leader.
     */
    @Test
    void aRemovedMemberIsSentNothingOnceItsRemovalIsCommittedAndCannotDisturbTheRest() throws Exception
    {
        final int leader = startThreeAndAwaitLeader();
        cluster.offerAndAwaitCommit(leader, 500);
        final int removed = leader == 3 ? 2 : 3;
        final int other = 6 - leader - removed;
        final int[] remaining = ids(leader, other);
        final long term = cluster.nodes[leader].core().currentTerm();

        final long removal = cluster.change(() -> cluster.nodes[leader].core().removeMember(removed));
        for (final int id : remaining)
        {
            final AeronPeerTransport transport = cluster.nodes[id].transport();
            final RaftNode node = cluster.nodes[id];
            cluster.runUntil(() -> node.core().commitIndex() >= removal && !transport.isKnown(removed), 20);
            assertFalse(transport.hasPublication(removed));
        }

        cluster.runFor(200); // what was already on its way arrives
        final RaftNode gone = cluster.nodes[removed];
        final long received = gone.dispatcher().messagesReceived();
        final long lastIndex = cluster.logs[removed].lastIndex();
        assertTrue(lastIndex < removal, "the removed member is never sent the entry that removes it");
        final long unknownBefore = cluster.nodes[leader].dispatcher().unknownSenders();

        final long last = cluster.offerAndAwaitCommit(leader, 1_000, remaining);
        // without heartbeats the removed member times out and asks for votes: the leader drops them as foreign
        cluster.runUntil(() -> cluster.nodes[leader].dispatcher().unknownSenders() > unknownBefore, 20);
        cluster.runFor(500);

        assertEquals(received, gone.dispatcher().messagesReceived(), "nothing reached the removed member");
        assertEquals(lastIndex, cluster.logs[removed].lastIndex());
        assertNotEquals(Role.LEADER, gone.core().role());
        assertEquals(Role.LEADER, cluster.nodes[leader].core().role());
        assertEquals(term, cluster.nodes[leader].core().currentTerm(), "no election was disturbed");
        assertEquals(cluster.logs[leader].prefixHash(last), cluster.logs[other].prefixHash(last));
    }
}

package io.raftlog.sim;

import io.raftlog.codecs.AppendEntriesDecoder;
import io.raftlog.codecs.AppendResponseDecoder;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.VoteResponseDecoder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.raftlog.sim.RaftScenario.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages that arrive late, twice, or from an older term: the network may do all three, and none of it may move
 * a member backwards.
 */
class StaleMessagesTest
{
    private static final int TEMPLATE_ID_OFFSET = 2;

    /** A message captured off the simulated wire. */
    record Captured(int from, int to, int templateId, byte[] bytes)
    {
        long term()
        {
            // every peer message starts its block with the term
            return new org.agrona.concurrent.UnsafeBuffer(bytes).getLong(MessageHeaderDecoder.ENCODED_LENGTH);
        }
    }

    private static List<Captured> capture(final SimCluster cluster)
    {
        final List<Captured> captured = new ArrayList<>();
        cluster.network().tap((from, to, buffer, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(0, bytes);
            captured.add(new Captured(from, to, buffer.getShort(TEMPLATE_ID_OFFSET) & 0xFFFF, bytes));
        });
        return captured;
    }

    @Test
    void appendResponsesFromAnOlderTermAreIgnoredByANewLeader()
    {
        final RaftScenario s = new RaftScenario(5, 3001);
        final SimCluster cluster = s.cluster();
        final int leader1 = s.checkOneLeader();
        final int follower = 1 + leader1 % 5;

        // leader 1 replicates entries to one follower only: they never commit
        for (int id = 1; id <= 5; id++)
        {
            if (id != leader1 && id != follower)
            {
                s.disconnect(id);
            }
        }
        final List<Captured> captured = capture(cluster);
        for (int i = 0; i < 20; i++)
        {
            s.start(leader1, 1000 + i);
        }
        s.sleep(100 * MS);
        cluster.network().tap(null);
        final long term1 = cluster.node(leader1).core().currentTerm();
        assertTrue(captured.stream().anyMatch(c -> c.templateId() == AppendResponseDecoder.TEMPLATE_ID &&
            c.from() == follower && c.term() == term1), "captured the follower's acknowledgements of term " + term1);

        // the other three elect a new leader and commit other entries; the follower rejoins and is repaired
        s.disconnect(leader1);
        s.disconnect(follower);
        for (int id = 1; id <= 5; id++)
        {
            if (id != leader1 && id != follower)
            {
                s.connect(id);
            }
        }
        for (int i = 0; i < 5; i++)
        {
            s.one(2000 + i, 3, true);
        }
        final int leader2 = s.checkOneLeader();
        s.connect(follower);
        s.one(3000, 4, true);

        // the old acknowledgements, each delivered three times, to the new leader
        for (final Captured c : captured)
        {
            if (c.templateId() == AppendResponseDecoder.TEMPLATE_ID && c.from() == follower)
            {
                for (int copy = 0; copy < 3; copy++)
                {
                    cluster.inject(follower, leader2, c.bytes(), 1 + copy);
                }
            }
        }
        s.sleep(50 * MS);
        assertTrue(cluster.node(leader2).isLeader(), "an older term does not depose the leader");
        final long match = cluster.node(leader2).core().matchIndexOf(follower);
        final SimLogStore followerLog = cluster.node(follower).store();
        assertTrue(match <= followerLog.lastIndex() &&
                followerLog.prefixHash(match) == cluster.node(leader2).store().prefixHash(match),
            "the leader's match index for the follower (" + match + ") is one the follower really holds");
        s.one(3001, 4, true);
        s.finish();
    }

    @Test
    void aDuplicatedVoteCountsOnce()
    {
        final RaftScenario s = new RaftScenario(5, 3002);
        final SimCluster cluster = s.cluster();
        final int leader = s.checkOneLeader();
        s.sleep(100 * MS);

        // the candidate can reach one voter only; the leader is gone
        final int candidate = 1 + leader % 5;
        final int voter = 1 + (leader + 1) % 5;
        for (int id = 1; id <= 5; id++)
        {
            s.disconnect(id);
        }
        s.crash(leader);
        s.connect(candidate);
        s.connect(voter);
        final List<Captured> captured = capture(cluster);
        s.runUntil(() -> captured.stream().anyMatch(c -> c.templateId() == VoteResponseDecoder.TEMPLATE_ID &&
            c.from() == voter && c.to() == candidate), 5_000 * MS);

        // the voter's answers, delivered ten times each
        for (final Captured c : List.copyOf(captured))
        {
            if (c.templateId() == VoteResponseDecoder.TEMPLATE_ID && c.from() == voter)
            {
                for (int copy = 0; copy < 10; copy++)
                {
                    cluster.inject(voter, candidate, c.bytes(), 1 + copy);
                }
            }
        }
        s.sleep(2_000 * MS);
        assertFalse(cluster.node(candidate).isLeader(), "two members of five are no majority, however often");
        assertFalse(cluster.node(voter).isLeader());
        s.finish();
    }

    @Test
    void anOldDelayedAppendEntriesNeverTruncatesCommittedOrNewerEntries()
    {
        final RaftScenario s = new RaftScenario(3, 3003);
        final SimCluster cluster = s.cluster();
        final int leader = s.checkOneLeader();
        final int follower = 1 + leader % 3;
        final List<Captured> captured = capture(cluster);
        s.one(1, 3, false);
        s.one(2, 3, false);
        cluster.network().tap(null);
        for (int i = 3; i <= 20; i++)
        {
            s.one(i, 3, false);
        }
        final long lastBefore = cluster.node(follower).store().lastIndex();
        final long commitBefore = cluster.node(follower).core().commitIndex();
        final long prefixBefore = cluster.node(follower).store().prefixHash(lastBefore);

        int replayed = 0;
        final AppendEntriesDecoder decoder = new AppendEntriesDecoder();
        for (final Captured c : captured)
        {
            if (c.templateId() == AppendEntriesDecoder.TEMPLATE_ID && c.to() == follower)
            {
                decoder.wrap(new org.agrona.concurrent.UnsafeBuffer(c.bytes()), MessageHeaderDecoder.ENCODED_LENGTH,
                    AppendEntriesDecoder.BLOCK_LENGTH, AppendEntriesDecoder.SCHEMA_VERSION);
                if (decoder.entryCount() > 0)
                {
                    cluster.inject(leader, follower, c.bytes(), 1 + replayed++);
                }
            }
        }
        assertTrue(replayed > 0, "captured old AppendEntries with entries");
        s.sleep(20 * MS);
        assertEquals(lastBefore, cluster.node(follower).store().lastIndex(), "no entry dropped");
        assertEquals(prefixBefore, cluster.node(follower).store().prefixHash(lastBefore), "no entry changed");
        assertTrue(cluster.node(follower).core().commitIndex() >= commitBefore, "commit never goes back");
        s.finish();
    }

    @Test
    void appendEntriesFromAnOlderTermIsRejected()
    {
        final RaftScenario s = new RaftScenario(3, 3004);
        final SimCluster cluster = s.cluster();
        final int leader1 = s.checkOneLeader();
        final List<Captured> captured = capture(cluster);
        s.one(1, 3, false);
        cluster.network().tap(null);

        // a new term with a new leader
        s.disconnect(leader1);
        final int leader2 = s.checkOneLeader();
        s.one(2, 2, true);
        s.connect(leader1);
        s.one(3, 3, true);
        final int follower = 6 - leader1 - leader2;
        final long term = cluster.node(follower).core().currentTerm();
        final long last = cluster.node(follower).store().lastIndex();
        final long prefix = cluster.node(follower).store().prefixHash(last);

        for (final Captured c : captured)
        {
            if (c.templateId() == AppendEntriesDecoder.TEMPLATE_ID && c.to() == follower)
            {
                cluster.inject(leader1, follower, c.bytes(), 1);
            }
        }
        s.sleep(20 * MS);
        assertEquals(term, cluster.node(follower).core().currentTerm());
        assertEquals(last, cluster.node(follower).store().lastIndex());
        assertEquals(prefix, cluster.node(follower).store().prefixHash(last));
        assertTrue(cluster.node(leader2).isLeader());
        s.finish();
    }
}

package io.raftlog.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.raftlog.sim.RaftScenario.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Figure 8 of the Raft paper, scripted step by step on the simulator: an entry of an earlier term that reaches a
 * majority under a later leader must not be committed by counting replicas, because a member whose last entry has a
 * higher term can still be elected and overwrite it (paper section 5.4.2).
 * <p>
 * Batches are made so small that the old entry and the new leader's no-op travel in separate AppendEntries, which is
 * what lets the old entry reach a majority alone. With the rule in place nothing is committed at the moment of
 * danger; without it the leader commits the old entry, and the invariant checker sees the later leader lack it.
 */
class PaperFigure8Test
{
    private static final long X = 0x0F1608L;

    @Test
    void anEntryFromAnEarlierTermIsNotCommittedByCountingReplicas()
    {
        final SimOptions options = new SimOptions().members(5).seed(8);
        options.maxPayloadBytes = 1000;
        options.maxBatchBytes = 1064; // the 1000-byte entry and a no-op do not fit one AppendEntries
        options.keepSomeUnsyncedOnCrash = false;
        final RaftScenario s = new RaftScenario(options);
        final SimCluster cluster = s.cluster();

        final int a = s.checkOneLeader();
        s.sleep(200 * MS);
        final List<Integer> others = new ArrayList<>();
        for (int id = 1; id <= 5; id++)
        {
            if (id != a)
            {
                others.add(id);
            }
        }
        final int b = others.get(0);

        // (a) A leads and replicates X, of its term, to B only
        for (final int id : others.subList(1, 4))
        {
            s.disconnect(id);
        }
        final long indexOfX = s.start(a, X, 1000);
        assertTrue(indexOfX > 0);
        s.runUntil(() -> cluster.node(a).core().matchIndexOf(b) >= indexOfX, 1_000 * MS);

        // (b) A crashes; another member is elected without B and appends its no-op at X's index, alone
        s.crash(a);
        s.disconnect(b);
        for (final int id : others.subList(1, 4))
        {
            s.connect(id);
        }
        s.runUntil(() -> leaderAmong(cluster, others.subList(1, 4)) != 0, 5_000 * MS);
        final int e = leaderAmong(cluster, others.subList(1, 4));
        s.disconnect(e); // its no-op never leaves
        s.sleep(10 * MS);
        assertEquals(indexOfX, cluster.node(e).store().lastIndex(), "E holds its own entry at X's index");
        s.crash(e);
        final List<Integer> cd = new ArrayList<>(others.subList(1, 4));
        cd.remove(Integer.valueOf(e));
        final int c = cd.get(0);
        final int d = cd.get(1);

        // (c) A restarts and is elected by A, C and D; X reaches C and D, A's no-op reaches neither C nor B
        s.restart(a);
        s.connect(a);
        s.runUntil(() -> cluster.node(a).isLeader(), 10_000 * MS);
        s.runUntil(() -> cluster.node(a).core().matchIndexOf(c) >= indexOfX, 2_000 * MS);
        s.disconnect(c); // A's no-op, sent right behind, never arrives
        s.runUntil(() -> cluster.node(a).core().matchIndexOf(d) >= indexOfX, 2_000 * MS);

        int holdersOfX = 0;
        for (final int id : new int[]{a, b, c, d})
        {
            if (cluster.node(id).store().lastIndex() >= indexOfX &&
                cluster.node(id).store().payloadIdAt(indexOfX) == X)
            {
                holdersOfX++;
            }
        }
        assertTrue(holdersOfX >= 3, "X sits on a majority of five (" + holdersOfX + ")");
        assertTrue(cluster.node(a).core().commitIndex() < indexOfX,
            "figure 8: A must not commit X, an entry of an earlier term, by counting its replicas");

        // (d) A crashes; E, whose last entry has a newer term than X, is elected by E, B and C and overwrites X
        s.disconnect(a);
        s.crash(a);
        s.disconnect(d);
        s.restart(e);
        s.connect(e);
        s.connect(b);
        s.connect(c);
        s.runUntil(() -> cluster.node(e).isLeader(), 10_000 * MS);
        s.sleep(1_000 * MS);
        assertTrue(s.nCommitted(indexOfX) >= 3);
        assertNotEquals(X, s.committedCommand(indexOfX), "X, never committed, was rightly overwritten");
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

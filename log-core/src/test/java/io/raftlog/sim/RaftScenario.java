package io.raftlog.sim;

import io.raftlog.core.Role;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The vocabulary of the MIT 6.824 Raft lab's test harness, on the simulator: connect and disconnect members,
 * crash and restart them, find the one leader, agree on a command with {@link #one}. Commands are longs stored as
 * the first 8 bytes of the payload. Time is simulated, so the lab's seconds cost milliseconds here.
 * Every step also runs the simulator's invariant checker; {@link #finish()} fails the test on any violation.
 */
public final class RaftScenario
{
    public static final long MS = 1_000_000L;

    private final SimCluster cluster;
    private final boolean[] connected;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);
    private final SplittableRandom random;

    public RaftScenario(final int members, final long seed)
    {
        this(new SimOptions().members(members).seed(seed));
    }

    public RaftScenario(final SimOptions options)
    {
        cluster = new SimCluster(options);
        connected = new boolean[options.members + 1];
        random = new SplittableRandom(options.seed * 31 + 7);
        cluster.startAll();
        for (int i = 1; i <= options.members; i++)
        {
            connected[i] = true;
        }
    }

    public SimCluster cluster()
    {
        return cluster;
    }

    public SplittableRandom random()
    {
        return random;
    }

    public int size()
    {
        return cluster.size();
    }

    public void sleep(final long ns)
    {
        cluster.runFor(ns);
    }

    /**
     * Steps the simulation one event at a time until {@code condition} holds, so a test can act between two
     * events (cut a link right after a message leaves, crash a member right after it commits).
     */
    public void runUntil(final java.util.function.BooleanSupplier condition, final long maxNs)
    {
        final long deadline = cluster.nowNs() + maxNs;
        while (!condition.getAsBoolean())
        {
            assertTrue(cluster.nowNs() < deadline, "condition not reached within " + maxNs / MS + " ms");
            cluster.step();
        }
    }

    public void disconnect(final int id)
    {
        connected[id] = false;
        cluster.network().isolate(id);
    }

    public void connect(final int id)
    {
        connected[id] = true;
        for (int other = 1; other <= size(); other++)
        {
            if (other != id && connected[other])
            {
                cluster.network().link(id, other);
                cluster.network().link(other, id);
            }
        }
    }

    public boolean isConnected(final int id)
    {
        return connected[id];
    }

    /**
     * 6.824's crash: the process dies; what it persisted (term, vote, durable log) survives.
     */
    public void crash(final int id)
    {
        cluster.crash(id);
    }

    public void restart(final int id)
    {
        cluster.restart(id);
    }

    public void setUnreliable(final boolean unreliable)
    {
        if (unreliable)
        {
            cluster.network().unreliable(0.1, 0.05, 27 * MS);
        }
        else
        {
            cluster.network().reliable();
        }
    }

    public void setLongReordering(final boolean longReordering)
    {
        if (longReordering)
        {
            cluster.network().unreliable(0.1, 0.05, 600 * MS);
        }
        else
        {
            cluster.network().reliable();
        }
    }

    /**
     * @return the one leader among connected, live members, waiting for an election if needed; fails when two
     * lead the same term or none emerges.
     */
    public int checkOneLeader()
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            sleep(450 * MS + random.nextLong(100 * MS));
            long bestTerm = -1;
            int best = 0;
            final List<Long> terms = new ArrayList<>();
            for (int id = 1; id <= size(); id++)
            {
                final SimNode node = cluster.node(id);
                if (connected[id] && node.isAlive() && node.core().role() == Role.LEADER)
                {
                    final long term = node.core().currentTerm();
                    assertTrue(!terms.contains(term), "term " + term + " has more than one leader");
                    terms.add(term);
                    if (term > bestTerm)
                    {
                        bestTerm = term;
                        best = id;
                    }
                }
            }
            if (best != 0)
            {
                return best;
            }
        }
        fail("expected one leader, got none");
        return 0;
    }

    /**
     * @return the term every connected member agrees on; fails if they disagree.
     */
    public long checkTerms()
    {
        long term = -1;
        for (int id = 1; id <= size(); id++)
        {
            if (connected[id] && cluster.node(id).isAlive())
            {
                final long t = cluster.node(id).core().currentTerm();
                if (term == -1)
                {
                    term = t;
                }
                else
                {
                    assertEquals(term, t, "servers disagree on term");
                }
            }
        }
        return term;
    }

    public void checkNoLeader()
    {
        for (int id = 1; id <= size(); id++)
        {
            final SimNode node = cluster.node(id);
            if (connected[id] && node.isAlive())
            {
                assertTrue(node.core().role() != Role.LEADER, "expected no leader among connected, but " + id +
                    " claims to be leader");
            }
        }
    }

    /**
     * Offers a command at member {@code id} as the application there would.
     *
     * @return the index, or a negative code when not leader or back-pressured.
     */
    public long start(final int id, final long command)
    {
        if (!cluster.node(id).isAlive())
        {
            return -1;
        }
        payload.putLong(0, command);
        return cluster.offer(id, payload, 0, 8);
    }

    public long start(final int id, final long command, final int size)
    {
        payload.putLong(0, command);
        return cluster.offer(id, payload, 0, size);
    }

    /**
     * @return how many members consider {@code index} committed; fails if they disagree on its command.
     */
    public int nCommitted(final long index)
    {
        int count = 0;
        long command = Long.MIN_VALUE;
        for (int id = 1; id <= size(); id++)
        {
            final SimNode node = cluster.node(id);
            if (node.isAlive() && node.core().commitIndex() >= index)
            {
                count++;
                if (index <= node.store().baseIndex())
                {
                    continue; // compacted into a snapshot, which the checker compared with the committed log
                }
                final long c = node.store().payloadIdAt(index);
                if (command != Long.MIN_VALUE)
                {
                    assertEquals(command, c, "committed values do not match at index " + index);
                }
                command = c;
            }
        }
        return count;
    }

    /**
     * @return the command committed at {@code index} on some member, or Long.MIN_VALUE.
     */
    public long committedCommand(final long index)
    {
        for (int id = 1; id <= size(); id++)
        {
            final SimNode node = cluster.node(id);
            if (node.isAlive() && node.core().commitIndex() >= index && index > node.store().baseIndex())
            {
                return node.store().payloadIdAt(index);
            }
        }
        return Long.MIN_VALUE;
    }

    /**
     * 6.824's one(): keep offering the command to whoever leads until it is committed on at least
     * {@code expectedServers} members, within 10 simulated seconds.
     *
     * @return its index.
     */
    public long one(final long command, final int expectedServers, final boolean retry)
    {
        final long deadline = cluster.nowNs() + 10_000 * MS;
        int starts = 0;
        while (cluster.nowNs() < deadline)
        {
            long index = -1;
            for (int i = 0; i < size(); i++)
            {
                starts = starts % size() + 1;
                if (connected[starts] && cluster.node(starts).isAlive())
                {
                    final long result = start(starts, command);
                    if (result > 0)
                    {
                        index = result;
                        break;
                    }
                }
            }
            if (index > 0)
            {
                final long waitUntil = cluster.nowNs() + 2_000 * MS;
                while (cluster.nowNs() < waitUntil)
                {
                    final int n = nCommitted(index);
                    if (n > 0 && n >= expectedServers && committedCommand(index) == command)
                    {
                        return index;
                    }
                    sleep(20 * MS);
                }
                if (!retry)
                {
                    fail("one(" + command + ") failed to reach agreement");
                }
            }
            else
            {
                sleep(50 * MS);
            }
        }
        fail("one(" + command + ") failed to reach agreement");
        return -1;
    }

    public long totalMessagesSent()
    {
        long total = 0;
        for (int id = 1; id <= size(); id++)
        {
            total += cluster.node(id).messagesSent();
        }
        return total;
    }

    public long totalEntryBytesSent()
    {
        long total = 0;
        for (int id = 1; id <= size(); id++)
        {
            total += cluster.node(id).entryBytesSent();
        }
        return total;
    }

    /**
     * Fails the test if the simulator's invariant checker saw any violation during the scenario.
     */
    public void finish()
    {
        final List<String> violations = cluster.checker().violations();
        assertTrue(violations.isEmpty(), "safety violations: " + violations);
    }
}

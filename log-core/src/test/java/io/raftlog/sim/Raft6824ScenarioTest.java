package io.raftlog.sim;

import io.raftlog.codecs.LogEntryCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.raftlog.sim.RaftScenario.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cases of the MIT 6.824 / 6.5840 Raft lab (parts 2A to 2C, a.k.a. 3A to 3C), one test each, on the
 * deterministic simulator. The cases are the lab's; the code is ours. Indices include each new leader's no-op, so
 * the tests use the indices the cluster returns rather than counting from 1.
 */
class Raft6824ScenarioTest
{
    // ---------------------------------------------------------------------------------------------------------------
    // 2A: leader election
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void initialElection()
    {
        final RaftScenario s = new RaftScenario(3, 2001);
        s.checkOneLeader();
        s.sleep(50 * MS);
        final long term1 = s.checkTerms();
        assertTrue(term1 >= 1, "term is " + term1 + ", but should be at least 1");

        // does the leader+term stay the same if there is no network failure?
        s.sleep(2_000 * MS);
        final long term2 = s.checkTerms();
        assertEquals(term1, term2, "term changed with no failures");
        s.checkOneLeader();
        s.finish();
    }

    @Test
    void reElection()
    {
        final RaftScenario s = new RaftScenario(3, 2002);
        final int leader1 = s.checkOneLeader();

        // if the leader disconnects, a new one should be elected
        s.disconnect(leader1);
        s.checkOneLeader();

        // if the old leader rejoins, that shouldn't disturb the new leader
        s.connect(leader1);
        final int leader2 = s.checkOneLeader();

        // if there's no quorum, no new leader should be elected
        s.disconnect(leader2);
        s.disconnect(1 + leader2 % 3);
        s.sleep(2_000 * MS);
        s.checkNoLeader();

        // if a quorum arises, it should elect a leader
        s.connect(1 + leader2 % 3);
        s.checkOneLeader();

        // re-join of last node shouldn't prevent leader from existing
        s.connect(leader2);
        s.checkOneLeader();
        s.finish();
    }

    @Test
    void manyElections()
    {
        final int servers = 7;
        final RaftScenario s = new RaftScenario(servers, 2003);
        s.checkOneLeader();
        for (int iteration = 0; iteration < 10; iteration++)
        {
            // disconnect three random nodes
            final int i1 = 1 + s.random().nextInt(servers);
            final int i2 = 1 + s.random().nextInt(servers);
            final int i3 = 1 + s.random().nextInt(servers);
            s.disconnect(i1);
            s.disconnect(i2);
            s.disconnect(i3);

            // either the current leader should still be alive, or the remaining four should elect a new one
            s.checkOneLeader();

            s.connect(i1);
            s.connect(i2);
            s.connect(i3);
        }
        s.checkOneLeader();
        s.finish();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2B: log replication
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void basicAgreement()
    {
        final RaftScenario s = new RaftScenario(3, 2011);
        final int leader = s.checkOneLeader();
        // the new leader's no-op is already committed; the first command comes after it
        long previous = s.cluster().node(leader).core().lastIndex();
        for (int i = 1; i <= 3; i++)
        {
            assertEquals(0, s.nCommitted(previous + 1), "some have committed before start()");
            final long index = s.one(100 + i, 3, false);
            assertTrue(index > previous, "got index " + index + " after " + previous);
            previous = index;
        }
        s.finish();
    }

    /**
     * Each command is sent to each follower about once: the bytes of entries sent stay close to
     * (commands x record size x followers).
     */
    @Test
    void rpcByteCount()
    {
        final RaftScenario s = new RaftScenario(3, 2012);
        s.checkOneLeader();
        s.one(99, 3, false);
        final long bytes0 = s.totalEntryBytesSent();

        final int payloadSize = 1000;
        final int commands = 10;
        for (int i = 0; i < commands; i++)
        {
            final int leader = s.checkOneLeader();
            final long index = s.start(leader, 1000 + i, payloadSize);
            assertTrue(index > 0, "start failed: " + index);
            while (s.nCommitted(index) < 3)
            {
                s.sleep(5 * MS);
            }
        }
        final long got = s.totalEntryBytesSent() - bytes0;
        final long expected = (long)commands * LogEntryCodec.recordLength(payloadSize) * (s.size() - 1);
        assertTrue(got <= expected + expected / 10, "too many entry bytes sent: " + got + " expected about " +
            expected);
        assertTrue(got >= expected, "fewer bytes than the entries themselves: " + got + " < " + expected);
        s.finish();
    }

    @Test
    void agreementDespiteFollowerDisconnection()
    {
        final RaftScenario s = new RaftScenario(3, 2013);
        s.one(101, 3, false);

        // disconnect one follower from the network
        final int leader = s.checkOneLeader();
        s.disconnect(1 + leader % 3);

        // the leader and remaining follower should be able to agree despite the disconnected follower
        s.one(102, 2, false);
        s.one(103, 2, false);
        s.sleep(300 * MS);
        s.one(104, 2, false);
        s.one(105, 2, false);

        // re-connect
        s.connect(1 + leader % 3);

        // the full set of servers should preserve previous agreements, and be able to agree on new commands
        s.one(106, 3, true);
        s.sleep(300 * MS);
        s.one(107, 3, true);
        s.finish();
    }

    @Test
    void noAgreementWithTooManyFollowersDisconnected()
    {
        final int servers = 5;
        final RaftScenario s = new RaftScenario(servers, 2014);
        s.one(10, servers, false);

        // 3 of 5 followers disconnect
        final int leader = s.checkOneLeader();
        s.disconnect(1 + leader % servers);
        s.disconnect(1 + (leader + 1) % servers);
        s.disconnect(1 + (leader + 2) % servers);

        final long index = s.start(leader, 20);
        assertTrue(index > 0, "leader rejected start(): " + index);
        s.sleep(2_000 * MS);
        assertEquals(0, s.nCommitted(index), "committed without a majority");

        // repair
        s.connect(1 + leader % servers);
        s.connect(1 + (leader + 1) % servers);
        s.connect(1 + (leader + 2) % servers);

        // the disconnected majority may have chosen a leader from among their own ranks, forgetting index 2
        final int leader2 = s.checkOneLeader();
        final long index2 = s.start(leader2, 30);
        assertTrue(index2 > 0, "leader2 rejected start(): " + index2);
        s.one(1000, servers, true);
        s.finish();
    }

    @Test
    void concurrentStarts()
    {
        final RaftScenario s = new RaftScenario(3, 2015);
        final int leader = s.checkOneLeader();
        final long term = s.cluster().node(leader).core().currentTerm();
        // five clients offer in the same duty cycle of the leader
        final long[] indices = new long[5];
        final var core = s.cluster().node(leader).core();
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 5; i++)
        {
            buffer.putLong(0, 100 + i);
            indices[i] = core.offer(buffer, 0, 8);
            assertTrue(indices[i] > 0);
        }
        s.cluster().endCycle(s.cluster().node(leader));
        for (int i = 1; i < 5; i++)
        {
            assertEquals(indices[i - 1] + 1, indices[i], "concurrent offers get consecutive indices");
        }
        final Set<Long> committed = new HashSet<>();
        s.sleep(500 * MS);
        assertEquals(term, s.cluster().node(leader).core().currentTerm(), "term changed");
        for (final long index : indices)
        {
            assertEquals(3, s.nCommitted(index));
            committed.add(s.committedCommand(index));
        }
        assertEquals(Set.of(100L, 101L, 102L, 103L, 104L), committed);
        s.finish();
    }

    @Test
    void rejoinOfPartitionedLeader()
    {
        final RaftScenario s = new RaftScenario(3, 2016);
        s.one(101, 3, true);

        // leader network failure
        final int leader1 = s.checkOneLeader();
        s.disconnect(leader1);

        // make old leader try to agree on some entries
        s.start(leader1, 102);
        s.start(leader1, 103);
        s.start(leader1, 104);

        // new leader commits, also for index=2
        s.one(103, 2, true);

        // new leader network failure
        final int leader2 = s.checkOneLeader();
        s.disconnect(leader2);

        // old leader connected again
        s.connect(leader1);
        s.one(104, 2, true);

        // all together now
        s.connect(leader2);
        s.one(105, 3, true);
        s.finish();
    }

    /**
     * Fast back-up: a leader brings followers with long, wrong logs back in line quickly.
     */
    @Test
    void leaderBacksUpQuicklyOverIncorrectFollowerLogs()
    {
        final int servers = 5;
        final RaftScenario s = new RaftScenario(servers, 2017);
        s.one(s.random().nextLong(), servers, true);

        // put leader and one follower in a partition
        final int leader1 = s.checkOneLeader();
        s.disconnect(1 + (leader1 + 1) % servers);
        s.disconnect(1 + (leader1 + 2) % servers);
        s.disconnect(1 + (leader1 + 3) % servers);

        // submit lots of commands that won't commit
        for (int i = 0; i < 50; i++)
        {
            s.start(leader1, s.random().nextLong());
        }
        s.sleep(300 * MS);

        s.disconnect(leader1);
        s.disconnect(1 + leader1 % servers);

        // allow other partition to recover
        s.connect(1 + (leader1 + 1) % servers);
        s.connect(1 + (leader1 + 2) % servers);
        s.connect(1 + (leader1 + 3) % servers);

        // lots of successful commands to new group
        for (int i = 0; i < 50; i++)
        {
            s.one(s.random().nextLong(), 3, true);
        }

        // now another partitioned leader and one follower
        final int leader2 = s.checkOneLeader();
        int other = 1 + (leader1 + 1) % servers;
        if (leader2 == other)
        {
            other = 1 + (leader2 % servers);
        }
        s.disconnect(other);

        // lots more commands that won't commit
        for (int i = 0; i < 50; i++)
        {
            s.start(leader2, s.random().nextLong());
        }
        s.sleep(300 * MS);

        // bring original leader back to life
        for (int i = 1; i <= servers; i++)
        {
            s.disconnect(i);
        }
        s.connect(leader1);
        s.connect(1 + leader1 % servers);
        s.connect(other);

        // lots of successful commands to new group
        for (int i = 0; i < 50; i++)
        {
            s.one(s.random().nextLong(), 3, true);
        }

        // now everyone
        for (int i = 1; i <= servers; i++)
        {
            s.connect(i);
        }
        s.one(s.random().nextLong(), servers, true);
        s.finish();
    }

    /**
     * No excessive traffic: agreeing on a few commands costs a bounded number of messages, and an idle cluster
     * sends only heartbeats and their answers.
     */
    @Test
    void rpcCountsAreBounded()
    {
        final RaftScenario s = new RaftScenario(3, 2018);
        final int leader = s.checkOneLeader();
        final long electionMessages = s.totalMessagesSent();
        // pre-vote and vote requests and answers, then heartbeats and answers for the rest of the wait
        final long heartbeatRounds = s.cluster().nowNs() / s.cluster().options().heartbeatIntervalNs + 1;
        final long electionBudget = 4L * (s.size() - 1) * s.size() + 2L * (s.size() - 1) * heartbeatRounds;
        assertTrue(electionMessages <= electionBudget,
            "too many messages (" + electionMessages + ") for the initial election, budget " + electionBudget);

        final long before = s.totalMessagesSent();
        final int commands = 10;
        long lastIndex = 0;
        for (int i = 1; i <= commands; i++)
        {
            lastIndex = s.start(leader, 100 + i);
            assertTrue(lastIndex > 0);
        }
        s.sleep(100 * MS);
        assertEquals(3, s.nCommitted(lastIndex));
        final long agreementMessages = s.totalMessagesSent() - before;
        // each command: one AppendEntries to each follower and one answer, plus heartbeats in the 100 ms
        final long heartbeats = 2L * (s.size() - 1) * (100 * MS / s.cluster().options().heartbeatIntervalNs + 1);
        assertTrue(agreementMessages <= (long)commands * 2 * (s.size() - 1) + heartbeats,
            "too many messages (" + agreementMessages + ") for " + commands + " commands");

        // idle: heartbeats only
        final long idleStart = s.totalMessagesSent();
        s.sleep(1_000 * MS);
        final long idle = s.totalMessagesSent() - idleStart;
        final long heartbeatsPerSecond = 1_000 * MS / s.cluster().options().heartbeatIntervalNs;
        assertTrue(idle <= 2 * (s.size() - 1) * (heartbeatsPerSecond + 1),
            "too many messages (" + idle + ") in one idle second");
        assertEquals(s.checkTerms(), s.cluster().node(leader).core().currentTerm(), "term changed while idle");
        s.finish();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2C: persistence
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void persist1()
    {
        final RaftScenario s = new RaftScenario(3, 2021);
        s.one(11, 3, true);

        // crash and re-start all
        for (int i = 1; i <= 3; i++)
        {
            s.crash(i);
        }
        for (int i = 1; i <= 3; i++)
        {
            s.restart(i);
        }
        s.one(12, 3, true);

        final int leader1 = s.checkOneLeader();
        s.crash(leader1);
        s.restart(leader1);
        s.one(13, 3, true);

        final int leader2 = s.checkOneLeader();
        s.crash(leader2);
        s.one(14, 2, true);
        s.restart(leader2);

        s.sleep(1_000 * MS);
        final int i3 = 1 + s.checkOneLeader() % 3;
        s.crash(i3);
        s.one(15, 2, true);
        s.restart(i3);

        s.one(16, 3, true);
        s.finish();
    }

    @Test
    void persist2()
    {
        final int servers = 5;
        final RaftScenario s = new RaftScenario(servers, 2022);
        int index = 1;
        for (int iteration = 0; iteration < 5; iteration++)
        {
            s.one(10 + index, servers, true);
            index++;

            final int leader1 = s.checkOneLeader();
            s.crash(1 + leader1 % servers);
            s.crash(1 + (leader1 + 1) % servers);

            s.one(10 + index, servers - 2, true);
            index++;

            s.crash(leader1);
            s.crash(1 + (leader1 + 2) % servers);
            s.crash(1 + (leader1 + 3) % servers);

            s.restart(1 + leader1 % servers);
            s.restart(1 + (leader1 + 1) % servers);

            s.sleep(1_000 * MS);

            s.restart(1 + (leader1 + 2) % servers);

            s.one(10 + index, servers - 2, true);
            index++;

            s.restart(1 + (leader1 + 3) % servers);
            s.restart(leader1);
        }
        s.one(1000, servers, true);
        s.finish();
    }

    /**
     * A partitioned leader and one follower crash, the leader restarts.
     */
    @Test
    void persist3()
    {
        final RaftScenario s = new RaftScenario(3, 2023);
        s.one(101, 3, true);

        final int leader = s.checkOneLeader();
        s.disconnect(1 + (leader + 1) % 3);
        s.one(102, 2, true);

        s.crash(1 + leader % 3);
        s.crash(1 + (leader + 1) % 3);
        s.connect(1 + (leader + 1) % 3);
        s.restart(1 + (leader + 1) % 3);
        s.restart(1 + leader % 3);

        s.one(103, 2, true);

        s.restart(1 + (leader + 1) % 3);
        s.crash(leader);
        s.restart(leader);

        s.one(104, 3, true);
        s.finish();
    }

    /**
     * Figure 8 of the paper: leaders crash right after appending, others with different logs take over. An entry
     * of an earlier term must not be committed by counting replicas, or a committed entry gets overwritten.
     */
    @Test
    void figure8()
    {
        final int servers = 5;
        final RaftScenario s = new RaftScenario(servers, 2024);
        s.one(s.random().nextLong(), 1, true);

        int up = servers;
        for (int iteration = 0; iteration < 1000; iteration++)
        {
            int leader = 0;
            for (int i = 1; i <= servers; i++)
            {
                if (s.cluster().node(i).isLeader() && s.start(i, s.random().nextLong()) > 0)
                {
                    leader = i;
                }
            }
            if (s.random().nextInt(1000) < 100)
            {
                s.sleep(s.random().nextLong(150 * MS));
            }
            else
            {
                s.sleep(s.random().nextLong(13 * MS));
            }
            if (leader != 0 && s.cluster().node(leader).isAlive())
            {
                s.crash(leader);
                up--;
            }
            if (up < 3)
            {
                final int candidate = 1 + s.random().nextInt(servers);
                if (!s.cluster().node(candidate).isAlive())
                {
                    s.restart(candidate);
                    up++;
                }
            }
        }
        for (int i = 1; i <= servers; i++)
        {
            s.restart(i);
        }
        s.one(s.random().nextLong(), servers, true);
        s.finish();
    }

    @Test
    void unreliableAgreement()
    {
        final int servers = 5;
        final RaftScenario s = new RaftScenario(servers, 2025);
        s.setUnreliable(true);
        // concurrent clients in the lab; here interleaved commands from several clients
        for (int iteration = 1; iteration < 50; iteration++)
        {
            for (int client = 0; client < 4; client++)
            {
                final int leader = firstLeader(s);
                if (leader != 0)
                {
                    s.start(leader, 100L * iteration + client);
                }
                s.sleep(s.random().nextLong(5 * MS));
            }
            s.one(iteration, 1, true);
        }
        s.setUnreliable(false);
        s.one(100, servers, true);
        s.finish();
    }

    @Test
    void figure8Unreliable()
    {
        final int servers = 5;
        final RaftScenario s = new RaftScenario(servers, 2026);
        s.setUnreliable(true);
        s.one(s.random().nextLong() % 10_000, 1, true);

        int nup = servers;
        for (int iteration = 0; iteration < 1000; iteration++)
        {
            if (iteration == 200)
            {
                s.setLongReordering(true);
            }
            int leader = 0;
            for (int i = 1; i <= servers; i++)
            {
                if (s.isConnected(i) && s.cluster().node(i).isLeader() &&
                    s.start(i, s.random().nextLong() % 10_000) > 0)
                {
                    leader = i;
                }
            }
            if (s.random().nextInt(1000) < 100)
            {
                s.sleep(s.random().nextLong(45 * MS));
            }
            else
            {
                s.sleep(s.random().nextLong(13 * MS));
            }
            if (leader != 0 && s.random().nextInt(1000) < 500)
            {
                s.disconnect(leader);
                nup--;
            }
            if (nup < 3)
            {
                final int candidate = 1 + s.random().nextInt(servers);
                if (!s.isConnected(candidate))
                {
                    s.connect(candidate);
                    nup++;
                }
            }
        }
        for (int i = 1; i <= servers; i++)
        {
            s.connect(i);
        }
        s.setUnreliable(false);
        s.one(s.random().nextLong() % 10_000, servers, true);
        s.finish();
    }

    @Test
    void reliableChurn()
    {
        churn(false, 2027);
    }

    @Test
    void unreliableChurn()
    {
        churn(true, 2028);
    }

    /**
     * Clients keep offering while members crash, restart, disconnect and reconnect; everything any client saw
     * committed must be in the final log.
     */
    private static void churn(final boolean unreliable, final long seed)
    {
        final int servers = 5;
        final RaftScenario s = new RaftScenario(servers, seed);
        s.setUnreliable(unreliable);
        final List<Long> acknowledged = new ArrayList<>();
        final List<long[]> pending = new ArrayList<>(); // {index, command}
        long command = 1;
        for (int iteration = 0; iteration < 20; iteration++)
        {
            // three clients offering for a while
            final long until = s.cluster().nowNs() + 700 * MS;
            while (s.cluster().nowNs() < until)
            {
                for (int client = 0; client < 3; client++)
                {
                    final int target = 1 + s.random().nextInt(servers);
                    if (s.isConnected(target) && s.cluster().node(target).isLeader())
                    {
                        final long index = s.start(target, command);
                        if (index > 0)
                        {
                            pending.add(new long[]{index, command});
                            command++;
                        }
                    }
                }
                s.sleep(s.random().nextLong(20 * MS));
                pending.removeIf(p ->
                {
                    if (s.nCommitted(p[0]) > 0)
                    {
                        if (s.committedCommand(p[0]) == p[1])
                        {
                            acknowledged.add(p[1]);
                        }
                        return true;
                    }
                    return false;
                });
            }
            final int victim = 1 + s.random().nextInt(servers);
            switch (s.random().nextInt(4))
            {
                case 0 -> s.disconnect(victim);
                case 1 -> s.connect(victim);
                case 2 -> s.crash(victim);
                default -> s.restart(victim);
            }
        }
        s.sleep(1_000 * MS);
        s.setUnreliable(false);
        for (int i = 1; i <= servers; i++)
        {
            s.restart(i);
            s.connect(i);
        }
        final long last = s.one(-1, servers, true);
        final Set<Long> inLog = new HashSet<>();
        for (long index = 1; index <= last; index++)
        {
            inLog.add(s.committedCommand(index));
        }
        for (final long acked : acknowledged)
        {
            assertTrue(inLog.contains(acked), "acknowledged command " + acked + " missing from the final log");
        }
        assertTrue(acknowledged.size() > 50, "churn made too little progress: " + acknowledged.size());
        s.finish();
    }

    private static int firstLeader(final RaftScenario s)
    {
        for (int i = 1; i <= s.size(); i++)
        {
            if (s.isConnected(i) && s.cluster().node(i).isLeader())
            {
                return i;
            }
        }
        return 0;
    }
}

package io.raftlog.sim;

import io.raftlog.core.OfferResult;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.raftlog.sim.RaftScenario.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The cases of the MIT 6.824 / 6.5840 Raft lab part 2D (a.k.a. 3D: log compaction), one test each, on the
 * deterministic simulator. The cases are the lab's; the code is ours.
 * <p>
 * Each member's simulated application takes a snapshot whenever {@link #SNAPSHOT_INTERVAL} entries have committed
 * since its last one and compacts its log up to it ({@code retainEntries = 0}), so a follower that misses more than
 * that can only be brought up to date with InstallSnapshot. In the install cases the snapshot state is
 * {@link #INSTALL_STATE_BYTES} bytes, more than two 16 KiB batches, so every install travels in several chunks. As in
 * {@link Raft6824ScenarioTest}, indices include each new leader's no-op, so the tests use the indices the cluster
 * returns rather than counting from 1.
 * <p>
 * Agreement is checked with {@link Lab#one}, the lab's one() over {@link RaftScenario}'s members, rather than
 * {@link RaftScenario#one}: that one reads each member's command at the index from its log, which a member that
 * installed a snapshot covering the index no longer holds (see {@link Lab}).
 */
class Raft6824SnapshotScenarioTest
{
    /** The lab's SnapShotInterval: entries committed between two snapshots. */
    private static final int SNAPSHOT_INTERVAL = 10;
    /** The iterations of the lab's snapcommon. */
    private static final int ITERATIONS = 30;
    /** Large enough that a snapshot needs several InstallSnapshot chunks (maxBatchBytes is 16 KiB). */
    private static final int INSTALL_STATE_BYTES = 40_000;
    /**
     * The most entries a live member's log may hold (lastIndex - baseIndex) once an iteration's commands are
     * committed; the lab's MAXLOGSIZE. A member snapshots as soon as {@link #SNAPSHOT_INTERVAL} entries committed
     * since its last snapshot, so its log holds at most SnapShotInterval - 1 committed entries not yet in a snapshot;
     * the other SnapShotInterval entries allowed are for what is not yet committed there: one()'s command or a
     * new leader's no-op on a member that learns the commit index only with the next message, copies of one()'s
     * command from retries over an unreliable network, the tail a disconnected member was cut off with. Without
     * compaction a log grows by some 15 entries (SnapShotInterval/2 + random(SnapShotInterval) commands and one()'s)
     * every iteration, so the bound fails by the second iteration.
     */
    private static final long MAX_LOG_ENTRIES = 2L * SNAPSHOT_INTERVAL;

    /**
     * Basic snapshotting: no faults; every member keeps taking snapshots and compacting, its log stays bounded, and
     * agreement on new commands is unaffected.
     */
    @Test
    void snapshotBasic()
    {
        final Lab lab = snapCommon(false, true, false, 2041);
        for (int id = 1; id <= lab.s.size(); id++)
        {
            final long saves = lab.s.cluster().node(id).snapshots().saves();
            assertTrue(saves >= ITERATIONS / 2, "member " + id + " took only " + saves + " snapshots");
        }
    }

    /**
     * A disconnected follower misses more entries than the leader keeps in its log; on reconnecting it is brought
     * up to date with InstallSnapshot (in chunks), and then agrees on new commands.
     */
    @Test
    void snapshotInstall()
    {
        assertInstalled(snapCommon(true, true, false, 2042));
    }

    /**
     * {@link #snapshotInstall()} over an unreliable network: chunks and their answers are dropped, duplicated and
     * delayed, and the installs still complete and verify.
     */
    @Test
    void snapshotInstallUnreliable()
    {
        assertInstalled(snapCommon(true, false, false, 2043));
    }

    /**
     * A crashed follower restarts from its own snapshot and log, and is brought up to date with InstallSnapshot for
     * what it missed while down.
     */
    @Test
    void snapshotInstallCrash()
    {
        assertInstalled(snapCommon(false, true, true, 2044));
    }

    /**
     * {@link #snapshotInstallCrash()} over an unreliable network.
     */
    @Test
    void snapshotInstallUnreliableCrash()
    {
        assertInstalled(snapCommon(false, false, true, 2045));
    }

    /**
     * All members crash and restart, repeatedly, each time after enough commands for a snapshot: they come back
     * from their snapshots and logs, and the index of a new agreement never goes back.
     */
    @Test
    void snapshotAllCrash()
    {
        final int servers = 3;
        final Lab lab = new Lab(options(servers, 2046, 64));
        final RaftScenario s = lab.s;
        lab.one(s.random().nextLong(), servers, true);
        for (int iteration = 0; iteration < 5; iteration++)
        {
            // perhaps enough to get a snapshot
            final int n = SNAPSHOT_INTERVAL / 2 + s.random().nextInt(SNAPSHOT_INTERVAL);
            for (int i = 0; i < n; i++)
            {
                lab.one(s.random().nextLong(), servers, true);
            }
            final long index1 = lab.one(s.random().nextLong(), servers, true);

            // crash all
            for (int id = 1; id <= servers; id++)
            {
                s.crash(id);
            }
            for (int id = 1; id <= servers; id++)
            {
                s.restart(id);
            }

            final long index2 = lab.one(s.random().nextLong(), servers, true);
            assertTrue(index2 >= index1 + 1, "index decreased from " + index1 + " to " + index2);
        }
        for (int id = 1; id <= servers; id++)
        {
            assertTrue(s.cluster().node(id).snapshots().saves() >= 5, "member " + id + " took too few snapshots");
        }
        lab.finish();
    }

    /**
     * After a full crash and restart the members start from their snapshots: the commit index starts at the
     * snapshot's index and the log's base, where compaction left it, survives the restart; new commands still
     * commit, also after a second full crash.
     */
    @Test
    void snapshotInitAfterRestart()
    {
        final int servers = 3;
        final Lab lab = new Lab(options(servers, 2047, 64));
        final RaftScenario s = lab.s;
        lab.one(s.random().nextLong(), servers, true);

        // enough ops to make a snapshot
        for (int i = 0; i < SNAPSHOT_INTERVAL + 1; i++)
        {
            lab.one(s.random().nextLong(), servers, true);
        }
        crashAndRestartAllFromSnapshots(s);

        // a single op, to get something to be written back to persistent storage
        final long index1 = lab.one(s.random().nextLong(), servers, true);
        crashAndRestartAllFromSnapshots(s);

        // another op after starting from the snapshots a second time
        final long index2 = lab.one(s.random().nextLong(), servers, true);
        assertTrue(index2 > index1, "index decreased from " + index1 + " to " + index2);
        lab.finish();
    }

    private static void crashAndRestartAllFromSnapshots(final RaftScenario s)
    {
        final int servers = s.size();
        final long[] base = new long[servers + 1];
        for (int id = 1; id <= servers; id++)
        {
            base[id] = s.cluster().node(id).store().baseIndex();
            s.crash(id);
        }
        for (int id = 1; id <= servers; id++)
        {
            final SimNode node = s.cluster().node(id);
            s.restart(id);
            final long snapshotIndex = node.snapshots().lastIncludedIndex();
            assertTrue(snapshotIndex > 0, "member " + id + " has no snapshot to start from");
            assertEquals(snapshotIndex, node.core().commitIndex(),
                "member " + id + " does not start committed up to its snapshot");
            assertEquals(base[id], node.store().baseIndex(), "member " + id + " lost its log base on restart");
            assertEquals(snapshotIndex, node.store().baseIndex(),
                "member " + id + " log does not start at its snapshot");
            assertTrue(node.store().lastIndex() >= snapshotIndex, "member " + id + " log ends before its snapshot");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static SimOptions options(final int servers, final long seed, final int stateBytes)
    {
        final SimOptions options = new SimOptions().members(servers).seed(seed);
        options.snapshotEveryEntries = SNAPSHOT_INTERVAL;
        options.snapshotStateBytes = stateBytes;
        options.retainEntries = 0;
        return options;
    }

    private static void assertInstalled(final Lab lab)
    {
        assertTrue(INSTALL_STATE_BYTES > lab.s.cluster().options().maxBatchBytes,
            "the snapshot should need several chunks");
        // a victim misses more than SnapShotInterval entries, which the leader has compacted away: nearly every
        // iteration should end with an install on it
        assertTrue(lab.victimInstallIterations >= ITERATIONS / 2, "a snapshot was installed on the victim in only " +
            lab.victimInstallIterations + " of " + ITERATIONS + " iterations");
    }

    /**
     * The lab's snapcommon: each iteration cuts off a follower (disconnect or crash) while the others agree on more
     * than a snapshot interval of commands, checks that logs stay bounded, then brings the follower back and has
     * all agree.
     */
    private static Lab snapCommon(
        final boolean disconnect, final boolean reliable, final boolean crash, final long seed)
    {
        final int servers = 3;
        final Lab lab = new Lab(options(servers, seed, disconnect || crash ? INSTALL_STATE_BYTES : 64));
        final RaftScenario s = lab.s;
        s.setUnreliable(!reliable);
        lab.one(s.random().nextLong(), servers, true);
        int leader = s.checkOneLeader();

        for (int iteration = 0; iteration < ITERATIONS; iteration++)
        {
            final int victim = 1 + (leader + s.random().nextInt(servers - 1)) % servers;
            final long installsBefore = s.cluster().node(victim).snapshots().installs();

            if (disconnect)
            {
                s.disconnect(victim);
                lab.one(s.random().nextLong(), servers - 1, true);
            }
            if (crash)
            {
                s.crash(victim);
                lab.one(s.random().nextLong(), servers - 1, true);
            }

            // perhaps send enough to get a snapshot
            final int n = SNAPSHOT_INTERVAL / 2 + s.random().nextInt(SNAPSHOT_INTERVAL);
            for (int i = 0; i < n; i++)
            {
                leader = startAtLeader(s, leader, s.random().nextLong());
            }

            // let the members catch up with the starts
            if (!disconnect && !crash)
            {
                lab.one(s.random().nextLong(), servers, true);
            }
            else
            {
                lab.one(s.random().nextLong(), servers - 1, true);
            }

            for (int id = 1; id <= servers; id++)
            {
                final SimNode node = s.cluster().node(id);
                if (node.isAlive())
                {
                    final long entries = node.store().lastIndex() - node.store().baseIndex();
                    assertTrue(entries <= MAX_LOG_ENTRIES, "iteration " + iteration + ": member " + id + " holds " +
                        entries + " entries (" + node.store().baseIndex() + ".." + node.store().lastIndex() +
                        "), log not trimmed");
                }
            }

            if (disconnect)
            {
                // reconnect a follower, who may be behind and need a snapshot to catch up
                s.connect(victim);
                lab.one(s.random().nextLong(), servers, true);
                leader = s.checkOneLeader();
            }
            if (crash)
            {
                s.restart(victim);
                lab.one(s.random().nextLong(), servers, true);
                leader = s.checkOneLeader();
            }
            if (s.cluster().node(victim).snapshots().installs() > installsBefore)
            {
                lab.victimInstallIterations++;
            }
        }
        lab.finish();
        return lab;
    }

    /**
     * Offers a command at the leader as the lab's {@code rafts[sender].Start()} does, finding the new leader first if
     * leadership moved and waiting out back-pressure.
     *
     * @return the leader used.
     */
    private static int startAtLeader(final RaftScenario s, final int leader, final long command)
    {
        int sender = leader;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            final long result = s.start(sender, command);
            if (result > 0)
            {
                return sender;
            }
            if (result == OfferResult.NOT_LEADER)
            {
                sender = s.checkOneLeader();
            }
            else
            {
                s.sleep(5 * MS);
            }
        }
        fail("could not start command " + command + " at leader " + sender);
        return sender;
    }

    /**
     * The lab's applier over a {@link RaftScenario}: records, as each member's commit index advances, the command it
     * commits at each index still in its log, checking that all members commit the same one (the lab's checkLogs).
     * Indices a member reaches by installing a snapshot are not read from its log: after an install the simulated
     * log starts at the snapshot and holds nothing at or below it, and the invariant checker has verified the
     * snapshot against the committed log. {@link #nCommitted} then counts a member as soon as its commit index
     * reaches the index, whether through its log or through a snapshot, as the lab counts a snapshot's entries as
     * applied.
     */
    private static final class Lab implements SimCluster.CommitObserver
    {
        final RaftScenario s;
        private final Long2LongHashMap committed = new Long2LongHashMap(Long.MIN_VALUE);
        private final long[] appliedUpTo;
        private final List<String> mismatches = new ArrayList<>();
        int victimInstallIterations;

        Lab(final SimOptions options)
        {
            s = new RaftScenario(options);
            appliedUpTo = new long[options.members + 1];
            s.cluster().commitObserver(this);
        }

        public void onCommit(final SimNode node, final long commitIndex)
        {
            final SimLogStore store = node.store();
            final long last = Math.min(commitIndex, store.lastIndex());
            for (long index = Math.max(appliedUpTo[node.id()], store.baseIndex()) + 1; index <= last; index++)
            {
                final long command = store.payloadIdAt(index);
                final long previous = committed.get(index);
                if (previous == Long.MIN_VALUE)
                {
                    committed.put(index, command);
                }
                else if (previous != command && mismatches.size() < 10)
                {
                    mismatches.add("member " + node.id() + " committed " + command + " at " + index + " where " +
                        "another committed " + previous);
                }
            }
            appliedUpTo[node.id()] = Math.max(appliedUpTo[node.id()], commitIndex);
        }

        /**
         * @return how many live members have committed {@code index}.
         */
        int nCommitted(final long index)
        {
            assertTrue(mismatches.isEmpty(), "committed values do not match: " + mismatches);
            int count = 0;
            for (int id = 1; id <= s.size(); id++)
            {
                final SimNode node = s.cluster().node(id);
                if (node.isAlive() && node.core().commitIndex() >= index)
                {
                    count++;
                }
            }
            return count;
        }

        /**
         * The lab's one(): keep offering the command to whoever leads until it is committed on at least
         * {@code expectedServers} members, within 10 simulated seconds.
         *
         * @return its index.
         */
        long one(final long command, final int expectedServers, final boolean retry)
        {
            final long deadline = s.cluster().nowNs() + 10_000 * MS;
            int starts = 0;
            while (s.cluster().nowNs() < deadline)
            {
                long index = -1;
                for (int i = 0; i < s.size(); i++)
                {
                    starts = starts % s.size() + 1;
                    if (s.isConnected(starts) && s.cluster().node(starts).isAlive())
                    {
                        final long result = s.start(starts, command);
                        if (result > 0)
                        {
                            index = result;
                            break;
                        }
                    }
                }
                if (index > 0)
                {
                    final long waitUntil = s.cluster().nowNs() + 2_000 * MS;
                    while (s.cluster().nowNs() < waitUntil)
                    {
                        final int n = nCommitted(index);
                        if (n > 0 && n >= expectedServers && committed.get(index) == command)
                        {
                            return index;
                        }
                        s.sleep(20 * MS);
                    }
                    if (!retry)
                    {
                        fail("one(" + command + ") failed to reach agreement");
                    }
                }
                else
                {
                    s.sleep(50 * MS);
                }
            }
            fail("one(" + command + ") failed to reach agreement");
            return -1;
        }

        void finish()
        {
            s.setUnreliable(false);
            assertTrue(mismatches.isEmpty(), "committed values do not match: " + mismatches);
            s.finish();
        }
    }
}

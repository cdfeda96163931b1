package io.raftlog.client;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A remote client against three real nodes on loopback: sessions, redirects, acknowledgements with the committed
 * index, and exactly-once appends while the leader is killed under a client that keeps retrying.
 */
class RemoteClientTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path tempDir;

    private ThreadedCluster cluster;
    private RaftlogClient client;
    private ClusterAdmin admin;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, admin, cluster);
    }

    private ClientContext clientContext(final Map<Integer, String> members)
    {
        return new ClientContext().aeron(cluster.aeron).members(members)
            .responseTimeoutNs(SECOND).noLeaderTimeoutNs(15 * SECOND);
    }

    @Test
    void everyAppendIsAcknowledgedWithTheIndexItCommittedAtAndAFollowerRedirects() throws Exception
    {
        cluster = new ThreadedCluster(tempDir, context -> { });
        cluster.startAll();
        admin = new ClusterAdmin(clientContext(cluster.endpoints));
        final ClusterAdmin.MemberStatus leader = admin.leader(20 * SECOND);
        assertNotNull(leader, "a leader within 20 s");

        final Map<Integer, String> followerFirst = new LinkedHashMap<>();
        final int follower = leader.memberId() % 3 + 1;
        followerFirst.put(follower, cluster.endpoints.get(follower));
        followerFirst.putAll(cluster.endpoints);
        final int count = 2_000;
        final long[] acked = new long[count + 1];
        client = RaftlogClient.connect(clientContext(followerFirst), (sequence, index) -> acked[(int)sequence] = index);
        assertEquals(leader.memberId(), client.leaderId(), "the follower named the leader");

        appendAll(count, 100, () -> { });
        assertEquals(0, client.resent(), "no acknowledgement lost on the way (terms rotate every 64 KiB here)");
        assertEquals(0, client.leaderChanges());

        long previous = client.sessionId();
        for (int seq = 1; seq <= count; seq++)
        {
            assertTrue(acked[seq] > previous, "sequence " + seq + " acknowledged in order, after the session opened");
            previous = acked[seq];
        }
        awaitCommitEverywhere(acked[count]);
        cluster.stopAll();
        for (int id = 1; id <= 3; id++)
        {
            final long[] indices = cluster.sequenceIndices(id, client.sessionId(), count, acked[count]);
            for (int seq = 1; seq <= count; seq++)
            {
                assertEquals(acked[seq], indices[seq], "member " + id + " holds sequence " + seq + " where acked");
            }
            assertEquals(0, cluster.nodes[id].sessions().ineffectiveEntries());
        }
        assertEquals(List.of(), cluster.errors);
    }

    @Test
    void eachAppendIsInTheLogExactlyOnceWhenTheLeaderIsKilledWhileTheClientRetries() throws Exception
    {
        cluster = new ThreadedCluster(tempDir, context -> { });
        cluster.startAll();
        final int count = 4_000;
        final long[] acked = new long[count + 1];
        final int[] ackCount = new int[count + 1];
        client = RaftlogClient.connect(clientContext(cluster.endpoints), (sequence, index) ->
        {
            acked[(int)sequence] = index;
            ackCount[(int)sequence]++;
        });
        final int[] killed = new int[1];
        appendAll(count, 200, () ->
        {
            if (killed[0] == 0 && client.acknowledged() >= 1_000)
            {
                killed[0] = client.leaderId();
                cluster.kill(killed[0]);
            }
            else if (killed[0] != 0 && !cluster.isRunning(killed[0]) && client.acknowledged() >= 2_500)
            {
                cluster.start(killed[0]);
            }
        });
        assertTrue(killed[0] != 0);
        assertTrue(client.leaderChanges() >= 1, "the client found the new leader");
        long maxIndex = 0;
        for (int seq = 1; seq <= count; seq++)
        {
            assertEquals(1, ackCount[seq], "sequence " + seq + " acknowledged once");
            maxIndex = Math.max(maxIndex, acked[seq]);
        }
        if (!cluster.isRunning(killed[0]))
        {
            cluster.start(killed[0]);
        }
        awaitCommitEverywhere(maxIndex);
        cluster.stopAll();
        long duplicates = 0;
        for (int id = 1; id <= 3; id++)
        {
            duplicates += cluster.nodes[id].sessions().duplicatesAnswered();
        }
        System.out.printf("exactly-once: %d appends acknowledged, leader %d killed, %d leader changes seen, " +
            "%d sends repeated, %d retries recognised as duplicates%n",
            count, killed[0], client.leaderChanges(), client.resent(), duplicates);
        for (int id = 1; id <= 3; id++)
        {
            final long[] indices = cluster.sequenceIndices(id, client.sessionId(), count, maxIndex);
            for (int seq = 1; seq <= count; seq++)
            {
                assertEquals(acked[seq], indices[seq], "member " + id + " holds sequence " + seq + " where acked");
            }
            assertEquals(0, cluster.nodes[id].sessions().ineffectiveEntries());
        }
        assertEquals(List.of(), cluster.errors);
    }

    @Test
    void theSessionTableSurvivesARestartOfTheWholeClusterSoTheClientCarriesOn() throws Exception
    {
        cluster = new ThreadedCluster(tempDir, context -> { });
        cluster.startAll();
        final int count = 1_000;
        final long[] acked = new long[count + 1];
        client = RaftlogClient.connect(clientContext(cluster.endpoints), (sequence, index) -> acked[(int)sequence] = index);
        final boolean[] restarted = new boolean[1];
        appendAll(count, 64, () ->
        {
            if (!restarted[0] && client.acknowledged() >= 400)
            {
                restarted[0] = true;
                for (int id = 1; id <= 3; id++)
                {
                    cluster.kill(id);
                }
                for (int id = 1; id <= 3; id++)
                {
                    cluster.start(id);
                }
            }
        });
        assertTrue(restarted[0]);
        long maxIndex = 0;
        for (int seq = 1; seq <= count; seq++)
        {
            assertTrue(acked[seq] > 0);
            maxIndex = Math.max(maxIndex, acked[seq]);
        }
        awaitCommitEverywhere(maxIndex);
        cluster.stopAll();
        for (int id = 1; id <= 3; id++)
        {
            final long[] indices = cluster.sequenceIndices(id, client.sessionId(), count, maxIndex);
            for (int seq = 1; seq <= count; seq++)
            {
                assertEquals(acked[seq], indices[seq], "member " + id + " holds sequence " + seq + " where acked");
            }
            assertEquals(0, cluster.nodes[id].sessions().ineffectiveEntries());
        }
    }

    @Test
    void aSessionIdleLongerThanTheTimeoutExpiresAndTheClientSaysSo() throws Exception
    {
        cluster = new ThreadedCluster(tempDir,
            context -> context.clientSessionIdleTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
        cluster.startAll();
        client = RaftlogClient.connect(clientContext(cluster.endpoints), (sequence, index) -> { });
        appendAll(10, 10, () -> { });
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(800));
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        assertTrue(client.offer(payload, 0, 16) > 0);
        final long deadline = System.nanoTime() + 10 * SECOND;
        while (!client.isFailed() && System.nanoTime() < deadline)
        {
            client.poll();
            LockSupport.parkNanos(100_000);
        }
        assertTrue(client.isFailed());
        assertTrue(client.failure().contains("SESSION_EXPIRED"), client.failure());
        assertEquals(RaftlogClient.CLOSED, client.offer(payload, 0, 16));
    }

    @Test
    void anEntryLargerThanTheClusterAcceptsIsRefusedAtOnce() throws Exception
    {
        cluster = new ThreadedCluster(tempDir, context -> { });
        cluster.startAll();
        client = RaftlogClient.connect(clientContext(cluster.endpoints), (sequence, index) -> { });
        assertEquals(2048 - 16, client.maxPayloadLength());
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4096]);
        assertEquals(RaftlogClient.TOO_LARGE, client.offer(payload, 0, 2048 - 15));
        assertTrue(client.offer(payload, 0, 2048 - 16) > 0);
    }

    @Test
    void withNoLeaderTheClientGivesUpAfterItsTimeoutWithAClearMessage() throws Exception
    {
        cluster = new ThreadedCluster(tempDir, context -> { });
        final RaftlogClientException thrown = assertThrows(RaftlogClientException.class,
            () -> RaftlogClient.connect(clientContext(cluster.endpoints).noLeaderTimeoutNs(2 * SECOND),
                (sequence, index) -> { }));
        assertTrue(thrown.getMessage().contains("no leader"), thrown.getMessage());
    }

    @Test
    void statusReportsEveryMemberAndLeadershipCanBeTransferred() throws Exception
    {
        cluster = new ThreadedCluster(tempDir, context -> { });
        cluster.startAll();
        admin = new ClusterAdmin(clientContext(cluster.endpoints));
        final ClusterAdmin.MemberStatus leader = admin.leader(20 * SECOND);
        assertNotNull(leader);
        final List<ClusterAdmin.MemberStatus> statuses = admin.status(5 * SECOND);
        assertEquals(3, statuses.size());
        for (final ClusterAdmin.MemberStatus status : statuses)
        {
            assertTrue(status.reachable(), status.line());
            assertEquals(leader.memberId(), status.leaderId(), status.line());
        }
        final int target = leader.memberId() % 3 + 1;
        final ClusterAdmin.AdminResult result = admin.transferLeader(target, 10 * SECOND);
        assertTrue(result.accepted(), result.toString());
        final long deadline = System.nanoTime() + 20 * SECOND;
        ClusterAdmin.MemberStatus newLeader = null;
        while (System.nanoTime() < deadline && (newLeader == null || newLeader.memberId() != target))
        {
            newLeader = admin.leader(5 * SECOND);
        }
        assertNotNull(newLeader);
        assertEquals(target, newLeader.memberId());

        cluster.kill(1);
        final ClusterAdmin.MemberStatus one = admin.status(SECOND).get(0);
        assertEquals("member=1 unreachable", one.line());
    }

    private interface Step
    {
        void run();
    }

    /**
     * Offers sequences 1..count as fast as the window allows, polling the client, running {@code step} between
     * polls, until all are acknowledged (60 s at most).
     */
    private void appendAll(final int count, final int payloadLength, final Step step)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadLength]);
        final long deadline = System.nanoTime() + 60 * SECOND;
        int offered = 0;
        while (client.acknowledged() < count)
        {
            if (System.nanoTime() > deadline || client.isFailed())
            {
                throw new AssertionError("acknowledged " + client.acknowledged() + " of " + count + " (" +
                    client.failure() + ")");
            }
            while (offered < count)
            {
                payload.putInt(0, offered + 1);
                final long sequence = client.offer(payload, 0, payloadLength);
                if (sequence < 0)
                {
                    break;
                }
                assertEquals(offered + 1, sequence);
                offered++;
            }
            step.run();
            if (client.poll() == 0)
            {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    private void awaitCommitEverywhere(final long index)
    {
        try (ClusterAdmin status = new ClusterAdmin(clientContext(cluster.endpoints)))
        {
            final long deadline = System.nanoTime() + 30 * SECOND;
            while (System.nanoTime() < deadline)
            {
                boolean all = true;
                for (final ClusterAdmin.MemberStatus member : status.status(2 * SECOND))
                {
                    all &= member.reachable() && member.commitIndex() >= index;
                }
                if (all)
                {
                    return;
                }
                LockSupport.parkNanos(50_000_000);
            }
            throw new AssertionError("not every member committed " + index + ": " + status.status(SECOND));
        }
    }

}

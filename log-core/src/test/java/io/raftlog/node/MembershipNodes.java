package io.raftlog.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftlog.core.OfferResult;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.Role;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import io.raftlog.sim.SimSnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Node agents on loopback UDP with one embedded media driver, driven by the test's thread (so the test calls into a
 * core from the agents' thread, between duty cycles), where each member is started with its own view of the cluster:
 * the endpoints it is told and the members of its bootstrap configuration. For membership tests; in-memory stores.
 */
final class MembershipNodes implements AutoCloseable
{
    static final int MAX_ID = 5;

    final RaftNode[] nodes = new RaftNode[MAX_ID + 1];
    final SimLogStore[] logs = new SimLogStore[MAX_ID + 1];
    final String[] endpoints = new String[MAX_ID + 1];
    final MediaDriver driver;
    final Aeron aeron;
    private final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

    MembershipNodes(final Path directory) throws Exception
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        for (int id = 1; id <= MAX_ID; id++)
        {
            endpoints[id] = "127.0.0.1:" + freeUdpPort();
        }
    }

    /**
     * @param voters   the voters of its bootstrap configuration.
     * @param learners the learners of its bootstrap configuration (a joining member names itself).
     * @param known    the members whose endpoints it is told at startup (itself is always told).
     */
    RaftNode start(final int id, final int[] voters, final int[] learners, final int... known)
    {
        final Map<Integer, String> told = new HashMap<>();
        told.put(id, endpoints[id]);
        for (final int other : known)
        {
            told.put(other, endpoints[other]);
        }
        logs[id] = new SimLogStore(id, 8 << 20, 1 << 16);
        nodes[id] = new RaftNode(new NodeContext()
            .memberId(id)
            .endpoints(told)
            .raftConfig(new RaftConfig().selfId(id).memberIds(voters).learnerIds(learners)
                .randomSeed(System.nanoTime() + id)
                .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
                .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .maxPayloadBytes(1024).maxBatchBytes(64 * 1024))
            .aeron(aeron)
            .logStore(logs[id])
            .metaStore(new SimMetaStore())
            .snapshotStore(new SimSnapshotStore()));
        nodes[id].onStart();
        return nodes[id];
    }

    static int[] ids(final int... ids)
    {
        return ids;
    }

    int awaitLeader()
    {
        final int[] leader = new int[1];
        runUntil(() ->
        {
            for (int id = 1; id <= MAX_ID; id++)
            {
                if (nodes[id] != null && nodes[id].core().role() == Role.LEADER)
                {
                    leader[0] = id;
                    return true;
                }
            }
            return false;
        }, 20);
        return leader[0];
    }

    /**
     * Calls a membership change on the leader's core until it is taken (the leader may first have to commit an entry
     * of its term, or finish the change before).
     *
     * @return the index of the configuration entry.
     */
    long change(final LongSupplier change)
    {
        final long[] index = new long[1];
        runUntil(() ->
        {
            index[0] = change.getAsLong();
            if (index[0] == OfferResult.INVALID_CHANGE || index[0] == OfferResult.TOO_LARGE)
            {
                throw new AssertionError("change refused: " + index[0]);
            }
            return index[0] > 0;
        }, 20);
        return index[0];
    }

    /**
     * Offers {@code count} 64-byte entries at the leader and runs until every running member has committed them.
     *
     * @return the index of the last entry.
     */
    long offerAndAwaitCommit(final int leader, final int count)
    {
        return offerAndAwaitCommit(leader, count, null);
    }

    /**
     * @param members the members to wait for, or null for every running member.
     */
    long offerAndAwaitCommit(final int leader, final int count, final int[] members)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = 0;
        int offered = 0;
        while (offered < count || !(members == null ? allCommitted(last) : allCommitted(last, members)))
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out with " + offered + " of " + count + " offered");
            }
            while (offered < count)
            {
                payload.putLong(0, offered);
                final long index = nodes[leader].offer(payload, 0, 64);
                if (index < 0)
                {
                    break;
                }
                last = index;
                offered++;
            }
            idle.idle(doWork());
        }
        return last;
    }

    boolean allCommitted(final long index)
    {
        for (int id = 1; id <= MAX_ID; id++)
        {
            if (nodes[id] != null && nodes[id].core().commitIndex() < index)
            {
                return false;
            }
        }
        return true;
    }

    boolean allCommitted(final long index, final int[] members)
    {
        for (final int id : members)
        {
            if (nodes[id].core().commitIndex() < index)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The member's process is gone: its agent stops without a word to anyone.
     */
    void stop(final int id)
    {
        CloseHelper.close(nodes[id]);
        nodes[id] = null;
    }

    void runUntil(final BooleanSupplier condition, final int timeoutSeconds)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutSeconds + " s");
            }
            idle.idle(doWork());
        }
    }

    void runFor(final long millis)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end)
        {
            idle.idle(doWork());
        }
    }

    private int doWork()
    {
        int work = 0;
        for (int id = 1; id <= MAX_ID; id++)
        {
            if (nodes[id] != null)
            {
                work += nodes[id].doWork();
            }
        }
        return work;
    }

    public void close()
    {
        CloseHelper.closeAll(nodes);
        CloseHelper.closeAll(aeron, driver);
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}

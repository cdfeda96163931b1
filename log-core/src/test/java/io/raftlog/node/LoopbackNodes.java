package io.raftlog.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftlog.core.DurableLogStore;
import io.raftlog.core.MetaStore;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.Role;
import io.raftlog.core.SnapshotStore;
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

/**
 * Three node agents on loopback UDP with one embedded media driver, all driven by the test's thread as a composite
 * agent would be: the harness of the node tests, whatever stores they give the nodes.
 */
final class LoopbackNodes implements AutoCloseable
{
    static final int MEMBERS = 3;

    final RaftNode[] nodes = new RaftNode[MEMBERS + 1];
    final Map<Integer, String> endpoints = new HashMap<>();
    final MediaDriver driver;
    final Aeron aeron;
    private final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

    LoopbackNodes(final Path directory) throws Exception
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        for (int id = 1; id <= MEMBERS; id++)
        {
            endpoints.put(id, "127.0.0.1:" + freeUdpPort());
        }
    }

    RaftNode start(final int id, final DurableLogStore log, final MetaStore meta, final SnapshotStore snapshots)
    {
        return start(id, log, meta, snapshots, EmbeddedApplication.NONE);
    }

    RaftNode start(
        final int id,
        final DurableLogStore log,
        final MetaStore meta,
        final SnapshotStore snapshots,
        final EmbeddedApplication application)
    {
        nodes[id] = new RaftNode(new NodeContext()
            .application(application)
            .memberId(id)
            .endpoints(endpoints)
            .raftConfig(new RaftConfig().selfId(id).memberIds(1, 2, 3).randomSeed(System.nanoTime() + id)
                .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
                .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .maxPayloadBytes(1024).maxBatchBytes(64 * 1024))
            .aeron(aeron)
            .logStore(log)
            .metaStore(meta)
            .snapshotStore(snapshots));
        nodes[id].onStart();
        return nodes[id];
    }

    /**
     * The member's process is gone: its agent stops without a word to anyone.
     */
    void stop(final int id)
    {
        CloseHelper.close(nodes[id]);
        nodes[id] = null;
    }

    int awaitLeader(final int excluded)
    {
        final int[] leader = new int[1];
        runUntil(() ->
        {
            for (int id = 1; id <= MEMBERS; id++)
            {
                if (id != excluded && nodes[id] != null && nodes[id].core().role() == Role.LEADER)
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
     * Offers {@code count} 64-byte entries at the leader and runs until every live member has committed them. The
     * loop allocates nothing, so allocation tests can measure around it.
     *
     * @return the index of the last entry.
     */
    long offerAndAwaitCommit(final int initialLeader, final int count)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long last = 0;
        int offered = 0;
        int leader = initialLeader;
        while (offered < count || !allCommitted(last))
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out with " + offered + " of " + count + " offered");
            }
            while (offered < count)
            {
                payload.putLong(0, offered);
                final long index = nodes[leader].offer(payload, 0, 64);
                if (index == io.raftlog.core.OfferResult.NOT_LEADER)
                {
                    // on a starved machine an election can move the leadership: follow it (no allocation)
                    leader = currentLeader(leader);
                    break;
                }
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

    private int currentLeader(final int previous)
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            if (nodes[id] != null && nodes[id].core().role() == Role.LEADER)
            {
                return id;
            }
        }
        return previous;
    }

    boolean allCommitted(final long index)
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            if (nodes[id] != null && nodes[id].core().commitIndex() < index)
            {
                return false;
            }
        }
        return true;
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

    private int doWork()
    {
        int work = 0;
        for (int id = 1; id <= MEMBERS; id++)
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

    static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}

package io.raftlog.client;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.SessionEntry;
import io.raftlog.core.RaftConfig;
import io.raftlog.node.NodeContext;
import io.raftlog.node.RaftNode;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import io.raftlog.sim.SimSnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Three real nodes on loopback UDP, each on its own agent thread (backoff idle: no busy spin), with in-memory
 * stores that survive a kill the way files would (unsynced writes lost), so that a test thread can play the
 * remote client and kill and restart members under it.
 */
final class ThreadedCluster implements AutoCloseable
{
    static final int MEMBERS = 3;

    final Map<Integer, String> endpoints = new HashMap<>();
    final MediaDriver driver;
    final Aeron aeron;
    final SimLogStore[] logs = new SimLogStore[MEMBERS + 1];
    final SimMetaStore[] metas = new SimMetaStore[MEMBERS + 1];
    final SimSnapshotStore[] snapshots = new SimSnapshotStore[MEMBERS + 1];
    final RaftNode[] nodes = new RaftNode[MEMBERS + 1];
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final AgentRunner[] runners = new AgentRunner[MEMBERS + 1];
    private final Consumer<NodeContext> customize;
    private final SplittableRandom random = new SplittableRandom(7);

    ThreadedCluster(final Path directory, final Consumer<NodeContext> customize) throws Exception
    {
        this.customize = customize;
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            // the smallest term: publications rotate terms often, as a busy node's do (an offer meeting a rotation
            // must not lose a client's acknowledgement)
            .publicationTermBufferLength(64 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        for (int id = 1; id <= MEMBERS; id++)
        {
            try (DatagramSocket socket = new DatagramSocket(0))
            {
                endpoints.put(id, "127.0.0.1:" + socket.getLocalPort());
            }
            logs[id] = new SimLogStore(id, 16 << 20, 1 << 17);
            metas[id] = new SimMetaStore();
            snapshots[id] = new SimSnapshotStore();
        }
    }

    void startAll()
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            start(id);
        }
    }

    void start(final int id)
    {
        final NodeContext context = new NodeContext()
            .memberId(id)
            .endpoints(endpoints)
            .raftConfig(new RaftConfig().selfId(id).memberIds(1, 2, 3).randomSeed(System.nanoTime() + id)
                .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(400))
                .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .maxPayloadBytes(2048).maxBatchBytes(6 * 1024)) // a message must fit an eighth of a 64 KiB term
            .aeron(aeron)
            .logStore(logs[id])
            .metaStore(metas[id])
            .snapshotStore(snapshots[id]);
        customize.accept(context);
        nodes[id] = new RaftNode(context);
        runners[id] = new AgentRunner(
            new BackoffIdleStrategy(1, 1, 10_000, 1_000_000), errors::add, null, nodes[id]);
        AgentRunner.startOnThread(runners[id]);
    }

    /**
     * The member's process dies: its thread stops, and what its log had not made durable is lost.
     */
    void kill(final int id)
    {
        CloseHelper.close(runners[id]);
        runners[id] = null;
        logs[id].crash(random, false);
    }

    /**
     * @return the id of the member's agent thread (once it has started).
     */
    long threadId(final int id)
    {
        Thread thread = runners[id].thread();
        while (thread == null)
        {
            Thread.onSpinWait();
            thread = runners[id].thread();
        }
        return thread.getId();
    }

    boolean isRunning(final int id)
    {
        return runners[id] != null;
    }

    void stopAll()
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            if (runners[id] != null)
            {
                CloseHelper.close(runners[id]);
                runners[id] = null;
            }
        }
    }

    /**
     * @return the index of each of the session's sequences in the member's log up to {@code upTo}, checking that
     * none appears twice; index 0 for a sequence not found.
     */
    long[] sequenceIndices(final int id, final long sessionId, final int sequences, final long upTo)
    {
        final long[] indices = new long[sequences + 1];
        final SimLogStore log = logs[id];
        for (long index = 1; index <= upTo; index++)
        {
            if (log.entryTypeAt(index) != EntryType.SESSION_APPEND.value())
            {
                continue;
            }
            final byte[] payload = log.payloadAt(index);
            final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(payload);
            if (SessionEntry.sessionId(buffer, 0) != sessionId)
            {
                throw new AssertionError("member " + id + " index " + index + ": an entry of another session");
            }
            final int sequence = (int)SessionEntry.sequence(buffer, 0);
            if (sequence < 1 || sequence > sequences)
            {
                throw new AssertionError("member " + id + " index " + index + ": sequence " + sequence);
            }
            if (indices[sequence] != 0)
            {
                throw new AssertionError("member " + id + ": sequence " + sequence + " appended twice, at " +
                    indices[sequence] + " and " + index);
            }
            indices[sequence] = index;
        }
        return indices;
    }

    public void close()
    {
        stopAll();
        CloseHelper.closeAll(aeron, driver);
    }
}

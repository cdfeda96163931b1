package io.raftlog.perf.raftlog;

import io.aeron.Aeron;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftListener;
import io.raftlog.driver.DriverProfile;
import io.raftlog.driver.DriverSettings;
import io.raftlog.driver.EmbeddedDriver;
import io.raftlog.node.EmbeddedApplication;
import io.raftlog.node.NodeContext;
import io.raftlog.node.RaftNode;
import io.raftlog.perf.IdleStrategies;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import io.raftlog.storage.FileMetaStore;
import io.raftlog.storage.FileSnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One raftlog member of a measured cluster, as a deployment would run it: its own embedded media driver, its
 * Chronicle log and metadata files in its own directory, and its node agent on its own thread with the run's idle
 * strategy.
 */
final class PerfMember implements AutoCloseable
{
    /** Message header and framing beyond a batch's entries, for the driver's largest message. */
    private static final int MESSAGE_OVERHEAD_BYTES = 4096;

    private final EmbeddedDriver driver;
    private final Aeron aeron;
    private final FileMetaStore meta;
    private final FileSnapshotStore snapshots;
    private final ChronicleLogStore log;
    private final RaftNode node;
    private final AgentRunner runner;

    PerfMember(
        final int id,
        final int[] memberIds,
        final Map<Integer, String> endpoints,
        final Path directory,
        final String durability,
        final String idleStrategy,
        final int payloadBytes,
        final EmbeddedApplication application,
        final RaftListener listener)
    {
        final int maxPayload = Math.max(1024, payloadBytes + 64);
        final int maxBatch = Math.max(64 * 1024, 16 * maxPayload);
        final RaftConfig config = new RaftConfig()
            .selfId(id)
            .memberIds(memberIds)
            .randomSeed(System.nanoTime() + id)
            // generous on a loaded 2-core machine: a measurement must not be interrupted by a spurious election
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1_000))
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .maxPayloadBytes(maxPayload)
            .maxBatchBytes(maxBatch);
        final DriverProfile profile = "busy-spin".equals(idleStrategy) ? DriverProfile.LOW_LATENCY : DriverProfile.SMALL;
        EmbeddedDriver launched = null;
        Aeron connected = null;
        FileMetaStore metaStore = null;
        FileSnapshotStore snapshotStore = null;
        ChronicleLogStore logStore = null;
        try
        {
            launched = EmbeddedDriver.launch(new DriverSettings()
                .profile(profile)
                .largestMessageBytes(maxBatch + MESSAGE_OVERHEAD_BYTES));
            connected = Aeron.connect(new Aeron.Context().aeronDirectoryName(launched.aeronDirectoryName()));
            metaStore = FileMetaStore.open(directory.resolve("meta"), true);
            snapshotStore = FileSnapshotStore.open(directory);
            logStore = ChronicleLogStore.open(new ChronicleLogStore.Context()
                .directory(directory.resolve("log"))
                .durability("fsync".equals(durability) ? Durability.FSYNC : Durability.PAGE_CACHE));
            node = new RaftNode(new NodeContext()
                .memberId(id)
                .endpoints(endpoints)
                .raftConfig(config)
                .aeron(connected)
                .logStore(logStore)
                .metaStore(metaStore)
                .snapshotStore(snapshotStore)
                .application(application)
                .listener(listener));
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietCloseAll(logStore, snapshotStore, metaStore, connected, launched);
            throw ex;
        }
        this.driver = launched;
        this.aeron = connected;
        this.meta = metaStore;
        this.snapshots = snapshotStore;
        this.log = logStore;
        this.runner = new AgentRunner(IdleStrategies.create(idleStrategy), Throwable::printStackTrace, null, node);
    }

    void start()
    {
        AgentRunner.startOnThread(runner);
    }

    RaftNode node()
    {
        return node;
    }

    /**
     * @return the id of the node agent's thread, once it runs.
     */
    long threadId()
    {
        Thread thread = runner.thread();
        while (thread == null)
        {
            Thread.onSpinWait();
            thread = runner.thread();
        }
        return thread.getId();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(runner, aeron, driver, log, snapshots, meta);
    }
}

package io.raftlog.samples;

import io.aeron.Aeron;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftListener;
import io.raftlog.driver.DriverProfile;
import io.raftlog.driver.DriverSettings;
import io.raftlog.driver.EmbeddedDriver;
import io.raftlog.node.NodeContext;
import io.raftlog.node.RaftNode;
import io.raftlog.storage.Durability;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One member as a process would run it: its media driver (embedded, or an external one's directory), its Aeron
 * client, its stores in its data directory and its node agent. {@link #start} builds them in that order;
 * {@link #close} stops them in reverse, cleanly; {@link #kill} drops them as a crash would, with no goodbye to the
 * peers (no leadership transfer, no last message).
 */
final class LocalMember implements AutoCloseable
{
    /** Entry header, AppendEntries header and Aeron framing above the largest batch, rounded up generously. */
    private static final int MESSAGE_OVERHEAD_BYTES = 4096;

    private final int id;
    private final Map<Integer, String> endpoints;
    private final Path directory;
    private final Durability durability;
    private final DriverProfile profile;
    private final String aeronDirectoryName;
    private final boolean externalDriver;
    private final RaftSettings raftSettings;
    private final RaftListener listener;

    private EmbeddedDriver driver;
    private Aeron aeron;
    private MemberStorage storage;
    private RaftNode node;
    private long electionsBefore;
    private io.raftlog.node.EmbeddedApplication application = io.raftlog.node.EmbeddedApplication.NONE;
    private String peerListenEndpoint;

    /**
     * @param aeronDirectoryName the driver's directory; null for a fresh one (embedded only).
     * @param externalDriver     true to connect to a driver already running in {@code aeronDirectoryName} (null:
     *                           Aeron's default directory) instead of launching one.
     * @param raftSettings       the Raft settings, made into this member's {@code RaftConfig} at each start.
     */
    LocalMember(
        final int id,
        final Map<Integer, String> endpoints,
        final Path directory,
        final Durability durability,
        final DriverProfile profile,
        final String aeronDirectoryName,
        final boolean externalDriver,
        final RaftSettings raftSettings,
        final RaftListener listener)
    {
        this.id = id;
        this.endpoints = endpoints;
        this.directory = directory;
        this.durability = durability;
        this.profile = profile;
        this.aeronDirectoryName = aeronDirectoryName;
        this.externalDriver = externalDriver;
        this.raftSettings = raftSettings;
        this.listener = listener;
    }

    /**
     * The application to run in this member's duty cycle from its next start.
     */
    LocalMember application(final io.raftlog.node.EmbeddedApplication application)
    {
        this.application = application;
        return this;
    }

    /**
     * Where this member binds its endpoint from its next start, when something in between (a relay, a NAT) forwards
     * its endpoint in the members list there; null for that endpoint itself.
     */
    LocalMember peerListenEndpoint(final String peerListenEndpoint)
    {
        this.peerListenEndpoint = peerListenEndpoint;
        return this;
    }

    int id()
    {
        return id;
    }

    Path directory()
    {
        return directory;
    }

    boolean isRunning()
    {
        return node != null;
    }

    RaftNode node()
    {
        return node;
    }

    MemberStorage storage()
    {
        return storage;
    }

    Aeron aeron()
    {
        return aeron;
    }

    EmbeddedDriver driver()
    {
        return driver;
    }

    /**
     * @return elections this member started, over all its runs.
     */
    long electionsStarted()
    {
        return electionsBefore + (node == null ? 0 : node.core().electionsStarted());
    }

    /**
     * Launches the driver, connects, opens the stores from the data directory and creates the node agent; the caller
     * runs it ({@code onStart()}, then {@code doWork()} on one thread, or an {@code AgentRunner}).
     */
    RaftNode start(final long randomSeed)
    {
        if (node != null)
        {
            throw new IllegalStateException("member " + id + " is already running");
        }
        try
        {
            final RaftConfig raftConfig = raftSettings.toConfig(id, Members.ids(endpoints), randomSeed);
            final String aeronDir;
            if (externalDriver)
            {
                aeronDir = aeronDirectoryName == null ? Aeron.Context.getAeronDirectoryName() : aeronDirectoryName;
            }
            else
            {
                final DriverSettings settings = new DriverSettings()
                    .profile(profile)
                    .largestMessageBytes(raftConfig.maxBatchBytes() + MESSAGE_OVERHEAD_BYTES);
                if (aeronDirectoryName != null)
                {
                    settings.aeronDirectoryName(aeronDirectoryName);
                }
                driver = EmbeddedDriver.launch(settings);
                aeronDir = driver.aeronDirectoryName();
            }
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
            storage = MemberStorage.open(directory, durability).listener(listener);
            storage.recordCounterLocation(id, aeronDir);
            final NodeContext context = new NodeContext();
            if ("kv".equals(raftSettings.stateMachine))
            {
                context.stateMachine(new io.raftlog.samples.kv.KvStateMachine())
                    .snapshotEveryEntries(raftSettings.snapshotEveryEntries)
                    .snapshotRetainEntries(raftSettings.snapshotRetainEntries);
            }
            node = new RaftNode(context
                .memberId(id)
                .endpoints(endpoints)
                .peerListenEndpoint(peerListenEndpoint)
                .raftConfig(raftConfig)
                .aeron(aeron)
                .logStore(storage.log())
                .metaStore(storage.meta())
                .snapshotStore(storage.snapshots())
                .application(application)
                .clientSessionIdleTimeoutNs(TimeUnit.MILLISECONDS.toNanos(raftSettings.sessionIdleTimeoutMs))
                .listener(storage));
            return node;
        }
        catch (final RuntimeException | Error ex)
        {
            closeAll();
            throw ex;
        }
    }

    /**
     * As a crash: the agent, the Aeron client and the driver go at once, with no goodbye to the peers. The files stay
     * as the process left them; the stores are closed only to release the files and mappings this JVM holds.
     */
    void kill()
    {
        closeAll();
    }

    /**
     * Stops cleanly: the agent, the client, the driver, then the stores (which record the commit index).
     */
    public void close()
    {
        closeAll();
    }

    private void closeAll()
    {
        if (node != null)
        {
            electionsBefore += node.core().electionsStarted();
        }
        final RaftNode node = this.node;
        final Aeron aeron = this.aeron;
        final EmbeddedDriver driver = this.driver;
        final MemberStorage storage = this.storage;
        this.node = null;
        this.aeron = null;
        this.driver = null;
        this.storage = null;
        CloseHelper.closeAll(node, aeron, driver, storage);
    }
}

package io.raftlog.perf.compare;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.Header;
import io.raftlog.perf.IdleStrategies;
import io.raftlog.perf.Progress;
import io.raftlog.perf.Result;
import io.raftlog.perf.SystemUnderTest;
import io.raftlog.perf.Workload;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Aeron Cluster 1.51.0 with an echo service, {@code workload.nodes()} members in this JVM on loopback, measured from
 * an {@link AeronCluster} client: the state-of-the-art Raft on Aeron that raftlog is compared with.
 *
 * <h2>The cluster</h2>
 * Each member is what a production member would run, all in this process:
 * <ul>
 *   <li>a {@link ClusteredMediaDriver}: a media driver (its own directory under {@code /dev/shm}), an
 *   {@link Archive} (records the replicated log: a member's append position is how far its archive has recorded) and
 *   the {@link ConsensusModule} (elections, replication, commit);</li>
 *   <li>a {@link ClusteredServiceContainer} running {@link EchoService}, which answers every ingress message with
 *   the same bytes on the client session's egress (only the leader's answer is sent: a follower's
 *   {@code ClientSession.offer} is a no-op by design).</li>
 * </ul>
 * Endpoints: five UDP ports per member on 127.0.0.1 (ingress, consensus, log, catch-up, archive control), found free
 * just before start; replication and response channels use ephemeral ports; the archive and the services talk to
 * their own member's archive over IPC.
 * Settings are Aeron's defaults apart from what an in-process loopback cluster needs (directories, endpoints,
 * channels), the idle strategies, and the threading modes below. In particular the log channel keeps its default
 * {@code term-length=64m}, fsync is off (Aeron's default: {@code fileSyncLevel=0}) for {@code page-cache} and
 * {@code none}; for {@code fsync} the archive's and the consensus module's {@code fileSyncLevel} is 1, so a member
 * forces each block of the log it records before that block counts toward its append position (the closest Aeron
 * Cluster has to raftlog's fsync-before-acknowledge).
 * <p>
 * Idle strategies: {@code IdleStrategies.create(workload.idleStrategy())}, a new instance per agent, for every agent
 * that takes one: the driver's (conductor, sender, receiver, or the shared one), the archive's (conductor, recorder,
 * replayer), the consensus module's, the service container's, and the client's (its duty cycle below, and
 * {@code AeronCluster.Context.idleStrategy}). Not set: the client's Aeron conductor thread (Aeron's default sleeping
 * strategy; it only keeps the client alive, it does not touch messages) and the drivers' name-resolver executor.
 * <p>
 * Threading modes: each driver is {@code SHARED} and each archive {@code SHARED}, with either idle strategy, so a
 * member runs four agent threads (driver, archive, consensus module, service): the same budget as a raftlog member
 * under busy-spin (three dedicated driver threads and the node's agent). With {@code DEDICATED} drivers and archives a
 * member would spin eight threads, and a 3-member cluster plus its client 26: more than a 16-core machine has, so the
 * spinning threads preempt each other and the figures measure the scheduler (a first full run showed exactly that).
 *
 * <h2>The client and the load</h2>
 * An {@link AeronCluster} on its own media driver (as a remote client would have), connected once a leader is
 * elected and every member has closed its election, and once a probe has come back (the egress path is up). Then
 * {@link EchoLoad}: open loop for a latency run (latency = echo received − time the message was due, the due time
 * carried in the message), or as fast as back-pressure allows with at most {@link #WINDOW} messages unanswered for a
 * throughput run (the same bound as raftlog's client window). Offers and egress polls are on the calling thread.
 *
 * <h2>Teardown</h2>
 * Client, then every member's service container and clustered media driver, then the client's driver; errors while
 * tearing down are expected (peers vanish) and ignored; every directory is deleted.
 */
public final class AeronClusterEcho implements SystemUnderTest
{
    public static final String NAME = "aeron-cluster";

    /**
     * Most messages unanswered at a time in a throughput run.
     */
    public static final int WINDOW = 1024;

    private static final long LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long PROBE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int PORTS_PER_MEMBER = 5;
    private static final String IPC_RESPONSE_CHANNEL = "aeron:ipc?term-length=64k";

    public String name()
    {
        return NAME;
    }

    public boolean supports(final Workload workload)
    {
        return workload.nodes() >= 1 && workload.payloadBytes() >= 0 && workload.measureSec() > 0;
    }

    public Result run(final Workload workload, final Progress progress) throws Exception
    {
        final String idleName = workload.idleStrategy();
        final Supplier<IdleStrategy> idle = CompareSupport.idleSupplier(idleName);
        final boolean fsync = "fsync".equals(workload.durability());
        final int members = workload.nodes();

        final Path shmDir = CompareSupport.newShmDirectory("aeron-cluster-echo-");
        final Path diskDir = CompareSupport.newDiskDirectory("aeron-cluster-echo-");
        final CompareSupport.ErrorCollector errors = new CompareSupport.ErrorCollector();
        final CompareSupport.AgentThreads memberThreads = new CompareSupport.AgentThreads();
        final List<Member> started = new ArrayList<>();
        MediaDriver clientDriver = null;
        AeronCluster client = null;
        try
        {
            progress.update(NAME + ": starting " + members + " members");
            final int[] ports = launchMembers(
                members, shmDir, diskDir, idleName, idle, fsync, errors, memberThreads, started);

            progress.update(NAME + ": waiting for a leader");
            final int leader = awaitLeader(started, errors);

            clientDriver = MediaDriver.launchEmbedded(
                CompareSupport.driverContext(shmDir.resolve("client-driver"), idleName, errors, null, true));
            final EchoLoad load = new EchoLoad(NAME, workload, IdleStrategies.create(idleName), progress);
            progress.update(NAME + ": connecting the client (leader: member " + leader + ")");
            client = connect(clientDriver, ingressEndpoints(members, ports), idle, load);
            final AeronCluster connected = client;
            final EchoLoad.Link link = new EchoLoad.Link()
            {
                public long offer(final DirectBuffer buffer, final int offset, final int length)
                {
                    return connected.offer(buffer, offset, length);
                }

                public int poll()
                {
                    return connected.pollEgress();
                }
            };
            load.awaitPath(link, PROBE_TIMEOUT_NS);

            final long[] allocated = new long[2];
            load.onWindow(() -> allocated[0] = memberThreads.allocatedBytes(),
                () -> allocated[1] = memberThreads.allocatedBytes());
            final EchoLoad.Outcome outcome = load.run(link, WINDOW);

            final long dropped = started.stream().mapToLong(m -> m.service.dropped.get()).sum();
            final double allocPerEntry = allocated[0] < 0 || allocated[1] < 0 || outcome.echoedInWindow() <= 0 ?
                Double.NaN : (allocated[1] - allocated[0]) / (double)outcome.echoedInWindow();
            final String note = note(workload, load, leader, outcome, dropped, errors, memberThreads.count(), fsync);
            return new Result(NAME, workload, outcome.latencyNs(), outcome.throughputPerSec(), allocPerEntry, note);
        }
        finally
        {
            errors.tearingDown();
            progress.update(NAME + ": stopping");
            CloseHelper.quietClose(client);
            for (int i = started.size() - 1; i >= 0; i--)
            {
                started.get(i).close();
            }
            CloseHelper.quietClose(clientDriver);
            CompareSupport.deleteRecursively(shmDir);
            CompareSupport.deleteRecursively(diskDir);
        }
    }

    private static String note(
        final Workload workload,
        final EchoLoad load,
        final int leader,
        final EchoLoad.Outcome outcome,
        final long dropped,
        final CompareSupport.ErrorCollector errors,
        final int agentThreads,
        final boolean fsync)
    {
        final StringBuilder note = new StringBuilder();
        note.append(workload.nodes()).append(" members + client in one JVM on loopback; idle ")
            .append(workload.idleStrategy()).append("; ")
            .append("drivers and archives SHARED")
            .append(" (").append(agentThreads).append(" member agent threads); ")
            .append(fsync ? "archive+CM fileSyncLevel=1" : "no fsync (Aeron default)")
            .append("; log term-length=64m (default); echo from the leader's service; leader member ").append(leader);
        if (workload.isThroughputRun())
        {
            note.append("; window ").append(WINDOW).append(" unanswered");
        }
        if (load.messageLength() != workload.payloadBytes())
        {
            note.append("; messages padded to ").append(load.messageLength()).append(" B (seq + time)");
        }
        note.append("; alloc/entry over all member agent threads (drivers, archives, CMs, services)");
        if (outcome.retriedOffers() > 0)
        {
            note.append("; ").append(outcome.retriedOffers()).append(" ingress offers retried (back-pressure)");
        }
        if (outcome.missing() > 0)
        {
            note.append("; ").append(outcome.missing()).append(" of ").append(outcome.sent())
                .append(" messages never echoed");
        }
        if (outcome.incomplete())
        {
            note.append("; INCOMPLETE: stopped at the deadline");
        }
        if (dropped > 0)
        {
            note.append("; ").append(dropped).append(" echoes dropped by the service (egress refused for 1 s)");
        }
        if (errors.count() > 0)
        {
            note.append("; ").append(errors.summary());
        }
        return note.toString();
    }

    /**
     * Launches every member on free ports. The ports are found free just before, so another process may take one
     * first; if a launch fails, everything launched is closed and it starts again on other ports (three attempts).
     *
     * @return the ports: {@link #PORTS_PER_MEMBER} per member, in member order.
     */
    private static int[] launchMembers(
        final int members,
        final Path shmDir,
        final Path diskDir,
        final String idleName,
        final Supplier<IdleStrategy> idle,
        final boolean fsync,
        final CompareSupport.ErrorCollector errors,
        final CompareSupport.AgentThreads memberThreads,
        final List<Member> started)
    {
        for (int attempt = 1; ; attempt++)
        {
            final int[] ports = CompareSupport.freeUdpPorts(members * PORTS_PER_MEMBER);
            final String clusterMembers = clusterMembers(members, ports);
            try
            {
                for (int id = 0; id < members; id++)
                {
                    started.add(Member.launch(
                        id, clusterMembers, archivePort(ports, id), shmDir, diskDir, idleName, idle, fsync, errors,
                        memberThreads));
                }
                return ports;
            }
            catch (final RuntimeException ex)
            {
                for (int i = started.size() - 1; i >= 0; i--)
                {
                    started.get(i).close();
                }
                started.clear();
                if (attempt == 3)
                {
                    throw ex;
                }
            }
        }
    }

    private static int archivePort(final int[] ports, final int id)
    {
        return ports[id * PORTS_PER_MEMBER + 4];
    }

    /**
     * {@code id,ingress,consensus,log,catchup,archive|...}: the format of
     * {@code ConsensusModule.Context.clusterMembers}.
     */
    private static String clusterMembers(final int members, final int[] ports)
    {
        final StringBuilder sb = new StringBuilder();
        for (int id = 0; id < members; id++)
        {
            sb.append(id);
            for (int k = 0; k < PORTS_PER_MEMBER; k++)
            {
                sb.append(',').append(CompareSupport.endpoint(ports[id * PORTS_PER_MEMBER + k]));
            }
            sb.append('|');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /**
     * {@code id=host:port,...}: the format of {@code AeronCluster.Context.ingressEndpoints}.
     */
    private static String ingressEndpoints(final int members, final int[] ports)
    {
        final StringBuilder sb = new StringBuilder();
        for (int id = 0; id < members; id++)
        {
            if (id > 0)
            {
                sb.append(',');
            }
            sb.append(id).append('=').append(CompareSupport.endpoint(ports[id * PORTS_PER_MEMBER]));
        }
        return sb.toString();
    }

    /**
     * Waits until one member leads and every member has closed its election.
     *
     * @return the leader's member id.
     */
    private static int awaitLeader(final List<Member> members, final CompareSupport.ErrorCollector errors)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + LEADER_TIMEOUT_NS;
        while (true)
        {
            int leader = -1;
            int leaders = 0;
            boolean allClosed = true;
            for (final Member member : members)
            {
                final ConsensusModule.Context ctx = member.driver.consensusModule().context();
                if (Cluster.Role.get(ctx.clusterNodeRoleCounter()) == Cluster.Role.LEADER)
                {
                    leader = member.id;
                    leaders++;
                }
                if (ElectionState.get(ctx.electionStateCounter()) != ElectionState.CLOSED)
                {
                    allClosed = false;
                }
            }
            if (leaders == 1 && allClosed)
            {
                return leader;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                final StringBuilder states = new StringBuilder();
                for (final Member member : members)
                {
                    final ConsensusModule.Context ctx = member.driver.consensusModule().context();
                    states.append(" member ").append(member.id).append(": ")
                        .append(Cluster.Role.get(ctx.clusterNodeRoleCounter())).append('/')
                        .append(ElectionState.get(ctx.electionStateCounter()));
                }
                throw new IllegalStateException(NAME + ": no leader within " +
                    TimeUnit.NANOSECONDS.toSeconds(LEADER_TIMEOUT_NS) + " s;" + states + "; " + errors.summary());
            }
            Thread.sleep(10);
        }
    }

    /**
     * Connects, retrying until the deadline: a connect attempt can time out while the cluster settles.
     */
    private static AeronCluster connect(
        final MediaDriver clientDriver,
        final String ingressEndpoints,
        final Supplier<IdleStrategy> idle,
        final EchoLoad load) throws InterruptedException
    {
        final EgressListener listener =
            (clusterSessionId, timestamp, buffer, offset, length, header) -> load.onEcho(buffer, offset, length);
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        RuntimeException last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                return AeronCluster.connect(new AeronCluster.Context()
                    .aeronDirectoryName(clientDriver.aeronDirectoryName())
                    .ingressChannel("aeron:udp")
                    .ingressEndpoints(ingressEndpoints)
                    .egressChannel("aeron:udp?endpoint=" + CompareSupport.LOOPBACK + ":0")
                    .egressListener(listener)
                    .idleStrategy(idle.get())
                    .isIngressExclusive(true)
                    .clientName("perf-echo-client"));
            }
            catch (final RuntimeException ex)
            {
                last = ex;
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(NAME + ": client could not connect within " +
            TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s", last);
    }

    /**
     * One cluster member: its clustered media driver and its service container.
     */
    private static final class Member implements AutoCloseable
    {
        final int id;
        final ClusteredMediaDriver driver;
        final ClusteredServiceContainer container;
        final EchoService service;

        private Member(
            final int id,
            final ClusteredMediaDriver driver,
            final ClusteredServiceContainer container,
            final EchoService service)
        {
            this.id = id;
            this.driver = driver;
            this.container = container;
            this.service = service;
        }

        static Member launch(
            final int id,
            final String clusterMembers,
            final int archivePort,
            final Path shmDir,
            final Path diskDir,
            final String idleName,
            final Supplier<IdleStrategy> idle,
            final boolean fsync,
            final CompareSupport.ErrorCollector errors,
            final CompareSupport.AgentThreads threads)
        {
            final Path aeronDir = shmDir.resolve("member-" + id + "-driver");
            final Path memberDir = diskDir.resolve("member-" + id);
            final String ephemeralUdp = "aeron:udp?endpoint=" + CompareSupport.LOOPBACK + ":0";

            final MediaDriver.Context driverCtx = CompareSupport.driverContext(aeronDir, idleName, errors, threads, true);

            final Archive.Context archiveCtx = new Archive.Context()
                .aeronDirectoryName(aeronDir.toString())
                .archiveId(id)
                .archiveDir(memberDir.resolve("archive").toFile())
                .deleteArchiveOnStart(true)
                .controlChannel(CompareSupport.udpChannel(archivePort))
                .replicationChannel(ephemeralUdp)
                .archiveClientContext(new AeronArchive.Context().controlResponseChannel(ephemeralUdp))
                .threadingMode(ArchiveThreadingMode.SHARED)
                .idleStrategySupplier(idle)
                .recorderIdleStrategySupplier(idle)
                .replayerIdleStrategySupplier(idle)
                .threadFactory(threads)
                .recorderThreadFactory(threads)
                .replayerThreadFactory(threads)
                .errorHandler(errors::onError);
            if (fsync)
            {
                archiveCtx.fileSyncLevel(1).catalogFileSyncLevel(1);
            }

            // the consensus module and the service reach their own member's archive over IPC
            final AeronArchive.Context localArchive = new AeronArchive.Context()
                .aeronDirectoryName(aeronDir.toString())
                .controlRequestChannel(archiveCtx.localControlChannel())
                .controlRequestStreamId(archiveCtx.localControlStreamId())
                .controlResponseChannel(IPC_RESPONSE_CHANNEL);

            final ConsensusModule.Context consensusCtx = new ConsensusModule.Context()
                .aeronDirectoryName(aeronDir.toString())
                .clusterMemberId(id)
                .clusterMembers(clusterMembers)
                .clusterDir(memberDir.resolve("cluster").toFile())
                .deleteDirOnStart(true)
                .ingressChannel("aeron:udp")
                .replicationChannel(ephemeralUdp)
                .archiveContext(localArchive.clone())
                .idleStrategySupplier(idle)
                .threadFactory(threads)
                .errorHandler(errors::onError);
            if (fsync)
            {
                consensusCtx.fileSyncLevel(1);
            }

            final EchoService service = new EchoService();
            final ClusteredServiceContainer.Context serviceCtx = new ClusteredServiceContainer.Context()
                .aeronDirectoryName(aeronDir.toString())
                .clusterDir(memberDir.resolve("cluster").toFile())
                .archiveContext(localArchive.clone())
                .clusteredService(service)
                .serviceName("echo-" + id)
                .idleStrategySupplier(idle)
                .threadFactory(threads)
                .errorHandler(errors::onError);

            ClusteredMediaDriver driver = null;
            try
            {
                driver = ClusteredMediaDriver.launch(driverCtx, archiveCtx, consensusCtx);
                final ClusteredServiceContainer container = ClusteredServiceContainer.launch(serviceCtx);
                return new Member(id, driver, container, service);
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietClose(driver);
                throw ex;
            }
        }

        public void close()
        {
            CloseHelper.quietClose(container);
            CloseHelper.quietClose(driver);
        }
    }

    /**
     * Answers every message with the same bytes on the session's egress. Only the leader's offer sends (a follower's
     * returns {@link ClientSession#MOCKED_OFFER}). A refused offer (back-pressure, the egress not yet connected) is
     * retried for up to a second, idling through the cluster's idle strategy (which also keeps the container's duty
     * going); after that the echo is dropped and counted, and the client notices a missing echo.
     */
    static final class EchoService implements ClusteredService
    {
        private static final long RETRY_NS = TimeUnit.SECONDS.toNanos(1);

        final AtomicLong dropped = new AtomicLong();
        private IdleStrategy idle;

        public void onStart(final Cluster cluster, final Image snapshotImage)
        {
            this.idle = cluster.idleStrategy();
        }

        public void onSessionOpen(final ClientSession session, final long timestamp)
        {
        }

        public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
        {
        }

        public void onSessionMessage(
            final ClientSession session,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            long result = session.offer(buffer, offset, length);
            if (result > 0)
            {
                return;
            }
            final long deadlineNs = System.nanoTime() + RETRY_NS;
            idle.reset();
            while (CompareSupport.isRetryable(result) && System.nanoTime() - deadlineNs < 0)
            {
                idle.idle();
                result = session.offer(buffer, offset, length);
                if (result > 0)
                {
                    return;
                }
            }
            dropped.incrementAndGet();
        }

        public void onTimerEvent(final long correlationId, final long timestamp)
        {
        }

        public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
        {
            // stateless: an empty snapshot
        }

        public void onRoleChange(final Cluster.Role newRole)
        {
        }

        public void onTerminate(final Cluster cluster)
        {
        }
    }
}

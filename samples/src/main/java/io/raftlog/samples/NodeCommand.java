package io.raftlog.samples;

import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.driver.DriverProfile;
import io.raftlog.node.RaftNode;
import io.raftlog.storage.Durability;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code raftlog node}: one member as its own process, on its own agent thread (an {@code AgentRunner} with the
 * driver profile's idle strategy), until SIGTERM or SIGINT, then a clean stop: the agent, the Aeron client, the
 * embedded driver (if any) and the stores, which record the commit index.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
        "Runs one member of a cluster until SIGTERM/SIGINT (then stops cleanly).",
        "Example, three terminals:",
        "  M=1=127.0.0.1:20001,2=127.0.0.1:20002,3=127.0.0.1:20003",
        "  java -jar raftlog.jar node --id 1 --members $M --dir /tmp/n1",
        "  java -jar raftlog.jar node --id 2 --members $M --dir /tmp/n2",
        "  java -jar raftlog.jar node --id 3 --members $M --dir /tmp/n3",
        "Add --generate 100000 --status-interval-ms 200 to each for a leader that sequences generated events.",
        "A fourth member joining the running cluster (see --join):",
        "  J=$M,4=127.0.0.1:20004",
        "  java -jar raftlog.jar node --id 4 --members $J --join --dir /tmp/n4" })
final class NodeCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "N", description = "This member's id, one of --members.")
    int id;

    @Option(names = "--members", required = true, paramLabel = "ID=HOST:PORT,...",
        description = "Every member's id and UDP endpoint for peer traffic, this one included.")
    String members;

    @Option(names = "--join",
        description = {
            "Join a running cluster: this member starts as a learner of the cluster the other --members form (they "
                + "are the voters it expects; they need not know this member's endpoint), so it neither votes nor "
                + "campaigns, and waits for the leader to add it: `raftlog add-member --members LIST --id ID "
                + "--endpoint HOST:PORT`. The configuration entry carries this endpoint to every member, the leader replicates the "
                + "log to this member, and promotes it to voter once it has caught up. Keep --join when restarting "
                + "it: once its log holds the entry that added it, that entry decides its membership; without "
                + "--join, a member restarted before that would think itself a voter."})
    boolean join;

    @Option(names = "--dir", required = true, paramLabel = "DIR",
        description = "This member's data directory (meta, snapshot, log/); created if absent.")
    Path directory;

    @Option(names = "--durability", defaultValue = "fsync", paramLabel = "POLICY", converter = DurabilityOption.class,
        description = "page-cache or fsync (default: ${DEFAULT-VALUE}).")
    Durability durability;

    @Option(names = "--driver-profile", defaultValue = "small", paramLabel = "NAME",
        description = "Media driver profile, which also sets the agent's idle strategy: small, low-latency or "
            + "throughput (default: ${DEFAULT-VALUE}).")
    String driverProfile;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "The media driver's directory: where the embedded driver runs (default: a fresh one), or "
            + "where the external driver is (default: Aeron's).")
    String aeronDirectory;

    @Option(names = "--external-driver",
        description = "Connect to a media driver already running (see --aeron-dir) instead of embedding one.")
    boolean externalDriver;

    @Option(names = "--generate", defaultValue = "0", paramLabel = "N",
        description = "Act as an embedded application that sequences generated events: while this node leads, it "
            + "offers entries `gen-<index>` (32 bytes) on its own agent thread until its log reaches index N, with "
            + "at most " + EventGenerator.WINDOW + " uncommitted; the commit index then reaches at least N (leader "
            + "no-ops count towards N). Give every member the same N so a new leader carries on. 0: none "
            + "(default).")
    long generate;

    @Option(names = "--generate-rate", defaultValue = "0", paramLabel = "PER_SEC",
        description = "With --generate: at most this many entries a second (0: as fast as the window allows, the "
            + "default).")
    long generateRate;

    @Option(names = "--status-interval-ms", defaultValue = "0", paramLabel = "MS",
        description = "Print a status line every MS milliseconds, for a program to follow: "
            + "`status id=1 role=LEADER term=3 leader=1 commit=12345 last=12345 generated=12000`. 0: never "
            + "(default).")
    long statusIntervalMs;

    @Option(names = "--state-machine", defaultValue = "none", paramLabel = "NAME",
        description = "What the node applies the committed log to: `none`, a pure log (default), or `kv`, the "
            + "replicated key-value store that `raftlog kv` talks to. Give every member the same.")
    String stateMachine;

    @Option(names = "--snapshot-every", defaultValue = "100000", paramLabel = "N",
        description = "With a state machine: snapshot it every N entries applied and compact the log behind the "
            + "snapshot; a member that falls behind is sent the snapshot (default ${DEFAULT-VALUE}).")
    long snapshotEvery;

    @Option(names = "--snapshot-retain", defaultValue = "10000", paramLabel = "N",
        description = "With a state machine: entries kept in the log behind each snapshot, so a follower a little "
            + "behind catches up from the log rather than by a whole snapshot (default ${DEFAULT-VALUE}).")
    long snapshotRetain;

    @Option(names = "--lease-reads",
        description = "Let the leader answer `kv get --lease` from its lease, without a round of heartbeats. Correct "
            + "only while the members' clocks drift apart by less than a tenth of the election timeout.")
    boolean leaseReads;

    @Option(names = "--session-timeout-ms", defaultValue = "300000", paramLabel = "MS",
        description = "A remote client's session expires after MS milliseconds without an append, measured by the "
            + "leader's timestamps in the log; its later appends are refused with SESSION_EXPIRED. Part of the "
            + "replicated state: give every member the same value (default ${DEFAULT-VALUE}).")
    long sessionTimeoutMs;

    public Integer call()
    {
        ChronicleDefaults.apply();
        final CommandLine commandLine = spec.commandLine();
        final PrintWriter out = commandLine.getOut();
        final Map<Integer, String> endpoints;
        final DriverProfile profile;
        try
        {
            endpoints = Members.parse(members);
            profile = DriverProfile.fromName(driverProfile);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(commandLine, ex.getMessage());
        }
        if (!"none".equals(stateMachine) && !"kv".equals(stateMachine))
        {
            throw new ParameterException(commandLine, "--state-machine: none or kv, not " + stateMachine);
        }
        if (snapshotEvery <= 0 || snapshotRetain < 0)
        {
            throw new ParameterException(commandLine,
                "--snapshot-every must be positive and --snapshot-retain not negative");
        }
        if (sessionTimeoutMs <= 0)
        {
            throw new ParameterException(commandLine, "--session-timeout-ms must be positive");
        }
        if (generate < 0 || generateRate < 0 || statusIntervalMs < 0)
        {
            throw new ParameterException(commandLine,
                "--generate, --generate-rate and --status-interval-ms must not be negative");
        }
        if (!endpoints.containsKey(id))
        {
            throw new ParameterException(commandLine, "--id " + id + " is not one of --members " + endpoints.keySet());
        }
        if (join && endpoints.size() < 2)
        {
            throw new ParameterException(commandLine,
                "--join: --members must name the members of the cluster to join besides this one");
        }

        final RaftSettings raftSettings = new RaftSettings();
        raftSettings.join = join;
        raftSettings.sessionIdleTimeoutMs = sessionTimeoutMs;
        raftSettings.stateMachine = stateMachine;
        raftSettings.snapshotEveryEntries = snapshotEvery;
        raftSettings.snapshotRetainEntries = snapshotRetain;
        raftSettings.leaseReads = leaseReads;
        final LocalMember member = new LocalMember(id, endpoints, directory, durability, profile, aeronDirectory,
            externalDriver, raftSettings, new RoleReporter(out, id));
        // the barrier is closed last: on SIGTERM the JVM's shutdown waits for it, so everything is stopped by then
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        try
        {
            try
            {
                final RaftNode node = member.start(System.nanoTime() ^ ((long)id << 32));
                out.printf("node %d: peers on %s%s, data in %s (%s), durability %s, state machine %s, driver %s%n",
                    id, endpoints.get(id), join ? " (joining as a learner)" : "", directory,
                    member.storage().existed() ? "restarting from it" : "new",
                    durability == Durability.FSYNC ? "fsync" : "page-cache",
                    "kv".equals(stateMachine) ? "kv (snapshot every " + snapshotEvery + " entries)" : "none",
                    externalDriver ? "external in " + member.aeron().context().aeronDirectoryName() :
                        "embedded (profile " + profile.profileName() + ") in " + member.driver().aeronDirectoryName());
                out.flush();
                final EventGenerator agent = new EventGenerator(node, id, generate, generateRate,
                    TimeUnit.MILLISECONDS.toNanos(statusIntervalMs), out);
                try (AgentRunner runner = new AgentRunner(profile.newAgentIdleStrategy(),
                    throwable -> throwable.printStackTrace(commandLine.getErr()), null, agent))
                {
                    AgentRunner.startOnThread(runner);
                    barrier.await();
                    out.printf("node %d: stopping%n", id);
                    out.flush();
                }
            }
            finally
            {
                member.close();
            }
            out.printf("node %d: stopped%n", id);
            out.flush();
        }
        finally
        {
            barrier.close();
        }
        return 0;
    }

    /**
     * Prints role changes, on the agent thread: they are rare, so the allocation of a line of text is fine there.
     */
    static final class RoleReporter implements RaftListener
    {
        private final PrintWriter out;
        private final int id;

        RoleReporter(final PrintWriter out, final int id)
        {
            this.out = out;
            this.id = id;
        }

        public void onCommit(final long commitIndex)
        {
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
        {
            out.printf("node %d: %s in term %d%s%n", id, role, term,
                leaderId == 0 || leaderId == id ? "" : " (leader " + leaderId + ")");
            out.flush();
        }

        public void onSnapshotInstalled(final long index, final long term)
        {
            out.printf("node %d: installed the leader's snapshot at index %d (term %d)%n", id, index, term);
            out.flush();
        }
    }
}

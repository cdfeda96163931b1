package io.raftlog.samples;

import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.driver.DriverProfile;
import io.raftlog.node.RaftNode;
import io.raftlog.storage.Durability;
import io.raftlog.storage.StorageCorruptionException;
import io.raftlog.storage.StorageFullException;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
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
 *
 * <h2>The data directory</h2>
 * A directory with no member state in it is what a brand-new member starts with, and also what a member whose data
 * was lost (a wiped or replaced disk) comes back with; nothing in the directory can tell them apart, and the second
 * must not come back as the voter it was: it would have forgotten the votes it cast (and could vote twice in one
 * term) and the entries it acknowledged (which a majority may hold only with it). So the operator says which:
 * {@code --bootstrap} for the first start of a founding member of a new cluster, {@code --join} for a new member of
 * a running one (a learner until the leader adds it), and neither for a restart. A start on an empty directory with
 * neither is refused with what to do; {@code --bootstrap} on a directory that holds state is refused too, so that a
 * command line kept with it cannot quietly re-found a member after its data was lost. A member that lost its data
 * comes back the {@code --join} way, after {@code remove-member}: a new member that catches up and is promoted.
 * <p>
 * Storage that cannot vouch for what this member acknowledged (a damaged record inside the log, a damaged or
 * missing metadata file) stops the start with the file, the index and the same way back (exit 3); a device that
 * fills up while the node runs stops it with its log intact (exit 4): free space and start it again.
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
        "  java -jar raftlog.jar node --id 4 --members $J --join --dir /tmp/n4",
        "Data directory: the first start of a founding member of a new cluster needs --bootstrap (add it to each of",
        "the three above the first time only); a member joining a running cluster uses --join; a restart uses",
        "neither (or --join, if it joined). An empty directory without either is refused: it is also what a member",
        "whose data was lost looks like, and such a member must not come back as the voter it was (it would forget",
        "its votes and the entries it acknowledged). It comes back as a new one: remove-member, then node --join",
        "with an empty directory, then add-member; the refusal prints the commands.",
        "Exit status: 0 stopped by SIGTERM/SIGINT; 2 bad options; 3 the data directory cannot be used as it is",
        "(damaged, or empty without --bootstrap or --join: the message says what to do); 4 the device filled up",
        "(the log is intact: free space and start the node again); 1 any other failure." })
final class NodeCommand implements Callable<Integer>
{
    /** The data directory cannot be used as it is: damaged, or empty without --bootstrap or --join. */
    static final int EXIT_STORAGE = 3;
    /** The device filled up while the node ran; the log is intact. */
    static final int EXIT_DEVICE_FULL = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "N", description = "This member's id, one of --members.")
    int id;

    @Option(names = "--members", required = true, paramLabel = "ID=HOST:PORT,...",
        description = "Every member's id and UDP endpoint for peer traffic, this one included.")
    String members;

    @Option(names = "--peer-listen", paramLabel = "HOST:PORT",
        description = "Bind the peer port here instead of at this member's endpoint in --members, e.g. behind a "
            + "relay or NAT (remote clients' stream shares that port, so it binds here too); the others still send "
            + "to the endpoint in --members.")
    String peerListen;

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

    @Option(names = "--bootstrap",
        description = {
            "The first start of a founding member of a new cluster (one of --members): DIR must hold no member "
                + "state. Give it once; a restart is refused with it. Without it (and without --join) an empty DIR is "
                + "refused: it is also what a member that lost its data looks like, and that one must rejoin with "
                + "--join after remove-member, never as the voter it was."})
    boolean bootstrap;

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
        if (peerListen != null)
        {
            try
            {
                Members.checkEndpoint("--peer-listen", peerListen, "");
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(commandLine, ex.getMessage());
            }
        }
        if (join && endpoints.size() < 2)
        {
            throw new ParameterException(commandLine,
                "--join: --members must name the members of the cluster to join besides this one");
        }
        if (join && bootstrap)
        {
            throw new ParameterException(commandLine, "--bootstrap founds a new cluster, --join joins a running one: " +
                "not both");
        }
        final PrintWriter err = commandLine.getErr();
        final MemberStorage.State state = MemberStorage.inspect(directory);
        if (state == MemberStorage.State.MEMBER && bootstrap)
        {
            throw new ParameterException(commandLine, "--bootstrap is for a founding member's first start, but " +
                directory + " already holds this member's state: start it again without --bootstrap");
        }
        if (state == MemberStorage.State.EMPTY && !bootstrap && !join)
        {
            err.printf("node %d: %s holds no member state. If this is the first start of a founding member of a new " +
                "cluster, start it with --bootstrap. If it is a member whose data was lost, it must not come back as " +
                "the voter it was (it would have forgotten the votes it cast and the entries it acknowledged): " +
                "bring it back as a new member.%n", id, directory);
            printRejoinSteps(err, endpoints, false);
            err.flush();
            return EXIT_STORAGE;
        }

        final RaftSettings raftSettings = new RaftSettings();
        raftSettings.join = join;
        raftSettings.sessionIdleTimeoutMs = sessionTimeoutMs;
        raftSettings.stateMachine = stateMachine;
        raftSettings.snapshotEveryEntries = snapshotEvery;
        raftSettings.snapshotRetainEntries = snapshotRetain;
        raftSettings.leaseReads = leaseReads;
        final LocalMember member = new LocalMember(id, endpoints, directory, durability, profile, aeronDirectory,
            externalDriver, raftSettings, new RoleReporter(out, id)).peerListenEndpoint(peerListen);
        // the barrier is closed last: on SIGTERM the JVM's shutdown waits for it, so everything is stopped by then
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        final Throwable[] failure = new Throwable[1];
        int exitStatus = 0;
        try
        {
            try
            {
                final RaftNode node;
                try
                {
                    node = member.start(System.nanoTime() ^ ((long)id << 32));
                }
                catch (final StorageCorruptionException ex)
                {
                    err.printf("node %d: cannot start: %s.%nnode %d: its storage cannot vouch for what this member " +
                        "acknowledged, so it must not take part as it is; the file is left as it was found.%n",
                        id, ex.getMessage(), id);
                    printRejoinSteps(err, endpoints, true);
                    err.flush();
                    return EXIT_STORAGE;
                }
                out.printf("node %d: peers on %s%s%s, data in %s (%s), durability %s, state machine %s, driver %s%n",
                    id, endpoints.get(id), peerListen == null ? "" : " (bound at " + peerListen + ")",
                    join ? " (joining as a learner)" : "", directory,
                    member.storage().existed() ? "restarting from it" : "new",
                    durability == Durability.FSYNC ? "fsync" : "page-cache",
                    "kv".equals(stateMachine) ? "kv (snapshot every " + snapshotEvery + " entries)" : "none",
                    externalDriver ? "external in " + member.aeron().context().aeronDirectoryName() :
                        "embedded (profile " + profile.profileName() + ") in " + member.driver().aeronDirectoryName());
                reportRepairs(out, member.storage());
                out.flush();
                final EventGenerator agent = new EventGenerator(node, id, generate, generateRate,
                    TimeUnit.MILLISECONDS.toNanos(statusIntervalMs), out);
                try (AgentRunner runner = new AgentRunner(profile.newAgentIdleStrategy(),
                    throwable ->
                    {
                        if (throwable instanceof AgentTerminationException && throwable.getCause() != null)
                        {
                            // the node stopped itself (its storage failed): stop the process too
                            failure[0] = throwable.getCause();
                            barrier.signal();
                        }
                        else
                        {
                            throwable.printStackTrace(commandLine.getErr());
                        }
                    }, null, agent))
                {
                    AgentRunner.startOnThread(runner);
                    barrier.await();
                    if (failure[0] != null)
                    {
                        exitStatus = reportFailure(err, failure[0], endpoints);
                    }
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
        return exitStatus;
    }

    /**
     * What opening repaired on its own, for the operator to know.
     */
    private void reportRepairs(final PrintWriter out, final MemberStorage storage)
    {
        if (storage.existed())
        {
            out.printf("node %d: its log holds entries %d to %d (term %d), its metadata term %d%n", id,
                storage.chronicle().baseIndex() + 1, storage.chronicle().lastIndex(),
                storage.chronicle().termAt(storage.chronicle().lastIndex()), storage.meta().currentTerm());
        }
        final long cut = storage.chronicle().tornTailCutFrom();
        if (cut > 0)
        {
            out.printf("node %d: the log's last record (index %d) was torn by a crash while it was written; it was " +
                "never acknowledged, so it is cut back: the log ends at index %d and the leader sends the rest again%n",
                id, cut, storage.chronicle().lastIndex());
        }
        final int slot = storage.meta().repairedSlot();
        if (slot >= 0)
        {
            out.printf("node %d: slot %d of the metadata file %s was damaged (a torn write or a flipped bit); it is " +
                "rewritten from the other, which holds every term and vote%n", id, slot, storage.meta().file());
        }
    }

    /**
     * What stopped a running node, and what to do about it.
     *
     * @return the exit status.
     */
    private int reportFailure(final PrintWriter err, final Throwable failure, final Map<Integer, String> endpoints)
    {
        if (failure instanceof StorageFullException)
        {
            err.printf("node %d: stopped: %s.%nnode %d: the log is intact. Free space on the device of %s (or move " +
                "the directory to a larger one) and start the node again with the same command: it recovers its " +
                "log and catches up from the leader.%n", id, failure.getMessage(), id, directory);
            err.flush();
            return EXIT_DEVICE_FULL;
        }
        if (failure instanceof StorageCorruptionException)
        {
            err.printf("node %d: stopped: %s.%n", id, failure.getMessage());
            printRejoinSteps(err, endpoints, true);
            err.flush();
            return EXIT_STORAGE;
        }
        err.printf("node %d: stopped: it cannot go on after this (its log and metadata are as the failure left " +
            "them; start it again once the cause is gone):%n", id);
        failure.printStackTrace(err);
        err.flush();
        return 1;
    }

    /**
     * How a member that cannot trust its data comes back: as a new member that catches up from the others.
     */
    private void printRejoinSteps(final PrintWriter err, final Map<Integer, String> endpoints, final boolean moveAside)
    {
        final StringBuilder others = new StringBuilder();
        for (final Map.Entry<Integer, String> member : endpoints.entrySet())
        {
            if (member.getKey() != id)
            {
                others.append(others.length() == 0 ? "" : ",").append(member.getKey()).append('=')
                    .append(member.getValue());
            }
        }
        err.printf("node %d: to bring it back, while the other members run:%n" +
            "  1. raftlog remove-member --members %s --id %d%n" +
            "  2. %s%n" +
            "  3. raftlog node --id %d --members %s --join --dir %s   (as before, with --join)%n" +
            "  4. raftlog add-member --members %s --id %d --endpoint %s%n" +
            "It then catches up from the leader as a learner and votes again once the leader promotes it.%n",
            id, others, id, moveAside ? "move " + directory + " aside (keep it to look into)" :
            "make sure " + directory + " is empty", id, members, directory, others, id, endpoints.get(id));
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

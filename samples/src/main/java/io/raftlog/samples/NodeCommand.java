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
        "  java -jar raftlog.jar node --id 3 --members $M --dir /tmp/n3" })
final class NodeCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "N", description = "This member's id, one of --members.")
    int id;

    @Option(names = "--members", required = true, paramLabel = "ID=HOST:PORT,...",
        description = "Every member's id and UDP endpoint for peer traffic, this one included.")
    String members;

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
        if (!endpoints.containsKey(id))
        {
            throw new ParameterException(commandLine, "--id " + id + " is not one of --members " + endpoints.keySet());
        }

        final LocalMember member = new LocalMember(id, endpoints, directory, durability, profile, aeronDirectory,
            externalDriver, new RaftSettings(), new RoleReporter(out, id));
        // the barrier is closed last: on SIGTERM the JVM's shutdown waits for it, so everything is stopped by then
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        try
        {
            try
            {
                final RaftNode node = member.start(System.nanoTime() ^ ((long)id << 32));
                out.printf("node %d: peers on %s, data in %s (%s), durability %s, driver %s%n", id,
                    endpoints.get(id), directory, member.storage().existed() ? "restarting from it" : "new",
                    durability == Durability.FSYNC ? "fsync" : "page-cache",
                    externalDriver ? "external in " + member.aeron().context().aeronDirectoryName() :
                        "embedded (profile " + profile.profileName() + ") in " + member.driver().aeronDirectoryName());
                out.flush();
                try (AgentRunner runner = new AgentRunner(profile.newAgentIdleStrategy(),
                    throwable -> throwable.printStackTrace(commandLine.getErr()), null, node))
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
    }
}

package io.raftlog.samples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code raftlog} command line: {@code java -jar raftlog.jar <command>}.
 * <pre>
 *   raftlog demo             three nodes in this JVM: election, a killed leader, a restart from disk, a replay
 *   raftlog node             one node as its own process, until SIGTERM
 *   raftlog replay           a node's committed log from its data directory
 *   raftlog append           a remote client: appends N entries, prints each acknowledgement
 *   raftlog status           every member's role, term, leader and commit index
 *   raftlog transfer-leader  hands leadership to a member
 *   raftlog add-member       adds a member (started with node --join)
 *   raftlog remove-member    removes a member
 *   raftlog kv               put, get, delete, cas on the replicated key-value store (node --state-machine kv)
 *   raftlog faults           node processes under a seeded schedule of process and network faults, then a verdict
 * </pre>
 * Hidden from the list: {@code raftlog relay}, the UDP relay that {@code faults} puts in front of each node to delay,
 * reorder and duplicate its datagrams.
 * The executable jar's manifest opens and exports what Agrona and Chronicle need on JDK 17, so no JVM flag is needed.
 */
@Command(
    name = "raftlog",
    mixinStandardHelpOptions = true,
    versionProvider = RaftlogCli.Version.class,
    description = "A Raft-replicated log over Aeron UDP and Chronicle Queue.",
    subcommands = {
        DemoCommand.class, NodeCommand.class, ReplayCommand.class,
        AppendCommand.class, StatusCommand.class, TransferLeaderCommand.class, AddMemberCommand.class,
        RemoveMemberCommand.class, KvCommand.class, FaultsCommand.class, RelayCommand.class,
        CommandLine.HelpCommand.class })
public final class RaftlogCli implements Runnable
{
    @Spec
    CommandSpec spec;

    public static void main(final String[] args)
    {
        // first: Chronicle reads these when its classes load, and nothing before this line may load one
        ChronicleDefaults.apply();
        System.exit(commandLine().execute(args));
    }

    /**
     * @return the command line, for tests and for embedding: {@code commandLine().execute("demo")} returns the exit
     * code instead of exiting.
     */
    public static CommandLine commandLine()
    {
        ChronicleDefaults.apply();
        return new CommandLine(new RaftlogCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: demo, node, replay, " +
            "append, status, transfer-leader, add-member, remove-member, kv or faults");
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        public String[] getVersion()
        {
            final String version = RaftlogCli.class.getPackage().getImplementationVersion();
            return new String[] { "raftlog " + (version == null ? "(development build)" : version) };
        }
    }
}

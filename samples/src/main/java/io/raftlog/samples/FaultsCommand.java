package io.raftlog.samples;

import io.raftlog.samples.faults.FaultRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code raftlog faults}: node processes under a seeded schedule of process and network faults while a client
 * appends, then the verdict on the logs. See {@link FaultRun}.
 */
@Command(
    name = "faults",
    mixinStandardHelpOptions = true,
    description = {
        "Start --nodes node processes, each in a network namespace of its own joined by a bridge (made and removed "
            + "by this command; where namespaces cannot be made, it says so and runs on loopback without partitions "
            + "or loss), each behind a UDP relay of its own, append from a remote client at --rate, and inject "
            + "faults on a schedule drawn from --seed: kill -9 and restart (the leader more often), SIGSTOP/SIGCONT "
            + "pauses longer than the election timeout, partitions (majority/minority, the leader isolated, a bridge "
            + "node, one-way cuts) and packet loss with nftables, and slow-network periods: the relays of one node, "
            + "some or all delay what those nodes receive (and their answers) with jitter, so datagrams reorder, and "
            + "duplicate some of it. Then heal, stop, read every node's committed log and print a line on the "
            + "network faults (`network: ...`) and the verdict:",
        "  faults: <cycles> cycles, <kills> kills, <pauses> pauses, <partitions> partitions, acked=<n> lost=<n> "
            + "duplicated=<n> divergent=<n> linearizable=<yes|no>",
        "lost: acknowledged but not at its index on a majority; duplicated: an entry at two indices; divergent: an "
            + "index where two nodes' committed logs differ; linearizable: the history of the key-value client "
            + "(puts, compare-and-sets and gets against the nodes' key-value store) checked by a Wing-Gong search.",
        "Needs root for namespaces, and `ip` and `nft`. Exit status: 0 nothing lost, duplicated or divergent and "
            + "the history linearizable; 1 otherwise; 2 bad options." })
final class FaultsCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "3", paramLabel = "N", description = "3 or 5 (default 3).")
    int nodes;

    @Option(names = "--duration", defaultValue = "60", paramLabel = "SECONDS",
        description = "How long faults are injected (default 60); healing and the checks take about 30 s more.")
    long durationSeconds;

    @Option(names = "--seed", paramLabel = "N", description = "The schedule's seed (default: drawn, and printed).")
    Long seed;

    @Option(names = "--rate", defaultValue = "100", paramLabel = "PER_SEC",
        description = "Appends a second from the client (default 100).")
    int rate;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Where the nodes' data and every output go (default: a new temporary directory, deleted after "
            + "a run that passes).")
    Path directory;

    @Option(names = "--loopback", description = "Do not make namespaces: loopback, process faults only.")
    boolean loopback;

    public Integer call() throws Exception
    {
        ChronicleDefaults.apply();
        final CommandLine commandLine = spec.commandLine();
        if (nodes != 3 && nodes != 5)
        {
            throw new ParameterException(commandLine, "--nodes must be 3 or 5");
        }
        if (durationSeconds <= 0 || rate <= 0)
        {
            throw new ParameterException(commandLine, "--duration and --rate must be positive");
        }
        final long runSeed = seed != null ? seed : System.nanoTime();
        final FaultRun run = new FaultRun(nodes, durationSeconds, runSeed, rate, directory, loopback,
            commandLine.getOut());
        return run.call();
    }
}

package io.raftlog.samples;

import io.raftlog.storage.Durability;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code raftlog demo}: see {@link Demo}.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Three nodes on 127.0.0.1 in this JVM, each with its own embedded media driver and data directory: a leader "
            + "is elected, events are sequenced, the leader is killed mid-run, a new leader takes over, the killed "
            + "node restarts from its files and catches up, and each node's committed log is replayed and checked.",
        "Exits 0 only if every check held." })
final class DemoCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "50000", paramLabel = "N",
        description = "Events before the kill, and again after it (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--window", defaultValue = "128", paramLabel = "N",
        description = "Events the client keeps in flight, offered and not yet acknowledged (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--burst", defaultValue = "64", paramLabel = "N",
        description = "Events the client offers per duty cycle at most (default: ${DEFAULT-VALUE}).")
    int burst;

    @Option(names = "--durability", defaultValue = "page-cache", paramLabel = "POLICY",
        converter = DurabilityOption.class,
        description = "When an appended entry counts: page-cache (in the mapped file) or fsync (forced to the device, "
            + "once per duty cycle). Default: ${DEFAULT-VALUE}.")
    Durability durability;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Where to create the demo's temporary data directory (default: the system's temporary directory).")
    Path directory;

    @Option(names = "--keep", description = "Keep the data directory instead of deleting it.")
    boolean keep;

    public Integer call()
    {
        ChronicleDefaults.apply();
        if (events <= 0)
        {
            throw new ParameterException(spec.commandLine(), "--events must be positive: " + events);
        }
        if (window <= 0)
        {
            throw new ParameterException(spec.commandLine(), "--window must be positive: " + window);
        }
        if (burst <= 0)
        {
            throw new ParameterException(spec.commandLine(), "--burst must be positive: " + burst);
        }
        return new Demo(spec.commandLine().getOut(), events, window, burst, durability, directory, keep).run();
    }
}

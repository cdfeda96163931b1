package io.raftlog.samples;

import io.raftlog.samples.faults.RelayControlFile;
import io.raftlog.samples.faults.UdpRelay;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code raftlog relay}: the fault harness's UDP relay in front of one node ({@link UdpRelay}), as a process of its
 * own, started by {@code faults} in the node's network namespace. Hidden from the command list: it is part of the
 * harness's network, not something an operator runs.
 */
@Command(
    name = "relay",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = {
        "Relays UDP datagrams from --listen to --to and the answers back, delaying (with jitter, so they reorder) "
            + "and duplicating them as the one line of --control says: `<delayMs> <jitterMs> <duplicatePercent>`, "
            + "read again whenever the file is replaced. Runs until SIGTERM/SIGINT or the end of --parent-pid, then "
            + "prints its counters: `relay: forwarded=<n> duplicated=<n> dropped=<n> ...`.",
        "Used by `faults` for slow-network periods; the node behind it runs with --peer-listen at --to." })
final class RelayCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
        description = "Where the node is known: its endpoint in the members list.")
    String listen;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT",
        description = "Where the node is bound (its --peer-listen).")
    String forwardTo;

    @Option(names = "--control", required = true, paramLabel = "FILE",
        description = "The settings file; datagrams pass at once until it exists.")
    Path control;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
        description = "Seed of the delays and duplicates drawn (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--parent-pid", paramLabel = "PID",
        description = "Stop when this process ends (the harness that started the relay).")
    Long parentPid;

    public Integer call()
    {
        final CommandLine commandLine = spec.commandLine();
        final PrintWriter out = commandLine.getOut();
        final InetSocketAddress listenAt = address(commandLine, "--listen", listen);
        final InetSocketAddress to = address(commandLine, "--to", forwardTo);
        final ProcessHandle parent = parentPid == null ? null : ProcessHandle.of(parentPid).orElse(null);
        if (parentPid != null && parent == null)
        {
            commandLine.getErr().printf("relay: the parent process %d is already gone%n", parentPid);
            return 1;
        }
        final UdpRelay relay;
        try
        {
            relay = new UdpRelay(listenAt, to, new RelayControlFile(control), seed, parent, out);
        }
        catch (final IOException ex)
        {
            commandLine.getErr().printf("relay: cannot listen on %s: %s%n", listen, ex.getMessage());
            return 1;
        }
        // on SIGTERM the barrier stops the relay, and the JVM's shutdown waits until the counters are out
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier(relay::stop);
        try
        {
            out.printf("relay: listening on %s, forwarding to %s, settings from %s%n", relay.listenAddress(), to,
                control);
            out.flush();
            relay.run();
            out.println(relay.countersLine());
            out.flush();
        }
        finally
        {
            relay.close();
            barrier.close();
        }
        return 0;
    }

    private static InetSocketAddress address(final CommandLine commandLine, final String option, final String text)
    {
        try
        {
            Members.checkEndpoint(option, text, "");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(commandLine, ex.getMessage());
        }
        final int colon = text.lastIndexOf(':');
        final InetSocketAddress address =
            new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        if (address.isUnresolved())
        {
            throw new ParameterException(commandLine, option + ": host '" + text.substring(0, colon) + "' is unknown");
        }
        return address;
    }
}

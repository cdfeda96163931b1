package io.raftlog.samples.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relays of a fault run, one in front of each node: {@code raftlog relay} processes ({@link UdpRelay}), each
 * where the testbed runs its node (inside the node's namespace), bound at the node's endpoint in the members list and
 * forwarding to where the node is bound on the loopback. They are part of the network, not of the node: they keep
 * running while their node is killed, restarted or paused, and stop only with the run. The harness slows each one
 * down through its control file ({@link #set}).
 */
final class RelayProcesses implements AutoCloseable
{
    /** Small and quick to start: a relay holds at most {@link UdpRelay#MAX_DELAYED_BYTES} of datagrams. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx160m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1");
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final Pattern COUNTERS = Pattern.compile(
        "^relay: forwarded=(\\d+) duplicated=(\\d+) dropped=(\\d+)", Pattern.MULTILINE);

    private final Testbed testbed;
    private final Path directory;
    private final long seed;
    private final Process[] processes;
    private Totals totals;

    /**
     * What every relay of the run did, added up.
     *
     * @param forwarded  datagrams sent on, both ways, duplicates included.
     * @param duplicated datagrams sent twice.
     * @param dropped    datagrams dropped because a relay held as many as it can.
     * @param endedEarly relays that stopped before the run stopped them (their output says why).
     */
    record Totals(long forwarded, long duplicated, long dropped, List<Integer> endedEarly)
    {
    }

    RelayProcesses(final Testbed testbed, final Path directory, final int nodes, final long seed)
    {
        this.testbed = testbed;
        this.directory = directory;
        this.seed = seed;
        this.processes = new Process[nodes + 1];
    }

    /**
     * Starts the relay in front of node {@code id}, passing datagrams at once, and waits until it listens.
     *
     * @param listen    the node's endpoint in the members list.
     * @param forwardTo where the node is bound ({@code node --peer-listen}).
     * @throws IllegalStateException when it cannot listen, with what it printed.
     */
    void start(final int id, final String listen, final String forwardTo)
    {
        RelayControlFile.write(controlFile(id), RelaySettings.NONE);
        final List<String> command = new ArrayList<>(NodeProcesses.javaCommand(JVM_OPTIONS));
        command.addAll(List.of("relay", "--listen", listen, "--to", forwardTo,
            "--control", controlFile(id).toString(), "--seed", Long.toString(seed + id),
            "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        processes[id] = ChildProcesses.start(testbed.commandFor(id, command), output(id), "the relay of node " + id);
    }

    /**
     * Waits until every relay started listens.
     *
     * @throws IllegalStateException naming one that stopped or did not listen in time, with what it printed.
     */
    void awaitListening() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        for (int id = 1; id < processes.length; id++)
        {
            while (processes[id] != null && !NodeProcesses.read(output(id)).contains("relay: listening on"))
            {
                if (!processes[id].isAlive() || System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("the relay of node " + id + " does not listen: " +
                        NodeProcesses.read(output(id)).trim());
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * What the relay in front of node {@code id} does from now on to what it passes, both ways.
     */
    void set(final int id, final RelaySettings settings)
    {
        RelayControlFile.write(controlFile(id), settings);
    }

    /**
     * Every relay passes datagrams at once again.
     */
    void healAll()
    {
        for (int id = 1; id < processes.length; id++)
        {
            if (processes[id] != null)
            {
                set(id, RelaySettings.NONE);
            }
        }
    }

    /**
     * Stops every relay (SIGTERM: each prints its counters) and adds up what they did; again, the same totals.
     */
    Totals stopAll()
    {
        if (totals != null)
        {
            return totals;
        }
        final List<Integer> endedEarly = new ArrayList<>();
        for (int id = 1; id < processes.length; id++)
        {
            if (processes[id] != null)
            {
                if (processes[id].isAlive())
                {
                    processes[id].destroy();
                }
                else
                {
                    endedEarly.add(id);
                }
            }
        }
        long forwarded = 0;
        long duplicated = 0;
        long dropped = 0;
        for (int id = 1; id < processes.length; id++)
        {
            if (processes[id] == null)
            {
                continue;
            }
            ChildProcesses.awaitEnd(processes[id], STOP_TIMEOUT_SECONDS);
            final Matcher counters = COUNTERS.matcher(NodeProcesses.read(output(id)));
            while (counters.find())
            {
                forwarded += Long.parseLong(counters.group(1));
                duplicated += Long.parseLong(counters.group(2));
                dropped += Long.parseLong(counters.group(3));
            }
        }
        totals = new Totals(forwarded, duplicated, dropped, endedEarly);
        return totals;
    }

    public void close()
    {
        stopAll();
    }

    Path output(final int id)
    {
        return directory.resolve("relay-" + id + ".out");
    }

    private Path controlFile(final int id)
    {
        return directory.resolve("relay-" + id + ".control");
    }
}

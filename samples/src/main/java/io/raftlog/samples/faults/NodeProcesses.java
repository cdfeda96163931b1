package io.raftlog.samples.faults;

import io.raftlog.driver.DriverConfiguration;
import io.raftlog.samples.MemberStorage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node processes of a fault run, started from this very jar with the JVM running it, each in its testbed's
 * place: started, killed with SIGKILL, paused with SIGSTOP, resumed with SIGCONT, restarted from its data directory.
 * Who leads is read from what the nodes print ({@code node N: LEADER in term T}), so finding the leader costs nothing.
 * <p>
 * Each node sits behind a relay of its own ({@link RelayProcesses}): the relay is bound at the node's endpoint in the
 * members list, the node at {@code 127.0.0.1} on that port plus {@link #LISTEN_PORT_OFFSET} ({@code --peer-listen}).
 * Kills and pauses touch the node's process only; the relay is part of the network and runs on.
 */
final class NodeProcesses implements AutoCloseable
{
    private static final long STOP_GRACE_SECONDS = 30;
    private static final Pattern ROLE = Pattern.compile("^node (\\d+): (LEADER|FOLLOWER|CANDIDATE|PRE_CANDIDATE) in " +
        "term (\\d+)", Pattern.MULTILINE);

    /** A node is bound this far above its endpoint's port, on the loopback, behind its relay. */
    static final int LISTEN_PORT_OFFSET = 100;

    private final Testbed testbed;
    private final Path directory;
    private final int basePort;
    private final String members;
    private final RelayProcesses relays;
    private final List<String> nodeOptions;
    private final Process[] processes;
    private final boolean[] paused;
    private final List<Path> aeronDirectories = new ArrayList<>();

    /**
     * @param basePort node {@code i}'s endpoint is on port {@code basePort + i}; it is bound
     *                 {@link #LISTEN_PORT_OFFSET} higher.
     * @param seed     the seed of the relays' delays and duplicates.
     */
    NodeProcesses(
        final Testbed testbed,
        final Path directory,
        final int nodes,
        final int basePort,
        final List<String> nodeOptions,
        final long seed)
    {
        this.testbed = testbed;
        this.directory = directory;
        this.basePort = basePort;
        this.nodeOptions = nodeOptions;
        this.relays = new RelayProcesses(testbed, directory, nodes, seed);
        this.processes = new Process[nodes + 1];
        this.paused = new boolean[nodes + 1];
        final StringBuilder list = new StringBuilder();
        for (int id = 1; id <= nodes; id++)
        {
            list.append(id == 1 ? "" : ",").append(id).append('=').append(endpoint(id));
        }
        this.members = list.toString();
    }

    String members()
    {
        return members;
    }

    int size()
    {
        return processes.length - 1;
    }

    RelayProcesses relays()
    {
        return relays;
    }

    /**
     * Starts the relay in front of every node, and waits until they listen: before the nodes start.
     */
    void startRelays() throws InterruptedException
    {
        for (int id = 1; id <= size(); id++)
        {
            relays.start(id, endpoint(id), listenEndpoint(id));
        }
        relays.awaitListening();
    }

    /**
     * @return node {@code id}'s endpoint in the members list, where its relay is bound.
     */
    String endpoint(final int id)
    {
        return testbed.hostOf(id) + ":" + (basePort + id);
    }

    /**
     * @return where node {@code id} is bound, behind its relay: the loopback of its namespace (or of the host).
     */
    String listenEndpoint(final int id)
    {
        return "127.0.0.1:" + (basePort + id + LISTEN_PORT_OFFSET);
    }

    Path dataDirectory(final int id)
    {
        return directory.resolve("node-" + id);
    }

    void start(final int id)
    {
        if (isAlive(id))
        {
            return;
        }
        final Path aeronDirectory = Path.of(DriverConfiguration.generateAeronDirectoryName());
        aeronDirectories.add(aeronDirectory);
        final List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of("node", "--id", Integer.toString(id), "--members", members,
            "--dir", dataDirectory(id).toString(), "--durability", "page-cache",
            "--aeron-dir", aeronDirectory.toString(), "--peer-listen", listenEndpoint(id)));
        command.addAll(nodeOptions);
        if (MemberStorage.isEmpty(dataDirectory(id)) && !nodeOptions.contains("--join"))
        {
            command.add("--bootstrap"); // a founding member's first start
        }
        processes[id] = ChildProcesses.start(testbed.commandFor(id, command), output(id), "node " + id);
        paused[id] = false;
    }

    boolean isAlive(final int id)
    {
        return processes[id] != null && processes[id].isAlive();
    }

    void kill(final int id)
    {
        if (isAlive(id))
        {
            processes[id].destroyForcibly();
            ChildProcesses.awaitEnd(processes[id], STOP_GRACE_SECONDS);
        }
        paused[id] = false;
    }

    void pause(final int id)
    {
        if (isAlive(id) && !paused[id])
        {
            signal(id, "-STOP");
            paused[id] = true;
        }
    }

    void resume(final int id)
    {
        if (isAlive(id) && paused[id])
        {
            signal(id, "-CONT");
            paused[id] = false;
        }
    }

    /**
     * SIGTERM to every node, and waits for each to stop cleanly (SIGKILL after 30 s).
     */
    void stopAll()
    {
        for (int id = 1; id <= size(); id++)
        {
            resume(id);
            if (isAlive(id))
            {
                processes[id].destroy();
            }
        }
        for (int id = 1; id <= size(); id++)
        {
            if (processes[id] != null)
            {
                ChildProcesses.awaitEnd(processes[id], STOP_GRACE_SECONDS);
            }
        }
    }

    /**
     * @return the live node that says it leads in the highest term, or 0.
     */
    int leader()
    {
        int leader = 0;
        long bestTerm = -1;
        for (int id = 1; id <= size(); id++)
        {
            if (!isAlive(id) || paused[id])
            {
                continue;
            }
            final String text = read(output(id));
            final Matcher matcher = ROLE.matcher(text);
            String role = null;
            long term = -1;
            while (matcher.find())
            {
                role = matcher.group(2);
                term = Long.parseLong(matcher.group(3));
            }
            if ("LEADER".equals(role) && term > bestTerm)
            {
                bestTerm = term;
                leader = id;
            }
        }
        return leader;
    }

    Path output(final int id)
    {
        return directory.resolve("node-" + id + ".out");
    }

    public void close()
    {
        for (int id = 1; id <= size(); id++)
        {
            resume(id);
            kill(id);
        }
        relays.close();
        for (final Path aeronDirectory : aeronDirectories)
        {
            deleteQuietly(aeronDirectory);
        }
    }

    static List<String> javaCommand()
    {
        return javaCommand(List.of());
    }

    /**
     * @return the command that runs this jar with the JVM running this, with {@code jvmOptions}.
     */
    static List<String> javaCommand(final List<String> jvmOptions)
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String jar;
        try
        {
            jar = Path.of(NodeProcesses.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot find the jar this runs from", ex);
        }
        if (!jar.endsWith(".jar"))
        {
            throw new IllegalStateException("faults starts node processes from raftlog.jar: run it with java -jar " +
                "(this runs from " + jar + ")");
        }
        final List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar));
        return command;
    }

    private void signal(final int id, final String signal)
    {
        Shell.run(List.of("kill", signal, Long.toString(processes[id].pid())));
    }

    static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    static void deleteQuietly(final Path path)
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (var walk = Files.walk(path))
        {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // best effort: a driver directory left behind is harmless
        }
    }
}

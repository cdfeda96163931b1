package io.raftlog.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar raftlog.jar ...} as separate processes for the process-level tests: node processes that run until
 * stopped (SIGTERM through their {@link ProcessHandle}, or SIGKILL), and commands run to completion, each with its
 * output in a file of the test's temporary directory (no pipe to fill). Only processes started here are ever
 * stopped, each by its own handle.
 */
final class JarProcesses implements AutoCloseable
{
    /** {@code status} lines, {@code ClusterAdmin.MemberStatus.line()}. */
    static final Pattern STATUS = Pattern.compile(
        "^member=(\\d+) role=(\\S+) term=(\\d+) leader=(\\d+) commit=(\\d+) last=(\\d+)( learner)?$");

    private final Path jar;
    private final Path directory;
    private final List<Process> started = new ArrayList<>();
    private final List<Path> aeronDirectories = new ArrayList<>();
    private int runs;

    /**
     * @param jar       copied into {@code directory} first, so that every process of the test runs the same bytes
     *                  even if the jar is built again meanwhile.
     * @param directory the test's temporary directory: outputs, node data, the jar's copy.
     */
    JarProcesses(final Path jar, final Path directory) throws IOException
    {
        this.jar = Files.copy(jar, directory.resolve("raftlog.jar"));
        this.directory = directory;
    }

    /**
     * A node, {@code --durability page-cache}, its data in {@code node-<id>} of the test's directory and its media
     * driver in a directory of its own (a killed driver leaves it behind; {@link #close} deletes it). Its first start
     * (no member state in its directory yet, and no {@code --join}) is a founding member's: {@code --bootstrap}.
     */
    Node startNode(final int id, final String members, final String... extraArgs) throws IOException
    {
        final List<String> extra = new ArrayList<>(Arrays.asList(extraArgs));
        if (!extra.contains("--join") && MemberStorage.inspect(nodeDirectory(id)) == MemberStorage.State.EMPTY)
        {
            extra.add("--bootstrap");
        }
        return startNodeAsGiven(id, members, extra.toArray(new String[0]));
    }

    /**
     * As {@link #startNode}, with exactly the arguments given: no {@code --bootstrap} added.
     */
    Node startNodeAsGiven(final int id, final String members, final String... extraArgs) throws IOException
    {
        final Path aeronDirectory = Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" :
            System.getProperty("java.io.tmpdir"), "raftlog-client-test-" + UUID.randomUUID() + "-" + id);
        aeronDirectories.add(aeronDirectory);
        final List<String> args = new ArrayList<>(List.of("node", "--id", Integer.toString(id), "--members", members,
            "--dir", nodeDirectory(id).toString(), "--durability", "page-cache",
            "--aeron-dir", aeronDirectory.toString()));
        args.addAll(Arrays.asList(extraArgs));
        final Path output = directory.resolve("node-" + id + "-" + (++runs) + ".out");
        return new Node(id, start(args, output, output), output);
    }

    /**
     * @return the data directory of node {@code id}.
     */
    Path nodeDirectory(final int id)
    {
        return directory.resolve("node-" + id);
    }

    /**
     * Starts a command; {@link Command#await} waits for it.
     */
    Command startCommand(final String... args) throws IOException
    {
        final int run = ++runs;
        final Path out = directory.resolve(args[0] + "-" + run + ".out");
        final Path err = directory.resolve(args[0] + "-" + run + ".err");
        return new Command(String.join(" ", args), start(Arrays.asList(args), out, err), out, err);
    }

    /**
     * Runs a command to completion.
     */
    Result run(final long timeoutSeconds, final String... args) throws IOException, InterruptedException
    {
        return startCommand(args).await(timeoutSeconds);
    }

    /**
     * @return the member statuses of one {@code status} run (unreachable members left out).
     */
    List<Status> status(final String members) throws IOException, InterruptedException
    {
        final Result result = run(60, "status", "--members", members, "--timeout-ms", "1000");
        final List<Status> statuses = new ArrayList<>();
        for (final String line : result.out.split("\n"))
        {
            final Matcher matcher = STATUS.matcher(line.trim());
            if (matcher.matches())
            {
                statuses.add(new Status(Integer.parseInt(matcher.group(1)), matcher.group(2),
                    Long.parseLong(matcher.group(3)), Integer.parseInt(matcher.group(4)),
                    Long.parseLong(matcher.group(5)), Long.parseLong(matcher.group(6)), matcher.group(7) == null));
            }
        }
        return statuses;
    }

    /**
     * @return the leader that {@code status} shows (the one of the highest term), waiting for one.
     */
    Status awaitLeader(final String members, final long seconds) throws Exception
    {
        final Status[] leader = new Status[1];
        awaitUntil(seconds, "a leader among " + members, () ->
        {
            leader[0] = leaderOf(uncheckedStatus(members));
            return leader[0] != null;
        });
        return leader[0];
    }

    /**
     * Waits until some node's output says it leads: cheaper than running {@code status} again and again while the
     * nodes' JVMs start.
     */
    static void awaitLeaderOutput(final Node[] nodes, final long seconds) throws InterruptedException
    {
        awaitUntil(seconds, "node output saying LEADER", () ->
        {
            for (final Node node : nodes)
            {
                if (node != null && node.output().contains(" LEADER in term "))
                {
                    return true;
                }
            }
            return false;
        });
    }

    List<Status> uncheckedStatus(final String members)
    {
        try
        {
            return status(members);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static Status leaderOf(final List<Status> statuses)
    {
        Status leader = null;
        for (final Status status : statuses)
        {
            if ("leader".equals(status.role) && (leader == null || status.term > leader.term))
            {
                leader = status;
            }
        }
        return leader;
    }

    static void awaitUntil(final long seconds, final String what, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("no " + what + " within " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }

    static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private Process start(final List<String> args, final Path out, final Path err) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        if (out.equals(err))
        {
            builder.redirectErrorStream(true);
        }
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        final Process process = builder.start();
        started.add(process);
        return process;
    }

    /**
     * Kills whatever this test started and is still running, then deletes the drivers' directories.
     */
    public void close() throws Exception
    {
        for (final Process process : started)
        {
            if (process.isAlive())
            {
                process.toHandle().destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
        for (final Path aeronDirectory : aeronDirectories)
        {
            deleteRecursively(aeronDirectory);
        }
    }

    private static void deleteRecursively(final Path directory) throws IOException
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path ->
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }

    record Status(int id, String role, long term, int leader, long commit, long last, boolean voter)
    {
    }

    record Result(String command, int exitCode, String out, String err)
    {
        @Override
        public String toString()
        {
            return command + ": exit " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    static final class Command
    {
        final String command;
        final Process process;
        final Path out;
        final Path err;

        Command(final String command, final Process process, final Path out, final Path err)
        {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        Result await(final long timeoutSeconds) throws InterruptedException
        {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.toHandle().destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError(command + ": still running after " + timeoutSeconds + " s\n--- stdout:\n" +
                    read(out) + "--- stderr:\n" + read(err));
            }
            return new Result(command, process.exitValue(), read(out), read(err));
        }
    }

    static final class Node
    {
        final int id;
        final Process process;
        final Path output;

        Node(final int id, final Process process, final Path output)
        {
            this.id = id;
            this.process = process;
            this.output = output;
        }

        String output()
        {
            return read(output);
        }

        void kill() throws InterruptedException
        {
            process.toHandle().destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "node " + id + " died");
        }

        /**
         * SIGTERM, and waits for the clean stop (the node records its commit index as it stops).
         */
        void stop() throws InterruptedException
        {
            process.toHandle().destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "node " + id + " stopped on SIGTERM:\n" + output());
            assertTrue(output().contains("node " + id + ": stopped"), output());
        }
    }
}

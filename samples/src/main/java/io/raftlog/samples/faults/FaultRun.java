package io.raftlog.samples.faults;

import io.raftlog.check.LinearizabilityChecker;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * One fault run: set up the testbed, start a relay in front of each node and the nodes (a key-value store each, never
 * compacted in the run so every committed entry can be read back), run the append load and the key-value clients,
 * inject the seeded faults for the duration, heal everything (links, loss and the relays' delays), let the cluster
 * serve a while, stop, and judge the logs and the history. Everything it made (namespaces, processes, relays, driver
 * directories) is removed at the end, also on SIGTERM.
 */
public final class FaultRun implements Callable<Integer>
{
    private static final long HEALED_SECONDS = 5;

    private final int nodeCount;
    private final long durationSeconds;
    private final long seed;
    private final int rate;
    private final Path requestedDirectory;
    private final boolean loopback;
    private final PrintWriter out;

    public FaultRun(
        final int nodeCount,
        final long durationSeconds,
        final long seed,
        final int rate,
        final Path directory,
        final boolean loopback,
        final PrintWriter out)
    {
        this.nodeCount = nodeCount;
        this.durationSeconds = durationSeconds;
        this.seed = seed;
        this.rate = rate;
        this.requestedDirectory = directory;
        this.loopback = loopback;
        this.out = out;
    }

    public Integer call() throws Exception
    {
        final Path directory = requestedDirectory != null ?
            Files.createDirectories(requestedDirectory) : Files.createTempDirectory("raftlog-faults-");
        final StringBuilder why = new StringBuilder();
        Testbed testbed = loopback ? null : NamespaceTestbed.tryCreate(nodeCount, why);
        if (testbed == null)
        {
            testbed = new LoopbackTestbed(loopback ? "--loopback" : why.toString());
        }
        out.printf("faults: %d nodes, seed %d, %d s of faults, %d appends/s; %s; output in %s%n", nodeCount, seed,
            durationSeconds, rate, testbed.describe(), directory);
        out.flush();

        final NodeProcesses nodes = new NodeProcesses(testbed, directory, nodeCount, ports(testbed), List.of(
            "--state-machine", "kv", "--snapshot-every", "1000000000"), seed);
        final Testbed bed = testbed;
        final Thread cleanup = new Thread(() ->
        {
            nodes.close();
            bed.close();
        }, "faults-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        final StringBuilder faultLog = new StringBuilder();
        int exitCode = 1;
        try
        {
            nodes.startRelays();
            for (int id = 1; id <= nodeCount; id++)
            {
                nodes.start(id);
            }
            awaitLeader(nodes, 60);
            final AppendLoad load = new AppendLoad(directory, nodes.members(), testbed.clientHost(), rate);
            final KvFaultClient kv = new KvFaultClient(nodes.members(), testbed.clientHost(), seed);
            final Thread kvThread = new Thread(kv, "faults-kv-clients");
            kvThread.start();
            final FaultSchedule schedule = new FaultSchedule(seed, nodes, testbed, faultLog);
            final long startMs = System.currentTimeMillis();
            final long endMs = startMs + TimeUnit.SECONDS.toMillis(durationSeconds);
            load.keepRunning(durationSeconds);
            while (System.currentTimeMillis() < endMs)
            {
                schedule.cycle(startMs);
                load.keepRunning(Math.max(0, (endMs - System.currentTimeMillis()) / 1000) + HEALED_SECONDS);
                out.printf("faults: %.0f s, %d cycles, leader %d%n", (System.currentTimeMillis() - startMs) / 1000.0,
                    schedule.cycles, nodes.leader());
                out.flush();
            }

            // heal everything, and the cluster must serve again
            testbed.healAll();
            nodes.relays().healAll();
            for (int id = 1; id <= nodeCount; id++)
            {
                nodes.resume(id);
                nodes.start(id);
            }
            awaitLeader(nodes, 60);
            load.keepRunning(HEALED_SECONDS);
            Thread.sleep(TimeUnit.SECONDS.toMillis(HEALED_SECONDS));
            load.stop();
            kv.stop();
            kvThread.join(TimeUnit.SECONDS.toMillis(60));
            Thread.sleep(2_000); // followers catch up with the last commits
            nodes.stopAll();
            final RelayProcesses.Totals relayed = nodes.relays().stopAll();

            final LogCheck logs = LogCheck.run(nodes, load.acknowledged(), directory);
            final LinearizabilityChecker.Result history = new LinearizabilityChecker().check(kv.history());
            Files.writeString(directory.resolve("faults.log"), faultLog);
            if (!logs.examples.isEmpty() || !history.isLinearizable() || kv.failure() != null)
            {
                out.println("faults: the schedule:");
                out.print(faultLog);
                logs.examples.forEach(example -> out.println("faults: " + example));
                out.println("faults: key-value history (" + kv.operations() + " operations): " + history +
                    (kv.failure() == null ? "" : "; the clients failed: " + kv.failure()));
            }
            final boolean served = logs.acknowledged > 0 && kv.operations() > 0;
            if (!relayed.endedEarly().isEmpty())
            {
                out.println("faults: the relays of nodes " + relayed.endedEarly() + " ended before the run stopped " +
                    "them, cutting their nodes off: see relay-N.out");
            }
            out.printf("network: %d loss periods, %d slow periods (delay/jitter/duplication by relay), relays " +
                "forwarded=%d duplicated=%d dropped=%d%n", schedule.lossPeriods, schedule.slowPeriods,
                relayed.forwarded(), relayed.duplicated(), relayed.dropped());
            out.printf("faults: %d cycles, %d kills, %d pauses, %d partitions, acked=%d lost=%d duplicated=%d " +
                "divergent=%d linearizable=%s%n", schedule.cycles, schedule.kills, schedule.pauses,
                schedule.partitions, logs.acknowledged, logs.lost, logs.duplicated, logs.divergent,
                history.isLinearizable() ? "yes" : "no");
            out.printf("faults: %d client runs, %d key-value operations; committed %s%n",
                load.runs(), kv.operations(), java.util.Arrays.toString(logs.committed));
            out.flush();
            exitCode = served && logs.lost == 0 && logs.duplicated == 0 && logs.divergent == 0 &&
                history.isLinearizable() ? 0 : 1;
            return exitCode;
        }
        finally
        {
            nodes.close();
            testbed.close();
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ignore)
            {
                // shutting down: the hook cleans up
            }
            if (exitCode == 0 && requestedDirectory == null)
            {
                NodeProcesses.deleteQuietly(directory);
            }
        }
    }

    private static void awaitLeader(final NodeProcesses nodes, final long seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (nodes.leader() == 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("no leader within " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * @return the base of the nodes' ports: node {@code i}'s relay listens on base + i, the node itself on that plus
     * {@link NodeProcesses#LISTEN_PORT_OFFSET}. On loopback they share one host, so the ports are checked free first.
     */
    private static int ports(final Testbed testbed) throws IOException
    {
        if (!testbed.sharesHostPorts())
        {
            return 20_000;
        }
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 30_000 + (int)((System.nanoTime() / 7) % 20_000);
            boolean free = true;
            for (int i = 1; i <= 5 && free; i++)
            {
                free = isFree(base + i) && isFree(base + NodeProcesses.LISTEN_PORT_OFFSET + i);
            }
            if (free)
            {
                return base;
            }
        }
        throw new IOException("no free range of UDP ports");
    }

    private static boolean isFree(final int port)
    {
        try (DatagramSocket ignored = new DatagramSocket(port))
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}

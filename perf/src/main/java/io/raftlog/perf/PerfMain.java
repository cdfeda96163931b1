package io.raftlog.perf;

import io.raftlog.perf.compare.AeronClusterEcho;
import io.raftlog.perf.compare.AeronUdpFanOut;
import io.raftlog.perf.compare.AeronUdpRoundTrip;
import io.raftlog.perf.compare.ChronicleAppend;
import io.raftlog.perf.jmh.JmhCommand;
import io.raftlog.perf.raftlog.RaftlogEmbedded;
import io.raftlog.perf.raftlog.RaftlogRemoteClient;
import io.raftlog.perf.raftlog.ZeroGcCommand;
import io.raftlog.perf.report.ProgressLine;
import io.raftlog.perf.report.ResultsReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code java -jar perf/target/raftlog-perf.jar --profile small}: the end-to-end comparison. Every scenario of the
 * profile runs on every system that supports it, one after the other in this JVM, and the results are printed as a
 * table and written as JSON, .hgrm files and plots.
 */
@Command(
    name = "raftlog-perf",
    mixinStandardHelpOptions = true,
    subcommands = {ZeroGcCommand.class, JmhCommand.class},
    description = {
        "Latency (open loop, from each message's due time: no coordinated omission) and maximum throughput of "
            + "raftlog, embedded and through its remote client, beside Aeron Cluster with an echo service and the "
            + "physical limits (a raw Aeron UDP round trip, one publisher to two subscribers, a Chronicle Queue "
            + "append alone), the same workload on each, in one run. Results: a table on standard output and "
            + "OUT/summary.json, OUT/*.hgrm, OUT/*.png."})
public final class PerfMain implements Callable<Integer>
{
    @Option(names = "--profile", defaultValue = "small", paramLabel = "NAME",
        description = "small: a 2-core machine, backoff idle strategies, about five minutes; full: a machine with a "
            + "core per busy thread, busy-spin, higher rates (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--out", defaultValue = "perf/target/results", paramLabel = "DIR",
        description = "Where the results go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--systems", split = ",", paramLabel = "NAME,...",
        description = "Only these systems (default: all): raftlog-embedded, raftlog-client, aeron-cluster, "
            + "aeron-udp-rtt, aeron-udp-fanout, chronicle-append.")
    List<String> systems;

    @Option(names = "--list", description = "Print the scenarios and systems of the profile and exit.")
    boolean list;

    @Option(names = "--scenarios", split = ",", paramLabel = "TEXT,...",
        description = "Only the scenarios whose key contains one of these texts (e.g. 3n-256B).")
    List<String> scenarios;

    @Option(names = "--warmup-sec", defaultValue = "-1", paramLabel = "S",
        description = "Override the profile's warm-up seconds.")
    int warmupSec;

    @Option(names = "--measure-sec", defaultValue = "-1", paramLabel = "S",
        description = "Override the profile's measured seconds.")
    int measureSec;

    @Option(names = "--no-plots",
        description = "Write the table, summary.json and .hgrm files but no PNG (for a runtime without java.desktop).")
    boolean noPlots;

    public static void main(final String[] args)
    {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new PerfMain()).execute(args));
    }

    static List<SystemUnderTest> allSystems()
    {
        return new ArrayList<>(Arrays.asList(
            new RaftlogEmbedded(),
            new RaftlogRemoteClient(),
            new AeronClusterEcho(),
            new AeronUdpRoundTrip(),
            new AeronUdpFanOut(),
            new ChronicleAppend()));
    }

    public Integer call() throws Exception
    {
        final Profile chosen = Profile.fromName(profile);
        final List<SystemUnderTest> selected = new ArrayList<>();
        for (final SystemUnderTest system : allSystems())
        {
            if (systems == null || systems.contains(system.name()))
            {
                selected.add(system);
            }
        }
        final List<Workload> workloads = new ArrayList<>();
        for (final Workload workload : chosen.workloads())
        {
            if (scenarios == null || scenarios.stream().anyMatch(text -> workload.key().contains(text)))
            {
                workloads.add(new Workload(workload.nodes(), workload.payloadBytes(), workload.ratePerSec(),
                    warmupSec >= 0 ? warmupSec : workload.warmupSec(),
                    measureSec > 0 ? measureSec : workload.measureSec(), workload.durability(),
                    workload.idleStrategy()));
            }
        }
        int runs = 0;
        for (final Workload workload : workloads)
        {
            for (final SystemUnderTest system : selected)
            {
                if (system.supports(workload))
                {
                    runs++;
                    if (list)
                    {
                        System.out.println(workload.key() + " " + system.name());
                    }
                }
            }
        }
        if (list)
        {
            return 0;
        }
        System.out.printf("raftlog-perf: profile %s, %d runs on %d cores (%s, %s); results in %s%n", chosen.name()
            .toLowerCase(), runs, Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), out);
        final List<Result> results = new ArrayList<>();
        int run = 0;
        for (final Workload workload : workloads)
        {
            for (final SystemUnderTest system : selected)
            {
                if (!system.supports(workload))
                {
                    continue;
                }
                run++;
                final String prefix = "[" + run + "/" + runs + "] ";
                try (ProgressLine line = ProgressLine.forStdout())
                {
                    final Progress progress = status -> line.update(prefix + status);
                    try
                    {
                        final Result result = system.run(workload, progress);
                        results.add(result);
                        line.println(String.format("%s%s %s: p50 %.1f us, p99 %.1f us, %,.0f/s", prefix,
                            system.name(), workload.key(), result.percentileUs(50), result.percentileUs(99),
                            result.throughputPerSec()));
                    }
                    catch (final Exception ex)
                    {
                        line.println(prefix + system.name() + " " + workload.key() + " failed: " + ex);
                    }
                }
            }
        }
        System.out.println();
        final ResultsReport report = new ResultsReport(results);
        if (noPlots)
        {
            report.printTable(System.out);
            java.nio.file.Files.createDirectories(out);
            report.writeSummaryJson(out);
            report.writeHistograms(out);
            System.out.println("wrote summary.json and the .hgrm files to " + out + " (no plots)");
        }
        else
        {
            report.write(System.out, out);
        }
        return 0;
    }
}

package io.raftlog.perf.report;

import io.raftlog.perf.Result;
import io.raftlog.perf.Workload;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.XYChart;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a run of the harness leaves behind, from its {@link Result}s:
 * <ul>
 *     <li>a table on the terminal, one section per scenario ({@link Workload#key()}), one row per system, then the
 *     ratios of each raftlog system ({@code raftlog-*}) to each other system of the scenario that ran with the same
 *     idle strategy;</li>
 *     <li>{@code summary.json}: an array with one object per result;</li>
 *     <li>{@code <scenario>-<system>.hgrm}: HdrHistogram's percentile distribution in microseconds, per result that
 *     measured latency;</li>
 *     <li>{@code <scenario>.png}: the percentile distributions of every system of a scenario that measured latency,
 *     on one chart.</li>
 * </ul>
 * A system that appears more than once in a scenario (the key leaves the idle strategy out) is named
 * {@code <system>-<idle strategy>} in the table's rows, the file names and the legends.
 */
public final class ResultsReport
{
    /**
     * Where the files go unless told otherwise, relative to the working directory (the repository's root).
     */
    public static final Path DEFAULT_DIRECTORY = Path.of("perf", "target", "results");
    public static final String SUMMARY_FILE = "summary.json";
    public static final int PLOT_WIDTH = 1000;
    public static final int PLOT_HEIGHT = 600;

    private static final String RAFTLOG_PREFIX = "raftlog";

    private final List<Scenario> scenarios;

    /**
     * One result with the name it goes by in this report.
     */
    private record Entry(Result result, String label, String fileStem)
    {
        boolean hasLatency()
        {
            final Histogram histogram = result.latencyNs();
            return histogram != null && histogram.getTotalCount() > 0;
        }

        boolean isRaftlog()
        {
            return result.system().startsWith(RAFTLOG_PREFIX);
        }
    }

    private record Scenario(String key, Workload workload, List<Entry> entries)
    {
        boolean hasLatency()
        {
            return entries.stream().anyMatch(Entry::hasLatency);
        }
    }

    public ResultsReport(final List<Result> results)
    {
        Objects.requireNonNull(results, "results");
        final Map<String, List<Result>> byKey = new LinkedHashMap<>();
        for (final Result result : results)
        {
            byKey.computeIfAbsent(result.workload().key(), k -> new ArrayList<>()).add(result);
        }
        final List<Scenario> list = new ArrayList<>();
        final Set<String> stems = new HashSet<>();
        for (final Map.Entry<String, List<Result>> scenario : byKey.entrySet())
        {
            final Map<String, Integer> perSystem = new HashMap<>();
            for (final Result result : scenario.getValue())
            {
                perSystem.merge(result.system(), 1, Integer::sum);
            }
            final List<Entry> entries = new ArrayList<>();
            final Set<String> labels = new HashSet<>();
            for (final Result result : scenario.getValue())
            {
                String label = perSystem.get(result.system()) > 1 ?
                    result.system() + "-" + result.workload().idleStrategy() : result.system();
                final String base = label;
                for (int n = 2; !labels.add(label); n++)
                {
                    label = base + "-" + n;
                }
                String stem = fileName(scenario.getKey() + "-" + label);
                final String baseStem = stem;
                for (int n = 2; !stems.add(stem); n++)
                {
                    stem = baseStem + "-" + n;
                }
                entries.add(new Entry(result, label, stem));
            }
            list.add(new Scenario(
                scenario.getKey(), scenario.getValue().get(0).workload(), Collections.unmodifiableList(entries)));
        }
        this.scenarios = Collections.unmodifiableList(list);
    }

    /**
     * Prints the table to {@code out} and writes every file into {@link #DEFAULT_DIRECTORY}.
     *
     * @return the files written.
     */
    public static List<Path> report(final List<Result> results, final PrintStream out) throws IOException
    {
        return new ResultsReport(results).write(out, DEFAULT_DIRECTORY);
    }

    /**
     * Prints the table to {@code out}, writes every file into {@code directory} (made if missing), then says where.
     *
     * @return the files written: summary.json, the .hgrm files, the plots.
     */
    public List<Path> write(final PrintStream out, final Path directory) throws IOException
    {
        printTable(out);
        final List<Path> files = writeFiles(directory);
        out.println("wrote " + files.size() + " files to " + directory.toAbsolutePath().normalize());
        out.flush();
        return files;
    }

    /**
     * Writes summary.json, the .hgrm files and the plots into {@code directory} (made if missing).
     *
     * @return the files written.
     */
    public List<Path> writeFiles(final Path directory) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        files.add(writeSummaryJson(directory));
        files.addAll(writeHistograms(directory));
        files.addAll(writePlots(directory));
        return files;
    }

    /**
     * @return the scenario keys, in the order of their first result.
     */
    public List<String> scenarios()
    {
        return scenarios.stream().map(Scenario::key).toList();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // table

    public void printTable(final PrintStream out)
    {
        out.print(table());
        out.flush();
    }

    /**
     * @return the table as printed by {@link #printTable(PrintStream)}.
     */
    public String table()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Scenario scenario : scenarios)
        {
            sb.append("== ").append(ascii(scenario.key())).append(": ").append(describe(scenario.workload()))
                .append(" ==\n");

            final TextTable rows = new TextTable(
                "system", "p50 us", "p99 us", "p99.9 us", "max us", "throughput/s", "durability", "idle",
                "alloc B/entry")
                .leftAligned(6, 7);
            for (final Entry entry : scenario.entries())
            {
                final Result result = entry.result();
                rows.row(
                    ascii(entry.label()),
                    micros(result.percentileUs(50.0)),
                    micros(result.percentileUs(99.0)),
                    micros(result.percentileUs(99.9)),
                    micros(result.maxUs()),
                    throughput(result.throughputPerSec()),
                    ascii(result.workload().durability()),
                    ascii(result.workload().idleStrategy()),
                    alloc(result.allocBytesPerEntry()));
            }
            sb.append(rows.render("  "));

            for (final Entry entry : scenario.entries())
            {
                final String note = entry.result().note();
                if (note != null && !note.isBlank())
                {
                    sb.append("  * ").append(ascii(entry.label())).append(": ").append(ascii(note)).append('\n');
                }
            }

            final TextTable ratios = new TextTable("raftlog / other", "p50", "p99", "throughput");
            for (final Entry raftlog : scenario.entries())
            {
                if (!raftlog.isRaftlog())
                {
                    continue;
                }
                for (final Entry other : scenario.entries())
                {
                    if (other.isRaftlog() ||
                        !Objects.equals(
                            raftlog.result().workload().idleStrategy(), other.result().workload().idleStrategy()))
                    {
                        continue;
                    }
                    ratios.row(
                        ascii(raftlog.label() + " vs " + other.label()),
                        ratio(raftlog.result().percentileUs(50.0), other.result().percentileUs(50.0)),
                        ratio(raftlog.result().percentileUs(99.0), other.result().percentileUs(99.0)),
                        ratio(raftlog.result().throughputPerSec(), other.result().throughputPerSec()));
                }
            }
            if (!ratios.isEmpty())
            {
                sb.append('\n').append(ratios.render("  "));
                sb.append("  (latency < 1x: raftlog lower; throughput > 1x: raftlog higher)\n");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String describe(final Workload workload)
    {
        return workload.nodes() + (workload.nodes() == 1 ? " node, " : " nodes, ") +
            workload.payloadBytes() + " B, " +
            (workload.isThroughputRun() ?
                "max throughput" :
                String.format(Locale.ROOT, "%,d/s offered (open loop)", workload.ratePerSec())) +
            ", durability " + ascii(workload.durability()) +
            ", " + workload.warmupSec() + " s warm-up + " + workload.measureSec() + " s measured";
    }

    /**
     * @return the text on one line of printable ASCII: runs of whitespace made one space, anything else '?'.
     */
    static String ascii(final String text)
    {
        if (text == null)
        {
            return "";
        }
        final String oneLine = text.strip().replaceAll("\\s+", " ");
        final StringBuilder sb = new StringBuilder(oneLine.length());
        for (int i = 0; i < oneLine.length(); i++)
        {
            final char c = oneLine.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    static String micros(final double us)
    {
        if (!Double.isFinite(us))
        {
            return "-";
        }
        if (us < 10)
        {
            return String.format(Locale.ROOT, "%.2f", us);
        }
        if (us < 100_000)
        {
            return String.format(Locale.ROOT, "%,.1f", us);
        }
        return String.format(Locale.ROOT, "%,.0f", us);
    }

    static String throughput(final double perSec)
    {
        return Double.isFinite(perSec) ? String.format(Locale.ROOT, "%,.0f", perSec) : "-";
    }

    static String alloc(final double bytes)
    {
        return Double.isFinite(bytes) ? String.format(Locale.ROOT, "%.1f", bytes) : "-";
    }

    static String ratio(final double raftlog, final double other)
    {
        if (!Double.isFinite(raftlog) || !Double.isFinite(other) || other <= 0)
        {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", raftlog / other);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // summary.json

    /**
     * @return the JSON array written to summary.json: one object per result, in the table's order.
     */
    public String summaryJson()
    {
        final StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (final Scenario scenario : scenarios)
        {
            for (final Entry entry : scenario.entries())
            {
                final Result result = entry.result();
                final Workload workload = result.workload();
                sb.append(first ? "\n" : ",\n");
                first = false;
                sb.append("  {")
                    .append("\"scenario\": ").append(Json.string(scenario.key()))
                    .append(", \"system\": ").append(Json.string(result.system()))
                    .append(", \"nodes\": ").append(workload.nodes())
                    .append(", \"payload_bytes\": ").append(workload.payloadBytes())
                    .append(", \"rate_per_sec\": ").append(workload.ratePerSec())
                    .append(", \"p50_us\": ").append(Json.number(result.percentileUs(50.0)))
                    .append(", \"p99_us\": ").append(Json.number(result.percentileUs(99.0)))
                    .append(", \"p999_us\": ").append(Json.number(result.percentileUs(99.9)))
                    .append(", \"max_us\": ").append(Json.number(result.maxUs()))
                    .append(", \"throughput_per_sec\": ").append(Json.number(result.throughputPerSec()))
                    .append(", \"durability\": ").append(Json.string(workload.durability()))
                    .append(", \"idle_strategy\": ").append(Json.string(workload.idleStrategy()))
                    .append(", \"alloc_bytes_per_entry\": ").append(Json.number(result.allocBytesPerEntry()))
                    .append(", \"note\": ").append(Json.string(result.note()))
                    .append('}');
            }
        }
        return sb.append(first ? "]\n" : "\n]\n").toString();
    }

    public Path writeSummaryJson(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final Path file = directory.resolve(SUMMARY_FILE);
        Files.writeString(file, summaryJson(), StandardCharsets.UTF_8);
        return file;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // .hgrm

    /**
     * Writes {@code <scenario>-<system>.hgrm} per result that measured latency: HdrHistogram's percentile
     * distribution, five ticks per half distance, in microseconds.
     *
     * @return the files written.
     */
    public List<Path> writeHistograms(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final List<Path> files = new ArrayList<>();
        for (final Scenario scenario : scenarios)
        {
            for (final Entry entry : scenario.entries())
            {
                if (!entry.hasLatency())
                {
                    continue;
                }
                final Path file = directory.resolve(entry.fileStem() + ".hgrm");
                try (OutputStream os = Files.newOutputStream(file);
                    PrintStream ps = new PrintStream(os, false, StandardCharsets.US_ASCII))
                {
                    entry.result().latencyNs().outputPercentileDistribution(ps, 5, 1000.0);
                }
                files.add(file);
            }
        }
        return files;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // plots

    /**
     * Writes {@code <scenario>.png} per scenario where at least one system measured latency:
     * {@link #PLOT_WIDTH} x {@link #PLOT_HEIGHT}, one series per system.
     *
     * @return the files written.
     */
    public List<Path> writePlots(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final List<Path> files = new ArrayList<>();
        for (final Scenario scenario : scenarios)
        {
            final XYChart chart = plot(scenario.key());
            if (chart == null)
            {
                continue;
            }
            final Path file = directory.resolve(fileName(scenario.key()) + ".png");
            LatencyPlot.writePng(chart, file);
            files.add(file);
        }
        return files;
    }

    /**
     * @return the chart of the scenario's latency distributions, or null where none of its systems measured latency.
     */
    public XYChart plot(final String scenarioKey)
    {
        final Scenario scenario = scenarios.stream().filter(s -> s.key().equals(scenarioKey)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no scenario " + scenarioKey + " in " + scenarios()));
        if (!scenario.hasLatency())
        {
            return null;
        }
        final List<LatencyPlot.Series> series = new ArrayList<>();
        for (final Entry entry : scenario.entries())
        {
            if (entry.hasLatency())
            {
                series.add(new LatencyPlot.Series(entry.label(), entry.result().latencyNs()));
            }
        }
        final Workload w = scenario.workload();
        final String title = "Latency by percentile: " + scenario.key() + " (" + w.nodes() + " nodes, " +
            w.payloadBytes() + " B, " + (w.isThroughputRun() ? "max rate" : w.ratePerSec() + "/s") + ", " +
            w.durability() + ")";
        return LatencyPlot.chart(title, series, PLOT_WIDTH, PLOT_HEIGHT);
    }

    /**
     * @return the name with everything but letters, digits, '.', '_' and '-' replaced by '_'.
     */
    static String fileName(final String name)
    {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}

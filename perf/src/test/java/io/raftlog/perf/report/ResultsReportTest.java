package io.raftlog.perf.report;

import io.raftlog.perf.LatencyHistograms;
import io.raftlog.perf.Result;
import io.raftlog.perf.Workload;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsReportTest
{
    private static final Workload LATENCY = new Workload(3, 64, 10_000, 1, 5, "page-cache", "backoff");
    private static final Workload THROUGHPUT = new Workload(3, 64, 0, 1, 5, "page-cache", "backoff");
    private static final String LATENCY_KEY = "3n-64B-10000ps-page-cache";
    private static final String THROUGHPUT_KEY = "3n-64B-max-page-cache";
    private static final String NOTE = "line one\nsays \"hi\" \\ tab\there";

    private static final Set<String> FIELDS = Set.of(
        "scenario", "system", "nodes", "payload_bytes", "rate_per_sec", "p50_us", "p99_us", "p999_us", "max_us",
        "throughput_per_sec", "durability", "idle_strategy", "alloc_bytes_per_entry", "note");

    @BeforeAll
    static void headless()
    {
        System.setProperty("java.awt.headless", "true");
    }

    /**
     * 1000 latencies: factor x 1, 2, ..., 1000 microseconds.
     */
    private static Histogram uniform(final long factor)
    {
        final Histogram histogram = LatencyHistograms.create();
        for (long us = 1; us <= 1000; us++)
        {
            LatencyHistograms.record(histogram, us * factor * 1000);
        }
        return histogram;
    }

    private static List<Result> results()
    {
        return List.of(
            new Result("raftlog-embedded", LATENCY, uniform(1), 10_000, 0.0, ""),
            new Result("raftlog-client", LATENCY, uniform(2), 9_990, Double.NaN, NOTE),
            new Result("aeron-cluster", LATENCY, uniform(4), 10_000, 12.5, ""),
            new Result("raftlog-embedded", THROUGHPUT, null, 200_000, 1.5, ""),
            new Result("aeron-cluster", THROUGHPUT, null, 100_000, Double.NaN, "throughput only"));
    }

    private static List<String> lines(final String text)
    {
        return Arrays.asList(text.split("\n"));
    }

    private static String[] rowCells(final String table, final String firstCell)
    {
        final List<String[]> rows = lines(table).stream()
            .map(line -> line.strip().split(" {2,}"))
            .filter(cells -> cells[0].equals(firstCell))
            .toList();
        assertEquals(1, rows.size(), () -> "one row starting with " + firstCell + " in\n" + table);
        return rows.get(0);
    }

    private static String section(final String table, final String key)
    {
        final int start = table.indexOf("== " + key + ":");
        assertTrue(start >= 0, () -> "no section " + key + " in\n" + table);
        final int end = table.indexOf("\n== ", start + 1);
        return end < 0 ? table.substring(start) : table.substring(start, end + 1);
    }

    @Test
    void tableHasARowPerSystemWithPercentilesInMicroseconds()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new ResultsReport(results()).printTable(out);
        final String table = bytes.toString(StandardCharsets.UTF_8);

        // plain ASCII
        assertTrue(table.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)), table);
        assertTrue(table.indexOf("== " + LATENCY_KEY) < table.indexOf("== " + THROUGHPUT_KEY), table);

        final String latency = section(table, LATENCY_KEY);
        // HdrHistogram's values at those percentiles: the highest value equivalent to the one recorded
        assertArrayEquals(
            new String[] {"raftlog-embedded", "500.2", "990.2", "999.4", "1,000.4", "10,000", "page-cache",
                "backoff", "0.0"},
            rowCells(latency, "raftlog-embedded"));
        assertArrayEquals(
            new String[] {"raftlog-client", "1,000.4", "1,980.4", "1,998.8", "2,000.9", "9,990", "page-cache",
                "backoff", "-"},
            rowCells(latency, "raftlog-client"));
        assertArrayEquals(
            new String[] {"aeron-cluster", "2,000.9", "3,960.8", "3,997.7", "4,001.8", "10,000", "page-cache",
                "backoff", "12.5"},
            rowCells(latency, "aeron-cluster"));

        // raftlog / other for each raftlog system against each other system, never between two raftlog ones
        assertArrayEquals(
            new String[] {"raftlog-embedded vs aeron-cluster", "0.25x", "0.25x", "1.00x"},
            rowCells(latency, "raftlog-embedded vs aeron-cluster"));
        assertArrayEquals(
            new String[] {"raftlog-client vs aeron-cluster", "0.50x", "0.50x", "1.00x"},
            rowCells(latency, "raftlog-client vs aeron-cluster"));
        assertFalse(latency.contains("vs raftlog"), latency);
        assertFalse(latency.contains("aeron-cluster vs"), latency);
        // the note, on one line
        assertTrue(latency.contains("  * raftlog-client: line one says \"hi\" \\ tab here\n"), latency);

        final String throughput = section(table, THROUGHPUT_KEY);
        assertArrayEquals(
            new String[] {"raftlog-embedded", "-", "-", "-", "-", "200,000", "page-cache", "backoff", "1.5"},
            rowCells(throughput, "raftlog-embedded"));
        assertArrayEquals(
            new String[] {"aeron-cluster", "-", "-", "-", "-", "100,000", "page-cache", "backoff", "-"},
            rowCells(throughput, "aeron-cluster"));
        assertArrayEquals(
            new String[] {"raftlog-embedded vs aeron-cluster", "-", "-", "2.00x"},
            rowCells(throughput, "raftlog-embedded vs aeron-cluster"));
    }

    @Test
    void tableColumnsAreAligned()
    {
        final String latency = section(new ResultsReport(results()).table(), LATENCY_KEY);
        final List<String> rows = lines(latency).stream()
            .filter(line -> line.startsWith("  system") || line.startsWith("  raftlog-") ||
                line.startsWith("  aeron-"))
            .filter(line -> !line.contains(" vs "))
            .toList();
        assertEquals(4, rows.size(), latency);
        // right-aligned numeric columns: every row ends its p50 and throughput cells where the header does
        final String header = rows.get(0);
        final int p50End = header.indexOf("p50 us") + "p50 us".length();
        final int throughputEnd = header.indexOf("throughput/s") + "throughput/s".length();
        for (final String row : rows.subList(1, rows.size()))
        {
            assertTrue(row.charAt(p50End - 1) != ' ' && row.charAt(p50End) == ' ', row);
            assertTrue(row.charAt(throughputEnd - 1) != ' ' && row.charAt(throughputEnd) == ' ', row);
        }
    }

    @Test
    void summaryJsonHasOneObjectPerResultWithNullsWhereNotMeasured(@TempDir final Path dir) throws IOException
    {
        final Path file = new ResultsReport(results()).writeSummaryJson(dir);
        assertEquals(dir.resolve("summary.json"), file);

        final Object parsed = MiniJson.parse(Files.readString(file, StandardCharsets.UTF_8));
        final List<?> array = (List<?>)parsed;
        assertEquals(5, array.size());
        for (final Object element : array)
        {
            assertEquals(FIELDS, ((Map<?, ?>)element).keySet());
        }

        final Map<?, ?> embedded = (Map<?, ?>)array.get(0);
        assertEquals(LATENCY_KEY, embedded.get("scenario"));
        assertEquals("raftlog-embedded", embedded.get("system"));
        assertEquals(3.0, embedded.get("nodes"));
        assertEquals(64.0, embedded.get("payload_bytes"));
        assertEquals(10_000.0, embedded.get("rate_per_sec"));
        assertEquals(500.223, embedded.get("p50_us"));
        assertEquals(990.207, embedded.get("p99_us"));
        assertEquals(999.423, embedded.get("p999_us"));
        assertEquals(1000.447, embedded.get("max_us"));
        assertEquals(10_000.0, embedded.get("throughput_per_sec"));
        assertEquals("page-cache", embedded.get("durability"));
        assertEquals("backoff", embedded.get("idle_strategy"));
        assertEquals(0.0, embedded.get("alloc_bytes_per_entry"));
        assertEquals("", embedded.get("note"));

        final Map<?, ?> client = (Map<?, ?>)array.get(1);
        assertEquals("raftlog-client", client.get("system"));
        assertEquals(1000.447, client.get("p50_us"));
        assertNull(client.get("alloc_bytes_per_entry"));
        assertTrue(client.containsKey("alloc_bytes_per_entry"));
        assertEquals(NOTE, client.get("note"));

        final Map<?, ?> cluster = (Map<?, ?>)array.get(2);
        assertEquals(12.5, cluster.get("alloc_bytes_per_entry"));
        assertEquals(4001.791, cluster.get("max_us"));

        final Map<?, ?> throughputOnly = (Map<?, ?>)array.get(4);
        assertEquals(THROUGHPUT_KEY, throughputOnly.get("scenario"));
        assertEquals("aeron-cluster", throughputOnly.get("system"));
        assertEquals(0.0, throughputOnly.get("rate_per_sec"));
        for (final String field : List.of("p50_us", "p99_us", "p999_us", "max_us", "alloc_bytes_per_entry"))
        {
            assertTrue(throughputOnly.containsKey(field), field);
            assertNull(throughputOnly.get(field), field);
        }
        assertEquals(100_000.0, throughputOnly.get("throughput_per_sec"));
        assertEquals("throughput only", throughputOnly.get("note"));
    }

    @Test
    void emptyResultsGiveAnEmptyArrayAndNoTable(@TempDir final Path dir) throws IOException
    {
        final ResultsReport report = new ResultsReport(List.of());
        assertEquals("", report.table());
        assertEquals(List.of(), MiniJson.parse(report.summaryJson()));
        assertEquals(List.of(dir.resolve("summary.json")), report.writeFiles(dir));
    }

    @Test
    void hgrmFilePerLatencyResultInMicroseconds(@TempDir final Path dir) throws IOException
    {
        final List<Path> files = new ResultsReport(results()).writeHistograms(dir);
        assertEquals(
            List.of(
                dir.resolve(LATENCY_KEY + "-raftlog-embedded.hgrm"),
                dir.resolve(LATENCY_KEY + "-raftlog-client.hgrm"),
                dir.resolve(LATENCY_KEY + "-aeron-cluster.hgrm")),
            files);
        try (Stream<Path> all = Files.list(dir))
        {
            assertEquals(3, all.filter(p -> p.toString().endsWith(".hgrm")).count());
        }

        final List<String> embedded = Files.readAllLines(files.get(0), StandardCharsets.US_ASCII);
        assertEquals("Value     Percentile TotalCount 1/(1-Percentile)", embedded.get(0).strip());
        assertTrue(embedded.contains("       1.000 0.000000000000          1           1.00"), embedded::toString);
        assertTrue(embedded.contains("     500.223 0.500000000000        500           2.00"), embedded::toString);
        assertTrue(embedded.contains("     900.095 0.900000000000        900          10.00"), embedded::toString);
        assertTrue(embedded.contains("    1000.447 1.000000000000       1000"), embedded::toString);
        assertTrue(embedded.contains("#[Max     =     1000.447, Total count    =         1000]"),
            embedded::toString);

        final List<String> cluster = Files.readAllLines(files.get(2), StandardCharsets.US_ASCII);
        assertTrue(cluster.contains("    2000.895 0.500000000000        500           2.00"), cluster::toString);
    }

    @Test
    void pngPerScenarioWithLatencyAtTheRequestedSize(@TempDir final Path dir) throws IOException
    {
        final List<Path> files = new ResultsReport(results()).writePlots(dir);
        assertEquals(List.of(dir.resolve(LATENCY_KEY + ".png")), files);
        assertFalse(Files.exists(dir.resolve(THROUGHPUT_KEY + ".png")));

        final byte[] bytes = Files.readAllBytes(files.get(0));
        assertArrayEquals(
            new byte[] {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8));
        final BufferedImage image = ImageIO.read(files.get(0).toFile());
        assertNotNull(image);
        assertEquals(ResultsReport.PLOT_WIDTH, image.getWidth());
        assertEquals(ResultsReport.PLOT_HEIGHT, image.getHeight());
        assertEquals(1000, image.getWidth());
        assertEquals(600, image.getHeight());
    }

    @Test
    void plotHasASeriesPerSystemWithLatency()
    {
        final ResultsReport report = new ResultsReport(results());
        final var chart = report.plot(LATENCY_KEY);
        assertNotNull(chart);
        assertEquals(
            List.of("raftlog-embedded", "raftlog-client", "aeron-cluster"),
            List.copyOf(chart.getSeriesMap().keySet()));
        assertTrue(chart.getTitle().contains(LATENCY_KEY), chart.getTitle());
        assertNull(report.plot(THROUGHPUT_KEY));
    }

    @Test
    void writeDoesEverythingAndSaysWhere(@TempDir final Path dir) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Path> files = new ResultsReport(results())
            .write(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir.resolve("results"));
        final Set<String> names = files.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        assertEquals(
            Set.of("summary.json", LATENCY_KEY + "-raftlog-embedded.hgrm", LATENCY_KEY + "-raftlog-client.hgrm",
                LATENCY_KEY + "-aeron-cluster.hgrm", LATENCY_KEY + ".png"),
            names);
        for (final Path file : files)
        {
            assertTrue(Files.size(file) > 0, file::toString);
        }
        final String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("== " + LATENCY_KEY), printed);
        assertTrue(printed.contains("wrote 5 files to "), printed);
    }

    @Test
    void aSystemTwiceInAScenarioIsToldApartByItsIdleStrategy(@TempDir final Path dir) throws IOException
    {
        final Workload busySpin = new Workload(3, 64, 10_000, 1, 5, "page-cache", "busy-spin");
        assertEquals(LATENCY_KEY, busySpin.key());
        final ResultsReport report = new ResultsReport(List.of(
            new Result("raftlog-embedded", LATENCY, uniform(1), 10_000, 0.0, ""),
            new Result("raftlog-embedded", busySpin, uniform(2), 10_000, 0.0, ""),
            new Result("aeron-cluster", LATENCY, uniform(4), 10_000, 0.0, ""),
            new Result("aeron-cluster", busySpin, uniform(8), 10_000, 0.0, "")));

        final String table = report.table();
        rowCells(table, "raftlog-embedded-backoff");
        rowCells(table, "raftlog-embedded-busy-spin");
        // compared within one idle strategy only
        assertArrayEquals(
            new String[] {"raftlog-embedded-backoff vs aeron-cluster-backoff", "0.25x", "0.25x", "1.00x"},
            rowCells(table, "raftlog-embedded-backoff vs aeron-cluster-backoff"));
        assertArrayEquals(
            new String[] {"raftlog-embedded-busy-spin vs aeron-cluster-busy-spin", "0.25x", "0.25x", "1.00x"},
            rowCells(table, "raftlog-embedded-busy-spin vs aeron-cluster-busy-spin"));
        assertFalse(table.contains("raftlog-embedded-backoff vs aeron-cluster-busy-spin"), table);

        final Set<String> names = report.writeFiles(dir).stream()
            .map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        assertTrue(names.contains(LATENCY_KEY + "-raftlog-embedded-backoff.hgrm"), names::toString);
        assertTrue(names.contains(LATENCY_KEY + "-raftlog-embedded-busy-spin.hgrm"), names::toString);
        assertEquals(6, names.size(), names::toString);
        assertEquals(4, report.plot(LATENCY_KEY).getSeriesMap().size());
    }

    @Test
    void percentileLabelsOnTheLogAxis()
    {
        assertEquals("0%", LatencyPlot.percentileLabel(0.0));
        assertEquals("90%", LatencyPlot.percentileLabel(1.0));
        assertEquals("99%", LatencyPlot.percentileLabel(2.0));
        assertEquals("99.9%", LatencyPlot.percentileLabel(3.0));
        assertEquals("99.99%", LatencyPlot.percentileLabel(4.0));
        assertEquals("99.999%", LatencyPlot.percentileLabel(5.0));
        assertEquals("50%", LatencyPlot.percentileLabel(Math.log10(2.0)));
        assertEquals("", LatencyPlot.percentileLabel(-1.0));
    }

    @Test
    void plottedPointsAreTheHistogramsPercentiles()
    {
        final Histogram histogram = uniform(1);
        final double[][] xy = LatencyPlot.sample(histogram, 3);
        assertEquals(0.0, xy[0][0]);
        assertEquals(1.0, xy[1][0]); // 1 us, the lowest
        for (int i = 0; i < xy[0].length; i++)
        {
            if (Math.abs(xy[0][i] - Math.log10(2.0)) < 1e-12)
            {
                assertEquals(500.223, xy[1][i], 1e-9);
            }
            if (Math.abs(xy[0][i] - 2.0) < 1e-12)
            {
                assertEquals(990.207, xy[1][i], 1e-9);
            }
        }
        // ends at the maximum, at the last percentile 1000 values resolve: 99.9%
        assertEquals(3.0, xy[0][xy[0].length - 1], 1e-12);
        assertEquals(1000.447, xy[1][xy[1].length - 1], 1e-9);
    }

    @Test
    void jsonStringsAreEscaped()
    {
        assertEquals("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u2028\"", Json.string("a\"b\\c\nd\re\tf\u0001g\u2028"));
        assertEquals("null", Json.string(null));
        assertEquals("null", Json.number(Double.NaN));
        assertEquals("null", Json.number(Double.POSITIVE_INFINITY));
        assertEquals("42", Json.number(42.0));
        assertEquals("0.125", Json.number(0.125));
        assertEquals("a\"b\\c\nd\re\tf\u0001g\u2028", MiniJson.parse(Json.string("a\"b\\c\nd\re\tf\u0001g\u2028")));
    }
}

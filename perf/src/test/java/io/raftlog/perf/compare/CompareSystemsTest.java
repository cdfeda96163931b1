package io.raftlog.perf.compare;

import io.raftlog.perf.Progress;
import io.raftlog.perf.Result;
import io.raftlog.perf.SystemUnderTest;
import io.raftlog.perf.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each comparison system, run with a tiny workload (1 s warm-up, 1 s measured, backoff): it produces sensible numbers,
 * stops every thread it started and deletes every directory it made.
 */
class CompareSystemsTest
{
    private static final Workload LATENCY = new Workload(3, 64, 500, 1, 1, "page-cache", "backoff");
    private static final Workload THROUGHPUT = new Workload(3, 64, 0, 1, 1, "page-cache", "backoff");
    private static final List<String> DIR_PREFIXES =
        List.of("aeron-cluster-echo-", "aeron-udp-rtt-", "aeron-udp-fanout-", "chronicle-append-");
    private static final List<String> AGENT_THREAD_WORDS = List.of(
        "driver", "sender", "receiver", "conductor", "archive", "recorder", "replayer", "consensus", "clustered",
        "echo", "pong", "subscriber", "aeron");

    @Test
    void supportsWhatEachCanMeasure()
    {
        assertTrue(new AeronClusterEcho().supports(LATENCY));
        assertTrue(new AeronClusterEcho().supports(THROUGHPUT));
        assertTrue(new AeronClusterEcho().supports(LATENCY.withNodes(5)));
        assertTrue(new AeronUdpRoundTrip().supports(LATENCY));
        assertFalse(new AeronUdpRoundTrip().supports(THROUGHPUT));
        assertFalse(new AeronUdpFanOut().supports(LATENCY));
        assertTrue(new AeronUdpFanOut().supports(THROUGHPUT));
        assertTrue(new ChronicleAppend().supports(LATENCY));
        assertTrue(new ChronicleAppend().supports(THROUGHPUT.withDurability("fsync")));
        assertEquals("aeron-cluster", new AeronClusterEcho().name());
        assertEquals("aeron-udp-rtt", new AeronUdpRoundTrip().name());
        assertEquals("aeron-udp-fanout", new AeronUdpFanOut().name());
        assertEquals("chronicle-append", new ChronicleAppend().name());
    }

    @Test
    @Timeout(value = 45, unit = TimeUnit.SECONDS)
    void aeronClusterEchoLatency() throws Exception
    {
        final Result result = runClean(new AeronClusterEcho(), LATENCY);
        assertLatency(result, LATENCY);
        assertTrue(result.note().contains("idle backoff"), result.note());
    }

    @Test
    @Timeout(value = 45, unit = TimeUnit.SECONDS)
    void aeronClusterEchoThroughput() throws Exception
    {
        final Result result = runClean(new AeronClusterEcho(), THROUGHPUT);
        assertThroughput(result);
        assertTrue(result.note().contains("window 1024"), result.note());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aeronUdpRoundTrip() throws Exception
    {
        assertLatency(runClean(new AeronUdpRoundTrip(), LATENCY), LATENCY);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aeronUdpFanOut() throws Exception
    {
        assertThroughput(runClean(new AeronUdpFanOut(), THROUGHPUT));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void chronicleAppendLatencyWithFsync() throws Exception
    {
        final Workload workload = LATENCY.withDurability("fsync");
        final Result result = runClean(new ChronicleAppend(), workload);
        assertLatency(result, workload);
        assertTrue(result.note().contains("100 B records"), result.note());
        assertTrue(result.note().contains("appender.sync()"), result.note());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void chronicleAppendThroughput() throws Exception
    {
        final Result result = runClean(new ChronicleAppend(), THROUGHPUT);
        assertThroughput(result);
        assertTrue(result.note().contains("no sync"), result.note());
    }

    private static Result runClean(final SystemUnderTest system, final Workload workload) throws Exception
    {
        final Set<String> dirsBefore = ourDirectories();
        final Set<Thread> threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
        final List<String> progress = new CopyOnWriteArrayList<>();
        final long startNs = System.nanoTime();
        final Result result = system.run(workload, (Progress)progress::add);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        System.out.printf(Locale.ROOT,
            "%s %s: %d samples, p50 %.1f us, p99 %.1f us, max %.1f us, %.0f/s, alloc %.3f B/entry, %.1f s%n  %s%n",
            result.system(), workload.key(), result.latencyNs() == null ? 0 : result.latencyNs().getTotalCount(),
            result.percentileUs(50), result.percentileUs(99), result.maxUs(), result.throughputPerSec(),
            result.allocBytesPerEntry(), seconds, result.note());

        assertEquals(system.name(), result.system());
        assertEquals(workload, result.workload());
        assertNotNull(result.note());
        assertFalse(result.note().contains("INCOMPLETE"), result.note());
        assertFalse(progress.isEmpty(), "progress was reported");
        assertEquals(Set.of(), newEntries(dirsBefore, ourDirectories()), "directories left behind");
        assertEquals(List.of(), agentThreadsStarted(threadsBefore), "threads left running");
        return result;
    }

    private static void assertLatency(final Result result, final Workload workload)
    {
        assertNotNull(result.latencyNs());
        final long expected = (long)workload.ratePerSec() * workload.measureSec();
        final long recorded = result.latencyNs().getTotalCount();
        // every message due in the window, plus those still in flight when it began (echoed in it): at most a
        // second's worth at this rate
        assertTrue(recorded >= expected && recorded <= expected + workload.ratePerSec(),
            "every message due in the window is recorded: " + recorded + " for " + expected + " due");
        assertTrue(result.percentileUs(50) > 0, "p50 > 0");
        assertTrue(result.maxUs() >= result.percentileUs(50));
        assertTrue(result.throughputPerSec() > 0, "throughput > 0");
    }

    private static void assertThroughput(final Result result)
    {
        assertNull(result.latencyNs());
        assertTrue(result.throughputPerSec() > 0, "throughput > 0: " + result.throughputPerSec());
    }

    private static Set<String> ourDirectories() throws IOException
    {
        final List<Path> roots = new ArrayList<>();
        roots.add(Paths.get(System.getProperty("java.io.tmpdir")));
        if (Files.isDirectory(Paths.get("/dev/shm")))
        {
            roots.add(Paths.get("/dev/shm"));
        }
        final Set<String> dirs = new java.util.HashSet<>();
        for (final Path root : roots)
        {
            try (Stream<Path> children = Files.list(root))
            {
                children.map(Path::toString)
                    .filter(name -> DIR_PREFIXES.stream().anyMatch(p -> name.contains("/" + p)))
                    .forEach(dirs::add);
            }
        }
        return dirs;
    }

    private static Set<String> newEntries(final Set<String> before, final Set<String> after)
    {
        return after.stream().filter(name -> !before.contains(name)).collect(Collectors.toSet());
    }

    /**
     * Threads started since {@code before} and still alive whose names say they belong to a driver, an archive, a
     * cluster, or the systems' own echo threads; waits a little for those that are finishing.
     */
    private static List<String> agentThreadsStarted(final Set<Thread> before) throws InterruptedException
    {
        List<String> alive = List.of();
        for (int i = 0; i < 50; i++)
        {
            alive = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(thread -> !before.contains(thread))
                .map(Thread::getName)
                .filter(name -> AGENT_THREAD_WORDS.stream().anyMatch(w -> name.toLowerCase(Locale.ROOT).contains(w)))
                .collect(Collectors.toList());
            if (alive.isEmpty())
            {
                return alive;
            }
            Thread.sleep(100);
        }
        return alive;
    }
}

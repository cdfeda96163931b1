package io.raftlog.perf.raftlog;

import io.raftlog.perf.Progress;
import io.raftlog.perf.Result;
import io.raftlog.perf.Workload;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raftlog systems of the harness measure what they say, on a tiny workload: every entry offered while
 * measuring is timed, latencies are positive, throughput is about the offered rate, and allocation is measured.
 * (Whether the numbers are good is for the benchmark, never for a test.)
 */
class RaftlogSystemsTest
{
    private static final Workload LATENCY = new Workload(3, 64, 500, 1, 2, "page-cache", "backoff");
    private static final Workload THROUGHPUT = new Workload(3, 64, 0, 1, 1, "page-cache", "backoff");

    @Test
    void embeddedLoadIsTimedFromEachEntrysDueTime() throws Exception
    {
        final Result result = new RaftlogEmbedded().run(LATENCY, Progress.NONE);
        check(result, "raftlog-embedded");
    }

    @Test
    void remoteClientLoadIsTimedFromEachEntrysDueTime() throws Exception
    {
        final Result result = new RaftlogRemoteClient().run(LATENCY, Progress.NONE);
        check(result, "raftlog-client");
    }

    @Test
    void aThroughputRunCountsCommitsAndReportsNoLatency() throws Exception
    {
        final Result result = new RaftlogEmbedded().run(THROUGHPUT, Progress.NONE);
        assertNull(result.latencyNs());
        assertTrue(result.throughputPerSec() > 1_000, "throughput " + result.throughputPerSec());
        assertTrue(result.allocBytesPerEntry() >= 0, result.note());
    }

    @Test
    void aRunWhoseScheduleFellBehindIsMarkedOverloaded()
    {
        assertEquals("", Measurement.lagNote(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20)));
        assertTrue(Measurement.lagNote(java.util.concurrent.TimeUnit.SECONDS.toNanos(3)).contains("OVERLOADED"));
    }

    private static void check(final Result result, final String system)
    {
        assertEquals(system, result.system());
        assertNotNull(result.latencyNs());
        final long count = result.latencyNs().getTotalCount();
        // 500/s for 2 s: about 1,000 entries, every one of them timed
        assertTrue(count > 800 && count < 1_200, "entries timed: " + count);
        assertTrue(result.percentileUs(50) > 0);
        assertTrue(result.maxUs() >= result.percentileUs(99));
        assertTrue(result.throughputPerSec() > 400 && result.throughputPerSec() < 600,
            "throughput " + result.throughputPerSec());
        assertTrue(result.allocBytesPerEntry() >= 0, result.note());
    }
}

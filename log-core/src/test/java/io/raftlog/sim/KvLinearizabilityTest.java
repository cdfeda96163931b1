package io.raftlog.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replicated key-value state under faults, checked for linearizability over many seeded histories
 * ({@code -Dkv.runs=N}, 120 by default; {@code -Dkv.seed=S} replays one). Reads use ReadIndex, or leases with
 * drifting clocks inside the configured bound; a read path that skips both is shown to be caught.
 */
class KvLinearizabilityTest
{
    private static final long ELECTION_TIMEOUT_NS = new SimOptions().electionTimeoutNs;

    @Test
    void historiesWithReadIndexReadsAreLinearizableUnderFaults()
    {
        final List<KvSimulationRun.Result> results = runMany(KvSimulationRun.Settings.READ_INDEX, 1, runs(120));
        assertAllLinearizable("read-index", results);
    }

    @Test
    void historiesWithLeaseReadsAreLinearizableWhileClocksDriftWithinTheBound()
    {
        // clocks run up to 2% apart; the bound allows for 5% of the election timeout
        final KvSimulationRun.Settings lease = new KvSimulationRun.Settings(
            KvWorkload.ReadPath.LEASE, true, 0.02, ELECTION_TIMEOUT_NS / 20);
        final List<KvSimulationRun.Result> results = runMany(lease, 10_001, runs(40));
        assertAllLinearizable("lease", results);
        assertTrue(results.stream().mapToLong(r -> r.leaseReads).sum() > 0, "some reads were served from a lease");
    }

    @Test
    void readsServedFromLocalStateWithoutReadIndexAreCaught()
    {
        final KvSimulationRun.Settings broken =
            new KvSimulationRun.Settings(KvWorkload.ReadPath.UNSAFE_LOCAL, false, 0, -1);
        final List<KvSimulationRun.Result> results = runMany(broken, 20_001, 30);
        final long caught = results.stream().filter(r -> !r.linearizable()).count();
        System.out.printf("kv unsafe local reads: %d of %d histories not linearizable%n", caught, results.size());
        results.stream().filter(r -> !r.linearizable()).findFirst()
            .ifPresent(r -> System.out.println("  for example seed " + r.seed + ": " + r.linearizability));
        assertTrue(caught > 0, "the check must catch stale reads from followers and deposed leaders");
    }

    @Test
    void aLeaderAnsweringFromItsOwnStateWithoutConfirmingItsLeadershipIsCaught()
    {
        final KvSimulationRun.Settings broken =
            new KvSimulationRun.Settings(KvWorkload.ReadPath.UNSAFE_LEADER_LOCAL, false, 0, -1);
        final List<KvSimulationRun.Result> results = runMany(broken, 30_001, 60);
        final long caught = results.stream().filter(r -> !r.linearizable()).count();
        System.out.printf("kv leader-local reads: %d of %d histories not linearizable%n", caught, results.size());
        results.stream().filter(r -> !r.linearizable()).findFirst()
            .ifPresent(r -> System.out.println("  for example seed " + r.seed + ": " + r.linearizability));
        assertTrue(caught > 0, "a deposed leader's stale reads must be caught");
    }

    private static int runs(final int byDefault)
    {
        return System.getProperty("kv.seed") != null ? 1 : Integer.getInteger("kv.runs", byDefault);
    }

    private static List<KvSimulationRun.Result> runMany(
        final KvSimulationRun.Settings settings, final long baseSeed, final int runs)
    {
        final String seedProperty = System.getProperty("kv.seed");
        final long first = seedProperty != null ? Long.parseLong(seedProperty) : baseSeed;
        final List<KvSimulationRun.Result> results = new ArrayList<>();
        final long startNs = System.nanoTime();
        for (int i = 0; i < runs; i++)
        {
            results.add(KvSimulationRun.run(first + i, settings));
        }
        long operations = 0;
        long steps = 0;
        for (final KvSimulationRun.Result r : results)
        {
            operations += r.operations;
            steps += r.steps;
        }
        System.out.printf("kv %s: %d histories, %d operations, %d steps, %d ms%n", settings.readPath(),
            runs, operations, steps, (System.nanoTime() - startNs) / 1_000_000);
        return results;
    }

    private static void assertAllLinearizable(final String what, final List<KvSimulationRun.Result> results)
    {
        final StringBuilder failed = new StringBuilder();
        for (final KvSimulationRun.Result r : results)
        {
            if (!r.linearizable() || !r.violations.isEmpty())
            {
                failed.append("\n  ").append(r).append("\n  replay: -Dkv.seed=").append(r.seed);
            }
        }
        assertTrue(failed.length() == 0, what + ": runs failed:" + failed);
    }
}

package io.raftlog.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the seeded simulator many times (the TigerBeetle VOPR idea): {@code -Dsim.runs=N} sets how many
 * (1,000 by default), {@code -Dsim.seed=S} replays one seed exactly. Prints one summary line.
 */
class SimulationTest
{
    @Test
    void manySeededRunsUnderFaultsKeepEverySafetyPropertyAndStayLive() throws Exception
    {
        final String seedProperty = System.getProperty("sim.seed", "");
        final int runs = seedProperty.isEmpty() ? Integer.getInteger("sim.runs", 1000) : 1;
        final long baseSeed = seedProperty.isEmpty() ? Long.getLong("sim.baseSeed", 1L) : Long.parseLong(seedProperty);
        final int threads = Math.max(1, Math.min(runs, Runtime.getRuntime().availableProcessors()));

        final long started = System.nanoTime();
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        final List<Future<SimulationRun.Result>> futures = new ArrayList<>();
        try
        {
            for (int i = 0; i < runs; i++)
            {
                final long seed = baseSeed + i;
                futures.add(executor.submit(() -> SimulationRun.run(seed)));
            }
            long steps = 0;
            long elections = 0;
            long leaders = 0;
            long crashes = 0;
            long partitions = 0;
            long networkChanges = 0;
            long configurationChanges = 0;
            long snapshotsInstalled = 0;
            int membershipRuns = 0;
            long acknowledged = 0;
            long dropped = 0;
            long duplicated = 0;
            int threeMember = 0;
            final int[] mixes = new int[Nemesis.Mix.values().length];
            final List<SimulationRun.Result> failed = new ArrayList<>();
            for (final Future<SimulationRun.Result> future : futures)
            {
                final SimulationRun.Result r = future.get();
                steps += r.steps;
                elections += r.elections;
                leaders += r.leadersElected;
                crashes += r.crashes;
                partitions += r.partitions;
                networkChanges += r.networkChanges;
                configurationChanges += r.configurationChanges;
                snapshotsInstalled += r.snapshotsInstalled;
                membershipRuns += r.membership ? 1 : 0;
                acknowledged += r.acknowledged;
                dropped += r.messagesDropped;
                duplicated += r.messagesDuplicated;
                threeMember += r.members == 3 ? 1 : 0;
                mixes[r.mix.ordinal()]++;
                if (!r.violations.isEmpty())
                {
                    failed.add(r);
                }
                if (runs == 1)
                {
                    System.out.println(r);
                }
            }
            final long violations = failed.stream().mapToLong(r -> r.violations.size()).sum();
            final long wallMs = (System.nanoTime() - started) / 1_000_000;
            System.out.printf(
                "simulator detail: %d runs (%d of 3 members, %d of 5), mixes %s, %d elections started, %d leaders elected, %d crashes, " +
                "%d partitions, %d network changes, %d messages dropped, %d duplicated, %d entries acknowledged, " +
                "%d runs with membership changes, %d configuration changes, %d snapshots installed, %d ms wall%n",
                runs, threeMember, runs - threeMember, java.util.Arrays.toString(mixes), elections, leaders, crashes,
                partitions, networkChanges, dropped, duplicated, acknowledged, membershipRuns, configurationChanges,
                snapshotsInstalled, wallMs);
            System.out.printf("simulator: %d runs, %d steps, %d violations%n", runs, steps, violations);

            final StringBuilder report = new StringBuilder();
            for (final SimulationRun.Result r : failed.subList(0, Math.min(5, failed.size())))
            {
                report.append("\n  ").append(r).append("\n  reproduce with: ").append(r.reproduce());
            }
            assertTrue(failed.isEmpty(), failed.size() + " runs failed:" + report);
        }
        finally
        {
            executor.shutdownNow();
        }
    }
}

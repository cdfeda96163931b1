package io.raftlog.sim;

import io.raftlog.check.LinearizabilityChecker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One seeded run of the replicated key-value state: concurrent clients read and write through leader changes,
 * crashes, partitions and a lossy network, with snapshots and InstallSnapshot; then the faults heal. The history of
 * invocations and responses must be linearizable, every safety invariant of the log must hold, the cluster must
 * serve clients again after healing, and every member must end with the same state.
 */
final class KvSimulationRun
{
    static final long HEALED_PHASE_NS = 3_000_000_000L;

    /** How a run reads, and with what clocks. */
    record Settings(KvWorkload.ReadPath readPath, boolean leaseReads, double clockDrift, long clockDriftBoundNs)
    {
        static final Settings READ_INDEX = new Settings(KvWorkload.ReadPath.READ_INDEX, false, 0, -1);
    }

    static final class Result
    {
        final long seed;
        int members;
        Nemesis.Mix mix;
        long steps;
        int operations;
        long writesAcknowledged;
        long readsAnswered;
        long leaseReads;
        long servedAfterHealing;
        long crashes;
        long pauses;
        long partitions;
        long snapshotsInstalled;
        LinearizabilityChecker.Result linearizability;
        final List<String> violations = new ArrayList<>();

        Result(final long seed)
        {
            this.seed = seed;
        }

        boolean linearizable()
        {
            return linearizability != null && linearizability.isLinearizable();
        }

        @Override
        public String toString()
        {
            return "seed=" + seed + " members=" + members + " mix=" + mix + " steps=" + steps + " ops=" + operations +
                " writesAcked=" + writesAcknowledged + " readsAnswered=" + readsAnswered + " leaseReads=" +
                leaseReads + " servedAfterHealing=" + servedAfterHealing + " crashes=" + crashes + " partitions=" +
                partitions + " pauses=" + pauses + " snapshotsInstalled=" + snapshotsInstalled + " linearizability=" + linearizability +
                " violations=" + violations;
        }
    }

    private KvSimulationRun()
    {
    }

    static Result run(final long seed, final Settings settings)
    {
        final SplittableRandom choice = new SplittableRandom(seed ^ 0x4B56L);
        final Result result = new Result(seed);
        result.members = choice.nextBoolean() ? 3 : 5;
        result.mix = Nemesis.Mix.values()[choice.nextInt(Nemesis.Mix.values().length)];
        final boolean fastTempo = choice.nextInt(3) == 0;
        final long faultPhaseNs = 4_000_000_000L + choice.nextLong(4_000_000_000L);

        final SimOptions options = new SimOptions().members(result.members).seed(seed);
        options.keepSomeUnsyncedOnCrash = choice.nextBoolean();
        final int[] snapshotEvery = {0, 20, 50, 200};
        options.snapshotEveryEntries = snapshotEvery[choice.nextInt(snapshotEvery.length)];
        options.retainEntries = choice.nextInt(8);
        options.leaseReads = settings.leaseReads();
        options.clockDrift = settings.clockDrift();
        options.clockDriftBoundNs = settings.clockDriftBoundNs();
        final SimCluster cluster = new SimCluster(options);
        final KvWorkload workload = new KvWorkload(cluster, 2 + choice.nextInt(4), 3 + choice.nextInt(6),
            settings.readPath());
        try
        {
            cluster.startAll();
            final Nemesis nemesis = fastTempo ?
                new Nemesis(cluster, result.mix, 5_000_000L, 250_000_000L) :
                new Nemesis(cluster, result.mix, 100_000_000L, 1_200_000_000L);
            nemesis.withPauses();
            workload.start(50_000_000L);
            nemesis.start(300_000_000L);
            cluster.runUntil(faultPhaseNs);

            nemesis.stopAndHeal();
            final long servedBefore = workload.writesAcknowledged() + workload.readsAnswered();
            cluster.runFor(HEALED_PHASE_NS);
            result.servedAfterHealing = workload.writesAcknowledged() + workload.readsAnswered() - servedBefore;
            if (result.servedAfterHealing == 0)
            {
                result.violations.add("liveness: no client was served in the " + HEALED_PHASE_NS / 1_000_000 +
                    " ms after the faults healed");
            }
            workload.stop();
            cluster.runFor(2_000_000_000L);
            checkSameStateEverywhere(cluster, result);

            result.crashes = nemesis.crashes();
            result.partitions = nemesis.partitions();
        }
        catch (final RuntimeException | AssertionError ex)
        {
            result.violations.add("exception: " + ex);
        }
        result.steps = cluster.steps();
        result.operations = workload.history().operations().size();
        result.writesAcknowledged = workload.writesAcknowledged();
        result.readsAnswered = workload.readsAnswered();
        result.leaseReads = workload.leaseReads();
        result.snapshotsInstalled = cluster.checker().snapshotsInstalled();
        result.violations.addAll(cluster.checker().violations());
        result.violations.addAll(workload.violations());
        result.pauses = cluster.pauses();
        result.linearizability = new LinearizabilityChecker().check(workload.history());
        return result;
    }

    /**
     * Healed and quiet, every member has applied the whole committed log to the same state.
     */
    private static void checkSameStateEverywhere(final SimCluster cluster, final Result result)
    {
        final int leader = cluster.leader();
        if (leader == 0)
        {
            result.violations.add("no leader at the end");
            return;
        }
        final SimNode leaderNode = cluster.node(leader);
        final long applied = leaderNode.kv().appliedIndex();
        final Map<Integer, Long> expected = leaderNode.kv().contents();
        for (int id = 1; id <= cluster.size(); id++)
        {
            final SimNode node = cluster.node(id);
            if (node.kv().appliedIndex() != applied)
            {
                result.violations.add("member " + id + " applied " + node.kv().appliedIndex() + ", leader " + applied);
            }
            else if (!node.kv().contents().equals(expected))
            {
                result.violations.add("member " + id + " holds " + node.kv().contents() + ", leader " + expected);
            }
        }
    }
}

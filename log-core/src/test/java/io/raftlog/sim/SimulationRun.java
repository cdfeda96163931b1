package io.raftlog.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One seeded run: a 3- or 5-member cluster under a client workload and a nemesis for a safety phase, then healed
 * for a liveness phase in which a leader must be elected and new entries must commit within a bound. The seed
 * alone decides everything, so a failure replays exactly.
 */
public final class SimulationRun
{
    public static final long LIVENESS_BOUND_NS = 10_000_000_000L;

    /** What one run did and found. */
    public static final class Result
    {
        public final long seed;
        public final int members;
        public final Nemesis.Mix mix;
        public long steps;
        public long elections;
        public long leadersElected;
        public boolean membership;
        public long membershipProposals;
        public long configurationChanges;
        public long snapshotsInstalled;
        public long crashes;
        public long partitions;
        public long networkChanges;
        public long offered;
        public long acknowledged;
        public long committed;
        public long messagesDropped;
        public long messagesDuplicated;
        public final List<String> violations = new ArrayList<>();

        Result(final long seed, final int members, final Nemesis.Mix mix)
        {
            this.seed = seed;
            this.members = members;
            this.mix = mix;
        }

        public String reproduce()
        {
            return "mvn -B -q install -DskipTests && mvn -B -pl log-core test -Dtest=SimulationTest -Dsim.seed=" + seed;
        }

        @Override
        public String toString()
        {
            return "seed=" + seed + " members=" + members + " mix=" + mix + " steps=" + steps +
                " elections=" + elections + " leaders=" + leadersElected + " membership=" + membership +
                " configurationChanges=" + configurationChanges + " snapshotsInstalled=" + snapshotsInstalled + " crashes=" + crashes + " partitions=" + partitions +
                " networkChanges=" + networkChanges + " offered=" + offered + " acknowledged=" + acknowledged +
                " committed=" + committed + " dropped=" + messagesDropped + " duplicated=" + messagesDuplicated +
                " violations=" + violations;
        }
    }

    private SimulationRun()
    {
    }

    public static Result run(final long seed)
    {
        final SplittableRandom choice = new SplittableRandom(seed ^ 0x5DEECE66DL);
        final int members = choice.nextBoolean() ? 3 : 5;
        final Nemesis.Mix mix = Nemesis.Mix.values()[choice.nextInt(Nemesis.Mix.values().length)];
        // a fast tempo strikes again before elections settle (figure-8 style histories); a slow one lets the
        // cluster recover and make progress between faults
        final boolean fastTempo = choice.nextInt(3) == 0;
        final long faultPhaseNs = 10_000_000_000L + choice.nextLong(10_000_000_000L);
        final boolean membership = choice.nextBoolean();
        final int spares = membership ? choice.nextInt(3) : 0;
        final Result result = new Result(seed, members, mix);
        result.membership = membership;

        final SimOptions options = new SimOptions().members(members + spares).seed(seed);
        options.voters = members;
        options.keepSomeUnsyncedOnCrash = choice.nextBoolean();
        final int[] snapshotEvery = {0, 0, 20, 50, 200};
        options.snapshotEveryEntries = snapshotEvery[choice.nextInt(snapshotEvery.length)];
        options.retainEntries = choice.nextInt(12);
        final int[] stateBytes = {8, 500, 40_000};
        options.snapshotStateBytes = stateBytes[choice.nextInt(stateBytes.length)];
        final SimCluster cluster = new SimCluster(options);
        try
        {
            cluster.startAll();
            final ClientWorkload workload = new ClientWorkload(cluster, 5_000_000L, 40_000_000L, 4);
            final Nemesis nemesis = fastTempo ?
                new Nemesis(cluster, mix, 5_000_000L, 250_000_000L) :
                new Nemesis(cluster, mix, 100_000_000L, 1_200_000_000L);
            if (membership)
            {
                nemesis.withMembershipChanges();
            }
            workload.start(50_000_000L);
            nemesis.start(300_000_000L);

            cluster.runUntil(faultPhaseNs);

            nemesis.stopAndHeal();
            final long healedAt = cluster.nowNs();
            while (workload.lastAcknowledgedNs() <= healedAt && cluster.nowNs() - healedAt < LIVENESS_BOUND_NS)
            {
                cluster.runFor(50_000_000L);
            }
            if (workload.lastAcknowledgedNs() <= healedAt)
            {
                if (Boolean.getBoolean("dbg"))
                {
                    for (int id = 1; id <= cluster.size(); id++)
                    {
                        final SimNode n = cluster.node(id);
                        System.out.println("DBG node " + id + " alive=" + n.isAlive() + " role=" + n.core().role() +
                            " term=" + n.core().currentTerm() + " vote=" + n.core().votedFor() + " leader=" +
                            n.core().leaderId() + " config=" + n.core().configuration() + "@" +
                            n.core().configurationIndex() + " commit=" + n.core().commitIndex() + " last=" +
                            n.store.lastIndex() + " lastTerm=" + n.store.termAt(n.store.lastIndex()) + " base=" +
                            n.store.baseIndex() + " snap=" + n.snapshots.lastIncludedIndex() + " dropped=" +
                            n.core().droppedMessages());
                    }
                }
                result.violations.add("liveness: nothing committed within " + LIVENESS_BOUND_NS / 1_000_000 +
                    " ms after the faults healed (leader " + cluster.leader() + ")");
            }
            // let followers catch up, then every live member's log must hold every acknowledged entry
            workload.stop();
            cluster.runFor(2_000_000_000L);
            final int finalLeader = cluster.leader();
            if (finalLeader != 0)
            {
                final io.raftlog.core.Configuration config = cluster.node(finalLeader).core().configuration();
                for (int slot = 0; slot < config.size(); slot++)
                {
                    final int id = config.memberId(slot);
                    cluster.checker().checkAcknowledgedHeldBy(cluster.node(id), "member " + id + " at the end");
                }
            }

            result.offered = workload.offered();
            result.acknowledged = workload.acknowledged();
            result.crashes = nemesis.crashes();
            result.partitions = nemesis.partitions();
            result.networkChanges = nemesis.networkChanges();
            result.membershipProposals = nemesis.membershipProposals();
        }
        catch (final RuntimeException | AssertionError ex)
        {
            result.violations.add("exception: " + ex);
        }
        result.steps = cluster.steps();
        result.configurationChanges = cluster.checker().configurationChanges();
        result.snapshotsInstalled = cluster.checker().snapshotsInstalled();
        result.committed = cluster.checker().committedMax();
        result.messagesDropped = cluster.network().messagesDropped();
        result.messagesDuplicated = cluster.network().messagesDuplicated();
        for (int id = 1; id <= members; id++)
        {
            result.elections += cluster.node(id).electionsStarted();
        }
        result.leadersElected = cluster.checker().leadersElected();
        result.violations.addAll(cluster.checker().violations());
        return result;
    }
}

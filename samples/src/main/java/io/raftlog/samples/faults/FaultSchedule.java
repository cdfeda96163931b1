package io.raftlog.samples.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The nemesis of a fault run: a seeded schedule of cycles, each injecting one fault for a while and then healing it.
 * Kills (SIGKILL, the leader two times in three) restart the node after a while; pauses (SIGSTOP, the leader two
 * times in three) last one to four election timeouts, so a paused leader wakes up deposed; partitions split a
 * majority from a minority, isolate the leader, leave one node as a bridge seeing both sides, or cut single links one
 * way; loss drops a share of what some nodes receive; slow periods have the relays in front of one node, some or all
 * delay what those nodes receive and send back by 1 to 20 ms plus up to twice that in jitter (so datagrams reorder)
 * and send up to a fifth of it twice. Partitions and loss only where the testbed can make them; slow periods
 * everywhere, the relays being userspace processes.
 */
final class FaultSchedule
{
    private static final long ELECTION_TIMEOUT_MS = 300;

    private final SplittableRandom random;
    private final NodeProcesses nodes;
    private final Testbed testbed;
    private final RelayProcesses relays;
    private final StringBuilder log;
    long cycles;
    long kills;
    long pauses;
    long partitions;
    long lossPeriods;
    long slowPeriods;

    FaultSchedule(final long seed, final NodeProcesses nodes, final Testbed testbed, final StringBuilder log)
    {
        this.random = new SplittableRandom(seed);
        this.nodes = nodes;
        this.testbed = testbed;
        this.relays = nodes.relays();
        this.log = log;
    }

    /**
     * One cycle: inject a fault, keep it for its duration (sleeping), heal it, then let the cluster recover a while.
     */
    void cycle(final long startMs)
    {
        cycles++;
        final int n = nodes.size();
        final int leader = nodes.leader();
        // kills 3, pauses 2, slow periods 2 and, where the testbed can, partitions 4 and loss 1 in each 12
        final int choice = random.nextInt(testbed.canBreakNetwork() ? 12 : 7);
        if (choice < 3)
        {
            final int victim = leader != 0 && random.nextInt(3) > 0 ? leader : 1 + random.nextInt(n);
            kills++;
            note(startMs, "kill -9 node " + victim + (victim == leader ? " (leader)" : ""));
            nodes.kill(victim);
            sleep(500 + random.nextInt(2_500));
            nodes.start(victim);
            note(startMs, "restart node " + victim);
        }
        else if (choice < 5)
        {
            final int victim = leader != 0 && random.nextInt(3) > 0 ? leader : 1 + random.nextInt(n);
            pauses++;
            final long pauseMs = ELECTION_TIMEOUT_MS + random.nextLong(3 * ELECTION_TIMEOUT_MS);
            note(startMs, "SIGSTOP node " + victim + (victim == leader ? " (leader)" : "") + " for " + pauseMs + " ms");
            nodes.pause(victim);
            sleep(pauseMs);
            nodes.resume(victim);
        }
        else if (!testbed.canBreakNetwork() || choice >= 10)
        {
            slowPeriods++;
            slowNetwork(n, startMs);
            sleep(1_000 + random.nextInt(4_000));
            relays.healAll();
        }
        else if (choice < 9)
        {
            partitions++;
            partition(leader, n, startMs);
            sleep(1_000 + random.nextInt(3_000));
            testbed.healAll();
        }
        else
        {
            lossPeriods++;
            final int percent = 10 + random.nextInt(30);
            final int victims = 1 + random.nextInt(n);
            final StringBuilder which = new StringBuilder();
            for (int i = 0; i < victims; i++)
            {
                final int victim = 1 + random.nextInt(n);
                testbed.loss(victim, percent);
                which.append(' ').append(victim);
            }
            note(startMs, "loss " + percent + "% into nodes" + which);
            sleep(1_000 + random.nextInt(3_000));
            testbed.healAll();
        }
        sleep(500 + random.nextInt(1_500));
    }

    /**
     * One node, some or all behind a slow network: their relays delay, reorder and duplicate what they pass.
     */
    private void slowNetwork(final int n, final long startMs)
    {
        final int kind = random.nextInt(3);
        final int count = kind == 0 ? 1 : kind == 1 ? 2 + random.nextInt(n - 2) : n;
        final List<Integer> victims = shuffled(n).subList(0, count);
        final int delayMs = 1 + random.nextInt(20);
        final RelaySettings settings = new RelaySettings(delayMs, random.nextInt(2 * delayMs + 1), random.nextInt(21));
        note(startMs, "slow network at nodes " + victims + ": " + settings);
        for (final int victim : victims)
        {
            relays.set(victim, settings);
        }
    }

    private void partition(final int leader, final int n, final long startMs)
    {
        final int kind = random.nextInt(4);
        if (kind == 0)
        {
            final int isolated = leader != 0 ? leader : 1 + random.nextInt(n);
            note(startMs, "isolate node " + isolated + (isolated == leader ? " (leader)" : ""));
            for (int other = 1; other <= n; other++)
            {
                if (other != isolated)
                {
                    testbed.cut(isolated, other);
                    testbed.cut(other, isolated);
                }
            }
        }
        else if (kind == 1)
        {
            final List<Integer> order = shuffled(n);
            final int minoritySize = 1 + random.nextInt(n / 2);
            final List<Integer> minority = order.subList(0, minoritySize);
            final List<Integer> majority = order.subList(minoritySize, n);
            note(startMs, "partition " + minority + " | " + majority);
            for (final int a : minority)
            {
                for (final int b : majority)
                {
                    testbed.cut(a, b);
                    testbed.cut(b, a);
                }
            }
        }
        else if (kind == 2)
        {
            // a bridge: one node sees both sides, the sides do not see each other
            final List<Integer> order = shuffled(n);
            final int bridge = order.get(0);
            final List<Integer> rest = order.subList(1, n);
            final List<Integer> left = rest.subList(0, rest.size() / 2);
            final List<Integer> right = rest.subList(rest.size() / 2, rest.size());
            note(startMs, "bridge node " + bridge + " between " + left + " and " + right);
            for (final int a : left)
            {
                for (final int b : right)
                {
                    testbed.cut(a, b);
                    testbed.cut(b, a);
                }
            }
        }
        else
        {
            final int cuts = 1 + random.nextInt(n);
            final StringBuilder which = new StringBuilder();
            for (int i = 0; i < cuts; i++)
            {
                final int from = 1 + random.nextInt(n);
                final int to = 1 + random.nextInt(n);
                if (from != to)
                {
                    testbed.cut(from, to);
                    which.append(' ').append(from).append("->").append(to);
                }
            }
            note(startMs, "one-way cuts" + which);
        }
    }

    private List<Integer> shuffled(final int n)
    {
        final List<Integer> order = new ArrayList<>();
        for (int i = 1; i <= n; i++)
        {
            order.add(i);
        }
        for (int i = n - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final Integer t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        return order;
    }

    private void note(final long startMs, final String what)
    {
        log.append(String.format("%7.1f s  %s%n", (System.currentTimeMillis() - startMs) / 1000.0, what));
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

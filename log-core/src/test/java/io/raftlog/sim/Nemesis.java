package io.raftlog.sim;

import java.util.SplittableRandom;

/**
 * Injects faults on a seeded schedule until told to stop: partitions (majority/minority, an isolated leader,
 * one-way cuts), crashes and restarts (the leader more often), and a lossy, duplicating, reordering network.
 */
public final class Nemesis implements SimActor
{
    /** Which kinds of fault a run uses. */
    public enum Mix
    {
        PARTITIONS, CRASHES, UNRELIABLE, EVERYTHING;

        boolean partitions()
        {
            return this == PARTITIONS || this == EVERYTHING;
        }

        boolean crashes()
        {
            return this == CRASHES || this == EVERYTHING;
        }

        boolean unreliable()
        {
            return this == UNRELIABLE || this == EVERYTHING;
        }
    }

    private final SimCluster cluster;
    private final SplittableRandom random;
    private final Mix mix;
    private final long minIntervalNs;
    private final long maxIntervalNs;
    private boolean membershipChanges;
    private boolean pauses;
    private boolean running = true;
    private long membershipProposals;
    private long partitions;
    private long crashes;
    private long restarts;
    private long networkChanges;
    private long heals;

    public Nemesis(final SimCluster cluster, final Mix mix, final long minIntervalNs, final long maxIntervalNs)
    {
        this.cluster = cluster;
        this.random = cluster.random().split();
        this.mix = mix;
        this.minIntervalNs = minIntervalNs;
        this.maxIntervalNs = maxIntervalNs;
    }

    /**
     * Also changes the membership: adds spare members (as learners promoted once caught up), removes members (the
     * leader too), and replaces a voter through joint consensus.
     */
    public Nemesis withMembershipChanges()
    {
        membershipChanges = true;
        return this;
    }

    /**
     * Also pauses members (the leader more often) for up to three election timeouts: a paused leader wakes deposed.
     */
    public Nemesis withPauses()
    {
        pauses = true;
        return this;
    }

    public long membershipProposals()
    {
        return membershipProposals;
    }

    public void start(final long atNs)
    {
        cluster.schedule(this, atNs);
    }

    public long partitions()
    {
        return partitions;
    }

    public long crashes()
    {
        return crashes;
    }

    public long restarts()
    {
        return restarts;
    }

    public long networkChanges()
    {
        return networkChanges;
    }

    /**
     * Stops injecting and heals everything: links, network quality, crashed members.
     */
    public void stopAndHeal()
    {
        running = false;
        cluster.network().healAll();
        cluster.network().reliable();
        for (int id = 1; id <= cluster.size(); id++)
        {
            cluster.restart(id);
        }
    }

    public void onTimer(final long nowNs)
    {
        if (!running)
        {
            return;
        }
        act();
        cluster.schedule(this, nowNs + minIntervalNs + random.nextLong(maxIntervalNs - minIntervalNs + 1));
    }

    private void act()
    {
        final int n = cluster.size();
        if (membershipChanges && random.nextInt(4) == 0)
        {
            changeMembership();
            return;
        }
        if (pauses && random.nextInt(5) == 0)
        {
            final int leader = cluster.leader();
            final int victim = leader != 0 && random.nextInt(3) > 0 ? leader : 1 + random.nextInt(n);
            final long electionTimeoutNs = cluster.options().electionTimeoutNs;
            cluster.pause(victim, electionTimeoutNs / 2 + random.nextLong(3 * electionTimeoutNs));
            return;
        }
        final int choice = random.nextInt(10);
        if (choice < 2)
        {
            heals++;
            cluster.network().healAll();
            if (mix.crashes())
            {
                restartOne();
            }
            return;
        }
        if (mix.partitions() && choice < 5)
        {
            partitions++;
            cluster.network().healAll();
            final int kind = random.nextInt(3);
            if (kind == 0)
            {
                final int leader = cluster.leader();
                cluster.network().isolate(leader != 0 ? leader : 1 + random.nextInt(n));
            }
            else if (kind == 1)
            {
                // a random split; often majority/minority, sometimes no majority at all
                for (int a = 1; a <= n; a++)
                {
                    for (int b = a + 1; b <= n; b++)
                    {
                        if (random.nextBoolean() != random.nextBoolean() && random.nextInt(3) == 0)
                        {
                            cluster.network().cut(a, b);
                            cluster.network().cut(b, a);
                        }
                    }
                }
                final int side = 1 + random.nextInt(n / 2);
                final int[] minority = new int[side];
                final int[] majority = new int[n - side];
                final int[] order = shuffled(n);
                System.arraycopy(order, 0, minority, 0, side);
                System.arraycopy(order, side, majority, 0, n - side);
                cluster.network().partition(minority, majority);
            }
            else
            {
                // one-way losses: a member hears but is not heard, or the reverse
                final int cuts = 1 + random.nextInt(n);
                for (int i = 0; i < cuts; i++)
                {
                    final int from = 1 + random.nextInt(n);
                    final int to = 1 + random.nextInt(n);
                    if (from != to)
                    {
                        cluster.network().cut(from, to);
                    }
                }
            }
            return;
        }
        if (mix.crashes() && choice < 8)
        {
            if (random.nextInt(3) == 0)
            {
                restartOne();
            }
            else
            {
                final int leader = cluster.leader();
                final int victim = leader != 0 && random.nextBoolean() ? leader : 1 + random.nextInt(n);
                if (cluster.node(victim).isAlive())
                {
                    crashes++;
                    cluster.crash(victim);
                }
            }
            return;
        }
        if (mix.unreliable())
        {
            networkChanges++;
            if (random.nextInt(4) == 0)
            {
                cluster.network().reliable();
            }
            else
            {
                cluster.network().unreliable(
                    random.nextDouble() * 0.3, random.nextDouble() * 0.2, 1_000_000L + random.nextLong(40_000_000L));
            }
        }
    }

    private void changeMembership()
    {
        final int leader = cluster.leader();
        if (leader == 0)
        {
            return;
        }
        final io.raftlog.core.RaftCore core = cluster.node(leader).core();
        final io.raftlog.core.Configuration config = core.configuration();
        final int n = cluster.size();
        final int kind = random.nextInt(3);
        long result = -1;
        if (kind == 0)
        {
            final int candidate = 1 + random.nextInt(n);
            if (!config.isMember(candidate))
            {
                result = core.addMember(candidate, null);
            }
        }
        else if (kind == 1)
        {
            // keep at least three voters most of the time, so faults still leave a majority to make progress
            final int victim = config.memberId(random.nextInt(config.size()));
            if (config.voterCount() > 3 || !config.isVoter(victim) || random.nextInt(4) == 0)
            {
                result = core.removeMember(victim);
            }
        }
        else
        {
            // replace one voter by a learner in one step: joint consensus
            int learner = 0;
            for (int slot = 0; slot < config.size(); slot++)
            {
                if (config.isLearnerSlot(slot))
                {
                    learner = config.memberId(slot);
                }
            }
            if (learner != 0)
            {
                final int[] voters = config.voterIdsInNew();
                voters[random.nextInt(voters.length)] = learner;
                result = core.changeVoters(voters);
            }
        }
        if (result > 0)
        {
            membershipProposals++;
            cluster.endCycle(cluster.node(leader));
        }
    }

    private void restartOne()
    {
        final int n = cluster.size();
        final int start = 1 + random.nextInt(n);
        for (int i = 0; i < n; i++)
        {
            final int id = 1 + (start + i - 1) % n;
            if (!cluster.node(id).isAlive())
            {
                restarts++;
                cluster.restart(id);
                return;
            }
        }
    }

    private int[] shuffled(final int n)
    {
        final int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i + 1;
        }
        for (int i = n - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

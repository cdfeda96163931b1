package io.raftlog.sim;

import io.raftlog.core.RaftCore;
import io.raftlog.core.Role;
import org.agrona.DirectBuffer;

import java.util.SplittableRandom;

/**
 * N members in one thread over a seeded network, disk and clock. Every step takes the next event (a message
 * arriving, a member's tick, a disk sync completing, a timer of the nemesis or the workload), runs one duty cycle of
 * the member it concerns, and then has the invariants checked. A run is a pure function of its seed.
 */
public final class SimCluster
{
    private final SimOptions options;
    private final SplittableRandom random;
    private final EventQueue queue = new EventQueue();
    private final SimNetwork network;
    private final SimNode[] nodes;
    private final int[] memberIds;
    private final InvariantChecker checker;
    private CommitObserver commitObserver;
    private long nowNs;
    private long steps;
    private long crashes;
    private long restarts;
    /** A paused member (SIGSTOP) does nothing until then: its ticks, disk and arriving messages wait. */
    private final long[] pausedUntilNs;
    private long pauses;
    private long highestLeaderTerm;

    /** Told of every commit-index advance, after the checker. */
    public interface CommitObserver
    {
        void onCommit(SimNode node, long commitIndex);
    }

    public SimCluster(final SimOptions options)
    {
        this.options = options;
        this.random = new SplittableRandom(options.seed);
        this.network = new SimNetwork(options.members, random.split(), queue);
        this.nodes = new SimNode[options.members + 1];
        this.memberIds = new int[options.members];
        this.pausedUntilNs = new long[options.members + 1];
        for (int i = 1; i <= options.members; i++)
        {
            memberIds[i - 1] = i;
            nodes[i] = new SimNode(i, this, options.initialStreamBytes, options.initialEntries);
        }
        if (options.clockDrift > 0)
        {
            for (int i = 1; i <= options.members; i++)
            {
                nodes[i].clockRate(1 + (random.nextDouble() * 2 - 1) * options.clockDrift, 0);
            }
        }
        this.checker = options.checkInvariants ? new InvariantChecker(this) : null;
        if (checker != null)
        {
            for (int i = 1; i <= options.members; i++)
            {
                nodes[i].store.observer(checker);
            }
        }
    }

    public void startAll()
    {
        for (int i = 1; i <= options.members; i++)
        {
            start(i);
        }
    }

    public SimOptions options()
    {
        return options;
    }

    public int size()
    {
        return options.members;
    }

    public SimNode node(final int id)
    {
        return nodes[id];
    }

    public SimNetwork network()
    {
        return network;
    }

    EventQueue queue()
    {
        return queue;
    }

    /**
     * Preallocates pooled events big enough for the largest message, for runs that must not allocate.
     */
    public void prefillEvents(final int count)
    {
        queue.prefill(count, options.maxBatchBytes + 256);
    }

    public SplittableRandom random()
    {
        return random;
    }

    public long nowNs()
    {
        return nowNs;
    }

    public long steps()
    {
        return steps;
    }

    public long crashes()
    {
        return crashes;
    }

    public long restarts()
    {
        return restarts;
    }

    public InvariantChecker checker()
    {
        return checker;
    }

    public void commitObserver(final CommitObserver observer)
    {
        this.commitObserver = observer;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Faults
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The member's process dies: its core and everything not synced to its disk are gone.
     */
    public void crash(final int id)
    {
        final SimNode node = nodes[id];
        if (!node.isAlive())
        {
            return;
        }
        node.crash();
        node.store.crash(random, options.keepSomeUnsyncedOnCrash);
        pausedUntilNs[id] = 0;
        crashes++;
    }

    /**
     * Stops the member's process for a while (SIGSTOP, a long GC pause): it keeps its state but notices nothing, and
     * on waking it handles what waited, with its clock having moved on.
     */
    public void pause(final int id, final long durationNs)
    {
        if (nodes[id].isAlive())
        {
            pausedUntilNs[id] = Math.max(pausedUntilNs[id], nowNs + durationNs);
            pauses++;
        }
    }

    public boolean isPaused(final int id)
    {
        return pausedUntilNs[id] > nowNs;
    }

    public long pauses()
    {
        return pauses;
    }

    /**
     * @return the highest term in which any member has become leader so far.
     */
    public long highestLeaderTerm()
    {
        return highestLeaderTerm;
    }

    /**
     * Starts a crashed member again from what its disk kept.
     */
    public void restart(final int id)
    {
        if (nodes[id].isAlive())
        {
            return;
        }
        start(id);
        restarts++;
    }

    private void start(final int id)
    {
        final SimNode node = nodes[id];
        node.start(options.raftConfig(id, memberIds, node.incarnation()), nowNs);
        final SimEvent tick = queue.acquire();
        tick.type = SimEvent.TICK;
        tick.to = id;
        tick.incarnation = node.incarnation();
        queue.schedule(tick, nowNs + 1 + random.nextLong(options.tickIntervalNs));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Running
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Delivers {@code bytes} to member {@code to} as if {@code from} had just sent them, after the given delay,
     * through the network's current links: a captured old message arriving late.
     */
    public void inject(final int from, final int to, final byte[] bytes, final long delayNs)
    {
        final SimEvent event = queue.acquire();
        event.type = SimEvent.DELIVER;
        event.from = from;
        event.to = to;
        event.payload.putBytes(0, bytes);
        event.length = bytes.length;
        queue.schedule(event, nowNs + delayNs);
    }

    public void schedule(final SimActor actor, final long atNs)
    {
        final SimEvent event = queue.acquire();
        event.type = SimEvent.ACTOR;
        event.actor = actor;
        queue.schedule(event, atNs);
    }

    public void runFor(final long durationNs)
    {
        runUntil(nowNs + durationNs);
    }

    public void runUntil(final long timeNs)
    {
        while (!queue.isEmpty() && queue.peekTime() <= timeNs)
        {
            step();
        }
        nowNs = Math.max(nowNs, timeNs);
    }

    public void step()
    {
        final SimEvent event = queue.poll();
        nowNs = event.timeNs;
        steps++;
        if (event.type != SimEvent.ACTOR && isPaused(event.to))
        {
            queue.schedule(event, pausedUntilNs[event.to]); // it waits for the process to wake
            return;
        }
        switch (event.type)
        {
            case SimEvent.DELIVER:
            {
                final SimNode node = nodes[event.to];
                if (node.isAlive() && network.canDeliver(event.from, event.to))
                {
                    network.onDelivered();
                    node.dispatcher().onMessage(event.payload, 0, event.length);
                    endCycle(node);
                }
                queue.release(event);
                break;
            }
            case SimEvent.TICK:
            {
                final SimNode node = nodes[event.to];
                if (node.isAlive() && node.incarnation() == event.incarnation)
                {
                    node.core().tick(node.localNs(nowNs));
                    endCycle(node);
                    queue.schedule(event, nowNs + options.tickIntervalNs);
                }
                else
                {
                    queue.release(event);
                }
                break;
            }
            case SimEvent.SYNC_DONE:
            {
                final SimNode node = nodes[event.to];
                if (node.isAlive() && node.incarnation() == event.incarnation)
                {
                    node.syncInFlight = false;
                    final long durable = node.store.sync();
                    node.core().onLogDurable(durable, node.store.termAt(durable));
                    endCycle(node);
                }
                queue.release(event);
                break;
            }
            case SimEvent.ACTOR:
            {
                final SimActor actor = event.actor;
                queue.release(event);
                actor.onTimer(nowNs);
                break;
            }
            default:
                throw new IllegalStateException("unknown event " + event.type);
        }
        if (checker != null)
        {
            checker.afterStep();
        }
    }

    /**
     * The end of a member's duty cycle: flush the core, then start a disk sync if there is something to sync and
     * none is running (group commit: one sync covers everything written before it completes).
     */
    void endCycle(final SimNode node)
    {
        node.maybeSnapshot(options);
        node.core().flush();
        if (!node.syncInFlight && node.store.hasUnsyncedWrites())
        {
            node.syncInFlight = true;
            final SimEvent sync = queue.acquire();
            sync.type = SimEvent.SYNC_DONE;
            sync.to = node.id;
            sync.incarnation = node.incarnation();
            final long spread = options.maxDiskSyncNs - options.minDiskSyncNs;
            queue.schedule(sync, nowNs + options.minDiskSyncNs + (spread > 0 ? random.nextLong(spread) : 0));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Client side
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Offers a payload at member {@code id} as the application in its process would, and ends its duty cycle.
     *
     * @return the index or a negative OfferResult.
     */
    public long offer(final int id, final DirectBuffer payload, final int offset, final int length)
    {
        final SimNode node = nodes[id];
        if (!node.isAlive())
        {
            return io.raftlog.core.OfferResult.NOT_LEADER;
        }
        final long result = node.core().offer(payload, offset, length);
        endCycle(node);
        return result;
    }

    /**
     * @return the live leader with the highest term, or 0 when there is none.
     */
    public int leader()
    {
        int leader = 0;
        long bestTerm = -1;
        for (int i = 1; i <= options.members; i++)
        {
            final SimNode node = nodes[i];
            if (node.isAlive() && node.core().role() == Role.LEADER && node.core().currentTerm() > bestTerm)
            {
                bestTerm = node.core().currentTerm();
                leader = i;
            }
        }
        return leader;
    }

    /**
     * @return how many live members consider the entry at {@code index} committed, all with the same contents;
     * -1 if two of them disagree.
     */
    public int committedCount(final long index)
    {
        int count = 0;
        long hash = 0;
        for (int i = 1; i <= options.members; i++)
        {
            final SimNode node = nodes[i];
            if (node.isAlive() && node.core().commitIndex() >= index)
            {
                final long h = node.store.prefixHash(index);
                if (count > 0 && h != hash)
                {
                    return -1;
                }
                hash = h;
                count++;
            }
        }
        return count;
    }

    void onCommit(final SimNode node, final long commitIndex)
    {
        if (checker != null)
        {
            checker.onCommit(node, commitIndex);
        }
        if (commitObserver != null)
        {
            commitObserver.onCommit(node, commitIndex);
        }
    }

    void onSnapshotInstalled(final SimNode node, final long index, final long hash)
    {
        if (checker != null)
        {
            checker.onSnapshotInstalled(node, index, hash);
        }
    }

    void onLeader(final SimNode node, final long term)
    {
        highestLeaderTerm = Math.max(highestLeaderTerm, term);
        if (checker != null)
        {
            checker.onLeader(node, term);
        }
    }

    RaftCore core(final int id)
    {
        return nodes[id].core();
    }
}

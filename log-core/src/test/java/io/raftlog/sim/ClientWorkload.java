package io.raftlog.sim;

import org.agrona.collections.LongArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;

/**
 * A client that offers uniquely numbered entries to whoever leads, and counts an entry acknowledged only when the
 * member it offered to commits it while still leading the term it offered in, with the same contents at the same
 * index: what an embedded application would be told.
 */
public final class ClientWorkload implements SimActor, SimCluster.CommitObserver
{
    private final SimCluster cluster;
    private final SplittableRandom random;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[256]);
    private final LongArrayQueue pendingIndices = new LongArrayQueue(1024, -1);
    private final LongArrayQueue pendingIds = new LongArrayQueue(1024, -1);
    private final long minIntervalNs;
    private final long maxIntervalNs;
    private final int maxBatch;
    private int pendingLeader;
    private long pendingTerm;
    private long nextId = 1;
    private long offered;
    private long acknowledged;
    private long lastAcknowledgedNs = -1;
    private boolean running = true;

    public ClientWorkload(
        final SimCluster cluster, final long minIntervalNs, final long maxIntervalNs, final int maxBatch)
    {
        this.cluster = cluster;
        this.random = cluster.random().split();
        this.minIntervalNs = minIntervalNs;
        this.maxIntervalNs = maxIntervalNs;
        this.maxBatch = maxBatch;
        cluster.commitObserver(this);
    }

    public void start(final long atNs)
    {
        cluster.schedule(this, atNs);
    }

    public void stop()
    {
        running = false;
    }

    public long offered()
    {
        return offered;
    }

    public long acknowledged()
    {
        return acknowledged;
    }

    public long lastAcknowledgedNs()
    {
        return lastAcknowledgedNs;
    }

    public void onTimer(final long nowNs)
    {
        if (!running)
        {
            return;
        }
        final int leader = cluster.leader();
        if (leader != 0)
        {
            final long term = cluster.node(leader).core().currentTerm();
            if (leader != pendingLeader || term != pendingTerm)
            {
                // what was pending at the old leader has an unknown outcome: never acknowledged
                pendingIndices.clear();
                pendingIds.clear();
                pendingLeader = leader;
                pendingTerm = term;
            }
            final int batch = 1 + random.nextInt(maxBatch);
            for (int i = 0; i < batch; i++)
            {
                final long id = nextId;
                payload.putLong(0, id);
                final int length = 8 + random.nextInt(56);
                final long index = cluster.offer(leader, payload, 0, length);
                if (index <= 0)
                {
                    break;
                }
                nextId++;
                offered++;
                pendingIndices.addLong(index);
                pendingIds.addLong(id);
            }
        }
        cluster.schedule(this, nowNs + minIntervalNs + random.nextLong(maxIntervalNs - minIntervalNs + 1));
    }

    public void onCommit(final SimNode node, final long commitIndex)
    {
        if (node.id != pendingLeader || node.core().currentTerm() != pendingTerm)
        {
            return;
        }
        while (!pendingIndices.isEmpty() && pendingIndices.peekLong() <= commitIndex)
        {
            final long index = pendingIndices.pollLong();
            final long id = pendingIds.pollLong();
            if (node.store.payloadIdAt(index) == id)
            {
                acknowledged++;
                lastAcknowledgedNs = cluster.nowNs();
                if (cluster.checker() != null)
                {
                    cluster.checker().onAcknowledged(index, node.store.checksumAt(index));
                }
            }
        }
    }
}

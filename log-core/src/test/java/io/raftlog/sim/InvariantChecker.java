package io.raftlog.sim;

import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raft's safety properties (paper figure 3), checked as the simulation runs:
 * <ul>
 *     <li>Election safety: at most one leader per term.</li>
 *     <li>Log matching: two logs with an entry of the same index and term agree on everything up to it
 *     (checked on every append through rolling prefix hashes).</li>
 *     <li>Leader completeness: a leader of term T holds every entry committed in terms before T.</li>
 *     <li>State machine safety: a committed entry never changes, on any member, after any step.</li>
 *     <li>Acknowledged entries are never lost: every entry a client was told is committed stays at its index.</li>
 * </ul>
 * Violations are collected, not thrown, so a run reports all it saw with its seed.
 */
public final class InvariantChecker implements SimLogStore.AppendObserver
{
    private final SimCluster cluster;
    private final Long2LongHashMap leaderOfTerm = new Long2LongHashMap(0);
    private final Long2LongHashMap prefixOfEntry = new Long2LongHashMap(0);
    private final TreeMap<Long, Long> maxCommittedByTerm = new TreeMap<>();
    private final Long2LongHashMap acknowledged = new Long2LongHashMap(-1);
    private long[] committedPrefix = new long[1 << 14];
    private long committedMax;
    private long configurationChanges;
    private long snapshotsInstalled;
    private final List<String> violations = new ArrayList<>();

    InvariantChecker(final SimCluster cluster)
    {
        this.cluster = cluster;
    }

    public List<String> violations()
    {
        return violations;
    }

    /**
     * @return how many terms had a leader.
     */
    public long leadersElected()
    {
        return leaderOfTerm.size();
    }

    public long configurationChanges()
    {
        return configurationChanges;
    }

    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    long committedPrefixAt(final long index)
    {
        return index <= committedMax ? committedPrefix[(int)index] : 0;
    }

    public long committedMax()
    {
        return committedMax;
    }

    public long acknowledgedCount()
    {
        return acknowledged.size();
    }

    void violation(final String what)
    {
        if (violations.size() < 20)
        {
            violations.add("t=" + cluster.nowNs() / 1_000_000 + "ms step=" + cluster.steps() + ": " + what);
        }
    }

    public void onAppend(final SimLogStore store, final long index, final long term, final long prefixHash)
    {
        final long key = (index << 20) ^ term;
        final long known = prefixOfEntry.get(key);
        if (known == 0)
        {
            prefixOfEntry.put(key, prefixHash);
        }
        else if (known != prefixHash)
        {
            violation("log matching: member " + store.memberId() + " holds entry (" + index + ", term " + term +
                ") with a different prefix than another member");
        }
        // A member cut off from newer terms may still append stale entries at indices committed elsewhere: that is
        // allowed; committing them is not, and onCommit and afterStep check that.
        if (store.entryTypeAt(index) == io.raftlog.codecs.EntryType.CONFIGURATION.value())
        {
            final SimNode node = cluster.node(store.memberId());
            if (node.isAlive() && node.isLeader() && node.core().currentTerm() == term)
            {
                checkConfigurationChange(node, index, store);
            }
        }
    }

    /**
     * No two disjoint majorities across a configuration change: the configuration a leader appends must share a
     * quorum with the one it replaces (single-server changes, or joint consensus), and the one it replaces must be
     * committed (one change at a time).
     */
    private void checkConfigurationChange(final SimNode leader, final long index, final SimLogStore store)
    {
        final io.raftlog.core.Configuration previous = new io.raftlog.core.Configuration()
            .copyFrom(leader.core().configurationAt(index - 1));
        final byte[] payload = store.payloadAt(index);
        final io.raftlog.core.Configuration next = new io.raftlog.core.Configuration()
            .decode(new org.agrona.concurrent.UnsafeBuffer(payload), 0, payload.length);
        configurationChanges++;
        if (!quorumsOverlap(previous, next))
        {
            violation("configuration change at " + index + " from " + previous + " to " + next +
                " allows two disjoint majorities");
        }
    }

    static boolean quorumsOverlap(final io.raftlog.core.Configuration a, final io.raftlog.core.Configuration b)
    {
        for (int ca = 0; ca < (a.isJoint() ? 2 : 1); ca++)
        {
            for (int cb = 0; cb < (b.isJoint() ? 2 : 1); cb++)
            {
                if (majoritiesAlwaysIntersect(voters(a, ca == 1), voters(b, cb == 1)))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static java.util.Set<Integer> voters(final io.raftlog.core.Configuration c, final boolean newSide)
    {
        final java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (int slot = 0; slot < c.size(); slot++)
        {
            if (newSide ? c.isVoterInNew(slot) : c.isVoterInOld(slot))
            {
                ids.add(c.memberId(slot));
            }
        }
        return ids;
    }

    static boolean majoritiesAlwaysIntersect(final java.util.Set<Integer> x, final java.util.Set<Integer> y)
    {
        final java.util.Set<Integer> both = new java.util.HashSet<>(x);
        both.retainAll(y);
        final int onlyX = x.size() - both.size();
        final int onlyY = y.size() - both.size();
        final int needX = Math.max(0, x.size() / 2 + 1 - onlyX);
        final int needY = Math.max(0, y.size() / 2 + 1 - onlyY);
        // two disjoint majorities exist exactly when both fit into the shared members side by side
        return needX + needY > both.size();
    }

    /**
     * A snapshot a member installed holds exactly the committed log up to its index.
     */
    void onSnapshotInstalled(final SimNode node, final long index, final long hash)
    {
        snapshotsInstalled++;
        if (index > committedMax)
        {
            violation("member " + node.id + " installed a snapshot at " + index + " beyond anything committed");
        }
        else if (committedPrefix[(int)index] != hash)
        {
            violation("member " + node.id + " installed a snapshot at " + index + " that differs from the committed log");
        }
    }

    /**
     * A leader commits only what a quorum of voters of its configuration holds durably: learners never count.
     */
    private void checkDurableQuorum(final SimNode leader, final long index)
    {
        final io.raftlog.core.Configuration config = leader.core().configuration();
        long holders = 0;
        for (int slot = 0; slot < config.size(); slot++)
        {
            final int id = config.memberId(slot);
            if (id < 1 || id > cluster.size())
            {
                continue;
            }
            final SimLogStore store = cluster.node(id).store;
            final boolean covered = store.baseIndex() >= index ||
                (store.durableIndex() >= index && store.prefixHash(index) == leader.store.prefixHash(index));
            if (covered)
            {
                holders |= 1L << slot;
            }
        }
        if (!config.isQuorum(holders))
        {
            violation("leader " + leader.id + " committed " + index + " without a durable quorum of voters of " + config);
        }
    }

    void onLeader(final SimNode node, final long term)
    {
        final long previous = leaderOfTerm.get(term);
        if (previous != 0 && previous != node.id)
        {
            violation("election safety: members " + previous + " and " + node.id + " both leader in term " + term);
        }
        leaderOfTerm.put(term, node.id);
        // leader completeness: everything committed in earlier terms
        final Map.Entry<Long, Long> floor = maxCommittedBefore(term);
        if (floor != null)
        {
            final long required = floor.getValue();
            if (!holds(node.store, required))
            {
                violation("leader completeness: leader " + node.id + " of term " + term + " lacks entries committed " +
                    "up to " + required + " (its last index " + node.store.lastIndex() + ")");
            }
        }
        checkAcknowledgedHeldBy(node, "new leader " + node.id + " of term " + term);
    }

    void onCommit(final SimNode node, final long commitIndex)
    {
        final SimLogStore store = node.store;
        if (node.isLeader() && commitIndex > store.baseIndex())
        {
            checkDurableQuorum(node, commitIndex);
        }
        if (store.lastIndex() < commitIndex)
        {
            violation("member " + node.id + " commits " + commitIndex + " beyond its last index " + store.lastIndex());
            return;
        }
        if (commitIndex > committedMax)
        {
            ensureCapacity(commitIndex);
            for (long i = committedMax + 1; i <= commitIndex; i++)
            {
                committedPrefix[(int)i] = store.prefixHash(i);
            }
            // what was committed before must be a prefix of what is committed now
            if (committedMax > 0 && store.prefixHash(committedMax) != committedPrefix[(int)committedMax])
            {
                violation("state machine safety: member " + node.id + " commits up to " + commitIndex +
                    " over a different prefix than committed before at " + committedMax);
            }
            committedMax = commitIndex;
        }
        else if (store.prefixHash(commitIndex) != committedPrefix[(int)commitIndex])
        {
            violation("state machine safety: member " + node.id + " committed a different entry at " + commitIndex);
        }
        final long term = node.core().currentTerm();
        final Long known = maxCommittedByTerm.get(term);
        if (known == null || known < commitIndex)
        {
            maxCommittedByTerm.put(term, commitIndex);
        }
        // a leader of a later term must already hold what this term committed
        for (int id = 1; id <= cluster.size(); id++)
        {
            final SimNode other = cluster.node(id);
            if (other.isAlive() && other.isLeader() && other.core().currentTerm() > term)
            {
                if (!holds(other.store, commitIndex))
                {
                    violation("leader completeness: leader " + id + " of term " + other.core().currentTerm() +
                        " lacks index " + commitIndex + " committed in term " + term);
                }
            }
        }
    }

    /**
     * The client was told the entry at {@code index}, with record checksum {@code checksum}, is committed.
     */
    void onAcknowledged(final long index, final int checksum)
    {
        if (index > committedMax)
        {
            violation("acknowledged index " + index + " beyond anything committed (" + committedMax + ")");
        }
        acknowledged.put(index, checksum & 0xFFFFFFFFL);
    }

    void afterStep()
    {
        for (int id = 1; id <= cluster.size(); id++)
        {
            final SimNode node = cluster.node(id);
            if (!node.isAlive())
            {
                continue;
            }
            final long commit = node.core().commitIndex();
            if (commit > 0)
            {
                if (node.store.lastIndex() < commit || node.store.prefixHash(commit) != committedPrefix[(int)commit])
                {
                    violation("state machine safety: member " + id + " no longer holds its committed prefix up to " +
                        commit);
                }
            }
        }
    }

    /**
     * Every acknowledged entry is present, unchanged, in the member's log.
     */
    public void checkAcknowledgedHeldBy(final SimNode node, final String who)
    {
        final Long2LongHashMap.KeyIterator keys = acknowledged.keySet().iterator();
        while (keys.hasNext())
        {
            final long index = keys.nextValue();
            final long checksum = acknowledged.get(index);
            if (index <= node.store.baseIndex())
            {
                continue; // compacted: its snapshot was checked against the committed log when installed
            }
            if (node.store.lastIndex() < index || (node.store.checksumAt(index) & 0xFFFFFFFFL) != checksum)
            {
                violation("acknowledged entry " + index + " missing or changed at " + who);
                return;
            }
        }
    }

    /**
     * @return whether the store holds the committed log up to {@code index}: in its log, or compacted into a
     * snapshot (which was checked against the committed log when made or installed).
     */
    private boolean holds(final SimLogStore store, final long index)
    {
        if (index <= store.baseIndex())
        {
            return true;
        }
        return store.lastIndex() >= index && store.prefixHash(index) == committedPrefix[(int)index];
    }

    private Map.Entry<Long, Long> maxCommittedBefore(final long term)
    {
        Map.Entry<Long, Long> best = null;
        for (final Map.Entry<Long, Long> e : maxCommittedByTerm.headMap(term, false).entrySet())
        {
            if (best == null || e.getValue() > best.getValue())
            {
                best = e;
            }
        }
        return best;
    }

    private void ensureCapacity(final long index)
    {
        if (index >= committedPrefix.length)
        {
            committedPrefix = Arrays.copyOf(committedPrefix, Math.max((int)index + 1, committedPrefix.length * 2));
        }
    }
}

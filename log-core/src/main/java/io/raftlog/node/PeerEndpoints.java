package io.raftlog.node;

import io.raftlog.core.Configuration;
import io.raftlog.core.LogStore;
import io.raftlog.core.RaftCore;
import io.raftlog.transport.PeerLinks;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.IntHashSet;

import java.util.Map;

/**
 * Keeps the transport's peers in line with the membership: the members of the configuration in effect (every member
 * of a joint configuration, old and new, learners included), each at the endpoint its configuration entry names,
 * else at the one given at startup. The node calls {@link #update(RaftCore)} once per duty cycle; it costs a few long
 * compares unless the configuration changed, which is rare and may allocate (endpoint strings, publications).
 *
 * <h2>Noticing a change</h2>
 * The configuration in effect is named by its index and that entry's term: by the log matching property no two
 * different entries share both, so a conflicting suffix dropped and replaced at the same index within one duty cycle
 * (a configuration of a deposed leader overwritten by the new leader's) is still seen. A spurious change (the
 * leader's staged entry reaching its log, compaction) only re-runs an idempotent reconcile.
 *
 * <h2>Members that leave</h2>
 * A member that the tracker saw in the configuration and no longer sees there is <em>retiring</em>: its link stays
 * open until the configuration that left it out is committed on this node, then it is closed and the member becomes
 * foreign (its messages are counted and dropped). Not before: a configuration is in effect as soon as it is in the
 * log (dissertation 4.1), committed or not, and an uncommitted one may be dropped with a conflicting suffix, bringing
 * the member back; and until it commits, the member may still be needed to decide it (a member that removed itself
 * and then lost its leadership must be able to win back the cluster to finish the change, see the core's
 * {@code Membership.canCampaign}). Once committed, nothing the core does needs the member: a leader replicates only to
 * the members of its configuration, so the removed member is never sent the entry that removed it, nor its commit
 * (as in etcd and the dissertation, 4.2.2). It is harmless: it stops hearing heartbeats and keeps asking for
 * (pre-)votes that the remaining members drop, as they no longer know it (and pre-vote and check-quorum would keep it
 * from disrupting them anyway, 4.2.3). Its operator shuts it down.
 * <p>
 * An endpoint given at startup for a member the configuration does not include (and never did while this tracker
 * ran) is kept: the operator named it, and it lets this member hear and answer a member its own log does not know
 * yet, such as a leader added while this member was away.
 */
public final class PeerEndpoints
{
    private final int selfId;
    private final PeerLinks links;
    private final LogStore log;
    private final Int2ObjectHashMap<String> startupEndpoints = new Int2ObjectHashMap<>();
    /** Member id to the endpoint its link is open at. */
    private final Int2ObjectHashMap<String> open = new Int2ObjectHashMap<>();
    private IntHashSet members = new IntHashSet();
    private IntHashSet nextMembers = new IntHashSet();
    private final IntHashSet retiring = new IntHashSet();
    private final IntArrayList scratch = new IntArrayList();
    private long seenIndex = Long.MIN_VALUE;
    private long seenTerm = Long.MIN_VALUE;
    private long retireAtCommitIndex;
    private int withoutEndpoint;
    private long reconciles;

    /**
     * @param endpoints the endpoints given at startup, this member's included: the links the transport already has.
     * @param log       the member's log, to name the configuration in effect by the term of its entry.
     */
    public PeerEndpoints(
        final int selfId, final Map<Integer, String> endpoints, final PeerLinks links, final LogStore log)
    {
        this.selfId = selfId;
        this.links = links;
        this.log = log;
        for (final Map.Entry<Integer, String> e : endpoints.entrySet())
        {
            if (e.getKey() != selfId)
            {
                startupEndpoints.put(e.getKey().intValue(), e.getValue());
                open.put(e.getKey().intValue(), e.getValue());
            }
        }
    }

    /**
     * Once per duty cycle, on the node's thread.
     *
     * @return the work done: links opened or closed.
     */
    public int update(final RaftCore core)
    {
        final long index = core.configurationIndex();
        return update(core.configuration(), index, log.termAt(index), core.commitIndex());
    }

    /**
     * {@link #update(RaftCore)} with the core's answers given.
     *
     * @param configurationIndex the index of the configuration in effect (0: the bootstrap one).
     * @param configurationTerm  the term of its entry (any value that changes with the entry at that index).
     */
    int update(
        final Configuration configuration,
        final long configurationIndex,
        final long configurationTerm,
        final long commitIndex)
    {
        int work = 0;
        if (configurationIndex != seenIndex || configurationTerm != seenTerm)
        {
            seenIndex = configurationIndex;
            seenTerm = configurationTerm;
            work += reconcile(configuration, configurationIndex);
        }
        if (!retiring.isEmpty() && commitIndex >= retireAtCommitIndex)
        {
            work += retire();
        }
        return work;
    }

    private int reconcile(final Configuration configuration, final long configurationIndex)
    {
        reconciles++;
        int work = 0;
        int missing = 0;
        nextMembers.clear();
        for (int slot = 0; slot < configuration.size(); slot++)
        {
            final int id = configuration.memberId(slot);
            if (id == selfId)
            {
                continue;
            }
            nextMembers.add(id);
            retiring.remove(id);
            String endpoint = configuration.endpoint(id);
            if (endpoint == null)
            {
                endpoint = startupEndpoints.get(id);
            }
            if (endpoint == null)
            {
                // unreachable: a member added by id only, never given an endpoint; a later entry may name one
                missing += open.containsKey(id) ? 0 : 1;
                continue;
            }
            if (!endpoint.equals(open.get(id)))
            {
                links.openPeer(id, endpoint);
                open.put(id, endpoint);
                work++;
            }
        }
        for (final IntHashSet.IntIterator it = members.iterator(); it.hasNext(); )
        {
            final int id = it.nextValue();
            if (!nextMembers.contains(id) && open.containsKey(id))
            {
                retiring.add(id);
            }
        }
        final IntHashSet swap = members;
        members = nextMembers;
        nextMembers = swap;
        // every configuration before the one in effect is committed (a leader appends one only once the one before
        // is committed), so once this one is, those left out are out for good
        retireAtCommitIndex = configurationIndex;
        withoutEndpoint = missing;
        return work;
    }

    private int retire()
    {
        scratch.clear();
        for (final IntHashSet.IntIterator it = retiring.iterator(); it.hasNext(); )
        {
            scratch.addInt(it.nextValue());
        }
        retiring.clear();
        for (int i = 0; i < scratch.size(); i++)
        {
            final int id = scratch.getInt(i);
            links.closePeer(id);
            open.remove(id);
        }
        return scratch.size();
    }

    /**
     * @return whether the link to {@code memberId} is open (for tests and diagnostics).
     */
    public boolean isOpen(final int memberId)
    {
        return open.containsKey(memberId);
    }

    /**
     * @return whether {@code memberId} left the configuration and waits for that to commit before its link closes.
     */
    public boolean isRetiring(final int memberId)
    {
        return retiring.contains(memberId);
    }

    /**
     * @return members of the configuration in effect that no endpoint is known for: unreachable from this member.
     */
    public int membersWithoutEndpoint()
    {
        return withoutEndpoint;
    }

    /**
     * @return how many times the configuration in effect was found changed.
     */
    public long reconciles()
    {
        return reconciles;
    }
}

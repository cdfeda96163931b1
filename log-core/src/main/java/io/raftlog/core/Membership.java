package io.raftlog.core;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Who this member believes is in the cluster, and the leader's progress for each of them. The configuration in
 * effect is the latest in the log, committed or not (dissertation 4.1); this class keeps the configurations of the
 * log so that one dropped with a conflicting suffix gives way to the one before, and lines up the per-member
 * progress with the slots of the configuration in effect whenever it changes.
 */
final class Membership
{
    private static final int MAX_MEMBERS = RaftConfig.MAX_MEMBERS;

    private final int selfId;
    private final int maxInflightMessages;
    private final int maxInflightBytes;
    private final int readBatchBytes;
    private final Configuration bootstrap = new Configuration();
    private final ConfigurationHistory history = new ConfigurationHistory();
    private final Configuration decoded = new Configuration();
    private final ExpandableArrayBuffer readBuffer;
    private final ExpandableArrayBuffer configurationBuffer = new ExpandableArrayBuffer(1024);
    private final PeerProgress[] peers = new PeerProgress[MAX_MEMBERS];
    private final PeerProgress[] previousPeers = new PeerProgress[MAX_MEMBERS];
    private Configuration config;
    private int selfSlot = -1;

    Membership(final RaftConfig raftConfig)
    {
        this.selfId = raftConfig.selfId();
        this.maxInflightMessages = raftConfig.maxInflightMessages();
        this.maxInflightBytes = raftConfig.maxInflightBytes();
        this.readBatchBytes = raftConfig.maxBatchBytes();
        this.readBuffer = new ExpandableArrayBuffer(readBatchBytes);
        for (final int id : raftConfig.memberIds())
        {
            bootstrap.put(id, true, true, false, null);
        }
        for (final int id : raftConfig.learnerIds())
        {
            bootstrap.put(id, false, false, false, null);
        }
        history.reset(0, bootstrap);
        apply(0, 0);
    }

    Configuration config()
    {
        return config;
    }

    int selfSlot()
    {
        return selfSlot;
    }

    int size()
    {
        return config.size();
    }

    /**
     * @return the leader's progress for the member in {@code slot}; null for this member's own slot.
     */
    PeerProgress peer(final int slot)
    {
        return peers[slot];
    }

    long latestIndex()
    {
        return history.latestIndex();
    }

    Configuration at(final long index)
    {
        return history.at(index);
    }

    boolean isSelfVoter()
    {
        return selfSlot >= 0 && config.isVoterSlot(selfSlot);
    }

    /**
     * A member campaigns if it votes in the configuration in effect, or in the one that configuration replaced, which
     * is committed (a leader appends a configuration only once the one before is committed) while the latest may
     * not be: that change may never take hold, and a leader that removed itself and then lost its majority must
     * still be able to win back the cluster to finish it (otherwise the member with the longest log would refuse
     * every other candidate and never stand itself). The commit index cannot tell: it is volatile and starts at the
     * snapshot after a restart. Votes are counted by the configuration in effect, where this member's own vote may
     * not count; a removed member elected this way commits the change and steps down. Once this member knows the
     * latest configuration is committed, only that one counts.
     */
    boolean canCampaign(final long commitIndex)
    {
        return isSelfVoter() || (history.latestIndex() > commitIndex && history.previous().isVoter(selfId));
    }

    /**
     * At start: the snapshot's configuration, else the bootstrap members, then every configuration in the log.
     *
     * @return true as the configuration is (re)applied.
     */
    boolean load(final SnapshotStore snapshots, final LogStore log, final long nowNs)
    {
        final long snapshotIndex = snapshots.lastIncludedIndex();
        if (snapshotIndex > 0)
        {
            final int length = snapshots.readConfiguration(configurationBuffer, 0);
            history.reset(snapshotIndex, decoded.decode(configurationBuffer, 0, length));
        }
        else
        {
            history.reset(0, bootstrap);
        }
        scan(log, Math.max(log.baseIndex(), snapshotIndex) + 1);
        return apply(log.lastIndex(), nowNs);
    }

    /**
     * A snapshot replaced the log up to {@code index}: its configuration is the base; the log kept after it may
     * hold newer ones.
     */
    boolean installed(
        final long index, final DirectBuffer configuration, final int offset, final int length, final LogStore log,
        final long nowNs)
    {
        history.reset(index, decoded.decode(configuration, offset, length));
        scan(log, index + 1);
        return apply(log.lastIndex(), nowNs);
    }

    /**
     * The leader appends a new configuration: it takes effect at once.
     */
    boolean appended(final long index, final Configuration configuration, final long leaderLastIndex, final long nowNs)
    {
        history.append(index, configuration);
        return apply(leaderLastIndex, nowNs);
    }

    /**
     * Entries from the leader were appended from {@code firstIndex}: any configuration among them takes effect.
     *
     * @return whether the configuration in effect changed.
     */
    boolean onEntriesAppended(
        final long firstIndex, final DirectBuffer entries, final int offset, final int count, final long nowNs)
    {
        int position = offset;
        boolean changed = false;
        for (int i = 0; i < count; i++)
        {
            if (isConfiguration(entries, position))
            {
                history.append(firstIndex + i, decodeEntry(entries, position));
                changed = true;
            }
            position += LogEntryCodec.recordLength(entries, position);
        }
        return changed && apply(firstIndex + count - 1, nowNs);
    }

    /**
     * @return whether the configuration in effect changed (it was among the dropped entries).
     */
    boolean truncateFrom(final long index, final long lastIndex, final long nowNs)
    {
        return history.truncateFrom(index) && apply(lastIndex, nowNs);
    }

    void compactTo(final long index)
    {
        history.compactTo(index);
    }

    private void scan(final LogStore log, final long fromIndex)
    {
        long index = Math.max(fromIndex, log.baseIndex() + 1);
        while (index <= log.lastIndex())
        {
            final int length = log.copyRecords(index, readBatchBytes, readBuffer, 0);
            int position = 0;
            while (position < length)
            {
                if (isConfiguration(readBuffer, position))
                {
                    history.append(index, decodeEntry(readBuffer, position));
                }
                position += LogEntryCodec.recordLength(readBuffer, position);
                index++;
            }
        }
    }

    private static boolean isConfiguration(final DirectBuffer records, final int position)
    {
        return LogEntryCodec.entryTypeCode(records, position) == EntryType.CONFIGURATION.value();
    }

    private Configuration decodeEntry(final DirectBuffer records, final int position)
    {
        return decoded.decode(records, LogEntryCodec.payloadOffset(position), LogEntryCodec.payloadLength(records, position));
    }

    /**
     * The configuration in effect is the latest: find this member's slot and line up per-member progress with the
     * new slots, keeping what the leader knows of members that stay; new members start as a new leader's would.
     *
     * @return true.
     */
    private boolean apply(final long lastIndex, final long nowNs)
    {
        for (int slot = 0; slot < MAX_MEMBERS; slot++)
        {
            previousPeers[slot] = peers[slot];
            peers[slot] = null;
        }
        config = history.latest();
        selfSlot = config.slotOf(selfId);
        for (int slot = 0; slot < config.size(); slot++)
        {
            final int id = config.memberId(slot);
            if (id != selfId)
            {
                PeerProgress progress = null;
                for (int old = 0; old < MAX_MEMBERS && progress == null; old++)
                {
                    if (previousPeers[old] != null && previousPeers[old].memberId == id)
                    {
                        progress = previousPeers[old];
                    }
                }
                if (progress == null)
                {
                    progress = new PeerProgress(id, maxInflightMessages, maxInflightBytes);
                    progress.resetForNewLeader(lastIndex, nowNs);
                }
                peers[slot] = progress;
            }
        }
        for (int slot = 0; slot < MAX_MEMBERS; slot++)
        {
            previousPeers[slot] = null;
        }
        return true;
    }
}

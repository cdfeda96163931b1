package io.raftlog.core;

import io.raftlog.codecs.LogEntryCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The leader's sending side, one follower at a time: probing where a follower's log matches, pipelining batches to
 * one that is up to date within its inflight window, heartbeats, and the snapshot, chunk by chunk, to one that
 * needs entries already compacted away. Raft's rules for what the answers mean stay in the core.
 */
final class Replicator
{
    private static final long NOT_SENT = -1;

    private final int selfId;
    private final int maxBatchBytes;
    private final long heartbeatIntervalNs;
    private final LogStore log;
    private final SnapshotStore snapshots;
    private final PeerTransport transport;
    private final EntryBatch batch;
    private final ExpandableArrayBuffer sendBuffer;
    private final ExpandableArrayBuffer configurationBuffer = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer emptyBuffer = new UnsafeBuffer(new byte[0]);
    private long term;
    private long commitIndex;
    private long nowNs;
    private long readSeq;

    Replicator(
        final RaftConfig config,
        final LogStore log,
        final SnapshotStore snapshots,
        final PeerTransport transport,
        final EntryBatch batch)
    {
        this.selfId = config.selfId();
        this.maxBatchBytes = config.maxBatchBytes();
        this.heartbeatIntervalNs = config.heartbeatIntervalNs();
        this.log = log;
        this.snapshots = snapshots;
        this.transport = transport;
        this.batch = batch;
        this.sendBuffer = new ExpandableArrayBuffer(maxBatchBytes);
    }

    /**
     * What every message sent until the next call carries.
     */
    Replicator context(final long term, final long commitIndex, final long nowNs, final long readSeq)
    {
        this.term = term;
        this.commitIndex = commitIndex;
        this.nowNs = nowNs;
        this.readSeq = readSeq;
        return this;
    }

    /**
     * @return the amount of work done.
     */
    int heartbeat(final PeerProgress peer)
    {
        if (peer.state == PeerProgress.PROBE)
        {
            peer.probeSent = false; // resend the probe in this cycle's flush
            return 0;
        }
        if (peer.state == PeerProgress.SNAPSHOT)
        {
            peer.chunkInFlight = false; // resend the chunk in this cycle's flush
            return 0;
        }
        if (!peer.inflight.isEmpty() && nowNs - peer.lastProgressNs >= 2 * heartbeatIntervalNs)
        {
            // No acknowledgement for two heartbeats with entries in flight: assume some were lost and go back to
            // where the follower is known to match.
            peer.becomeProbe(peer.matchIndex + 1);
            return 1;
        }
        // checked at the follower's match index, which it is known to hold, so a heartbeat that overtakes
        // AppendEntries still in flight is not rejected
        final long prev = peer.matchIndex;
        transport.sendAppendEntries(
            peer.memberId, term, selfId, prev, log.termAt(prev), commitIndex, 0, emptyBuffer, 0, 0, readSeq, nowNs);
        return 1;
    }

    /**
     * @return the amount of work done.
     */
    int replicate(final PeerProgress peer)
    {
        final long lastIndex = log.lastIndex();
        if (peer.state != PeerProgress.SNAPSHOT && peer.nextIndex <= log.baseIndex())
        {
            // the entries it needs are compacted away: send the snapshot (dissertation 5.3)
            peer.becomeSnapshot(snapshots.lastIncludedIndex());
        }
        if (peer.state == PeerProgress.SNAPSHOT)
        {
            return sendSnapshotChunk(peer);
        }
        if (peer.state == PeerProgress.PROBE)
        {
            if (peer.probeSent || sendEntries(peer, Math.min(peer.nextIndex, lastIndex + 1), lastIndex) == NOT_SENT)
            {
                return 0;
            }
            peer.probeSent = true;
            return 1;
        }
        int work = 0;
        while (peer.nextIndex <= lastIndex)
        {
            final long sentUpTo = sendEntries(peer, peer.nextIndex, lastIndex);
            if (sentUpTo == NOT_SENT)
            {
                break;
            }
            peer.nextIndex = sentUpTo + 1;
            work++;
        }
        return work;
    }

    /**
     * Sends one AppendEntries from {@code fromIndex}, as large as a batch and the inflight window allow.
     *
     * @return the last index sent (fromIndex - 1 for an empty probe), or {@link #NOT_SENT}.
     */
    private long sendEntries(final PeerProgress peer, final long fromIndex, final long lastIndex)
    {
        final long prevIndex = fromIndex - 1;
        final long prevTerm = log.termAt(prevIndex);
        if (fromIndex > lastIndex)
        {
            return transport.sendAppendEntries(
                peer.memberId, term, selfId, prevIndex, prevTerm, commitIndex, 0, emptyBuffer, 0, 0, readSeq, nowNs) ?
                prevIndex : NOT_SENT;
        }

        final DirectBuffer records;
        final int length;
        final int count;
        if (batch.lastAppendedStartsAt(fromIndex))
        {
            // The common case: the follower is up to date, so it needs exactly this cycle's batch.
            records = batch.records();
            length = batch.lastAppendedBytes();
            count = batch.lastAppendedCount();
        }
        else
        {
            length = log.copyRecords(fromIndex, maxBatchBytes, sendBuffer, 0);
            count = countRecords(sendBuffer, length);
            records = sendBuffer;
        }
        if (peer.state == PeerProgress.REPLICATE && !peer.inflight.canSend(length))
        {
            return NOT_SENT;
        }
        final long lastSent = fromIndex + count - 1;
        if (!transport.sendAppendEntries(
            peer.memberId, term, selfId, prevIndex, prevTerm, commitIndex, count, records, 0, length, readSeq, nowNs))
        {
            return NOT_SENT;
        }
        if (peer.state == PeerProgress.REPLICATE)
        {
            if (peer.inflight.isEmpty())
            {
                peer.lastProgressNs = nowNs;
            }
            peer.inflight.add(lastSent, length);
        }
        return lastSent;
    }

    private int sendSnapshotChunk(final PeerProgress peer)
    {
        if (peer.chunkInFlight)
        {
            return 0;
        }
        if (peer.snapshotIndex != snapshots.lastIncludedIndex())
        {
            peer.becomeSnapshot(snapshots.lastIncludedIndex()); // a newer snapshot: start over with it
        }
        final long length = snapshots.length();
        final int configurationLength = snapshots.readConfiguration(configurationBuffer, 0);
        final int chunkLength = (int)Math.min(length - peer.snapshotOffset,
            Math.max(1, maxBatchBytes - configurationLength - 128));
        final int read = chunkLength <= 0 ? 0 : snapshots.read(peer.snapshotOffset, sendBuffer, 0, chunkLength);
        final boolean last = peer.snapshotOffset + read >= length;
        if (!transport.sendInstallSnapshot(
            peer.memberId,
            term,
            selfId,
            peer.snapshotIndex,
            snapshots.lastIncludedTerm(),
            peer.snapshotOffset,
            length,
            last,
            configurationBuffer,
            0,
            configurationLength,
            sendBuffer,
            0,
            read))
        {
            return 0;
        }
        peer.chunkInFlight = true;
        return 1;
    }

    private static int countRecords(final DirectBuffer records, final int length)
    {
        int count = 0;
        int position = 0;
        while (position < length)
        {
            position += LogEntryCodec.recordLength(records, position);
            count++;
        }
        return count;
    }
}

package io.raftlog.fuzz;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.MetaStore;
import io.raftlog.core.PeerTransport;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.sim.SimMetaStore;
import io.raftlog.sim.SimSnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One member as the peer port sees it: a real {@link RaftCore} over in-memory stores (the simulator's metadata and
 * snapshot stores, and a {@link WindowLogStore} that takes any index a peer may name), behind the real
 * {@link PeerMessageDispatcher}, with a transport that only counts what the core sends. Built in one of a few states
 * reached the way a member reaches them (messages, ticks, storage completions), so fuzz input starts where the
 * interesting decisions are: a follower with a log and a known leader, a leader with followers in replicate state, a
 * candidate of a five-member cluster.
 * <p>
 * Times: the election timeout is 100 ms, heartbeats every 10 ms.
 */
final class PeerNode implements PeerTransport, RaftListener
{
    static final long MS = 1_000_000L;
    static final int SELF = 1;
    static final int STATES = 3;

    private static final long ELECTION_TIMEOUT_NS = 100 * MS;
    private static final long HEARTBEAT_NS = 10 * MS;
    private static final long[] FOLLOWER_LOG = {1, 1, 2, 2, 3};
    private static final long[] LEADER_LOG = {1, 1, 2};
    private static final long[] CANDIDATE_LOG = {1, 2};

    final int[] memberIds;
    final WindowLogStore log;
    final SimMetaStore meta;
    final SimSnapshotStore snapshots;
    final RaftCore core;
    final PeerMessageDispatcher dispatcher;
    long nowNs;
    long messagesSent;
    long commitsReported;
    long lastReportedCommit;
    long readsAnswered;

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private final RaftListener downstream;

    /**
     * @param state      0 follower, 1 leader, 2 candidate.
     * @param preVote    the pre-vote phase (dissertation 9.6).
     * @param leaseReads lease reads, and with them check-quorum.
     */
    PeerNode(final int state, final boolean preVote, final boolean leaseReads)
    {
        this(state, preVote, leaseReads, RaftListener.NO_OP);
    }

    /**
     * @param downstream told of the core's events after this node's own checks, as the node's listener chain is.
     */
    PeerNode(final int state, final boolean preVote, final boolean leaseReads, final RaftListener downstream)
    {
        this.downstream = downstream;
        memberIds = state == 2 ? new int[]{1, 2, 3, 4, 5} : new int[]{1, 2, 3};
        log = new WindowLogStore();
        meta = new SimMetaStore();
        snapshots = new SimSnapshotStore();
        final long[] terms = state == 0 ? FOLLOWER_LOG : state == 1 ? LEADER_LOG : CANDIDATE_LOG;
        appendDurably(terms);
        meta.store(terms[terms.length - 1], MetaStore.NO_VOTE);
        core = new RaftCore(new RaftConfig()
            .selfId(SELF)
            .memberIds(memberIds)
            .electionTimeoutNs(ELECTION_TIMEOUT_NS)
            .heartbeatIntervalNs(HEARTBEAT_NS)
            .maxPayloadBytes(256)
            .maxBatchBytes(4096)
            .maxInflightMessages(8)
            .maxInflightBytes(64 * 1024)
            .maxPendingReads(16)
            .preVote(preVote)
            .checkQuorum(leaseReads || preVote)
            .leaseReads(leaseReads)
            .randomSeed(7), log, meta, snapshots, this, this);
        dispatcher = new PeerMessageDispatcher(core);
        core.start(0);
        switch (state)
        {
            case 0:
                becomeFollowerOf(2);
                break;

            case 1:
                becomeLeader();
                break;

            default:
                tick(2 * ELECTION_TIMEOUT_NS);
                break;
        }
    }

    void tick(final long nowNs)
    {
        this.nowNs = nowNs;
        core.tick(nowNs);
    }

    /**
     * Makes the log durable and tells the core, as the storage completion of a duty cycle would.
     */
    void sync()
    {
        final long durable = log.sync();
        core.onLogDurable(durable, log.termAt(durable));
    }

    long offer(final int length)
    {
        payload.putLong(0, nowNs);
        return core.offer(EntryType.APPLICATION, payload, 0, Math.min(length, payload.capacity()));
    }

    private void appendDurably(final long[] terms)
    {
        final LogEntryCodec codec = new LogEntryCodec();
        final UnsafeBuffer records = new UnsafeBuffer(new byte[terms.length * LogEntryCodec.recordLength(8)]);
        int offset = 0;
        for (int i = 0; i < terms.length; i++)
        {
            payload.putLong(0, i + 1);
            offset += codec.encode(records, offset, i + 1, terms[i], 0, EntryType.APPLICATION, payload, 0, 8);
        }
        log.append(records, 0, offset, terms.length);
    }

    /**
     * A heartbeat from the leader of the log's last term: the follower knows its leader and commits up to 4.
     */
    private void becomeFollowerOf(final int leaderId)
    {
        final long lastIndex = log.lastIndex();
        core.onAppendEntries(
            core.currentTerm(), leaderId, lastIndex, log.termAt(lastIndex), lastIndex - 1, 0, payload, 0, 0, 1, 0);
        core.flush();
    }

    /**
     * Wins the (pre-)vote, commits the no-op with one follower's acknowledgement, and stages two entries.
     */
    private void becomeLeader()
    {
        tick(2 * ELECTION_TIMEOUT_NS);
        if (core.role() == Role.PRE_CANDIDATE)
        {
            core.onVoteResponse(core.currentTerm() + 1, 2, true, true);
        }
        if (core.role() == Role.CANDIDATE)
        {
            core.onVoteResponse(core.currentTerm(), 2, false, true);
        }
        if (core.role() != Role.LEADER)
        {
            throw new IllegalStateException("not elected: " + core.role());
        }
        core.flush();
        sync();
        core.onAppendResponse(core.currentTerm(), 2, true, log.lastIndex(), 0, 0, log.lastIndex(), 0, 0, 0);
        offer(16);
        offer(16);
        core.flush();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // PeerTransport: count only
    // ---------------------------------------------------------------------------------------------------------------

    public void sendVoteRequest(
        final int to, final long term, final long lastLogIndex, final long lastLogTerm, final int candidateId,
        final boolean preVote, final boolean transfer)
    {
        messagesSent++;
    }

    public void sendVoteResponse(
        final int to, final long term, final int voterId, final boolean preVote, final boolean granted)
    {
        messagesSent++;
    }

    public boolean sendAppendEntries(
        final int to, final long term, final int leaderId, final long prevLogIndex, final long prevLogTerm,
        final long leaderCommit, final int entryCount, final DirectBuffer entries, final int offset, final int length,
        final long readSeq, final long leaderTimeNs)
    {
        messagesSent++;
        return true;
    }

    public void sendAppendResponse(
        final int to, final long term, final int followerId, final boolean success, final long matchIndex,
        final long conflictIndex, final long conflictTerm, final long lastLogIndex, final long rejectedIndex,
        final long ackedReadSeq, final long ackedLeaderTimeNs)
    {
        messagesSent++;
    }

    public void sendTimeoutNow(final int to, final long term, final int leaderId)
    {
        messagesSent++;
    }

    public boolean sendInstallSnapshot(
        final int to, final long term, final int leaderId, final long lastIncludedIndex, final long lastIncludedTerm,
        final long chunkOffset, final long snapshotLength, final boolean lastChunk, final DirectBuffer configuration,
        final int configurationOffset, final int configurationLength, final DirectBuffer chunk,
        final int chunkOffsetInBuffer, final int chunkLength)
    {
        messagesSent++;
        return true;
    }

    public void sendInstallSnapshotResponse(
        final int to, final long term, final int followerId, final long lastIncludedIndex, final long nextChunkOffset,
        final boolean success)
    {
        messagesSent++;
    }

    public void sendReadIndexRequest(final int to, final long term, final int fromId, final long requestId)
    {
        messagesSent++;
    }

    public void sendReadIndexResponse(
        final int to, final long term, final int leaderId, final long requestId, final long readIndex)
    {
        messagesSent++;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // RaftListener
    // ---------------------------------------------------------------------------------------------------------------

    public void onCommit(final long commitIndex)
    {
        if (commitIndex < lastReportedCommit)
        {
            throw new AssertionError("commit reported going back from " + lastReportedCommit + " to " + commitIndex);
        }
        lastReportedCommit = commitIndex;
        commitsReported++;
        downstream.onCommit(commitIndex);
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        downstream.onRoleChange(role, term, leaderId);
    }

    public void onSnapshotInstalled(final long index, final long term)
    {
        downstream.onSnapshotInstalled(index, term);
    }

    public void onReadIndex(final long requestId, final long readIndex)
    {
        readsAnswered++;
        downstream.onReadIndex(requestId, readIndex);
    }
}

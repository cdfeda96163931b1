package io.raftlog.core;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One member's Raft, as a pure state machine: it reads no clock, starts no thread, does no I/O and allocates
 * nothing in steady state. It is driven by calls (messages that arrived, {@link #tick(long)}, {@link #offer},
 * storage completions) and acts through its ports ({@link PeerTransport}, {@link LogStore}, {@link MetaStore},
 * {@link RaftListener}). The same core runs in the real node and in the simulator.
 * <p>
 * A duty cycle calls, in order: the {@code on...} methods for whatever arrived, {@link #offer} for what the
 * application wants appended, {@link #tick(long)}, then {@link #flush()}, which appends the cycle's batch to the log
 * and sends it, and sends the acknowledgements that durable state now allows. Anything written to the log is only
 * answered for once {@link #onLogDurable(long)} says it is durable (paper figure 2: "respond after persisting").
 */
public final class RaftCore
{
    /** No member: member ids are positive. */
    public static final int NO_MEMBER = 0;

    private static final long SLOT_NONE = -1;

    private final int selfId;
    private final int selfSlot;
    private final int[] memberIds;
    private final long electionTimeoutNs;
    private final long heartbeatIntervalNs;
    private final int maxBatchBytes;
    private final int maxPayloadBytes;
    private final int maxUncommittedEntries;
    private final boolean preVote;
    private final boolean checkQuorum;

    private final LogStore log;
    private final MetaStore meta;
    private final PeerTransport transport;
    private final RaftListener listener;

    private final Jitter jitter;
    private final Quorum quorum;
    private final PeerProgress[] peers;
    private final long[] matchIndices;
    private final LogEntryCodec entryCodec = new LogEntryCodec();
    private final ExpandableArrayBuffer batchBuffer;
    private final ExpandableArrayBuffer sendBuffer;
    private final UnsafeBuffer emptyBuffer = new UnsafeBuffer(new byte[0]);

    private Role role = Role.FOLLOWER;
    private long currentTerm;
    private int votedFor;
    private int leaderId;
    private long commitIndex;
    private long durableIndex;
    /** Follower: the highest index known to match the current leader's log in this term. */
    private long verifiedIndex;

    private long nowNs;
    private long electionDeadlineNs;
    private long heartbeatDeadlineNs;
    private long checkQuorumDeadlineNs;
    private long lastLeaderContactNs;

    private long votesGranted;
    private long votesRejected;

    /** Entries offered in this cycle, not yet in the log; they stay in the buffer after flush as the last batch. */
    private int stagedCount;
    private int batchBytes;
    private long batchFirstIndex;
    private int batchCount;

    private boolean ackPending;
    private long lastAckedMatch;

    private int transferTargetSlot = -1;
    private long transferDeadlineNs;
    private boolean timeoutNowSent;

    private long electionsStarted;
    private long droppedMessages;

    public RaftCore(
        final RaftConfig config,
        final LogStore log,
        final MetaStore meta,
        final PeerTransport transport,
        final RaftListener listener)
    {
        config.conclude();
        this.selfId = config.selfId();
        this.memberIds = config.memberIds();
        this.electionTimeoutNs = config.electionTimeoutNs();
        this.heartbeatIntervalNs = config.heartbeatIntervalNs();
        this.maxBatchBytes = config.maxBatchBytes();
        this.maxPayloadBytes = config.maxPayloadBytes();
        this.maxUncommittedEntries = config.maxUncommittedEntries();
        this.preVote = config.preVote();
        this.checkQuorum = config.checkQuorum();
        this.log = log;
        this.meta = meta;
        this.transport = transport;
        this.listener = listener;
        this.jitter = new Jitter(config.randomSeed());
        this.quorum = new Quorum(memberIds.length);
        this.matchIndices = new long[memberIds.length];
        this.peers = new PeerProgress[memberIds.length];
        int self = -1;
        for (int i = 0; i < memberIds.length; i++)
        {
            if (memberIds[i] == selfId)
            {
                self = i;
            }
            else
            {
                peers[i] = new PeerProgress(memberIds[i], config.maxInflightMessages(), config.maxInflightBytes());
            }
        }
        this.selfSlot = self;
        this.batchBuffer = new ExpandableArrayBuffer(maxBatchBytes);
        this.sendBuffer = new ExpandableArrayBuffer(maxBatchBytes);
    }

    /**
     * Starts from what survived: the persisted term and vote, and the log as the store has it (all of which is
     * durable after a restart). The commit index is volatile (paper figure 2) and starts at 0.
     */
    public void start(final long nowNs)
    {
        this.nowNs = nowNs;
        currentTerm = meta.currentTerm();
        votedFor = meta.votedFor();
        durableIndex = log.lastIndex();
        commitIndex = 0;
        verifiedIndex = 0;
        role = Role.FOLLOWER;
        leaderId = NO_MEMBER;
        resetElectionTimer();
        listener.onRoleChange(role, currentTerm, leaderId);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Queries
    // ---------------------------------------------------------------------------------------------------------------

    public int selfId()
    {
        return selfId;
    }

    public Role role()
    {
        return role;
    }

    public long currentTerm()
    {
        return currentTerm;
    }

    public int votedFor()
    {
        return votedFor;
    }

    /**
     * @return the leader this member knows of in its current term, or {@link #NO_MEMBER}.
     */
    public int leaderId()
    {
        return leaderId;
    }

    public long commitIndex()
    {
        return commitIndex;
    }

    /**
     * @return the index the next offered entry would get minus one: the log plus what this cycle staged.
     */
    public long lastIndex()
    {
        return log.lastIndex() + stagedCount;
    }

    public long durableIndex()
    {
        return durableIndex;
    }

    public long electionsStarted()
    {
        return electionsStarted;
    }

    public long droppedMessages()
    {
        return droppedMessages;
    }

    public boolean isTransferringLeadership()
    {
        return transferTargetSlot >= 0;
    }

    /**
     * @return the leader's match index for {@code memberId}, or -1 when not leader or not a peer.
     */
    public long matchIndexOf(final int memberId)
    {
        final int slot = slotOf(memberId);
        if (role != Role.LEADER || slot < 0 || slot == selfSlot)
        {
            return -1;
        }
        return peers[slot].matchIndex;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Application input
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Offers an application entry. It joins this cycle's batch, which {@link #flush()} appends and sends.
     *
     * @return the index the entry will have if it commits, or a negative {@link OfferResult} code.
     */
    public long offer(final DirectBuffer payload, final int offset, final int length)
    {
        if (role != Role.LEADER)
        {
            return OfferResult.NOT_LEADER;
        }
        if (transferTargetSlot >= 0)
        {
            return OfferResult.TRANSFERRING;
        }
        if (length > maxPayloadBytes)
        {
            return OfferResult.TOO_LARGE;
        }
        return stage(EntryType.APPLICATION, payload, offset, length, true);
    }

    /**
     * Starts handing leadership to {@code targetId} (dissertation 3.10): offers stop, the target is brought up to
     * date, then told to campaign at once with TimeoutNow. Abandoned after an election timeout.
     *
     * @return false when this member is not the leader or the target is not another member.
     */
    public boolean transferLeadership(final int targetId)
    {
        final int slot = slotOf(targetId);
        if (role != Role.LEADER || slot < 0 || slot == selfSlot)
        {
            return false;
        }
        transferTargetSlot = slot;
        transferDeadlineNs = nowNs + electionTimeoutNs;
        timeoutNowSent = false;
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Time and storage input
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Lets the core act on the time: election timeouts, heartbeats, check-quorum, abandoning a transfer.
     *
     * @return the amount of work done.
     */
    public int tick(final long nowNs)
    {
        this.nowNs = nowNs;
        if (role == Role.LEADER)
        {
            return tickLeader();
        }
        if (nowNs >= electionDeadlineNs)
        {
            onElectionTimeout();
            return 1;
        }
        return 0;
    }

    /**
     * The log is durable up to {@code index}, whose entry has {@code term}: acknowledgements and the leader's own
     * vote toward commitment may now count it. A report about entries that a truncation has since replaced (its
     * index and term no longer name an entry of the log) is stale and ignored, so a sync that began before a
     * truncation never vouches for what was appended after it.
     */
    public void onLogDurable(final long index, final long term)
    {
        if (index > log.lastIndex() || index < 0 || log.termAt(index) != term)
        {
            return;
        }
        if (index > durableIndex)
        {
            durableIndex = index;
        }
        if (role == Role.LEADER)
        {
            maybeCommit();
        }
        else if (role == Role.FOLLOWER && Math.min(verifiedIndex, durableIndex) > lastAckedMatch)
        {
            ackPending = true;
        }
    }

    /**
     * Ends a duty cycle: appends the staged batch to the log, replicates, and sends what is owed.
     *
     * @return the amount of work done.
     */
    public int flush()
    {
        int work = 0;
        if (role == Role.LEADER)
        {
            if (stagedCount > 0)
            {
                log.append(batchBuffer, 0, batchBytes, stagedCount);
                batchCount = stagedCount;
                stagedCount = 0;
                work++;
            }
            for (int slot = 0; slot < peers.length; slot++)
            {
                if (slot != selfSlot)
                {
                    work += replicate(peers[slot]);
                }
            }
            if (transferTargetSlot >= 0 && !timeoutNowSent &&
                peers[transferTargetSlot].matchIndex >= log.lastIndex())
            {
                transport.sendTimeoutNow(peers[transferTargetSlot].memberId, currentTerm, selfId);
                timeoutNowSent = true;
                work++;
            }
        }
        else if (ackPending && role == Role.FOLLOWER && leaderId != NO_MEMBER)
        {
            final long match = Math.min(verifiedIndex, durableIndex);
            transport.sendAppendResponse(leaderId, currentTerm, selfId, true, match, 0, 0, verifiedIndex, 0);
            lastAckedMatch = match;
            ackPending = false;
            work++;
        }
        return work;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Peer messages
    // ---------------------------------------------------------------------------------------------------------------

    public void onVoteRequest(
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final int candidateId,
        final boolean isPreVote,
        final boolean isTransfer)
    {
        if (!isPeer(candidateId))
        {
            return;
        }
        if (term > currentTerm && !isTransfer && inLease())
        {
            // Dissertation 4.2.3: while a leader is known to be alive, a vote request is a disruption (a removed
            // or partitioned member), not an election; ignore it without adopting its term.
            return;
        }
        if (term < currentTerm)
        {
            transport.sendVoteResponse(candidateId, currentTerm, selfId, isPreVote, false);
            return;
        }
        final boolean upToDate = isUpToDate(lastLogIndex, lastLogTerm);
        if (isPreVote)
        {
            // A pre-vote changes nothing here: it only says whether a real vote would be granted (9.6).
            final boolean grant = upToDate &&
                (term > currentTerm || (leaderId == NO_MEMBER && (votedFor == NO_MEMBER || votedFor == candidateId)));
            transport.sendVoteResponse(candidateId, grant ? term : currentTerm, selfId, true, grant);
            return;
        }
        if (term > currentTerm)
        {
            becomeFollower(term, NO_MEMBER);
        }
        // etcd's rule too: a member that already follows a leader in this term does not vote in it
        if (upToDate && (votedFor == candidateId || (votedFor == NO_MEMBER && leaderId == NO_MEMBER)))
        {
            if (role != Role.FOLLOWER)
            {
                becomeFollower(currentTerm, NO_MEMBER); // a pre-candidate that has not voted yet may still vote
            }
            votedFor = candidateId;
            meta.store(currentTerm, candidateId);
            resetElectionTimer();
            transport.sendVoteResponse(candidateId, currentTerm, selfId, false, true);
        }
        else
        {
            transport.sendVoteResponse(candidateId, currentTerm, selfId, false, false);
        }
    }

    public void onVoteResponse(final long term, final int voterId, final boolean isPreVote, final boolean granted)
    {
        final int slot = slotOf(voterId);
        if (slot < 0 || slot == selfSlot)
        {
            droppedMessages++;
            return;
        }
        if (term > currentTerm && !(isPreVote && granted && term == currentTerm + 1))
        {
            becomeFollower(term, NO_MEMBER);
            return;
        }
        final boolean counts = isPreVote ?
            role == Role.PRE_CANDIDATE && (granted ? term == currentTerm + 1 : term <= currentTerm) :
            role == Role.CANDIDATE && term == currentTerm;
        if (!counts)
        {
            return;
        }
        final long bit = 1L << slot;
        if (granted)
        {
            votesGranted |= bit;
        }
        else
        {
            votesRejected |= bit;
        }
        final int majority = Quorum.majority(memberIds.length);
        if (Long.bitCount(votesGranted) >= majority)
        {
            if (role == Role.PRE_CANDIDATE)
            {
                campaign(false);
            }
            else
            {
                becomeLeader();
            }
        }
        else if (Long.bitCount(votesRejected) >= majority)
        {
            becomeFollower(currentTerm, NO_MEMBER);
        }
    }

    public void onAppendEntries(
        final long term,
        final int leaderId,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final int entryCount,
        final DirectBuffer entries,
        final int offset,
        final int length)
    {
        if (!isPeer(leaderId))
        {
            return;
        }
        if (prevLogIndex < 0 || entryCount < 0)
        {
            droppedMessages++;
            return;
        }
        if (term < currentTerm)
        {
            // A stale leader learns the newer term from this and steps down.
            transport.sendAppendResponse(
                leaderId, currentTerm, selfId, false, 0, 0, 0, log.lastIndex(), prevLogIndex);
            return;
        }
        if (role == Role.LEADER && term == currentTerm)
        {
            droppedMessages++; // two leaders in one term cannot happen; never let it corrupt the log
            return;
        }
        if (term > currentTerm || role != Role.FOLLOWER || this.leaderId != leaderId)
        {
            becomeFollower(term, leaderId);
        }
        lastLeaderContactNs = nowNs;
        resetElectionTimer();

        final long lastIndex = log.lastIndex();
        if (prevLogIndex > lastIndex)
        {
            rejectAppend(prevLogIndex, lastIndex + 1, 0);
            return;
        }
        final long termAtPrev = log.termAt(prevLogIndex);
        if (termAtPrev != prevLogTerm)
        {
            // Fast back-up (paper 5.3): name the conflicting term and where it starts, so the leader skips it whole.
            rejectAppend(prevLogIndex, Math.max(log.firstIndexOfTerm(termAtPrev), commitIndex + 1), termAtPrev);
            return;
        }
        if (entryCount > 0 && LogEntryCodec.index(entries, offset) != prevLogIndex + 1)
        {
            droppedMessages++;
            return;
        }

        long index = prevLogIndex;
        int position = offset;
        final int end = offset + length;
        for (int i = 0; i < entryCount; i++)
        {
            index++;
            if (index > log.lastIndex())
            {
                log.append(entries, position, end - position, entryCount - i);
                break;
            }
            if (log.termAt(index) != LogEntryCodec.term(entries, position))
            {
                // Paper figure 2, receiver rule 3: drop the conflicting entry and all that follow it. A conflict at
                // or below the commit index would mean a committed entry changes: never.
                if (index <= commitIndex)
                {
                    throw new IllegalStateException("conflict at committed index " + index + " <= " + commitIndex);
                }
                truncateFrom(index);
                log.append(entries, position, end - position, entryCount - i);
                break;
            }
            position += LogEntryCodec.recordLength(entries, position);
        }

        verifiedIndex = Math.max(verifiedIndex, prevLogIndex + entryCount);
        final long newCommit = Math.min(leaderCommit, verifiedIndex);
        if (newCommit > commitIndex)
        {
            setCommitIndex(newCommit);
        }
        // Answer now when there is nothing to wait for; otherwise onLogDurable answers once the new entries are
        // durable, so a batch costs one acknowledgement, not two.
        if (entryCount == 0 || durableIndex >= verifiedIndex)
        {
            ackPending = true;
        }
    }

    public void onAppendResponse(
        final long term,
        final int followerId,
        final boolean success,
        final long matchIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long lastLogIndex,
        final long rejectedIndex)
    {
        final int slot = slotOf(followerId);
        if (slot < 0 || slot == selfSlot)
        {
            droppedMessages++;
            return;
        }
        if (term > currentTerm)
        {
            becomeFollower(term, NO_MEMBER);
            return;
        }
        if (role != Role.LEADER || term < currentTerm)
        {
            return;
        }
        final PeerProgress peer = peers[slot];
        peer.recentActive = true;
        if (success)
        {
            final long matched = Math.min(matchIndex, log.lastIndex());
            if (peer.acknowledge(matched, nowNs))
            {
                maybeCommit();
            }
            if (peer.state == PeerProgress.PROBE)
            {
                peer.becomeReplicate(nowNs);
                // What matched but is not yet durable there need not be sent again.
                peer.nextIndex = Math.max(peer.nextIndex, Math.min(lastLogIndex, log.lastIndex()) + 1);
            }
        }
        else
        {
            // A rejection of anything but the AppendEntries now in question is stale (reordered or duplicated):
            // in replicate, one at or below the match; in probe, one that is not of the probe just sent.
            if (peer.state == PeerProgress.REPLICATE ?
                rejectedIndex <= peer.matchIndex : rejectedIndex != peer.nextIndex - 1)
            {
                return;
            }
            long next = conflictIndex;
            if (conflictTerm > 0)
            {
                final long lastOfTerm = log.lastIndexOfTerm(conflictTerm);
                if (lastOfTerm > 0)
                {
                    next = lastOfTerm + 1;
                }
            }
            // never past the rejected point, so each rejection makes progress
            next = Math.min(next, Math.min(rejectedIndex, log.lastIndex() + 1));
            peer.becomeProbe(next);
        }
    }

    public void onTimeoutNow(final long term, final int fromLeaderId)
    {
        if (!isPeer(fromLeaderId))
        {
            return;
        }
        if (term > currentTerm)
        {
            becomeFollower(term, fromLeaderId);
        }
        if (term == currentTerm && role == Role.FOLLOWER && leaderId == fromLeaderId)
        {
            campaign(true);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Roles
    // ---------------------------------------------------------------------------------------------------------------

    private void onElectionTimeout()
    {
        if (preVote)
        {
            becomePreCandidate();
        }
        else
        {
            campaign(false);
        }
    }

    private void becomePreCandidate()
    {
        role = Role.PRE_CANDIDATE;
        leaderId = NO_MEMBER;
        votesGranted = 1L << selfSlot;
        votesRejected = 0;
        resetElectionTimer();
        listener.onRoleChange(role, currentTerm, leaderId);
        if (Long.bitCount(votesGranted) >= Quorum.majority(memberIds.length))
        {
            campaign(false);
            return;
        }
        final long lastIndex = log.lastIndex();
        final long lastTerm = log.termAt(lastIndex);
        for (int slot = 0; slot < peers.length; slot++)
        {
            if (slot != selfSlot)
            {
                transport.sendVoteRequest(memberIds[slot], currentTerm + 1, lastIndex, lastTerm, selfId, true, false);
            }
        }
    }

    private void campaign(final boolean isTransfer)
    {
        currentTerm++;
        votedFor = selfId;
        meta.store(currentTerm, selfId);
        role = Role.CANDIDATE;
        leaderId = NO_MEMBER;
        verifiedIndex = commitIndex;
        votesGranted = 1L << selfSlot;
        votesRejected = 0;
        electionsStarted++;
        resetElectionTimer();
        listener.onRoleChange(role, currentTerm, leaderId);
        if (Long.bitCount(votesGranted) >= Quorum.majority(memberIds.length))
        {
            becomeLeader();
            return;
        }
        final long lastIndex = log.lastIndex();
        final long lastTerm = log.termAt(lastIndex);
        for (int slot = 0; slot < peers.length; slot++)
        {
            if (slot != selfSlot)
            {
                transport.sendVoteRequest(
                    memberIds[slot], currentTerm, lastIndex, lastTerm, selfId, false, isTransfer);
            }
        }
    }

    private void becomeLeader()
    {
        role = Role.LEADER;
        leaderId = selfId;
        final long lastIndex = log.lastIndex();
        for (int slot = 0; slot < peers.length; slot++)
        {
            if (slot != selfSlot)
            {
                peers[slot].resetForNewLeader(lastIndex, nowNs);
            }
        }
        heartbeatDeadlineNs = nowNs + heartbeatIntervalNs;
        checkQuorumDeadlineNs = nowNs + electionTimeoutNs;
        transferTargetSlot = -1;
        stagedCount = 0;
        batchCount = 0;
        listener.onRoleChange(role, currentTerm, leaderId);
        // Paper section 8: a no-op of the new term lets the leader commit (and learn) everything before it.
        stage(EntryType.NOOP, emptyBuffer, 0, 0, false);
    }

    private void becomeFollower(final long term, final int newLeaderId)
    {
        if (term > currentTerm)
        {
            currentTerm = term;
            votedFor = NO_MEMBER;
            meta.store(term, NO_MEMBER);
        }
        final boolean changed = role != Role.FOLLOWER || leaderId != newLeaderId;
        role = Role.FOLLOWER;
        leaderId = newLeaderId;
        verifiedIndex = commitIndex;
        lastAckedMatch = 0;
        ackPending = false;
        stagedCount = 0;
        batchCount = 0;
        transferTargetSlot = -1;
        if (newLeaderId != NO_MEMBER)
        {
            lastLeaderContactNs = nowNs;
        }
        resetElectionTimer();
        if (changed)
        {
            listener.onRoleChange(role, currentTerm, leaderId);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Leader duties
    // ---------------------------------------------------------------------------------------------------------------

    private int tickLeader()
    {
        int work = 0;
        if (nowNs >= heartbeatDeadlineNs)
        {
            heartbeatDeadlineNs = nowNs + heartbeatIntervalNs;
            for (int slot = 0; slot < peers.length; slot++)
            {
                if (slot != selfSlot)
                {
                    work += heartbeat(peers[slot]);
                }
            }
        }
        if (checkQuorum && nowNs >= checkQuorumDeadlineNs)
        {
            checkQuorumDeadlineNs = nowNs + electionTimeoutNs;
            int active = 1;
            for (int slot = 0; slot < peers.length; slot++)
            {
                if (slot != selfSlot)
                {
                    if (peers[slot].recentActive)
                    {
                        active++;
                    }
                    peers[slot].recentActive = false;
                }
            }
            if (active < Quorum.majority(memberIds.length))
            {
                // Check-quorum (dissertation 6.2): a leader cut off from a majority steps down rather than keep
                // clients waiting on a term that can no longer commit.
                becomeFollower(currentTerm, NO_MEMBER);
                return work + 1;
            }
        }
        if (transferTargetSlot >= 0 && nowNs >= transferDeadlineNs)
        {
            transferTargetSlot = -1;
            work++;
        }
        return work;
    }

    private int heartbeat(final PeerProgress peer)
    {
        if (peer.state == PeerProgress.PROBE)
        {
            peer.probeSent = false; // resend the probe in this cycle's flush
            return 0;
        }
        if (!peer.inflight.isEmpty() && nowNs - peer.lastProgressNs >= 2 * heartbeatIntervalNs)
        {
            // No acknowledgement for two heartbeats with entries in flight: assume some were lost and go back to
            // where the follower is known to match.
            peer.becomeProbe(peer.matchIndex + 1);
            return 1;
        }
        sendEmptyAppend(peer);
        return 1;
    }

    /**
     * A heartbeat checks consistency at the follower's match index, which it is known to hold, so a heartbeat that
     * overtakes AppendEntries still in flight is not rejected.
     */
    private void sendEmptyAppend(final PeerProgress peer)
    {
        final long prev = peer.matchIndex;
        transport.sendAppendEntries(
            peer.memberId, currentTerm, selfId, prev, log.termAt(prev), commitIndex, 0, emptyBuffer, 0, 0);
    }

    private int replicate(final PeerProgress peer)
    {
        final long lastIndex = log.lastIndex();
        if (peer.state == PeerProgress.PROBE)
        {
            if (peer.probeSent)
            {
                return 0;
            }
            if (sendEntries(peer, Math.min(peer.nextIndex, lastIndex + 1), lastIndex) < 0)
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
            if (sentUpTo < 0)
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
     * @return the last index sent (fromIndex - 1 for an empty probe), or -1 when nothing could be sent.
     */
    private long sendEntries(final PeerProgress peer, final long fromIndex, final long lastIndex)
    {
        final long prevIndex = fromIndex - 1;
        final long prevTerm = log.termAt(prevIndex);
        if (fromIndex > lastIndex)
        {
            return transport.sendAppendEntries(
                peer.memberId, currentTerm, selfId, prevIndex, prevTerm, commitIndex, 0, emptyBuffer, 0, 0) ?
                prevIndex : SLOT_NONE;
        }

        final DirectBuffer records;
        final int length;
        final int count;
        if (batchCount > 0 && fromIndex == batchFirstIndex)
        {
            // The common case: the follower is up to date, so it needs exactly this cycle's batch.
            records = batchBuffer;
            length = batchBytes;
            count = batchCount;
        }
        else
        {
            length = log.copyRecords(fromIndex, maxBatchBytes, sendBuffer, 0);
            count = countRecords(sendBuffer, length);
            records = sendBuffer;
        }
        if (peer.state == PeerProgress.REPLICATE && !peer.inflight.canSend(length))
        {
            return SLOT_NONE;
        }
        final long lastSent = fromIndex + count - 1;
        if (!transport.sendAppendEntries(
            peer.memberId, currentTerm, selfId, prevIndex, prevTerm, commitIndex, count, records, 0, length))
        {
            return SLOT_NONE;
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

    private void maybeCommit()
    {
        for (int slot = 0; slot < memberIds.length; slot++)
        {
            matchIndices[slot] = slot == selfSlot ? durableIndex : peers[slot].matchIndex;
        }
        final long majorityIndex = quorum.majorityIndex(matchIndices, memberIds.length);
        // Paper 5.4.2 (figure 8): only an entry of the leader's own term is committed by counting replicas;
        // earlier ones commit with it.
        if (majorityIndex > commitIndex && log.termAt(majorityIndex) == currentTerm)
        {
            setCommitIndex(majorityIndex);
        }
    }

    /**
     * @param bounded whether the uncommitted bound applies: the new leader's no-op must go in regardless, or a long
     *                uncommitted tail inherited from earlier terms could never commit.
     */
    private long stage(
        final EntryType type, final DirectBuffer payload, final int offset, final int length, final boolean bounded)
    {
        final int recordLength = LogEntryCodec.recordLength(length);
        if (stagedCount == 0)
        {
            batchBytes = 0;
            batchCount = 0;
            batchFirstIndex = log.lastIndex() + 1;
        }
        if (batchBytes + recordLength > maxBatchBytes ||
            (bounded && log.lastIndex() + stagedCount - commitIndex >= maxUncommittedEntries))
        {
            return OfferResult.BACK_PRESSURED;
        }
        final long index = batchFirstIndex + stagedCount;
        batchBytes += entryCodec.encode(
            batchBuffer, batchBytes, index, currentTerm, nowNs, type, payload, offset, length);
        stagedCount++;
        return index;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    private void rejectAppend(final long rejectedIndex, final long conflictIndex, final long conflictTerm)
    {
        transport.sendAppendResponse(
            leaderId, currentTerm, selfId, false, 0, conflictIndex, conflictTerm, log.lastIndex(), rejectedIndex);
    }

    private void truncateFrom(final long index)
    {
        log.truncateFrom(index);
        if (durableIndex >= index)
        {
            durableIndex = index - 1;
        }
    }

    private void setCommitIndex(final long index)
    {
        commitIndex = index;
        listener.onCommit(index);
    }

    /**
     * Paper 5.4.1: the candidate's log is at least as up to date as this one.
     */
    private boolean isUpToDate(final long candidateLastIndex, final long candidateLastTerm)
    {
        final long lastIndex = log.lastIndex();
        final long lastTerm = log.termAt(lastIndex);
        return candidateLastTerm > lastTerm || (candidateLastTerm == lastTerm && candidateLastIndex >= lastIndex);
    }

    private boolean inLease()
    {
        if (!checkQuorum)
        {
            return false;
        }
        return role == Role.LEADER ||
            (leaderId != NO_MEMBER && nowNs - lastLeaderContactNs < electionTimeoutNs);
    }

    private void resetElectionTimer()
    {
        electionDeadlineNs = nowNs + electionTimeoutNs + jitter.nextLong(electionTimeoutNs);
    }

    private boolean isPeer(final int memberId)
    {
        final int slot = slotOf(memberId);
        if (slot < 0 || slot == selfSlot)
        {
            droppedMessages++;
            return false;
        }
        return true;
    }

    private int slotOf(final int memberId)
    {
        for (int i = 0; i < memberIds.length; i++)
        {
            if (memberIds[i] == memberId)
            {
                return i;
            }
        }
        return -1;
    }
}

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
 * answered for once {@link #onLogDurable(long, long)} says it is durable (paper figure 2: "respond after persisting").
 */
public final class RaftCore
{
    /** No member: member ids are positive. */
    public static final int NO_MEMBER = 0;

    /**
     * No log reaches this many entries: a larger index from a peer is corrupt, and below it {@code index + 1} never
     * wraps.
     */
    public static final long MAX_INDEX = Long.MAX_VALUE >> 1;

    private static final int MAX_MEMBERS = RaftConfig.MAX_MEMBERS;

    private final int selfId;
    private final long electionTimeoutNs;
    private final long heartbeatIntervalNs;
    private final int maxBatchBytes;
    private final int maxPayloadBytes;
    private final int maxUncommittedEntries;
    private final int maxInflightMessages;
    private final int maxInflightBytes;
    private final long promotionLagEntries;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final boolean leaseReads;
    private final long leaseNs;

    private final LogStore log;
    private final MetaStore meta;
    private final SnapshotStore snapshots;
    private final PeerTransport transport;
    private final RaftListener listener;

    private final Jitter jitter;
    private final Quorum quorum = new Quorum(MAX_MEMBERS);
    private final EntryBatch batch;
    private final Replicator replicator;
    private final ExpandableArrayBuffer configurationBuffer = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer emptyBuffer = new UnsafeBuffer(new byte[0]);

    /** Membership: the configurations in the log; the one in effect is the latest (dissertation 4.1). */
    private final Membership membership;
    private final Configuration scratchConfiguration = new Configuration();
    /** The configuration in effect and this member's slot in it, cached from {@link #membership}. */
    private Configuration config;
    private int selfSlot = -1;
    private final long[] indexBySlot = new long[MAX_MEMBERS];
    private final long[] quorumScratch = new long[MAX_MEMBERS];
    /** The fix for the single-server change bug; only a test turns it off, to show the bug. */
    private boolean commitInTermBeforeMembershipChange = true;

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


    private boolean ackPending;
    private long lastAckedMatch;

    /** Follower: the snapshot being received from the leader, and how much of it has arrived. */
    private long receivingSnapshotIndex = -1;
    private long receivingSnapshotLength;
    private long receivedSnapshotBytes;

    private int transferTargetId = NO_MEMBER;
    private long transferDeadlineNs;
    private boolean timeoutNowSent;

    private long electionsStarted;
    private long droppedMessages;
    private long committedConflictsRefused;
    private long snapshotsInstalled;

    /** Leader: reads waiting for a quorum to acknowledge a round sent after they arrived (ReadIndex). */
    private final PendingReads pendingReads;
    /** Leader: the read round every AppendEntries carries; a new round starts in the flush after a read arrives. */
    private long readSeq;
    private boolean readRoundWanted;
    /** Leader: the index of its term's no-op; no read index is below it (it commits everything before it). */
    private long termStartIndex;
    /** Leader: a TimeoutNow was sent in this term, so another member may be elected at any time: no lease. */
    private boolean leaseVoided;
    /** When this core started: with lease reads, it refuses votes for an election timeout after it. */
    private long startedAtNs;
    /** Follower: the latest read round and send time of the current leader's, echoed in every answer. */
    private long echoReadSeq;
    private long echoLeaderTimeNs;

    public RaftCore(
        final RaftConfig config,
        final LogStore log,
        final MetaStore meta,
        final SnapshotStore snapshots,
        final PeerTransport transport,
        final RaftListener listener)
    {
        config.conclude();
        this.selfId = config.selfId();
        this.electionTimeoutNs = config.electionTimeoutNs();
        this.heartbeatIntervalNs = config.heartbeatIntervalNs();
        this.maxBatchBytes = config.maxBatchBytes();
        this.maxPayloadBytes = config.maxPayloadBytes();
        this.maxUncommittedEntries = config.maxUncommittedEntries();
        this.maxInflightMessages = config.maxInflightMessages();
        this.maxInflightBytes = config.maxInflightBytes();
        this.promotionLagEntries = config.promotionLagEntries();
        this.preVote = config.preVote();
        this.checkQuorum = config.checkQuorum();
        this.leaseReads = config.leaseReads();
        this.leaseNs = config.leaseNs();
        this.pendingReads = new PendingReads(config.maxPendingReads());
        this.log = log;
        this.meta = meta;
        this.snapshots = snapshots;
        this.transport = transport;
        this.listener = listener;
        this.jitter = new Jitter(config.randomSeed());
        this.batch = new EntryBatch(maxBatchBytes);
        this.replicator = new Replicator(config, log, snapshots, transport, batch);
        this.membership = new Membership(config);
        onMembershipChanged();
    }

    /**
     * Starts from what survived: the persisted term and vote, the snapshot, and the log as the store has it (all of
     * which is durable after a restart). The commit index is volatile (paper figure 2): it starts at the snapshot,
     * which covers only committed entries. The membership in effect is the latest configuration in the log, else the
     * snapshot's, else the bootstrap members.
     */
    public void start(final long nowNs)
    {
        this.nowNs = nowNs;
        this.startedAtNs = nowNs;
        currentTerm = meta.currentTerm();
        votedFor = meta.votedFor();
        membership.load(snapshots, log, nowNs);
        onMembershipChanged();
        durableIndex = log.lastIndex();
        commitIndex = snapshots.lastIncludedIndex();
        verifiedIndex = commitIndex;
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
        return log.lastIndex() + batch.staged();
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

    /**
     * @return AppendEntries refused because they would have replaced a committed entry: each one is a peer breaking
     * Raft's safety (or this member's disk having lost what it acknowledged), never normal operation.
     */
    public long committedConflictsRefused()
    {
        return committedConflictsRefused;
    }

    public boolean isTransferringLeadership()
    {
        return transferTargetId != NO_MEMBER;
    }

    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /**
     * @return the configuration in effect: the latest in the log. Do not keep it; it is reused.
     */
    public Configuration configuration()
    {
        return config;
    }

    /**
     * @return the configuration in effect at {@code index} of this member's log. Do not keep it; it is reused.
     */
    public Configuration configurationAt(final long index)
    {
        return membership.at(index);
    }

    /**
     * @return the index of the configuration in effect (0 for the bootstrap one).
     */
    public long configurationIndex()
    {
        return membership.latestIndex();
    }

    /**
     * Turns off the rule that a new leader changes membership only after committing an entry of its term. Only for
     * the test that shows the single-server change bug it prevents.
     */
    void disableCommitInTermBeforeMembershipChange()
    {
        commitInTermBeforeMembershipChange = false;
    }

    /**
     * @return the leader's match index for {@code memberId}, or -1 when not leader or not a peer.
     */
    public long matchIndexOf(final int memberId)
    {
        final int slot = config.slotOf(memberId);
        if (role != Role.LEADER || slot < 0 || slot == selfSlot)
        {
            return -1;
        }
        return membership.peer(slot).matchIndex;
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
        return offer(EntryType.APPLICATION, payload, offset, length);
    }

    /**
     * Offers an entry of a type the core does not interpret: APPLICATION, or one of the client-session types, whose
     * meaning belongs to the session layer in front of the core. NOOP and CONFIGURATION entries are the core's own.
     *
     * @return the index the entry will have if it commits, or a negative {@link OfferResult} code.
     */
    public long offer(final EntryType type, final DirectBuffer payload, final int offset, final int length)
    {
        if (type == EntryType.NOOP || type == EntryType.CONFIGURATION || type == EntryType.NULL_VAL)
        {
            throw new IllegalArgumentException("not an entry type the application may offer: " + type);
        }
        if (role != Role.LEADER)
        {
            return OfferResult.NOT_LEADER;
        }
        if (transferTargetId != NO_MEMBER)
        {
            return OfferResult.TRANSFERRING;
        }
        if (length > maxPayloadBytes)
        {
            return OfferResult.TOO_LARGE;
        }
        return stage(type, payload, offset, length, true);
    }

    /**
     * Starts handing leadership to {@code targetId} (dissertation 3.10): offers stop, the target is brought up to
     * date, then told to campaign at once with TimeoutNow. Abandoned after an election timeout.
     *
     * @return false when this member is not the leader or the target is not another member.
     */
    public boolean transferLeadership(final int targetId)
    {
        final int slot = config.slotOf(targetId);
        if (role != Role.LEADER || slot < 0 || slot == selfSlot || !config.isVoterSlot(slot))
        {
            return false;
        }
        transferTargetId = targetId;
        transferDeadlineNs = nowNs + electionTimeoutNs;
        timeoutNowSent = false;
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Membership (dissertation chapter 4)
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Adds a member as a learner that the leader promotes to voter once it has caught up, so a new, empty member
     * never holds up commitment (dissertation 4.2.1).
     *
     * @return the index of the configuration entry, or a negative {@link OfferResult} code.
     */
    public long addMember(final int memberId, final String endpoint)
    {
        return addLearner(memberId, endpoint, true);
    }

    /**
     * Adds a member that receives the log but never votes, unless {@code promote} asks for it once caught up.
     */
    public long addLearner(final int memberId, final String endpoint, final boolean promote)
    {
        final long ready = membershipChangeReadiness();
        if (ready < 0)
        {
            return ready;
        }
        if (memberId <= 0 || config.isMember(memberId) || config.size() == MAX_MEMBERS)
        {
            return OfferResult.INVALID_CHANGE;
        }
        scratchConfiguration.copyFrom(config).put(memberId, false, false, promote, endpoint);
        return stageConfiguration(scratchConfiguration);
    }

    /**
     * Makes a learner a voter now, whether or not it has caught up: a single-server change.
     */
    public long promoteLearner(final int memberId)
    {
        final long ready = membershipChangeReadiness();
        if (ready < 0)
        {
            return ready;
        }
        final int slot = config.slotOf(memberId);
        if (slot < 0 || !config.isLearnerSlot(slot))
        {
            return OfferResult.INVALID_CHANGE;
        }
        scratchConfiguration.copyFrom(config).setVotes(memberId, true, true, false);
        return stageConfiguration(scratchConfiguration);
    }

    /**
     * Removes one member: a single-server change, safe because the old and the new majorities overlap
     * (dissertation 4.2). A leader that removes itself steps down once the change commits.
     */
    public long removeMember(final int memberId)
    {
        final long ready = membershipChangeReadiness();
        if (ready < 0)
        {
            return ready;
        }
        final int slot = config.slotOf(memberId);
        if (slot < 0 || (config.isVoterSlot(slot) && config.voterCount() == 1))
        {
            return OfferResult.INVALID_CHANGE;
        }
        scratchConfiguration.copyFrom(config).remove(memberId);
        return stageConfiguration(scratchConfiguration);
    }

    /**
     * Replaces the voters in one step through joint consensus (dissertation 4.3): C_old,new is appended now, and
     * C_new by the leader once that commits. Every new voter must already be a member (a learner that has caught
     * up); members that vote in neither leave with C_new.
     */
    public long changeVoters(final int... newVoterIds)
    {
        final long ready = membershipChangeReadiness();
        if (ready < 0)
        {
            return ready;
        }
        if (newVoterIds.length == 0)
        {
            return OfferResult.INVALID_CHANGE;
        }
        scratchConfiguration.copyFrom(config);
        for (int slot = 0; slot < scratchConfiguration.size(); slot++)
        {
            final int id = scratchConfiguration.memberId(slot);
            final boolean inOld = scratchConfiguration.isVoterInNew(slot);
            scratchConfiguration.setVotes(id, inOld, contains(newVoterIds, id), false);
        }
        for (final int id : newVoterIds)
        {
            if (!scratchConfiguration.isMember(id))
            {
                return OfferResult.INVALID_CHANGE;
            }
        }
        scratchConfiguration.joint(true);
        return stageConfiguration(scratchConfiguration);
    }

    private long membershipChangeReadiness()
    {
        if (role != Role.LEADER)
        {
            return OfferResult.NOT_LEADER;
        }
        if (transferTargetId != NO_MEMBER)
        {
            return OfferResult.TRANSFERRING;
        }
        if (membership.latestIndex() > commitIndex || config.isJoint())
        {
            return OfferResult.CHANGE_IN_PROGRESS;
        }
        if (commitInTermBeforeMembershipChange && log.termAt(commitIndex) != currentTerm)
        {
            // raft-dev, "bug in single-server membership changes" (2015): until the new leader commits an entry of
            // its term, a change could be decided by a majority that a concurrent earlier change never overlapped.
            return OfferResult.NOT_READY;
        }
        return 0;
    }

    private long stageConfiguration(final Configuration configuration)
    {
        final int length = configuration.encode(configurationBuffer, 0);
        final long index = stage(EntryType.CONFIGURATION, configurationBuffer, 0, length, false);
        if (index > 0)
        {
            // a configuration takes effect as soon as it is in the log (dissertation 4.1)
            membership.appended(index, configuration, log.lastIndex() + batch.staged(), nowNs);
            onMembershipChanged();
        }
        return index;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Log compaction (dissertation chapter 5)
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Records a snapshot of the state as of {@code index} (committed): the application's bytes, empty for a pure
     * log, with the term and membership at that index. The log may then be compacted up to it.
     *
     * @return false when {@code index} is not committed, not in the log, or not newer than the current snapshot.
     */
    public boolean takeSnapshot(final long index, final DirectBuffer state, final int offset, final int length)
    {
        if (index > commitIndex || index <= snapshots.lastIncludedIndex() || index < log.baseIndex() ||
            index > log.lastIndex())
        {
            return false;
        }
        final int configurationLength = membership.at(index).encode(configurationBuffer, 0);
        snapshots.save(index, log.termAt(index), configurationBuffer, 0, configurationLength, state, offset, length);
        return true;
    }

    /**
     * Drops the log up to {@code index}, never past the snapshot (which holds what the dropped entries made) and so
     * never past what is committed. Followers that need older entries get the snapshot instead.
     *
     * @return false when {@code index} is beyond the snapshot or not after the current base.
     */
    public boolean compactLog(final long index)
    {
        if (index > snapshots.lastIncludedIndex() || index <= log.baseIndex() || index > log.lastIndex())
        {
            return false;
        }
        log.compactTo(index);
        membership.compactTo(index);
        return true;
    }

    /**
     * Compacts a pure log (no application state) as far as {@code policy} asks, never past the commit index or the
     * oldest entry a registered consumer still needs: the log's new starting point is recorded as an empty snapshot,
     * which is all a follower that falls behind it needs.
     *
     * @param oldestIndexNeeded the lowest index any registered consumer has yet to read (Long.MAX_VALUE if none).
     * @return the log's base after compaction.
     */
    public long compactPureLog(final RetentionPolicy policy, final long oldestIndexNeeded, final long nowNs)
    {
        final long safe = Math.min(commitIndex, oldestIndexNeeded - 1);
        final long target = policy.compactionIndex(log, safe, nowNs);
        if (target > log.baseIndex())
        {
            if (target > snapshots.lastIncludedIndex())
            {
                takeSnapshot(target, emptyBuffer, 0, 0);
            }
            compactLog(Math.min(target, snapshots.lastIncludedIndex()));
        }
        return log.baseIndex();
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
            if (batch.appendTo(log))
            {
                work++;
            }
            final boolean newReadRound = readRoundWanted;
            if (newReadRound)
            {
                readRoundWanted = false;
                readSeq++;
            }
            replicator.context(currentTerm, commitIndex, nowNs, readSeq);
            if (newReadRound)
            {
                // every follower hears of the new read round now, not at the next heartbeat
                for (int slot = 0; slot < config.size(); slot++)
                {
                    if (slot != selfSlot)
                    {
                        work += replicator.heartbeat(membership.peer(slot));
                    }
                }
            }
            for (int slot = 0; slot < config.size(); slot++)
            {
                if (slot != selfSlot)
                {
                    work += replicator.replicate(membership.peer(slot));
                }
            }
            work += confirmReads();
            if (transferTargetId != NO_MEMBER && !timeoutNowSent)
            {
                final int slot = config.slotOf(transferTargetId);
                if (slot >= 0 && membership.peer(slot) != null && membership.peer(slot).matchIndex >= log.lastIndex())
                {
                    transport.sendTimeoutNow(transferTargetId, currentTerm, selfId);
                    timeoutNowSent = true;
                    leaseVoided = true; // the target may win an election at once, whatever any lease says
                    work++;
                }
            }
        }
        else if (ackPending && role == Role.FOLLOWER && leaderId != NO_MEMBER)
        {
            final long match = Math.min(verifiedIndex, durableIndex);
            transport.sendAppendResponse(
                leaderId, currentTerm, selfId, true, match, 0, 0, verifiedIndex, 0, echoReadSeq, echoLeaderTimeNs);
            lastAckedMatch = match;
            ackPending = false;
            work++;
        }
        return work;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Linearizable reads
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Asks for a read index (ReadIndex, dissertation 6.4) without writing to the log. The answer comes through
     * {@link RaftListener#onReadIndex(long, long)} with {@code requestId}: once this member has applied the log up to
     * the read index, its state reflects every write committed before this call, and a read of it is linearizable.
     * <ul>
     *   <li>A leader takes as read index its commit index, or its term's no-op if that is not committed yet (which
     *   commits everything before it), and answers once a quorum acknowledged a round of messages sent after the
     *   request: proof that no other leader had been elected by then. If it stops leading first, it answers
     *   {@link OfferResult#NOT_LEADER}.</li>
     *   <li>A follower asks its leader, which confirms the read the same way and sends the read index back. A lost
     *   message means no answer: the caller needs a timeout.</li>
     * </ul>
     *
     * @return 0 when the read is under way, or {@link OfferResult#NOT_LEADER} (no leader known), or
     * {@link OfferResult#BACK_PRESSURED} (too many reads waiting).
     */
    public long readIndex(final long requestId)
    {
        if (role == Role.LEADER)
        {
            return queueRead(selfId, requestId);
        }
        if (role == Role.FOLLOWER && leaderId != NO_MEMBER)
        {
            transport.sendReadIndexRequest(leaderId, currentTerm, selfId, requestId);
            return 0;
        }
        return OfferResult.NOT_LEADER;
    }

    /**
     * A lease read (dissertation 6.4.1): while a quorum acknowledged a message this leader sent less than the lease
     * ago (the election timeout less the clock-drift bound), no other leader can have been elected, so the read
     * index may be used at once, without a round of messages. Correct only within the configured clock drift; see
     * {@link RaftConfig#leaseReads(boolean)}.
     *
     * @param nowNs the time now, on the clock the core is ticked with (not the last tick's: a lease must not be
     *              judged by a stale clock).
     * @return the read index, or {@link OfferResult#NOT_LEADER}, or {@link OfferResult#NO_LEASE} (lease reads off,
     * the lease lapsed, or a transfer may elect another leader at once).
     */
    public long leaseReadIndex(final long nowNs)
    {
        if (role != Role.LEADER)
        {
            return OfferResult.NOT_LEADER;
        }
        if (!leaseReads || leaseVoided || transferTargetId != NO_MEMBER || selfSlot < 0)
        {
            return OfferResult.NO_LEASE;
        }
        for (int slot = 0; slot < config.size(); slot++)
        {
            indexBySlot[slot] = slot == selfSlot ? nowNs : membership.peer(slot).ackedLeaderTimeNs;
        }
        final long leaseStartNs = config.quorumIndex(indexBySlot, quorumScratch, quorum);
        if (nowNs - leaseStartNs >= leaseNs)
        {
            return OfferResult.NO_LEASE;
        }
        return Math.max(commitIndex, termStartIndex);
    }

    /**
     * @return reads this leader holds until a quorum confirms them.
     */
    public int pendingReads()
    {
        return pendingReads.size();
    }

    public void onReadIndexRequest(final long term, final int fromId, final long requestId)
    {
        if (role != Role.LEADER || term != currentTerm)
        {
            // a follower of another term, or one that takes this member for its leader by mistake: it retries
            transport.sendReadIndexResponse(fromId, currentTerm, selfId, requestId, OfferResult.NOT_LEADER);
            return;
        }
        final long result = queueRead(fromId, requestId);
        if (result < 0)
        {
            transport.sendReadIndexResponse(fromId, currentTerm, selfId, requestId, result);
        }
    }

    public void onReadIndexResponse(final long term, final int fromLeaderId, final long requestId, final long readIndex)
    {
        // A confirmed read index stays valid whatever happened since: the leader confirmed it after the request was
        // sent, and the committed prefix up to it is the same on every member.
        listener.onReadIndex(requestId, readIndex);
    }

    private long queueRead(final int origin, final long requestId)
    {
        if (pendingReads.isFull())
        {
            return OfferResult.BACK_PRESSURED;
        }
        // confirmed by the next round, which starts in this cycle's flush
        pendingReads.add(origin, requestId, Math.max(commitIndex, termStartIndex), readSeq + 1);
        readRoundWanted = true;
        return 0;
    }

    /**
     * Answers the reads whose round a quorum has acknowledged (this leader counts for itself).
     */
    private int confirmReads()
    {
        if (pendingReads.isEmpty() || selfSlot < 0)
        {
            return 0;
        }
        for (int slot = 0; slot < config.size(); slot++)
        {
            indexBySlot[slot] = slot == selfSlot ? readSeq : membership.peer(slot).ackedReadSeq;
        }
        final long confirmedRound = config.quorumIndex(indexBySlot, quorumScratch, quorum);
        int confirmed = 0;
        while (!pendingReads.isEmpty() && pendingReads.oldestRound() <= confirmedRound)
        {
            answerRead(pendingReads.oldestOrigin(), pendingReads.oldestRequestId(), pendingReads.oldestReadIndex());
            pendingReads.removeOldest();
            confirmed++;
        }
        return confirmed;
    }

    private void refusePendingReads()
    {
        while (!pendingReads.isEmpty())
        {
            answerRead(pendingReads.oldestOrigin(), pendingReads.oldestRequestId(), OfferResult.NOT_LEADER);
            pendingReads.removeOldest();
        }
        readRoundWanted = false;
    }

    private void answerRead(final int origin, final long requestId, final long readIndex)
    {
        if (origin == selfId)
        {
            listener.onReadIndex(requestId, readIndex);
        }
        else
        {
            transport.sendReadIndexResponse(origin, currentTerm, selfId, requestId, readIndex);
        }
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
        // Dissertation 4.1: answered whatever this member's configuration says of the candidate; a member whose
        // configuration lags must not block the election that would bring it up to date.
        if (!isPossibleLeader(candidateId))
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
            droppedMessages++;
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
        final int slot = config.slotOf(voterId);
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
        if (config.isQuorum(votesGranted))
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
        else if (config.isQuorum(votesRejected))
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
        final int length,
        final long readSeq,
        final long leaderTimeNs)
    {
        if (!isPossibleLeader(leaderId))
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
            // A stale leader learns the newer term from this and steps down; the message itself is dropped.
            droppedMessages++;
            transport.sendAppendResponse(
                leaderId, currentTerm, selfId, false, 0, 0, 0, log.lastIndex(), prevLogIndex, 0, 0);
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
        // whatever becomes of its entries, this message reached a follower of this leader: say so in the answer
        echoReadSeq = Math.max(echoReadSeq, readSeq);
        echoLeaderTimeNs = Math.max(echoLeaderTimeNs, leaderTimeNs);

        final long lastIndex = log.lastIndex();
        if (prevLogIndex > lastIndex)
        {
            rejectAppend(prevLogIndex, lastIndex + 1, 0);
            return;
        }
        if (prevLogIndex < log.baseIndex())
        {
            // the entries up to the base are committed and compacted here; skip what this member already has
            final long skip = log.baseIndex() - prevLogIndex;
            if (skip >= entryCount)
            {
                verifiedIndex = Math.max(verifiedIndex, log.baseIndex());
                ackPending = true;
                return;
            }
            int position = offset;
            for (long i = 0; i < skip; i++)
            {
                position += LogEntryCodec.recordLength(entries, position);
            }
            onAppendEntries(term, leaderId, log.baseIndex(), log.termAt(log.baseIndex()), leaderCommit,
                entryCount - (int)skip, entries, position, length - (position - offset), readSeq, leaderTimeNs);
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
        if (!isLeadersOwn(entries, offset, entryCount, prevLogTerm, term))
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
                appendFromLeader(entries, position, end - position, entryCount - i);
                break;
            }
            if (log.termAt(index) != LogEntryCodec.term(entries, position))
            {
                // Paper figure 2, receiver rule 3: drop the conflicting entry and all that follow it. A conflict at
                // or below the commit index would mean a committed entry changes: never (figure 3, state machine
                // safety). Only a faulty peer asks for it; a node that crashed on it would let one bad message stop
                // every member it reaches, so the message is refused and counted instead.
                if (index <= commitIndex)
                {
                    committedConflictsRefused++;
                    droppedMessages++;
                    return;
                }
                truncateFrom(index);
                appendFromLeader(entries, position, end - position, entryCount - i);
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
        final long rejectedIndex,
        final long ackedReadSeq,
        final long ackedLeaderTimeNs)
    {
        final int slot = answeringFollowerSlot(term, followerId);
        if (slot < 0)
        {
            return;
        }
        final PeerProgress peer = membership.peer(slot);
        // an answer of this term, success or not, shows the follower still followed this leader
        peer.echoed(ackedReadSeq, ackedLeaderTimeNs);
        if (!pendingReads.isEmpty() && ackedReadSeq >= pendingReads.oldestRound())
        {
            confirmReads();
        }
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
            if (config.isLearnerSlot(slot) && config.promoteSlot(slot) &&
                peer.matchIndex + promotionLagEntries >= log.lastIndex() && membershipChangeReadiness() == 0)
            {
                // the learner has caught up: it may vote without holding up commitment (etcd #7625)
                scratchConfiguration.copyFrom(config).setVotes(followerId, true, true, false);
                stageConfiguration(scratchConfiguration);
            }
        }
        else
        {
            if (lastLogIndex < peer.matchIndex && rejectedIndex > lastLogIndex)
            {
                // The follower's log ends before entries it acknowledged, and it refuses what follows its end: it
                // restarted without them (a tail torn, or never flushed under page-cache durability, and cut back at
                // start). Its acknowledgement no longer holds, and every probe above its end would be refused, each
                // refusal at or below the old match taken for a stale one: probe from what it holds. The commit
                // index never goes back.
                peer.lostEntriesAbove(lastLogIndex);
            }
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
        if (!isPossibleLeader(fromLeaderId))
        {
            return;
        }
        if (term > currentTerm)
        {
            becomeFollower(term, fromLeaderId);
        }
        if (term == currentTerm && role == Role.FOLLOWER && leaderId == fromLeaderId && canCampaign())
        {
            campaign(true);
        }
    }

    /**
     * One chunk of the leader's snapshot (dissertation 5.3). Chunks must arrive in order; the answer names the offset
     * wanted next. The snapshot is installed when the last chunk is in and durable.
     */
    public void onInstallSnapshot(
        final long term,
        final int leaderId,
        final long lastIncludedIndex,
        final long lastIncludedTerm,
        final long chunkOffset,
        final long snapshotLength,
        final boolean lastChunk,
        final DirectBuffer configuration,
        final int configurationOffset,
        final int configurationLength,
        final DirectBuffer chunk,
        final int chunkOffsetInBuffer,
        final int chunkLength)
    {
        if (!isPossibleLeader(leaderId))
        {
            return;
        }
        if (lastIncludedIndex > MAX_INDEX || lastIncludedTerm > term || snapshotLength < 0 || chunkOffset < 0 ||
            chunkLength > snapshotLength - chunkOffset ||
            !Configuration.isWellFormed(configuration, configurationOffset, configurationLength))
        {
            // an index no log reaches, an entry of a later term than the leader's, a chunk outside its own snapshot,
            // or a membership this member cannot read: a faulty leader
            droppedMessages++;
            return;
        }
        if (term < currentTerm)
        {
            droppedMessages++;
            transport.sendInstallSnapshotResponse(leaderId, currentTerm, selfId, lastIncludedIndex, 0, false);
            return;
        }
        if (term > currentTerm || role != Role.FOLLOWER || this.leaderId != leaderId)
        {
            becomeFollower(term, leaderId);
        }
        lastLeaderContactNs = nowNs;
        resetElectionTimer();

        if (lastIncludedIndex <= commitIndex)
        {
            // everything it covers is already committed here
            transport.sendInstallSnapshotResponse(
                leaderId, currentTerm, selfId, lastIncludedIndex, snapshotLength, true);
            return;
        }
        if (chunkOffset == 0)
        {
            snapshots.beginReceive(lastIncludedIndex, lastIncludedTerm, snapshotLength);
            receivingSnapshotIndex = lastIncludedIndex;
            receivingSnapshotLength = snapshotLength;
            receivedSnapshotBytes = 0;
        }
        final boolean sameSnapshot =
            receivingSnapshotIndex == lastIncludedIndex && receivingSnapshotLength == snapshotLength;
        if (!sameSnapshot || chunkOffset != receivedSnapshotBytes)
        {
            // the store holds only the snapshot begun at offset 0: a chunk of any other goes nowhere
            final long wanted = sameSnapshot ? receivedSnapshotBytes : 0;
            transport.sendInstallSnapshotResponse(leaderId, currentTerm, selfId, lastIncludedIndex, wanted, false);
            return;
        }
        snapshots.receiveChunk(chunkOffset, chunk, chunkOffsetInBuffer, chunkLength);
        receivedSnapshotBytes += chunkLength;
        if (lastChunk && receivedSnapshotBytes == snapshotLength)
        {
            snapshots.completeReceive(configuration, configurationOffset, configurationLength);
            installSnapshot(lastIncludedIndex, lastIncludedTerm, configuration, configurationOffset, configurationLength);
            receivingSnapshotIndex = -1;
        }
        transport.sendInstallSnapshotResponse(
            leaderId, currentTerm, selfId, lastIncludedIndex, receivedSnapshotBytes, true);
    }

    public void onInstallSnapshotResponse(
        final long term,
        final int followerId,
        final long lastIncludedIndex,
        final long nextChunkOffset,
        final boolean success)
    {
        final int slot = answeringFollowerSlot(term, followerId);
        if (slot < 0)
        {
            return;
        }
        final PeerProgress peer = membership.peer(slot);
        if (peer.state != PeerProgress.SNAPSHOT || lastIncludedIndex != peer.snapshotIndex)
        {
            return;
        }
        if (success && nextChunkOffset >= snapshots.length() && lastIncludedIndex == snapshots.lastIncludedIndex())
        {
            peer.acknowledge(lastIncludedIndex, nowNs);
            peer.becomeProbe(lastIncludedIndex + 1);
            maybeCommit();
            return;
        }
        peer.snapshotOffset = nextChunkOffset;
        peer.chunkInFlight = false;
    }

    /**
     * An answer from a follower: a higher term deposes this leader; one from an earlier term, or to a member that is
     * no longer leader, is stale. A current one marks the follower active for check-quorum.
     *
     * @return the follower's slot, or -1 when the answer is to be ignored.
     */
    private int answeringFollowerSlot(final long term, final int followerId)
    {
        final int slot = config.slotOf(followerId);
        if (slot < 0 || slot == selfSlot)
        {
            droppedMessages++;
            return -1;
        }
        if (term > currentTerm)
        {
            becomeFollower(term, NO_MEMBER);
            return -1;
        }
        if (role != Role.LEADER || term < currentTerm)
        {
            return -1;
        }
        membership.peer(slot).recentActive = true;
        return slot;
    }

    private void installSnapshot(
        final long index,
        final long term,
        final DirectBuffer configuration,
        final int configurationOffset,
        final int configurationLength)
    {
        if (log.lastIndex() >= index && index > log.baseIndex() && log.termAt(index) == term)
        {
            // the log already holds the snapshot's last entry: keep what follows it (dissertation 5.3)
            log.compactTo(index);
        }
        else
        {
            log.reset(index, term);
        }
        membership.installed(index, configuration, configurationOffset, configurationLength, log, nowNs);
        onMembershipChanged();
        durableIndex = Math.max(durableIndex, index);
        if (durableIndex > log.lastIndex())
        {
            durableIndex = log.lastIndex();
        }
        verifiedIndex = Math.max(verifiedIndex, index);
        snapshotsInstalled++;
        listener.onSnapshotInstalled(index, term);
        if (index > commitIndex)
        {
            setCommitIndex(index);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Roles
    // ---------------------------------------------------------------------------------------------------------------

    private void onElectionTimeout()
    {
        if (!canCampaign())
        {
            // learners and removed members never campaign: they cannot disrupt the cluster (dissertation 4.2.3)
            resetElectionTimer();
            return;
        }
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
        votesGranted = selfSlot >= 0 ? 1L << selfSlot : 0;
        votesRejected = 0;
        resetElectionTimer();
        listener.onRoleChange(role, currentTerm, leaderId);
        if (config.isQuorum(votesGranted))
        {
            campaign(false);
            return;
        }
        final long lastIndex = log.lastIndex();
        final long lastTerm = log.termAt(lastIndex);
        for (int slot = 0; slot < config.size(); slot++)
        {
            if (slot != selfSlot && config.isVoterSlot(slot))
            {
                transport.sendVoteRequest(
                    config.memberId(slot), currentTerm + 1, lastIndex, lastTerm, selfId, true, false);
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
        votesGranted = selfSlot >= 0 ? 1L << selfSlot : 0;
        votesRejected = 0;
        electionsStarted++;
        resetElectionTimer();
        listener.onRoleChange(role, currentTerm, leaderId);
        if (config.isQuorum(votesGranted))
        {
            becomeLeader();
            return;
        }
        final long lastIndex = log.lastIndex();
        final long lastTerm = log.termAt(lastIndex);
        for (int slot = 0; slot < config.size(); slot++)
        {
            if (slot != selfSlot && config.isVoterSlot(slot))
            {
                transport.sendVoteRequest(
                    config.memberId(slot), currentTerm, lastIndex, lastTerm, selfId, false, isTransfer);
            }
        }
    }

    private void becomeLeader()
    {
        role = Role.LEADER;
        leaderId = selfId;
        final long lastIndex = log.lastIndex();
        for (int slot = 0; slot < config.size(); slot++)
        {
            if (slot != selfSlot)
            {
                membership.peer(slot).resetForNewLeader(lastIndex, nowNs);
            }
        }
        heartbeatDeadlineNs = nowNs + heartbeatIntervalNs;
        checkQuorumDeadlineNs = nowNs + electionTimeoutNs;
        transferTargetId = NO_MEMBER;
        leaseVoided = false;
        batch.discard();
        listener.onRoleChange(role, currentTerm, leaderId);
        // Paper section 8: a no-op of the new term lets the leader commit (and learn) everything before it.
        termStartIndex = stage(EntryType.NOOP, emptyBuffer, 0, 0, false);
    }

    private void becomeFollower(final long term, final int newLeaderId)
    {
        if (role == Role.LEADER)
        {
            refusePendingReads();
        }
        if (term != currentTerm || newLeaderId != leaderId)
        {
            echoReadSeq = 0;
            echoLeaderTimeNs = 0;
        }
        if (term > currentTerm)
        {
            currentTerm = term;
            votedFor = NO_MEMBER;
            meta.store(term, NO_MEMBER);
        }
        final boolean changed = role != Role.FOLLOWER || leaderId != newLeaderId;
        if (batch.staged() > 0 && membership.truncateFrom(log.lastIndex() + 1, log.lastIndex(), nowNs))
        {
            onMembershipChanged(); // a staged configuration never reached the log
        }
        role = Role.FOLLOWER;
        leaderId = newLeaderId;
        verifiedIndex = commitIndex;
        lastAckedMatch = 0;
        ackPending = false;
        batch.discard();
        transferTargetId = NO_MEMBER;
        receivingSnapshotIndex = -1;
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
            replicator.context(currentTerm, commitIndex, nowNs, readSeq);
            for (int slot = 0; slot < config.size(); slot++)
            {
                if (slot != selfSlot)
                {
                    work += replicator.heartbeat(membership.peer(slot));
                }
            }
        }
        if (checkQuorum && nowNs >= checkQuorumDeadlineNs)
        {
            checkQuorumDeadlineNs = nowNs + electionTimeoutNs;
            long active = selfSlot >= 0 ? 1L << selfSlot : 0;
            for (int slot = 0; slot < config.size(); slot++)
            {
                if (slot != selfSlot)
                {
                    if (membership.peer(slot).recentActive)
                    {
                        active |= 1L << slot;
                    }
                    membership.peer(slot).recentActive = false;
                }
            }
            if (!config.isQuorum(active))
            {
                // Check-quorum (dissertation 6.2): a leader cut off from a majority steps down rather than keep
                // clients waiting on a term that can no longer commit.
                becomeFollower(currentTerm, NO_MEMBER);
                return work + 1;
            }
        }
        if (transferTargetId != NO_MEMBER && nowNs >= transferDeadlineNs)
        {
            transferTargetId = NO_MEMBER;
            work++;
        }
        return work;
    }

    private void maybeCommit()
    {
        for (int slot = 0; slot < config.size(); slot++)
        {
            indexBySlot[slot] = slot == selfSlot ? durableIndex : membership.peer(slot).matchIndex;
        }
        final long quorumIndex = config.quorumIndex(indexBySlot, quorumScratch, quorum);
        // Paper 5.4.2 (figure 8): only an entry of the leader's own term is committed by counting replicas;
        // earlier ones commit with it.
        if (quorumIndex > commitIndex && log.termAt(quorumIndex) == currentTerm)
        {
            setCommitIndex(quorumIndex);
        }
    }

    /**
     * @param bounded whether the uncommitted bound applies: the new leader's no-op must go in regardless, or a long
     *                uncommitted tail inherited from earlier terms could never commit.
     */
    /**
     * @return the time the core last acted on: the timestamp an entry staged now will carry.
     */
    public long nowNs()
    {
        return nowNs;
    }

    private long stage(
        final EntryType type, final DirectBuffer payload, final int offset, final int length, final boolean bounded)
    {
        if (!batch.fits(length) ||
            (bounded && log.lastIndex() + batch.staged() - commitIndex >= maxUncommittedEntries))
        {
            return OfferResult.BACK_PRESSURED;
        }
        return batch.stage(log.lastIndex(), currentTerm, nowNs, type, payload, offset, length);
    }

    private void rejectAppend(final long rejectedIndex, final long conflictIndex, final long conflictTerm)
    {
        transport.sendAppendResponse(leaderId, currentTerm, selfId, false, 0, conflictIndex, conflictTerm,
            log.lastIndex(), rejectedIndex, echoReadSeq, echoLeaderTimeNs);
    }

    private void truncateFrom(final long index)
    {
        log.truncateFrom(index);
        if (durableIndex >= index)
        {
            durableIndex = index - 1;
        }
        if (membership.truncateFrom(index, log.lastIndex(), nowNs))
        {
            onMembershipChanged(); // back to the configuration before the dropped ones
        }
    }

    /**
     * Appends entries received from the leader, and takes any configuration among them into effect at once.
     */
    private void appendFromLeader(final DirectBuffer entries, final int offset, final int length, final int count)
    {
        final long firstIndex = log.lastIndex() + 1;
        log.append(entries, offset, length, count);
        if (membership.onEntriesAppended(firstIndex, entries, offset, count, nowNs))
        {
            onMembershipChanged();
        }
    }

    /**
     * The configuration in effect changed: cache it; a campaign counts its votes again under the new slots,
     * starting with this member's own.
     */
    private void onMembershipChanged()
    {
        config = membership.config();
        selfSlot = membership.selfSlot();
        if (role == Role.CANDIDATE || role == Role.PRE_CANDIDATE)
        {
            votesGranted = selfSlot >= 0 ? 1L << selfSlot : 0;
            votesRejected = 0;
        }
    }

    private void setCommitIndex(final long index)
    {
        commitIndex = index;
        listener.onCommit(index);
        if (role == Role.LEADER && membership.latestIndex() <= commitIndex)
        {
            if (selfSlot < 0 || !config.isVoterSlot(selfSlot))
            {
                // dissertation 4.2.2: a leader not in the new configuration steps down once it is committed
                becomeFollower(currentTerm, NO_MEMBER);
            }
            else if (config.isJoint())
            {
                // C_old,new is committed: now C_new (dissertation 4.3)
                scratchConfiguration.copyFrom(config).finishJoint();
                stageConfiguration(scratchConfiguration);
            }
        }
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
            (leaderId != NO_MEMBER && nowNs - lastLeaderContactNs < electionTimeoutNs) ||
            (leaseReads && nowNs - startedAtNs < electionTimeoutNs); // it may have granted a lease before a restart
    }

    private void resetElectionTimer()
    {
        electionDeadlineNs = nowNs + electionTimeoutNs + jitter.nextLong(electionTimeoutNs);
    }

    private boolean canCampaign()
    {
        // a faulty peer may have pushed the term to the largest there is: another election would wrap it negative
        return currentTerm < Long.MAX_VALUE && membership.canCampaign(commitIndex);
    }

    /**
     * A leader's or a candidate's messages are heard from any other member id: a member whose log lags may not know
     * the new members yet, and learns of them from the very entries the leader sends.
     */
    private boolean isPossibleLeader(final int memberId)
    {
        if (memberId <= 0 || memberId == selfId)
        {
            droppedMessages++;
            return false;
        }
        return true;
    }

    /**
     * Whether intact records (the dispatcher checked their checksums, indices and order) can be what a leader of
     * {@code term} holds after an entry of {@code prevLogTerm}: terms from {@code prevLogTerm} up to {@code term}
     * (a log's terms never decrease, and no leader holds an entry of a later term than its own), and configurations
     * this member can read (one takes effect as soon as it is appended and is decoded again at every start). Only a
     * faulty leader sends anything else; it is refused before any of it is appended.
     */
    private static boolean isLeadersOwn(
        final DirectBuffer entries, final int offset, final int count, final long prevLogTerm, final long term)
    {
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            final long entryTerm = LogEntryCodec.term(entries, position);
            if (entryTerm < prevLogTerm || entryTerm > term ||
                (LogEntryCodec.entryTypeCode(entries, position) == EntryType.CONFIGURATION.value() &&
                !Configuration.isWellFormed(
                    entries, LogEntryCodec.payloadOffset(position), LogEntryCodec.payloadLength(entries, position))))
            {
                return false;
            }
            position += LogEntryCodec.recordLength(entries, position);
        }
        return true;
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int candidate : ids)
        {
            if (candidate == id)
            {
                return true;
            }
        }
        return false;
    }
}

package io.raftlog.core;

import java.util.Arrays;

/**
 * Settings of one member's core. Set them, then {@link #conclude()} validates once at start and names the bad
 * setting, so a misconfigured node fails before it takes part in an election.
 */
public final class RaftConfig
{
    public static final int MAX_MEMBERS = 63;

    private int selfId;
    private int[] memberIds;
    private int[] learnerIds = new int[0];
    private long promotionLagEntries = 16;
    private long electionTimeoutNs = 300_000_000L;
    private long heartbeatIntervalNs = 50_000_000L;
    private int maxBatchBytes = 64 * 1024;
    private int maxPayloadBytes = 16 * 1024;
    private int maxInflightMessages = 32;
    private int maxInflightBytes = 1024 * 1024;
    private int maxUncommittedEntries = 1 << 16;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private long randomSeed = 1;
    private int maxPendingReads = 4096;
    private boolean leaseReads;
    private long clockDriftBoundNs = -1;
    private boolean concluded;

    public RaftConfig selfId(final int selfId)
    {
        this.selfId = selfId;
        return this;
    }

    public int selfId()
    {
        return selfId;
    }

    /**
     * The ids of all members, this one included; ids are positive.
     */
    public RaftConfig memberIds(final int... memberIds)
    {
        this.memberIds = memberIds.clone();
        return this;
    }

    public int[] memberIds()
    {
        return memberIds.clone();
    }

    /**
     * Learners of the bootstrap configuration: they receive the log but do not vote. A new member joining a running
     * cluster starts with the cluster's voters as {@link #memberIds} and itself as a learner.
     */
    public RaftConfig learnerIds(final int... learnerIds)
    {
        this.learnerIds = learnerIds.clone();
        return this;
    }

    public int[] learnerIds()
    {
        return learnerIds.clone();
    }

    /**
     * A learner added to become a voter is promoted once its log is within this many entries of the leader's.
     */
    public RaftConfig promotionLagEntries(final long promotionLagEntries)
    {
        this.promotionLagEntries = promotionLagEntries;
        return this;
    }

    public long promotionLagEntries()
    {
        return promotionLagEntries;
    }

    /**
     * The minimum election timeout; each wait is drawn from [timeout, 2 x timeout) (paper section 5.2). Also the
     * check-quorum period and the leader lease during which votes are ignored.
     */
    public RaftConfig electionTimeoutNs(final long electionTimeoutNs)
    {
        this.electionTimeoutNs = electionTimeoutNs;
        return this;
    }

    public long electionTimeoutNs()
    {
        return electionTimeoutNs;
    }

    public RaftConfig heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * The largest batch of entry records in one AppendEntries, and the leader's staging buffer for offers made
     * in one duty cycle.
     */
    public RaftConfig maxBatchBytes(final int maxBatchBytes)
    {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    public RaftConfig maxPayloadBytes(final int maxPayloadBytes)
    {
        this.maxPayloadBytes = maxPayloadBytes;
        return this;
    }

    public int maxPayloadBytes()
    {
        return maxPayloadBytes;
    }

    public RaftConfig maxInflightMessages(final int maxInflightMessages)
    {
        this.maxInflightMessages = maxInflightMessages;
        return this;
    }

    public int maxInflightMessages()
    {
        return maxInflightMessages;
    }

    public RaftConfig maxInflightBytes(final int maxInflightBytes)
    {
        this.maxInflightBytes = maxInflightBytes;
        return this;
    }

    public int maxInflightBytes()
    {
        return maxInflightBytes;
    }

    /**
     * How far the leader's log may run ahead of its commit index before offers are back-pressured.
     */
    public RaftConfig maxUncommittedEntries(final int maxUncommittedEntries)
    {
        this.maxUncommittedEntries = maxUncommittedEntries;
        return this;
    }

    public int maxUncommittedEntries()
    {
        return maxUncommittedEntries;
    }

    public RaftConfig preVote(final boolean preVote)
    {
        this.preVote = preVote;
        return this;
    }

    public boolean preVote()
    {
        return preVote;
    }

    public RaftConfig checkQuorum(final boolean checkQuorum)
    {
        this.checkQuorum = checkQuorum;
        return this;
    }

    public boolean checkQuorum()
    {
        return checkQuorum;
    }

    /**
     * ReadIndex reads a leader holds at once, its own and its followers', while it confirms its leadership.
     */
    public RaftConfig maxPendingReads(final int maxPendingReads)
    {
        this.maxPendingReads = maxPendingReads;
        return this;
    }

    public int maxPendingReads()
    {
        return maxPendingReads;
    }

    /**
     * Lease reads (dissertation 6.4.1): a leader answers a read without a round of messages while a quorum
     * acknowledged a message it sent less than {@code electionTimeoutNs - clockDriftBoundNs} ago. Correct only if
     * clocks run at nearly the same rate: no member's election timeout may elapse faster, in real time, than the
     * leader's lease by more than {@link #clockDriftBoundNs}. Requires {@link #checkQuorum} (which makes followers
     * refuse to vote while they hear from a leader); a member also refuses votes for an election timeout after it
     * starts, so a restart does not forget a lease it granted. Off by default.
     */
    public RaftConfig leaseReads(final boolean leaseReads)
    {
        this.leaseReads = leaseReads;
        return this;
    }

    public boolean leaseReads()
    {
        return leaseReads;
    }

    /**
     * How much earlier than the election timeout a lease ends: the bound on clock drift between members over one
     * election timeout (plus the time between checking a lease and reading). Default a tenth of the timeout.
     */
    public RaftConfig clockDriftBoundNs(final long clockDriftBoundNs)
    {
        this.clockDriftBoundNs = clockDriftBoundNs;
        return this;
    }

    public long clockDriftBoundNs()
    {
        return clockDriftBoundNs < 0 ? electionTimeoutNs / 10 : clockDriftBoundNs;
    }

    /**
     * @return how long a lease lasts from the send time of the message a quorum acknowledged.
     */
    public long leaseNs()
    {
        return electionTimeoutNs - clockDriftBoundNs();
    }

    /**
     * Seeds the election-timeout jitter; give each member a different seed.
     */
    public RaftConfig randomSeed(final long randomSeed)
    {
        this.randomSeed = randomSeed;
        return this;
    }

    public long randomSeed()
    {
        return randomSeed;
    }

    /**
     * Validates the settings once.
     *
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public RaftConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (memberIds == null || memberIds.length == 0)
        {
            throw new IllegalArgumentException("memberIds: at least one member is required");
        }
        if (memberIds.length > MAX_MEMBERS)
        {
            throw new IllegalArgumentException("memberIds: at most " + MAX_MEMBERS + " members");
        }
        final int[] sorted = memberIds.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            if (sorted[i] <= 0)
            {
                throw new IllegalArgumentException("memberIds: ids must be positive, got " + sorted[i]);
            }
            if (i > 0 && sorted[i] == sorted[i - 1])
            {
                throw new IllegalArgumentException("memberIds: duplicate id " + sorted[i]);
            }
        }
        for (final int learner : learnerIds)
        {
            if (learner <= 0 || Arrays.binarySearch(sorted, learner) >= 0)
            {
                throw new IllegalArgumentException("learnerIds: " + learner + " must be positive and not a voter");
            }
        }
        if (memberIds.length + learnerIds.length > MAX_MEMBERS)
        {
            throw new IllegalArgumentException("learnerIds: at most " + MAX_MEMBERS + " members in all");
        }
        boolean selfIsLearner = false;
        for (final int learner : learnerIds)
        {
            selfIsLearner |= learner == selfId;
        }
        if (Arrays.binarySearch(sorted, selfId) < 0 && !selfIsLearner)
        {
            throw new IllegalArgumentException("selfId: " + selfId + " is not one of memberIds " +
                Arrays.toString(memberIds) + " nor learnerIds " + Arrays.toString(learnerIds));
        }
        if (promotionLagEntries < 0)
        {
            throw new IllegalArgumentException("promotionLagEntries: must not be negative");
        }
        if (heartbeatIntervalNs <= 0)
        {
            throw new IllegalArgumentException("heartbeatIntervalNs: must be positive");
        }
        if (electionTimeoutNs / 2 < heartbeatIntervalNs)
        {
            throw new IllegalArgumentException("electionTimeoutNs: must be at least twice heartbeatIntervalNs (" +
                heartbeatIntervalNs + "), got " + electionTimeoutNs);
        }
        if (maxPayloadBytes <= 0)
        {
            throw new IllegalArgumentException("maxPayloadBytes: must be positive");
        }
        if (maxBatchBytes < (long)maxPayloadBytes + 64)
        {
            throw new IllegalArgumentException("maxBatchBytes: must hold one record of maxPayloadBytes (" +
                maxPayloadBytes + ") plus its header, got " + maxBatchBytes);
        }
        if (maxInflightMessages < 1)
        {
            throw new IllegalArgumentException("maxInflightMessages: must be at least 1");
        }
        if (maxInflightBytes < maxBatchBytes)
        {
            throw new IllegalArgumentException("maxInflightBytes: must be at least maxBatchBytes (" +
                maxBatchBytes + "), got " + maxInflightBytes);
        }
        if (maxUncommittedEntries < 1)
        {
            throw new IllegalArgumentException("maxUncommittedEntries: must be at least 1");
        }
        if (maxPendingReads < 1)
        {
            throw new IllegalArgumentException("maxPendingReads: must be at least 1");
        }
        if (clockDriftBoundNs() >= electionTimeoutNs)
        {
            throw new IllegalArgumentException("clockDriftBoundNs: must be less than electionTimeoutNs (" +
                electionTimeoutNs + "), got " + clockDriftBoundNs);
        }
        if (leaseReads && !checkQuorum)
        {
            throw new IllegalArgumentException("leaseReads: requires checkQuorum (followers must refuse votes " +
                "while they hear from a leader)");
        }
        concluded = true;
        return this;
    }
}

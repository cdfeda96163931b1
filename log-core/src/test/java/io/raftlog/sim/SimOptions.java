package io.raftlog.sim;

import io.raftlog.core.RaftConfig;

/**
 * The settings of one simulated cluster. Times are simulated nanoseconds.
 */
public final class SimOptions
{
    public int members = 3;
    /** Members beyond the first {@code voters} start outside the configuration, ready to be added. */
    public int voters = -1;
    /** Take a snapshot (and compact) whenever this many entries committed since the last; 0 never. */
    public int snapshotEveryEntries;
    /** Bytes of simulated application state in each snapshot, so large ones travel in several chunks. */
    public int snapshotStateBytes = 64;
    /** Entries kept in the log behind a snapshot when compacting. */
    public int retainEntries;
    public long promotionLagEntries = 16;
    /** Only for the test that shows the single-server change bug: a new leader may change membership at once. */
    public boolean unsafeSkipMembershipChangeFix;
    public long seed = 1;
    public long electionTimeoutNs = 150_000_000L;
    public long heartbeatIntervalNs = 30_000_000L;
    public long tickIntervalNs = 5_000_000L;
    public long minDiskSyncNs = 50_000;
    public long maxDiskSyncNs = 2_000_000;
    /** A crash keeps a random prefix of unsynced writes, torn anywhere, instead of none of them. */
    public boolean keepSomeUnsyncedOnCrash = true;
    public boolean checkInvariants = true;
    public boolean preVote = true;
    public boolean checkQuorum = true;
    public int maxBatchBytes = 16 * 1024;
    public int maxPayloadBytes = 1024;
    public int maxInflightMessages = 16;
    public int maxInflightBytes = 128 * 1024;
    public boolean leaseReads;
    /** -1: the core's default. */
    public long clockDriftBoundNs = -1;
    /** Each member's clock runs at a rate drawn from [1 - clockDrift, 1 + clockDrift] of the simulation's. */
    public double clockDrift;
    public int initialStreamBytes = 1 << 20;
    public int initialEntries = 1 << 14;

    public SimOptions members(final int members)
    {
        this.members = members;
        return this;
    }

    public SimOptions seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    int voters()
    {
        return voters < 0 ? members : voters;
    }

    RaftConfig raftConfig(final int selfId, final int[] memberIds, final long incarnation)
    {
        // a member outside the initial configuration knows the voters and itself, as a learner not yet added
        final int[] voterIds = java.util.Arrays.copyOf(memberIds, voters());
        final boolean spare = selfId > voters();
        return new RaftConfig()
            .selfId(selfId)
            .memberIds(voterIds)
            .learnerIds(spare ? new int[]{selfId} : new int[0])
            .promotionLagEntries(promotionLagEntries)
            .electionTimeoutNs(electionTimeoutNs)
            .heartbeatIntervalNs(heartbeatIntervalNs)
            .maxBatchBytes(maxBatchBytes)
            .maxPayloadBytes(maxPayloadBytes)
            .maxInflightMessages(maxInflightMessages)
            .maxInflightBytes(maxInflightBytes)
            .preVote(preVote)
            .checkQuorum(checkQuorum)
            .leaseReads(leaseReads)
            .clockDriftBoundNs(clockDriftBoundNs)
            .randomSeed(seed * 1_000_003L + selfId * 7919L + incarnation);
    }
}

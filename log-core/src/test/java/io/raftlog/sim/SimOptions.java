package io.raftlog.sim;

import io.raftlog.core.RaftConfig;

/**
 * The settings of one simulated cluster. Times are simulated nanoseconds.
 */
public final class SimOptions
{
    public int members = 3;
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

    RaftConfig raftConfig(final int selfId, final int[] memberIds, final long incarnation)
    {
        return new RaftConfig()
            .selfId(selfId)
            .memberIds(memberIds)
            .electionTimeoutNs(electionTimeoutNs)
            .heartbeatIntervalNs(heartbeatIntervalNs)
            .maxBatchBytes(maxBatchBytes)
            .maxPayloadBytes(maxPayloadBytes)
            .maxInflightMessages(maxInflightMessages)
            .maxInflightBytes(maxInflightBytes)
            .preVote(preVote)
            .checkQuorum(checkQuorum)
            .randomSeed(seed * 1_000_003L + selfId * 7919L + incarnation);
    }
}

package io.raftlog.samples;

import io.raftlog.core.RaftConfig;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The Raft settings the samples run with, the same for every member. Election timeout 300 ms and heartbeats every
 * 50 ms: long enough that three nodes and their drivers sharing two cores do not time out under load, short enough
 * that a failover is quick. Batches of at most 64 KiB: one batch is one AppendEntries, which the SMALL driver
 * profile's 1 MiB term carries whole (its largest message is 128 KiB).
 * <p>
 * With {@link #join}, this member joins a running cluster: it starts as a learner of the cluster the other members
 * form (see {@link RaftConfig#learnerIds}), so it neither votes nor campaigns until the leader adds it with
 * {@code RaftCore.addMember(id, endpoint)}; the leader promotes it to voter once it has caught up.
 */
final class RaftSettings
{
    long electionTimeoutMs = 300;
    long heartbeatIntervalMs = 50;
    int maxPayloadBytes = 1024;
    int maxBatchBytes = 64 * 1024;
    boolean join;
    /** A remote client's session expires after this long without an append (replicated: the same on every member). */
    long sessionIdleTimeoutMs = 300_000;
    /** Lets a leader answer queries from its lease (see {@link RaftConfig#leaseReads}). */
    boolean leaseReads;
    /** The state machine the node applies the log to: {@code none} (a pure log) or {@code kv}. */
    String stateMachine = "none";
    /** With a state machine: a snapshot every this many entries applied, the log compacted behind it. */
    long snapshotEveryEntries = 100_000;
    /** Entries kept in the log behind a snapshot, for followers a little behind to catch up from the log. */
    long snapshotRetainEntries = 10_000;

    /**
     * @param memberIds every member given, this one included; when joining, the others are the voters it expects
     *                  and this one a learner.
     */
    RaftConfig toConfig(final int selfId, final int[] memberIds, final long randomSeed)
    {
        final RaftConfig config = new RaftConfig().selfId(selfId);
        if (join)
        {
            config.memberIds(others(selfId, memberIds)).learnerIds(selfId);
        }
        else
        {
            config.memberIds(memberIds);
        }
        return config
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(electionTimeoutMs))
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs))
            .maxPayloadBytes(maxPayloadBytes)
            .maxBatchBytes(maxBatchBytes)
            .randomSeed(randomSeed)
            .leaseReads(leaseReads)
            .conclude();
    }

    private static int[] others(final int selfId, final int[] memberIds)
    {
        int n = 0;
        final int[] others = new int[memberIds.length];
        for (final int id : memberIds)
        {
            if (id != selfId)
            {
                others[n++] = id;
            }
        }
        return Arrays.copyOf(others, n);
    }
}

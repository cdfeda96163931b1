package io.raftlog.samples;

import io.raftlog.core.RaftConfig;

import java.util.concurrent.TimeUnit;

/**
 * The Raft settings the samples run with, the same for every member. Election timeout 300 ms and heartbeats every
 * 50 ms: long enough that three nodes and their drivers sharing two cores do not time out under load, short enough
 * that a failover is quick. Batches of at most 64 KiB: one batch is one AppendEntries, which the SMALL driver
 * profile's 1 MiB term carries whole (its largest message is 128 KiB).
 */
final class RaftSettings
{
    long electionTimeoutMs = 300;
    long heartbeatIntervalMs = 50;
    int maxPayloadBytes = 1024;
    int maxBatchBytes = 64 * 1024;

    RaftConfig toConfig(final int selfId, final int[] memberIds, final long randomSeed)
    {
        return new RaftConfig()
            .selfId(selfId)
            .memberIds(memberIds)
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(electionTimeoutMs))
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs))
            .maxPayloadBytes(maxPayloadBytes)
            .maxBatchBytes(maxBatchBytes)
            .randomSeed(randomSeed)
            .conclude();
    }
}

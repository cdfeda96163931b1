package io.raftlog.core;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One {@link RaftCore} driven by hand: the test delivers each message, tick and storage completion itself, with
 * explicit times, and reads back what the core sent through a recording {@link PeerTransport}. Every sent message
 * is kept as a small record (allocation is fine here), together with the metadata on disk at the moment it was
 * sent, so "persist before answering" is checkable.
 * <p>
 * Times: the election timeout is 100 ms, so a member that hears nothing times out somewhere in [100, 200) ms;
 * heartbeats every 10 ms.
 */
final class CoreHarness implements PeerTransport, RaftListener
{
    static final long MS = 1_000_000L;
    static final long ELECTION_TIMEOUT_NS = 100 * MS;
    static final long HEARTBEAT_NS = 10 * MS;
    /** Later than any randomized election deadline set at the same moment. */
    static final long SURELY_TIMED_OUT_NS = 2 * ELECTION_TIMEOUT_NS;

    // ---------------------------------------------------------------------------------------------------------------
    // What the core sends, as records
    // ---------------------------------------------------------------------------------------------------------------

    interface Sent
    {
        int to();
    }

    /** {@code metaTerm}/{@code metaVote}: what the MetaStore held when the request left. */
    record VoteRequest(
        int to, long term, long lastLogIndex, long lastLogTerm, int candidateId, boolean preVote, boolean transfer,
        long metaTerm, int metaVote) implements Sent
    {
    }

    /** {@code metaTerm}/{@code metaVote}: what the MetaStore held when the response left. */
    record VoteResponse(int to, long term, int voterId, boolean preVote, boolean granted, long metaTerm, int metaVote)
        implements Sent
    {
    }

    record AppendEntries(
        int to, long term, int leaderId, long prevLogIndex, long prevLogTerm, long leaderCommit, int entryCount,
        byte[] records, long readSeq, long leaderTimeNs) implements Sent
    {
        long firstIndex()
        {
            return prevLogIndex + 1;
        }

        long lastIndex()
        {
            return prevLogIndex + entryCount;
        }

        /** The term of each entry carried, read from the records themselves. */
        List<Long> entryTerms()
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(records);
            final List<Long> terms = new ArrayList<>();
            int position = 0;
            while (position < records.length)
            {
                terms.add(LogEntryCodec.term(buffer, position));
                position += LogEntryCodec.recordLength(buffer, position);
            }
            return terms;
        }

        /** The index of each entry carried, read from the records themselves. */
        List<Long> entryIndices()
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(records);
            final List<Long> indices = new ArrayList<>();
            int position = 0;
            while (position < records.length)
            {
                indices.add(LogEntryCodec.index(buffer, position));
                position += LogEntryCodec.recordLength(buffer, position);
            }
            return indices;
        }

        boolean isHeartbeat()
        {
            return entryCount == 0;
        }

        @Override
        public String toString()
        {
            return "AppendEntries[to=" + to + ", term=" + term + ", prev=" + prevLogIndex + "/" + prevLogTerm +
                ", commit=" + leaderCommit + ", entries=" + entryIndices() + " terms " + entryTerms() + "]";
        }
    }

    record AppendResponse(
        int to, long term, int followerId, boolean success, long matchIndex, long conflictIndex, long conflictTerm,
        long lastLogIndex, long rejectedIndex, long ackedReadSeq, long ackedLeaderTimeNs) implements Sent
    {
    }

    record ReadIndexRequest(int to, long term, int fromId, long requestId) implements Sent
    {
    }

    record ReadIndexResponse(int to, long term, int leaderId, long requestId, long readIndex) implements Sent
    {
    }

    /** What {@link RaftListener#onReadIndex} told. */
    record ReadAnswer(long requestId, long readIndex)
    {
    }

    record InstallSnapshot(
        int to, long term, int leaderId, long lastIncludedIndex, long lastIncludedTerm, long chunkOffset,
        long snapshotLength, boolean lastChunk, int chunkLength) implements Sent
    {
    }

    record InstallSnapshotResponse(
        int to, long term, int followerId, long lastIncludedIndex, long nextChunkOffset, boolean success) implements Sent
    {
    }

    record TimeoutNow(int to, long term, int leaderId) implements Sent
    {
    }

    record RoleChange(Role role, long term, int leaderId)
    {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Set-up
    // ---------------------------------------------------------------------------------------------------------------

    static final class Builder
    {
        private final int selfId;
        private int[] memberIds = {1, 2, 3};
        private UnaryOperator<RaftConfig> tuning = UnaryOperator.identity();
        private long[] logTerms = new long[0];
        private long metaTerm;
        private int metaVote = MetaStore.NO_VOTE;
        private SimLogStore log;
        private SimMetaStore meta;

        private Builder(final int selfId)
        {
            this.selfId = selfId;
        }

        Builder members(final int... memberIds)
        {
            this.memberIds = memberIds;
            return this;
        }

        /** Changes the settings from the harness defaults. */
        Builder config(final UnaryOperator<RaftConfig> tuning)
        {
            this.tuning = tuning;
            return this;
        }

        /** A log that survived from earlier terms, durable: entry i + 1 has {@code terms[i]}. */
        Builder log(final long... terms)
        {
            this.logTerms = terms;
            return this;
        }

        /** Term and vote that survived on disk. */
        Builder meta(final long term, final int votedFor)
        {
            this.metaTerm = term;
            this.metaVote = votedFor;
            return this;
        }

        /** Reuses the disk of an earlier member: a restart. */
        Builder disk(final SimLogStore log, final SimMetaStore meta)
        {
            this.log = log;
            this.meta = meta;
            return this;
        }

        /** Builds the core and starts it at time 0. */
        CoreHarness start()
        {
            return start(0);
        }

        CoreHarness start(final long nowNs)
        {
            if (log == null)
            {
                log = new SimLogStore(selfId, 64 * 1024, 64);
                meta = new SimMetaStore();
                if (logTerms.length > 0)
                {
                    final UnsafeBuffer records = records(1, logTerms);
                    log.append(records, 0, records.capacity(), logTerms.length);
                    log.sync();
                }
                if (metaTerm > 0 || metaVote != MetaStore.NO_VOTE)
                {
                    meta.store(metaTerm, metaVote);
                }
            }
            final RaftConfig config = tuning.apply(new RaftConfig()
                .selfId(selfId)
                .memberIds(memberIds)
                .electionTimeoutNs(ELECTION_TIMEOUT_NS)
                .heartbeatIntervalNs(HEARTBEAT_NS)
                .maxPayloadBytes(256)
                .maxBatchBytes(4096)
                .maxInflightMessages(8)
                .maxInflightBytes(64 * 1024)
                .randomSeed(selfId));
            return new CoreHarness(selfId, memberIds, config, log, meta, nowNs);
        }
    }

    static Builder member(final int selfId)
    {
        return new Builder(selfId);
    }

    final int selfId;
    final int[] memberIds;
    final SimLogStore log;
    final SimMetaStore meta;
    final io.raftlog.sim.SimSnapshotStore snapshots;
    final RaftCore core;
    final List<Sent> sent = new ArrayList<>();
    final List<Long> commits = new ArrayList<>();
    final List<RoleChange> roleChanges = new ArrayList<>();
    final List<ReadAnswer> readAnswers = new ArrayList<>();
    /** Members whose AppendEntries the transport refuses, as a back-pressured publication would. */
    final List<Integer> backPressured = new ArrayList<>();
    private long nowNs;

    private CoreHarness(
        final int selfId,
        final int[] memberIds,
        final RaftConfig config,
        final SimLogStore log,
        final SimMetaStore meta,
        final long nowNs)
    {
        this.selfId = selfId;
        this.memberIds = memberIds.clone();
        this.log = log;
        this.meta = meta;
        this.snapshots = new io.raftlog.sim.SimSnapshotStore();
        this.core = new RaftCore(config, log, meta, snapshots, this, this);
        this.nowNs = nowNs;
        core.start(nowNs);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Driving
    // ---------------------------------------------------------------------------------------------------------------

    long now()
    {
        return nowNs;
    }

    /** Moves the clock to {@code nowNs} and ticks. */
    CoreHarness at(final long nowNs)
    {
        this.nowNs = nowNs;
        core.tick(nowNs);
        return this;
    }

    /** Moves the clock on by {@code ns} and ticks. */
    CoreHarness after(final long ns)
    {
        return at(nowNs + ns);
    }

    CoreHarness flush()
    {
        core.flush();
        return this;
    }

    /** Makes everything written durable, tells the core, and flushes what that allows. */
    CoreHarness sync()
    {
        final long durable = log.sync();
        core.onLogDurable(durable, log.termAt(durable));
        return flush();
    }

    void voteRequest(
        final long term, final long lastIndex, final long lastTerm, final int candidateId, final boolean preVote,
        final boolean transfer)
    {
        core.onVoteRequest(term, lastIndex, lastTerm, candidateId, preVote, transfer);
    }

    void vote(final long term, final int voterId, final boolean granted)
    {
        core.onVoteResponse(term, voterId, false, granted);
    }

    void preVote(final long term, final int voterId, final boolean granted)
    {
        core.onVoteResponse(term, voterId, true, granted);
    }

    /**
     * Delivers AppendEntries whose entries follow {@code prevIndex} with the given terms.
     */
    void appendEntries(
        final long term, final int leaderId, final long prevIndex, final long prevTerm, final long leaderCommit,
        final long... entryTerms)
    {
        final UnsafeBuffer records = records(prevIndex + 1, entryTerms);
        core.onAppendEntries(
            term, leaderId, prevIndex, prevTerm, leaderCommit, entryTerms.length, records, 0, records.capacity(), 0, 0);
    }

    /** Delivers what a recorded AppendEntries carried, as if it arrived here (a duplicate, or from another core). */
    void deliver(final AppendEntries message)
    {
        final UnsafeBuffer records = new UnsafeBuffer(message.records());
        core.onAppendEntries(
            message.term(), message.leaderId(), message.prevLogIndex(), message.prevLogTerm(), message.leaderCommit(),
            message.entryCount(), records, 0, records.capacity(), message.readSeq(), message.leaderTimeNs());
    }

    /** A follower's success: durable and matching up to {@code matchIndex}, matching (perhaps not durable) to last. */
    void ack(final long term, final int followerId, final long matchIndex, final long lastLogIndex)
    {
        core.onAppendResponse(term, followerId, true, matchIndex, 0, 0, lastLogIndex, 0, 0, 0);
    }

    /** A follower's answer that echoes a read round and a leader send time (a heartbeat's acknowledgement). */
    void echo(final long term, final int followerId, final long matchIndex, final long readSeq, final long leaderTimeNs)
    {
        core.onAppendResponse(term, followerId, true, matchIndex, 0, 0, matchIndex, 0, readSeq, leaderTimeNs);
    }

    void ack(final long term, final int followerId, final long matchIndex)
    {
        ack(term, followerId, matchIndex, matchIndex);
    }

    void reject(
        final long term, final int followerId, final long rejectedIndex, final long conflictIndex,
        final long conflictTerm, final long followerLastIndex)
    {
        core.onAppendResponse(
            term, followerId, false, 0, conflictIndex, conflictTerm, followerLastIndex, rejectedIndex, 0, 0);
    }

    long offer(final int payloadBytes)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[Math.max(payloadBytes, 1)]);
        return core.offer(payload, 0, payloadBytes);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Getting a leader
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Times out, wins the pre-vote (if on) and the vote from the other members, and flushes the new leader's no-op.
     * The sent messages are cleared.
     */
    CoreHarness elect()
    {
        after(SURELY_TIMED_OUT_NS);
        for (final int id : peers())
        {
            if (core.role() == Role.PRE_CANDIDATE)
            {
                preVote(core.currentTerm() + 1, id, true);
            }
        }
        for (final int id : peers())
        {
            if (core.role() == Role.CANDIDATE)
            {
                vote(core.currentTerm(), id, true);
            }
        }
        assertEquals(Role.LEADER, core.role(), "elected");
        flush();
        sent.clear();
        return this;
    }

    /**
     * {@link #elect()}, then every follower acknowledges the no-op durably, which puts them in replicate state;
     * the leader's own log is made durable, which commits the no-op.
     */
    CoreHarness electAndReplicate()
    {
        elect();
        final long durable = log.sync();
        core.onLogDurable(durable, log.termAt(durable));
        for (final int id : peers())
        {
            ack(core.currentTerm(), id, log.lastIndex());
        }
        assertEquals(log.lastIndex(), core.commitIndex(), "the no-op commits");
        flush();
        sent.clear();
        return this;
    }

    int[] peers()
    {
        return Arrays.stream(memberIds).filter(id -> id != selfId).toArray();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading what was sent
    // ---------------------------------------------------------------------------------------------------------------

    <T extends Sent> List<T> sent(final Class<T> type)
    {
        return sent.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    <T extends Sent> List<T> sent(final Class<T> type, final int to)
    {
        return sent(type).stream().filter(m -> m.to() == to).collect(Collectors.toList());
    }

    /** The only message of that type sent (to anyone) since the last clear. */
    <T extends Sent> T only(final Class<T> type)
    {
        final List<T> messages = sent(type);
        assertEquals(1, messages.size(), () -> "one " + type.getSimpleName() + " expected, sent: " + sent);
        return messages.get(0);
    }

    <T extends Sent> T only(final Class<T> type, final int to)
    {
        final List<T> messages = sent(type, to);
        assertEquals(1, messages.size(), () -> "one " + type.getSimpleName() + " to " + to + " expected: " + sent);
        return messages.get(0);
    }

    void assertNothingSent()
    {
        assertTrue(sent.isEmpty(), () -> "nothing expected, sent: " + sent);
    }

    /** The terms of the log, entry 1 first. */
    List<Long> logTerms()
    {
        final List<Long> terms = new ArrayList<>();
        for (long i = 1; i <= log.lastIndex(); i++)
        {
            terms.add(log.termAt(i));
        }
        return terms;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Entry records
    // ---------------------------------------------------------------------------------------------------------------

    /** Application records with consecutive indices from {@code firstIndex}; each payload is its own index. */
    static UnsafeBuffer records(final long firstIndex, final long... terms)
    {
        final LogEntryCodec codec = new LogEntryCodec();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        final byte[] bytes = new byte[terms.length * LogEntryCodec.recordLength(8)];
        final UnsafeBuffer records = new UnsafeBuffer(bytes);
        int offset = 0;
        for (int i = 0; i < terms.length; i++)
        {
            payload.putLong(0, firstIndex + i);
            offset += codec.encode(records, offset, firstIndex + i, terms[i], 0, EntryType.APPLICATION, payload, 0, 8);
        }
        return records;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // PeerTransport and RaftListener: record everything
    // ---------------------------------------------------------------------------------------------------------------

    public void sendVoteRequest(
        final int to, final long term, final long lastLogIndex, final long lastLogTerm, final int candidateId,
        final boolean preVote, final boolean transfer)
    {
        sent.add(new VoteRequest(
            to, term, lastLogIndex, lastLogTerm, candidateId, preVote, transfer, meta.currentTerm(), meta.votedFor()));
    }

    public void sendVoteResponse(
        final int to, final long term, final int voterId, final boolean preVote, final boolean granted)
    {
        sent.add(new VoteResponse(to, term, voterId, preVote, granted, meta.currentTerm(), meta.votedFor()));
    }

    public boolean sendAppendEntries(
        final int to, final long term, final int leaderId, final long prevLogIndex, final long prevLogTerm,
        final long leaderCommit, final int entryCount, final DirectBuffer entries, final int offset, final int length,
        final long readSeq, final long leaderTimeNs)
    {
        if (backPressured.contains(to))
        {
            return false;
        }
        final byte[] records = new byte[length];
        entries.getBytes(offset, records);
        sent.add(new AppendEntries(
            to, term, leaderId, prevLogIndex, prevLogTerm, leaderCommit, entryCount, records, readSeq, leaderTimeNs));
        return true;
    }

    public void sendAppendResponse(
        final int to, final long term, final int followerId, final boolean success, final long matchIndex,
        final long conflictIndex, final long conflictTerm, final long lastLogIndex, final long rejectedIndex,
        final long ackedReadSeq, final long ackedLeaderTimeNs)
    {
        sent.add(new AppendResponse(to, term, followerId, success, matchIndex, conflictIndex, conflictTerm,
            lastLogIndex, rejectedIndex, ackedReadSeq, ackedLeaderTimeNs));
    }

    public void sendReadIndexRequest(final int to, final long term, final int fromId, final long requestId)
    {
        sent.add(new ReadIndexRequest(to, term, fromId, requestId));
    }

    public void sendReadIndexResponse(
        final int to, final long term, final int leaderId, final long requestId, final long readIndex)
    {
        sent.add(new ReadIndexResponse(to, term, leaderId, requestId, readIndex));
    }

    public void onReadIndex(final long requestId, final long readIndex)
    {
        readAnswers.add(new ReadAnswer(requestId, readIndex));
    }

    public void sendTimeoutNow(final int to, final long term, final int leaderId)
    {
        sent.add(new TimeoutNow(to, term, leaderId));
    }

    public boolean sendInstallSnapshot(
        final int to,
        final long term,
        final int leaderId,
        final long lastIncludedIndex,
        final long lastIncludedTerm,
        final long chunkOffset,
        final long snapshotLength,
        final boolean lastChunk,
        final org.agrona.DirectBuffer configuration,
        final int configurationOffset,
        final int configurationLength,
        final org.agrona.DirectBuffer chunk,
        final int chunkOffsetInBuffer,
        final int chunkLength)
    {
        sent.add(new InstallSnapshot(to, term, leaderId, lastIncludedIndex, lastIncludedTerm, chunkOffset,
            snapshotLength, lastChunk, chunkLength));
        return true;
    }

    public void sendInstallSnapshotResponse(
        final int to,
        final long term,
        final int followerId,
        final long lastIncludedIndex,
        final long nextChunkOffset,
        final boolean success)
    {
        sent.add(new InstallSnapshotResponse(to, term, followerId, lastIncludedIndex, nextChunkOffset, success));
    }

    public void onCommit(final long commitIndex)
    {
        commits.add(commitIndex);
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        roleChanges.add(new RoleChange(role, term, leaderId));
    }
}

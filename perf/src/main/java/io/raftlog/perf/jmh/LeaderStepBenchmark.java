package io.raftlog.perf.jmh;

import io.raftlog.codecs.AppendResponseEncoder;
import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.core.PeerTransport;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.protocol.PeerMessageEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One duty cycle of a leader of three members in steady state, on one thread, without a network or a disk:
 * {@code batch} x {@link RaftCore#offer}, {@link RaftCore#flush()} (the batch appended to the log in one call and
 * sent to both followers, who are up to date, so each gets this cycle's records as they are), the log reported
 * durable ({@link RaftCore#onLogDurable}), and both followers' AppendResponses, the first of which commits the batch
 * (leader and one follower are a majority). The score is per cycle (divide by {@code batch} for an entry).
 * <p>
 * {@code wire=COUNTING}: the transport only counts, so this is the core alone. {@code wire=SBE}: the real adapters
 * around it, {@link PeerMessageEncoder} encoding each AppendEntries into an off-heap ring ({@link MemoryOutbox},
 * standing in for an Aeron claim) and {@link PeerMessageDispatcher} validating and decoding each AppendResponse
 * (prepared once; only its match indices are rewritten per cycle).
 * <p>
 * The stores are in memory and allocation-free ({@link RingLogStore}, {@link MemoryMetaStore},
 * {@link NoSnapshotStore}); the clock stands still, so no heartbeat, election or check-quorum falls in the
 * measurement. The leader is elected in the setup through the core's own messages, as log-core's CoreHarness does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    JvmFlags.EXPORT_MISC, JvmFlags.OPEN_NIO, JvmFlags.OPEN_ZIP, JvmFlags.OPEN_REFLECT, JvmFlags.EXPORT_REF,
    JvmFlags.NO_ANALYTICS, JvmFlags.NO_ANNOUNCER, JvmFlags.NO_DISK_MONITOR })
public class LeaderStepBenchmark
{
    /**
     * What carries the core's messages.
     */
    public enum Wire
    {
        /** Nothing: the transport counts calls. */
        COUNTING,
        /** The SBE adapters, encoding into and decoding from memory. */
        SBE
    }

    static final int LEADER = 1;
    static final int FOLLOWER_A = 2;
    static final int FOLLOWER_B = 3;
    static final int RETAINED_ENTRIES = 1024;
    static final int MAX_PAYLOAD = 1024;

    /** Entries offered per cycle. */
    @Param({ "1", "16" })
    public int batch;

    /** Bytes of payload per entry. */
    @Param({ "32", "256" })
    public int payloadLength;

    @Param({ "COUNTING", "SBE" })
    public Wire wire;

    private final AppendResponseEncoder ackEncoderA = new AppendResponseEncoder();
    private final AppendResponseEncoder ackEncoderB = new AppendResponseEncoder();
    private final UnsafeBuffer ackBufferA = new UnsafeBuffer(new byte[128]);
    private final UnsafeBuffer ackBufferB = new UnsafeBuffer(new byte[128]);
    private int ackLength;

    private RingLogStore log;
    private CountingTransport counting;
    private MemoryOutbox outbox;
    private PeerMessageDispatcher dispatcher;
    private RaftCore core;
    private UnsafeBuffer payload;
    private long term;
    private long commits;

    @Setup
    public void setup()
    {
        final int recordLength = LogEntryCodec.recordLength(payloadLength);
        final int maxPayload = Math.max(MAX_PAYLOAD, payloadLength);
        final int maxBatchBytes = Math.max(64 * 1024, batch * recordLength);
        final RaftConfig config = new RaftConfig()
            .selfId(LEADER)
            .memberIds(LEADER, FOLLOWER_A, FOLLOWER_B)
            .maxPayloadBytes(maxPayload)
            .maxBatchBytes(maxBatchBytes)
            .maxInflightBytes(Math.max(1024 * 1024, 4 * maxBatchBytes));
        log = new RingLogStore(Math.max(RETAINED_ENTRIES, 4 * batch), maxPayload);
        final PeerTransport transport;
        if (wire == Wire.SBE)
        {
            outbox = new MemoryOutbox(Math.max(256 * 1024, 4 * maxBatchBytes));
            transport = new PeerMessageEncoder(outbox);
        }
        else
        {
            counting = new CountingTransport();
            transport = counting;
        }
        final RaftListener listener = new RaftListener()
        {
            public void onCommit(final long commitIndex)
            {
                commits++;
            }

            public void onRoleChange(final Role role, final long term, final int leaderId)
            {
            }
        };
        core = new RaftCore(config, log, new MemoryMetaStore(), new NoSnapshotStore(), transport, listener);
        dispatcher = new PeerMessageDispatcher(core);
        payload = new UnsafeBuffer(new byte[Math.max(1, payloadLength)]);
        for (int i = 0; i < payloadLength; i++)
        {
            payload.putByte(i, (byte)i);
        }

        elect(config.electionTimeoutNs());
        term = core.currentTerm();
        ackLength = prepareAck(ackEncoderA, ackBufferA, FOLLOWER_A);
        prepareAck(ackEncoderB, ackBufferB, FOLLOWER_B);
    }

    /**
     * @return the commit index after the cycle.
     */
    @Benchmark
    public long offerFlushCommit()
    {
        final RaftCore core = this.core;
        final UnsafeBuffer payload = this.payload;
        final int payloadLength = this.payloadLength;
        for (int i = 0; i < batch; i++)
        {
            if (core.offer(payload, 0, payloadLength) < 0)
            {
                throw new IllegalStateException("offer refused");
            }
        }
        core.flush();
        final long last = log.lastIndex();
        core.onLogDurable(last, term);
        acknowledge(last);
        final long commitIndex = core.commitIndex();
        if (commitIndex != last)
        {
            throw new IllegalStateException("cycle did not commit");
        }
        return commitIndex;
    }

    private void acknowledge(final long matchIndex)
    {
        if (wire == Wire.SBE)
        {
            ackEncoderA.matchIndex(matchIndex).lastLogIndex(matchIndex);
            ackEncoderB.matchIndex(matchIndex).lastLogIndex(matchIndex);
            dispatcher.onMessage(ackBufferA, 0, ackLength);
            dispatcher.onMessage(ackBufferB, 0, ackLength);
        }
        else
        {
            core.onAppendResponse(term, FOLLOWER_A, true, matchIndex, 0, 0, matchIndex, 0, 0, 0);
            core.onAppendResponse(term, FOLLOWER_B, true, matchIndex, 0, 0, matchIndex, 0, 0, 0);
        }
    }

    /**
     * Times out, wins the pre-vote and the vote, appends and commits the new leader's no-op, and brings both
     * followers into replicate state, as {@code CoreHarness.electAndReplicate} does.
     */
    private void elect(final long electionTimeoutNs)
    {
        core.start(0);
        core.tick(2 * electionTimeoutNs + 1);
        for (final int peer : new int[]{ FOLLOWER_A, FOLLOWER_B })
        {
            if (core.role() == Role.PRE_CANDIDATE)
            {
                core.onVoteResponse(core.currentTerm() + 1, peer, true, true);
            }
        }
        for (final int peer : new int[]{ FOLLOWER_A, FOLLOWER_B })
        {
            if (core.role() == Role.CANDIDATE)
            {
                core.onVoteResponse(core.currentTerm(), peer, false, true);
            }
        }
        if (core.role() != Role.LEADER)
        {
            throw new IllegalStateException("not elected: " + core.role());
        }
        core.flush();
        final long last = log.sync();
        core.onLogDurable(last, log.termAt(last));
        core.onAppendResponse(core.currentTerm(), FOLLOWER_A, true, last, 0, 0, last, 0, 0, 0);
        core.onAppendResponse(core.currentTerm(), FOLLOWER_B, true, last, 0, 0, last, 0, 0, 0);
        if (core.commitIndex() != last)
        {
            throw new IllegalStateException("the no-op did not commit: " + core.commitIndex() + " of " + last);
        }
        core.flush();
    }

    private int prepareAck(final AppendResponseEncoder encoder, final UnsafeBuffer buffer, final int followerId)
    {
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .term(term)
            .matchIndex(0)
            .conflictIndex(0)
            .conflictTerm(0)
            .lastLogIndex(0)
            .rejectedIndex(0)
            .followerId(followerId)
            .success(BooleanType.TRUE);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    RaftCore core()
    {
        return core;
    }

    long commits()
    {
        return commits;
    }

    CountingTransport counting()
    {
        return counting;
    }

    MemoryOutbox outbox()
    {
        return outbox;
    }

    PeerMessageDispatcher dispatcher()
    {
        return dispatcher;
    }
}

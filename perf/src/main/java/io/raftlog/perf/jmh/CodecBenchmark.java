package io.raftlog.perf.jmh;

import io.raftlog.codecs.AppendEntriesDecoder;
import io.raftlog.codecs.AppendEntriesEncoder;
import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.MessageValidator;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.ExpandableArrayBuffer;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The wire path of one AppendEntries batch, split where the node splits it; every score is per batch of
 * {@code entries} records (divide by it for a record).
 * <ul>
 *     <li>{@link #encodeRecords()}: the leader stages the batch, as {@code EntryBatch.stage} does, into a heap
 *     buffer: {@code entries} x {@link LogEntryCodec#encode}, a CRC32C over each record. Once per batch.</li>
 *     <li>{@link #encodeAppendEntries()}: the message to one follower, as {@code PeerMessageEncoder} writes it into
 *     a claimed (off-heap) buffer: header, fixed block, the records copied in. Once per follower.</li>
 *     <li>{@link #validateAndDecode(Blackhole)}: what {@code PeerMessageDispatcher} does with it on arrival, off-heap:
 *     {@link MessageValidator#validate} (header, bounds, and {@code LogEntryCodec.validateRun}: every record's
 *     CRC32C, index and term), then the flyweight reads of the fixed block and where the entries lie.</li>
 *     <li>{@link #decodeTrusted(Blackhole)}: the flyweight reads alone, without the validation, to show what the
 *     validation costs.</li>
 * </ul>
 * The off-heap checksums go through Agrona's {@code Crc32c} in place because the fork opens {@code java.util.zip}
 * (see {@link JvmFlags}); nothing here allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    JvmFlags.EXPORT_MISC, JvmFlags.OPEN_NIO, JvmFlags.OPEN_ZIP, JvmFlags.OPEN_REFLECT, JvmFlags.EXPORT_REF,
    JvmFlags.NO_ANALYTICS, JvmFlags.NO_ANNOUNCER, JvmFlags.NO_DISK_MONITOR })
public class CodecBenchmark
{
    static final long TERM = 7;
    static final long FIRST_INDEX = 1_000_001;
    static final long TIMESTAMP = 1_700_000_000_000_000_000L;
    static final int LEADER_ID = 1;

    /** Records in the batch. */
    @Param({ "16" })
    public int entries;

    /** Bytes of payload per record. */
    @Param({ "32", "256" })
    public int payloadLength;

    private final LogEntryCodec codec = new LogEntryCodec();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AppendEntriesEncoder appendEntriesEncoder = new AppendEntriesEncoder();
    private final MessageValidator validator = new MessageValidator();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AppendEntriesDecoder appendEntriesDecoder = new AppendEntriesDecoder();

    private UnsafeBuffer payload;
    /** The leader's batch: a heap buffer, as in {@code EntryBatch}. */
    private ExpandableArrayBuffer records;
    private int recordsLength;
    /** The claimed send buffer and the receive buffer: off-heap, as Aeron's term buffers are. */
    private UnsafeBuffer wire;
    private int messageLength;

    @Setup
    public void setup()
    {
        final byte[] bytes = new byte[payloadLength];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        payload = new UnsafeBuffer(bytes);
        records = new ExpandableArrayBuffer(entries * LogEntryCodec.recordLength(payloadLength));
        recordsLength = encodeRecords();
        final int capacity = BitUtil.align(
            MessageHeaderEncoder.ENCODED_LENGTH + AppendEntriesEncoder.BLOCK_LENGTH +
            AppendEntriesEncoder.entriesHeaderLength() + recordsLength, 64);
        wire = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64));
        messageLength = encodeAppendEntries();
    }

    /**
     * @return the bytes of the batch's records.
     */
    @Benchmark
    public int encodeRecords()
    {
        final LogEntryCodec codec = this.codec;
        final ExpandableArrayBuffer records = this.records;
        final int entries = this.entries;
        int position = 0;
        for (int i = 0; i < entries; i++)
        {
            position += codec.encode(
                records, position, FIRST_INDEX + i, TERM, TIMESTAMP, EntryType.APPLICATION, payload, 0, payloadLength);
        }
        return position;
    }

    /**
     * @return the length of the message, header included.
     */
    @Benchmark
    public int encodeAppendEntries()
    {
        appendEntriesEncoder.wrapAndApplyHeader(wire, 0, headerEncoder)
            .term(TERM)
            .prevLogIndex(FIRST_INDEX - 1)
            .prevLogTerm(TERM)
            .leaderCommit(FIRST_INDEX - 1)
            .leaderId(LEADER_ID)
            .entryCount(entries)
            .putEntries(records, 0, recordsLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + appendEntriesEncoder.encodedLength();
    }

    @Benchmark
    public void validateAndDecode(final Blackhole bh)
    {
        final int templateId = validator.validate(wire, 0, messageLength);
        if (templateId != AppendEntriesDecoder.TEMPLATE_ID)
        {
            throw new IllegalStateException("rejected: " + MessageValidator.reasonText(templateId));
        }
        decode(bh);
    }

    @Benchmark
    public void decodeTrusted(final Blackhole bh)
    {
        decode(bh);
    }

    private void decode(final Blackhole bh)
    {
        final MessageHeaderDecoder header = headerDecoder.wrap(wire, 0);
        final AppendEntriesDecoder decoder = appendEntriesDecoder.wrap(
            wire, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        bh.consume(decoder.term());
        bh.consume(decoder.prevLogIndex());
        bh.consume(decoder.prevLogTerm());
        bh.consume(decoder.leaderCommit());
        bh.consume(decoder.leaderId());
        bh.consume(decoder.entryCount());
        bh.consume(decoder.entriesLength());
        bh.consume(decoder.limit() + AppendEntriesDecoder.entriesHeaderLength());
    }

    int recordsLength()
    {
        return recordsLength;
    }

    int messageLength()
    {
        return messageLength;
    }

    UnsafeBuffer wire()
    {
        return wire;
    }
}

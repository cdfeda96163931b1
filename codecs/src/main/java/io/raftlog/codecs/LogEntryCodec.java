package io.raftlog.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.checksum.Crc32c;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Writes, reads and checks log entry records: the body of a {@code LogEntry} SBE message without a message header.
 * The same bytes are carried in {@code AppendEntries.entries} and kept by storage, so a follower appends what it
 * received and the checksum travels with the entry.
 * <pre>
 *   0       4    5         8         16        24          32               36
 *   +-------+----+---------+---------+---------+-----------+----------------+------------+
 *   | crc32c|type|reserved | index   | term    | timestamp | payload length | payload... |
 *   +-------+----+---------+---------+---------+-----------+----------------+------------+
 *           |&lt;------------------ covered by the CRC32C checksum --------------------------&gt;|
 * </pre>
 * Little-endian, as the schema says. The checksum covers everything after itself, so a flipped bit anywhere in the
 * type, index, term, timestamp, length or payload is caught; the reserved bytes are written as zero.
 * <p>
 * One instance per thread: it owns a {@link CRC32C} and a scratch array. The static accessors are stateless and
 * read a record that has already been validated (they do not check bounds beyond the buffer's own checks).
 * Nothing here allocates after construction.
 * <p>
 * Checksums of off-heap buffers go straight over the memory with Agrona's {@link Crc32c} when the JVM lets Agrona
 * reach into {@code java.util.zip} ({@code --add-opens java.base/java.util.zip=ALL-UNNAMED}); without that flag
 * Agrona's class fails to initialise, so this class detects it once and copies the bytes through a small scratch
 * array instead. Both give the same value for the same bytes.
 */
public final class LogEntryCodec
{
    /** Length of the fixed block plus the payload length field: where the payload starts. */
    public static final int HEADER_LENGTH = LogEntryEncoder.BLOCK_LENGTH + LogEntryEncoder.payloadHeaderLength();

    /** Largest payload the schema's {@code varDataEncoding} allows. */
    public static final int MAX_PAYLOAD_LENGTH = 1 << 30;

    /** {@link #validateRun} result: the run is good. */
    public static final int OK = 0;
    /** A record's header or payload runs past the end of the bytes given, or the bytes lie outside the buffer. */
    public static final int TRUNCATED = -21;
    /** The stored checksum does not match the bytes: torn write or corruption. */
    public static final int BAD_CHECKSUM = -22;
    /** A record's index is not the one after its predecessor (or not the expected first index). */
    public static final int INDEX_GAP = -23;
    /** The bytes end cleanly but hold fewer records than expected, or the expected count is negative. */
    public static final int COUNT_MISMATCH = -24;
    /** A record's term is lower than its predecessor's: a log's terms never decrease. */
    public static final int TERM_DECREASES = -25;
    /** A record's entry type is not one of the schema's {@link EntryType} values. */
    public static final int UNKNOWN_TYPE = -26;
    /** Bytes remain after the expected number of records. */
    public static final int TRAILING_BYTES = -27;

    static final int CHECKSUM_OFFSET = LogEntryDecoder.checksumEncodingOffset();
    static final int CHECKSUM_LENGTH = LogEntryDecoder.checksumEncodingLength();
    static final int ENTRY_TYPE_OFFSET = LogEntryDecoder.entryTypeEncodingOffset();
    static final int INDEX_OFFSET = LogEntryDecoder.indexEncodingOffset();
    static final int TERM_OFFSET = LogEntryDecoder.termEncodingOffset();
    static final int TIMESTAMP_OFFSET = LogEntryDecoder.timestampEncodingOffset();
    static final int PAYLOAD_LENGTH_OFFSET = LogEntryDecoder.BLOCK_LENGTH;

    private static final ByteOrder ORDER = LogEntryDecoder.BYTE_ORDER;
    private static final int RESERVED_OFFSET = ENTRY_TYPE_OFFSET + LogEntryDecoder.entryTypeEncodingLength();
    private static final int SCRATCH_LENGTH = 4096;
    private static final boolean[] KNOWN_TYPES = knownEntryTypes();
    private static final boolean ADDRESS_CHECKSUM_AVAILABLE = addressChecksumAvailable();

    private final LogEntryEncoder encoder = new LogEntryEncoder();
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch = new byte[SCRATCH_LENGTH];
    private final boolean useAddressChecksum;

    /**
     * A codec for the calling thread.
     */
    public LogEntryCodec()
    {
        this(ADDRESS_CHECKSUM_AVAILABLE);
    }

    /**
     * Lets tests force the copying path for off-heap buffers.
     *
     * @param useAddressChecksum checksum off-heap memory in place with Agrona's {@link Crc32c}; needs the JVM flag.
     */
    LogEntryCodec(final boolean useAddressChecksum)
    {
        this.useAddressChecksum = useAddressChecksum && ADDRESS_CHECKSUM_AVAILABLE;
    }

    /**
     * Whether off-heap buffers are checksummed in place (true) or copied through a scratch array (false).
     *
     * @return true when Agrona's {@link Crc32c} is usable in this JVM and this codec uses it.
     */
    public boolean checksumsInPlace()
    {
        return useAddressChecksum;
    }

    /**
     * Length of a record with a payload of the given length.
     *
     * @param payloadLength bytes of payload.
     * @return bytes of the whole record.
     */
    public static int recordLength(final int payloadLength)
    {
        return HEADER_LENGTH + payloadLength;
    }

    /**
     * Writes a complete record, checksum included.
     *
     * @param dst           where to write.
     * @param offset        where the record starts in {@code dst}.
     * @param index         Raft index of the entry.
     * @param term          term in which the leader created the entry.
     * @param timestamp     leader clock at append.
     * @param type          entry type; not {@link EntryType#NULL_VAL}.
     * @param payload       bytes to carry.
     * @param payloadOffset where the payload starts in {@code payload}.
     * @param payloadLength bytes of payload, 0 to {@link #MAX_PAYLOAD_LENGTH}.
     * @return the record length.
     */
    public int encode(
        final MutableDirectBuffer dst,
        final int offset,
        final long index,
        final long term,
        final long timestamp,
        final EntryType type,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        if (EntryType.NULL_VAL == type || null == type)
        {
            throw new IllegalArgumentException("entry type must be a real type");
        }
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException("payloadLength out of range: " + payloadLength);
        }

        encoder.wrap(dst, offset)
            .checksum(0)
            .entryType(type)
            .index(index)
            .term(term)
            .timestamp(timestamp)
            .putPayload(payload, payloadOffset, payloadLength);
        // SBE leaves bytes it has no field for untouched: zero them so every node writes identical records.
        dst.putByte(offset + RESERVED_OFFSET, (byte)0);
        dst.putShort(offset + RESERVED_OFFSET + 1, (short)0, ORDER);

        final int recordLength = encoder.encodedLength();
        dst.putInt(offset + CHECKSUM_OFFSET, checksum(dst, offset, recordLength), ORDER);

        return recordLength;
    }

    /**
     * CRC32C of a record's bytes after the checksum field, {@code [recordOffset + 4, recordOffset + recordLength)}.
     * Works on heap buffers (over the backing array) and off-heap ones (over the memory, or through a copy).
     *
     * @param buffer       holding the record.
     * @param recordOffset where the record starts.
     * @param recordLength bytes of the record, at least 4.
     * @return the checksum as stored in the record's first four bytes.
     * @throws IndexOutOfBoundsException if the range is not inside the buffer; an unchecked read of off-heap memory
     *                                   could crash the JVM, so this is always checked.
     */
    public int checksum(final DirectBuffer buffer, final int recordOffset, final int recordLength)
    {
        if (!inBounds(buffer, recordOffset, recordLength) || recordLength < CHECKSUM_LENGTH)
        {
            throw new IndexOutOfBoundsException("record outside buffer");
        }

        final int from = recordOffset + CHECKSUM_LENGTH;
        final int length = recordLength - CHECKSUM_LENGTH;
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            crc.reset();
            crc.update(array, buffer.wrapAdjustment() + from, length);
            return (int)crc.getValue();
        }

        if (useAddressChecksum)
        {
            return Crc32c.INSTANCE.compute(buffer.addressOffset(), from, length);
        }

        return checksumByCopy(buffer, from, length);
    }

    private int checksumByCopy(final DirectBuffer buffer, final int from, final int length)
    {
        final byte[] scratch = this.scratch;
        crc.reset();
        for (int done = 0; done < length; )
        {
            final int chunk = Math.min(scratch.length, length - done);
            buffer.getBytes(from + done, scratch, 0, chunk);
            crc.update(scratch, 0, chunk);
            done += chunk;
        }

        return (int)crc.getValue();
    }

    /**
     * Computes and stores the checksum of a record whose header and payload are already in place, for example after
     * encoding the payload in place with the generated encoder.
     *
     * @param buffer holding the record.
     * @param offset where the record starts.
     */
    public void writeChecksum(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + CHECKSUM_OFFSET, checksum(buffer, offset, recordLength(buffer, offset)), ORDER);
    }

    /**
     * Whether the stored checksum matches the bytes. Never throws: a range outside the buffer, or one too short to
     * hold a header, is simply not valid.
     *
     * @param buffer       holding the record.
     * @param offset       where the record starts.
     * @param recordLength bytes of the record.
     * @return true if the record is intact.
     */
    public boolean isChecksumValid(final DirectBuffer buffer, final int offset, final int recordLength)
    {
        return recordLength >= HEADER_LENGTH &&
            inBounds(buffer, offset, recordLength) &&
            storedChecksum(buffer, offset) == checksum(buffer, offset, recordLength);
    }

    /**
     * Checks that {@code [offset, offset + length)} holds exactly {@code expectedCount} complete, intact records with
     * consecutive indices from {@code expectedFirstIndex} and non-decreasing terms: what a follower must know before
     * it appends an AppendEntries batch as is, and what recovery checks on a stored run. Never throws, whatever the
     * bytes; every read is bounds-checked first.
     * <p>
     * Checks per record, in order: the header fits, the payload fits, the checksum, the type, the index, the term.
     * The checksum comes before the semantic checks so that corruption is reported as corruption.
     *
     * @param buffer             holding the run.
     * @param offset             where the first record starts.
     * @param length             bytes of the run.
     * @param expectedCount      how many records the run must hold.
     * @param expectedFirstIndex the index of the first record.
     * @return {@link #OK}, or one of the negative reasons of this class.
     */
    public int validateRun(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int expectedCount,
        final long expectedFirstIndex)
    {
        if (expectedCount < 0)
        {
            return COUNT_MISMATCH;
        }
        if (!inBounds(buffer, offset, length))
        {
            return TRUNCATED;
        }

        final int end = offset + length;
        long expectedIndex = expectedFirstIndex;
        long previousTerm = Long.MIN_VALUE;
        int count = 0;
        int position = offset;
        while (position < end)
        {
            if (count == expectedCount)
            {
                return TRAILING_BYTES;
            }

            final int remaining = end - position;
            if (remaining < HEADER_LENGTH)
            {
                return TRUNCATED;
            }

            final long payloadLength = buffer.getInt(position + PAYLOAD_LENGTH_OFFSET, ORDER) & 0xFFFF_FFFFL;
            if (payloadLength > remaining - HEADER_LENGTH)
            {
                return TRUNCATED;
            }

            final int recordLength = HEADER_LENGTH + (int)payloadLength;
            if (storedChecksum(buffer, position) != checksum(buffer, position, recordLength))
            {
                return BAD_CHECKSUM;
            }
            if (!isKnownEntryType(entryTypeCode(buffer, position)))
            {
                return UNKNOWN_TYPE;
            }
            if (index(buffer, position) != expectedIndex)
            {
                return INDEX_GAP;
            }

            final long term = term(buffer, position);
            if (term < previousTerm)
            {
                return TERM_DECREASES;
            }

            previousTerm = term;
            expectedIndex++;
            count++;
            position += recordLength;
        }

        return count == expectedCount ? OK : COUNT_MISMATCH;
    }

    /**
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @return the checksum stored in the record.
     */
    public static int storedChecksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + CHECKSUM_OFFSET, ORDER);
    }

    /**
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @return the Raft index of the entry.
     */
    public static long index(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + INDEX_OFFSET, ORDER);
    }

    /**
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @return the term of the entry.
     */
    public static long term(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TERM_OFFSET, ORDER);
    }

    /**
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @return the leader's clock when it appended the entry.
     */
    public static long timestamp(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET, ORDER);
    }

    /**
     * The raw uint8 entry type, as {@link EntryType#value()} gives it: compare codes on the hot path instead of
     * calling {@link EntryType#get(short)}, which throws on an unknown code.
     *
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @return the entry type code, 0 to 255.
     */
    public static short entryTypeCode(final DirectBuffer buffer, final int offset)
    {
        return (short)(buffer.getByte(offset + ENTRY_TYPE_OFFSET) & 0xFF);
    }

    /**
     * @param code a raw entry type code.
     * @return true if the schema defines it (and it is not the null value).
     */
    public static boolean isKnownEntryType(final int code)
    {
        return code >= 0 && code < KNOWN_TYPES.length && KNOWN_TYPES[code];
    }

    /**
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @return bytes of payload (read as a signed int: a validated record's length is at most 2^30).
     */
    public static int payloadLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, ORDER);
    }

    /**
     * @param recordOffset where the record starts.
     * @return where its payload starts.
     */
    public static int payloadOffset(final int recordOffset)
    {
        return recordOffset + HEADER_LENGTH;
    }

    /**
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @return bytes of the whole record, from its stored payload length.
     */
    public static int recordLength(final DirectBuffer buffer, final int offset)
    {
        return HEADER_LENGTH + payloadLength(buffer, offset);
    }

    /**
     * A text for a reason code of {@link #validateRun}, for logs and tests; allocates nothing but is not for hot
     * paths either.
     *
     * @param code a result of {@link #validateRun}.
     * @return its name.
     */
    public static String reasonText(final int code)
    {
        switch (code)
        {
            case OK: return "OK";
            case TRUNCATED: return "TRUNCATED";
            case BAD_CHECKSUM: return "BAD_CHECKSUM";
            case INDEX_GAP: return "INDEX_GAP";
            case COUNT_MISMATCH: return "COUNT_MISMATCH";
            case TERM_DECREASES: return "TERM_DECREASES";
            case UNKNOWN_TYPE: return "UNKNOWN_TYPE";
            case TRAILING_BYTES: return "TRAILING_BYTES";
            default: return "UNKNOWN_REASON";
        }
    }

    static boolean inBounds(final DirectBuffer buffer, final int offset, final int length)
    {
        return offset >= 0 && length >= 0 && offset <= buffer.capacity() - length;
    }

    private static boolean[] knownEntryTypes()
    {
        final boolean[] known = new boolean[256];
        for (final EntryType type : EntryType.values())
        {
            if (EntryType.NULL_VAL != type)
            {
                known[type.value()] = true;
            }
        }

        return known;
    }

    /**
     * Agrona's {@link Crc32c} reaches a private method of {@link CRC32C} reflectively; on JDK 16+ that needs
     * {@code java.util.zip} opened to it, otherwise its static initialiser throws an {@link Error}. Check the opening
     * first so the common case never throws, and still catch whatever a future JDK might do differently.
     */
    private static boolean addressChecksumAvailable()
    {
        try
        {
            if (!Object.class.getModule().isOpen("java.util.zip", Crc32c.class.getModule()))
            {
                return false;
            }

            final byte[] probe = { 1, 2, 3, 4, 5, 6, 7, 8 };
            final java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(probe.length);
            direct.put(probe);
            final CRC32C expected = new CRC32C();
            expected.update(probe, 0, probe.length);

            return (int)expected.getValue() == Crc32c.INSTANCE.compute(org.agrona.BufferUtil.address(direct), 0, 8);
        }
        catch (final Throwable ignore)
        {
            return false;
        }
    }
}

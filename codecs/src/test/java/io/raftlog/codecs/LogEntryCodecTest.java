package io.raftlog.codecs;

import org.agrona.BufferUtil;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;

import static io.raftlog.codecs.LogEntryCodec.*;
import static org.junit.jupiter.api.Assertions.*;

class LogEntryCodecTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final LogEntryCodec codec = new LogEntryCodec();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);

    @Test
    void recordLayoutIsTheOneTheSchemaCommentDraws()
    {
        assertEquals(36, HEADER_LENGTH);
        assertEquals(36 + 100, recordLength(100));
        assertEquals(0, CHECKSUM_OFFSET);
        assertEquals(4, ENTRY_TYPE_OFFSET);
        assertEquals(8, INDEX_OFFSET);
        assertEquals(16, TERM_OFFSET);
        assertEquals(24, TIMESTAMP_OFFSET);
        assertEquals(32, PAYLOAD_LENGTH_OFFSET);
        assertEquals(LE, LogEntryEncoder.BYTE_ORDER);
    }

    @Test
    void encodedRecordReadsBackEveryField()
    {
        final int[] sizes = { 0, 1, 7, 36, 1000, 5000 };
        int offset = 3;
        for (final int size : sizes)
        {
            final byte[] payload = SampleMessages.bytes(size, size);
            final int length = codec.encode(
                buffer, offset, 42 + size, 7, -5L + size, EntryType.APPLICATION, new UnsafeBuffer(payload), 0, size);

            assertEquals(recordLength(size), length);
            assertEquals(length, recordLength(buffer, offset));
            assertEquals(42 + size, index(buffer, offset));
            assertEquals(7, term(buffer, offset));
            assertEquals(-5L + size, timestamp(buffer, offset));
            assertEquals(EntryType.APPLICATION.value(), entryTypeCode(buffer, offset));
            assertEquals(size, payloadLength(buffer, offset));
            assertEquals(offset + 36, payloadOffset(offset));
            assertArrayEquals(payload, SampleMessages.copy(buffer, payloadOffset(offset), size));
            assertTrue(codec.isChecksumValid(buffer, offset, length));

            final LogEntryDecoder decoder = new LogEntryDecoder()
                .wrap(buffer, offset, LogEntryDecoder.BLOCK_LENGTH, LogEntryDecoder.SCHEMA_VERSION);
            assertEquals(storedChecksum(buffer, offset), decoder.checksum());
            assertEquals(EntryType.APPLICATION, decoder.entryType());
            assertEquals(42 + size, decoder.index());
            assertEquals(7, decoder.term());
            assertEquals(-5L + size, decoder.timestamp());
            assertEquals(size, decoder.payloadLength());

            offset += length;
        }
    }

    @Test
    void encodePayloadFromAnOffsetInItsBuffer()
    {
        final UnsafeBuffer payload = new UnsafeBuffer("xxhello".getBytes(StandardCharsets.US_ASCII));
        final int length = codec.encode(buffer, 0, 1, 1, 0, EntryType.NOOP, payload, 2, 5);
        assertEquals("hello", buffer.getStringWithoutLengthAscii(payloadOffset(0), 5));
        assertEquals(41, length);
    }

    @Test
    void reservedBytesAreWrittenAsZeroSoEveryNodeWritesIdenticalRecords()
    {
        buffer.setMemory(0, 100, (byte)0xFF);
        codec.encode(buffer, 0, 1, 1, 1, EntryType.NOOP, buffer, 0, 0);
        assertEquals(0, buffer.getByte(5));
        assertEquals(0, buffer.getByte(6));
        assertEquals(0, buffer.getByte(7));
    }

    @Test
    void encodeRejectsTheNullTypeAndImpossibleLengths()
    {
        assertThrows(IllegalArgumentException.class,
            () -> codec.encode(buffer, 0, 1, 1, 1, EntryType.NULL_VAL, buffer, 0, 0));
        assertThrows(IllegalArgumentException.class,
            () -> codec.encode(buffer, 0, 1, 1, 1, EntryType.NOOP, buffer, 0, -1));
        assertThrows(IllegalArgumentException.class,
            () -> codec.encode(buffer, 0, 1, 1, 1, EntryType.NOOP, buffer, 0, MAX_PAYLOAD_LENGTH + 1));
    }

    @Test
    void checksumIsCrc32cOfTheBytesAfterTheChecksumField()
    {
        // The standard CRC-32C check value: CRC32C("123456789") = 0xE3069283.
        final UnsafeBuffer record = new UnsafeBuffer(new byte[13]);
        record.putStringWithoutLengthAscii(4, "123456789");
        assertEquals(0xE3069283, codec.checksum(record, 0, 13));

        final int length = codec.encode(
            buffer, 10, 5, 6, 7, EntryType.CONFIGURATION, new UnsafeBuffer(new byte[99]), 0, 99);
        assertEquals(reference(SampleMessages.copy(buffer, 14, length - 4)), storedChecksum(buffer, 10));
    }

    @Test
    void flippingAnyBitOfARecordInvalidatesIt()
    {
        final byte[] payload = SampleMessages.bytes(50, 3);
        final int length = codec.encode(buffer, 0, 9, 2, 123, EntryType.APPLICATION, new UnsafeBuffer(payload), 0, 50);

        for (int i = 0; i < length; i++) // [0, 4) is the checksum itself: a flip there is a mismatch too
        {
            for (int bit = 0; bit < 8; bit++)
            {
                final byte original = buffer.getByte(i);
                buffer.putByte(i, (byte)(original ^ (1 << bit)));
                assertFalse(codec.isChecksumValid(buffer, 0, length), "byte " + i + " bit " + bit);
                buffer.putByte(i, original);
            }
        }
        assertTrue(codec.isChecksumValid(buffer, 0, length));
    }

    @Test
    void writeChecksumMakesAnInPlaceEditedRecordValidAgain()
    {
        final int length = codec.encode(buffer, 8, 1, 1, 1, EntryType.APPLICATION, new UnsafeBuffer(new byte[20]), 0, 20);
        buffer.putByte(payloadOffset(8) + 3, (byte)77);
        assertFalse(codec.isChecksumValid(buffer, 8, length));
        codec.writeChecksum(buffer, 8);
        assertTrue(codec.isChecksumValid(buffer, 8, length));
    }

    @Test
    void checksumIsTheSameOnHeapOffHeapAndThroughTheCopyPath()
    {
        final LogEntryCodec copying = new LogEntryCodec(false);
        assertTrue(codec.checksumsInPlace(), "tests run with --add-opens java.base/java.util.zip (see codecs/pom.xml)");
        assertFalse(copying.checksumsInPlace());

        final int[] sizes = { 0, 1, 35, 4095, 4096, 4097, 10_000 };
        for (final int size : sizes)
        {
            final byte[] payload = SampleMessages.bytes(size, size ^ 0x5A);
            final int length = recordLength(size);
            final UnsafeBuffer source = new UnsafeBuffer(new byte[length]);
            codec.encode(source, 0, 100 + size, 3, 4, EntryType.APPLICATION, new UnsafeBuffer(payload), 0, size);
            final int expected = reference(SampleMessages.copy(source, 4, length - 4));
            assertEquals(expected, storedChecksum(source, 0));

            final ByteBuffer direct = ByteBuffer.allocateDirect(length + 64);
            final ByteBuffer heap = ByteBuffer.wrap(new byte[length + 64], 9, length + 20).slice(); // arrayOffset 9
            final MutableDirectBuffer[] buffers = {
                new UnsafeBuffer(new byte[length + 64], 13, length + 20),  // wrap adjustment 13
                new UnsafeBuffer(direct, 7, length + 20),                   // direct ByteBuffer at an offset
                new UnsafeBuffer(BufferUtil.address(direct) + 11, length),  // a bare address, no ByteBuffer
                new UnsafeBuffer(heap),                                      // heap ByteBuffer with an array offset
                new ExpandableArrayBuffer(length + 8),
                new ExpandableDirectByteBuffer(length + 8),
            };

            for (final MutableDirectBuffer target : buffers)
            {
                final int at = target.capacity() - length; // the record ends at the buffer's end
                target.putBytes(at, source, 0, length);
                final String what = target.getClass().getSimpleName() + " size " + size;
                assertEquals(expected, codec.checksum(target, at, length), what);
                assertEquals(expected, copying.checksum(target, at, length), what + " (copy path)");
                assertTrue(codec.isChecksumValid(target, at, length), what);
                assertEquals(LogEntryCodec.OK, codec.validateRun(target, at, length, 1, 100 + size), what);
                assertEquals(LogEntryCodec.OK, copying.validateRun(target, at, length, 1, 100 + size), what);
            }
        }
    }

    @Test
    void checksumOfARangeOutsideTheBufferThrowsInsteadOfReadingWildMemory()
    {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        assertThrows(IndexOutOfBoundsException.class, () -> codec.checksum(direct, 60, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> codec.checksum(direct, -1, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> codec.checksum(direct, 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> codec.checksum(buffer, 10, -5));
    }

    @Test
    void isChecksumValidIsFalseRatherThanThrowingForImpossibleRanges()
    {
        final UnsafeBuffer small = new UnsafeBuffer(new byte[40]);
        assertFalse(codec.isChecksumValid(small, 0, 35));
        assertFalse(codec.isChecksumValid(small, 0, 41));
        assertFalse(codec.isChecksumValid(small, 10, 36));
        assertFalse(codec.isChecksumValid(small, -1, 36));
        assertFalse(codec.isChecksumValid(small, Integer.MAX_VALUE, 36));
        assertFalse(codec.isChecksumValid(small, 0, Integer.MIN_VALUE));
    }

    @Test
    void validateRunAcceptsConsecutiveIntactRecordsWithNonDecreasingTerms()
    {
        final int length = encodeRun(buffer, 16, 10, new long[] { 1, 1, 2, 2, 5 }, new int[] { 0, 3, 100, 0, 1 });
        assertEquals(OK, codec.validateRun(buffer, 16, length, 5, 10));
    }

    @Test
    void validateRunAcceptsAnEmptyRunOfZeroRecords()
    {
        assertEquals(OK, codec.validateRun(buffer, 0, 0, 0, 1));
        assertEquals(OK, codec.validateRun(new UnsafeBuffer(new byte[0]), 0, 0, 0, 1));
    }

    @Test
    void validateRunRejectsAGapInTheIndices()
    {
        int length = encode(buffer, 0, 1, 1, 4);
        length += encode(buffer, length, 2, 1, 4);
        length += encode(buffer, length, 4, 1, 4);
        assertEquals(INDEX_GAP, codec.validateRun(buffer, 0, length, 3, 1));
    }

    @Test
    void validateRunRejectsARunThatDoesNotStartAtTheExpectedIndex()
    {
        final int length = encodeRun(buffer, 0, 5, new long[] { 1, 1 }, new int[] { 1, 1 });
        assertEquals(INDEX_GAP, codec.validateRun(buffer, 0, length, 2, 4));
        assertEquals(INDEX_GAP, codec.validateRun(buffer, 0, length, 2, 6));
    }

    @Test
    void validateRunRejectsRepeatedIndices()
    {
        int length = encode(buffer, 0, 1, 1, 4);
        length += encode(buffer, length, 1, 1, 4);
        assertEquals(INDEX_GAP, codec.validateRun(buffer, 0, length, 2, 1));
    }

    @Test
    void validateRunRejectsFewerRecordsThanCounted()
    {
        final int length = encodeRun(buffer, 0, 1, new long[] { 1, 1, 1 }, new int[] { 8, 8, 8 });
        assertEquals(COUNT_MISMATCH, codec.validateRun(buffer, 0, length, 4, 1));
        assertEquals(COUNT_MISMATCH, codec.validateRun(buffer, 0, 0, 1, 1));
    }

    @Test
    void validateRunRejectsMoreRecordsThanCountedAsTrailingBytes()
    {
        final int length = encodeRun(buffer, 0, 1, new long[] { 1, 1, 1 }, new int[] { 8, 8, 8 });
        assertEquals(TRAILING_BYTES, codec.validateRun(buffer, 0, length, 2, 1));
        assertEquals(TRAILING_BYTES, codec.validateRun(buffer, 0, length, 0, 1));
    }

    @Test
    void validateRunRejectsTrailingBytesAfterTheLastRecord()
    {
        final int length = encodeRun(buffer, 0, 1, new long[] { 1, 1 }, new int[] { 8, 8 });
        for (int extra = 1; extra <= HEADER_LENGTH + 10; extra++)
        {
            assertEquals(TRAILING_BYTES, codec.validateRun(buffer, 0, length + extra, 2, 1), "extra " + extra);
        }
    }

    @Test
    void validateRunRejectsEveryTruncation()
    {
        final int[] payloads = { 5, 0, 40 };
        final int length = encodeRun(buffer, 0, 1, new long[] { 1, 1, 1 }, payloads);
        final int[] boundaries = { 0, recordLength(5), recordLength(5) + recordLength(0) };
        for (int cut = 0; cut < length; cut++)
        {
            final UnsafeBuffer exact = new UnsafeBuffer(buffer, 0, cut); // a read past the cut would throw
            final int expected = isOneOf(cut, boundaries) ? COUNT_MISMATCH : TRUNCATED;
            assertEquals(expected, codec.validateRun(exact, 0, cut, 3, 1), "cut at " + cut);
        }
    }

    @Test
    void validateRunRejectsDecreasingTerms()
    {
        final int length = encodeRun(buffer, 0, 1, new long[] { 2, 3, 2 }, new int[] { 1, 1, 1 });
        assertEquals(TERM_DECREASES, codec.validateRun(buffer, 0, length, 3, 1));
    }

    @Test
    void validateRunRejectsUnknownEntryTypesEvenWithAGoodChecksum()
    {
        for (int code = 0; code < 256; code++)
        {
            final int length = encode(buffer, 0, 1, 1, 3);
            buffer.putByte(ENTRY_TYPE_OFFSET, (byte)code);
            codec.writeChecksum(buffer, 0);
            // APPLICATION, NOOP, CONFIGURATION, SESSION_OPEN, SESSION_APPEND, SESSION_CLOSE
            final boolean known = code >= 1 && code <= 6;
            assertEquals(known, isKnownEntryType(code));
            assertEquals(known ? OK : UNKNOWN_TYPE, codec.validateRun(buffer, 0, length, 1, 1), "type " + code);
        }
        for (final EntryType type : EntryType.values()) // the literal range above is the schema's, no more, no less
        {
            assertEquals(EntryType.NULL_VAL != type, isKnownEntryType(type.value()), type.name());
        }
        assertFalse(isKnownEntryType(-1));
        assertFalse(isKnownEntryType(256));
    }

    @Test
    void validateRunReportsCorruptionAsABadChecksumBeforeAnySemanticCheck()
    {
        final int length = encodeRun(buffer, 0, 1, new long[] { 1, 1 }, new int[] { 10, 10 });
        final int second = recordLength(10);
        for (int i = 0; i < length; i++)
        {
            if (i >= PAYLOAD_LENGTH_OFFSET && i < HEADER_LENGTH ||
                i >= second + PAYLOAD_LENGTH_OFFSET && i < second + HEADER_LENGTH)
            {
                continue; // a corrupt length moves the record boundaries: see the test below
            }
            final byte original = buffer.getByte(i);
            buffer.putByte(i, (byte)(original ^ 0x10));
            assertEquals(BAD_CHECKSUM, codec.validateRun(buffer, 0, length, 2, 1), "byte " + i);
            buffer.putByte(i, original);
        }
    }

    @Test
    void validateRunRejectsACorruptPayloadLengthWithoutReadingPastTheRun()
    {
        final int length = encodeRun(buffer, 0, 1, new long[] { 1, 1 }, new int[] { 10, 10 });
        final UnsafeBuffer exact = new UnsafeBuffer(buffer, 0, length);
        final int[] lengths = { -1, Integer.MIN_VALUE, Integer.MAX_VALUE, length, 11, 9, 0 };
        for (final int bad : lengths)
        {
            buffer.putInt(PAYLOAD_LENGTH_OFFSET, bad, LE);
            final int reason = codec.validateRun(exact, 0, length, 2, 1);
            assertTrue(reason == TRUNCATED || reason == BAD_CHECKSUM, "length " + bad + ": " + reasonText(reason));
        }
    }

    @Test
    void validateRunRejectsANegativeCountAndRangesOutsideTheBuffer()
    {
        final int length = encode(buffer, 0, 1, 1, 3);
        assertEquals(COUNT_MISMATCH, codec.validateRun(buffer, 0, length, -1, 1));
        assertEquals(TRUNCATED, codec.validateRun(buffer, -1, length, 1, 1));
        assertEquals(TRUNCATED, codec.validateRun(buffer, 0, -1, 1, 1));
        assertEquals(TRUNCATED, codec.validateRun(buffer, buffer.capacity() - 2, 10, 1, 1));
        assertEquals(TRUNCATED, codec.validateRun(buffer, Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 1));
    }

    @Test
    void validateRunNeverThrowsOnRandomGarbage()
    {
        final Random random = new Random(0x5EED_0001L);
        final byte[] bytes = new byte[512];
        for (int i = 0; i < 100_000; i++)
        {
            final int length = random.nextInt(bytes.length + 1);
            random.nextBytes(bytes);
            if (random.nextBoolean()) // plausible lengths reach deeper checks
            {
                final int payload = random.nextInt(Math.max(1, length - HEADER_LENGTH + 8));
                new UnsafeBuffer(bytes).putInt(PAYLOAD_LENGTH_OFFSET, payload, LE);
            }
            final UnsafeBuffer exact = new UnsafeBuffer(bytes, 0, length);
            final int reason = codec.validateRun(exact, 0, length, random.nextInt(4) - 1, random.nextLong());
            assertTrue(reason <= 0);
        }
    }

    @Test
    void reasonTextNamesEveryReason()
    {
        final int[] reasons = {
            OK, TRUNCATED, BAD_CHECKSUM, INDEX_GAP, COUNT_MISMATCH, TERM_DECREASES, UNKNOWN_TYPE, TRAILING_BYTES };
        final java.util.Set<String> texts = new java.util.HashSet<>();
        for (final int reason : reasons)
        {
            assertTrue(texts.add(reasonText(reason)));
        }
        assertEquals("UNKNOWN_REASON", reasonText(-999));
    }

    private int encode(final MutableDirectBuffer dst, final int offset, final long index, final long term, final int size)
    {
        final byte[] payload = SampleMessages.bytes(size, (int)index);
        return codec.encode(dst, offset, index, term, index * 1000, EntryType.APPLICATION, new UnsafeBuffer(payload), 0, size);
    }

    private int encodeRun(
        final MutableDirectBuffer dst, final int offset, final long firstIndex, final long[] terms, final int[] sizes)
    {
        int position = offset;
        for (int i = 0; i < terms.length; i++)
        {
            position += encode(dst, position, firstIndex + i, terms[i], sizes[i]);
        }

        return position - offset;
    }

    private static boolean isOneOf(final int value, final int[] values)
    {
        for (final int v : values)
        {
            if (v == value)
            {
                return true;
            }
        }

        return false;
    }

    private static int reference(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int)crc.getValue();
    }
}

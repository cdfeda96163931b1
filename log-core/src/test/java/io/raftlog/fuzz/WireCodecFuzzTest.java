package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.raftlog.codecs.AppendEntriesDecoder;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.MessageValidator;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The wire's first line of defence: {@link MessageValidator} says yes only to a message that the generated decoders
 * then read without an exception and without a byte outside it, and {@link LogEntryCodec#validateRun} says OK only
 * to records that are intact and numbered as promised. Whatever the bytes, neither throws nor allocates much, and
 * both answer the same for a heap buffer and for off-heap memory (where checksums take another path).
 * <p>
 * Inputs are raw bytes, or a well-formed peer or client message (fields drawn from the input) whose framing the
 * input may then bend.
 */
class WireCodecFuzzTest
{
    private static final int CAPACITY = 16 * 1024;
    private static final int MAX_OFFSET = 7;
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int[] MEMBER_IDS = {1, 2, 3};

    // The fixture, built once per JVM: buffers, codecs and writers are reused by every input.
    private static final UnsafeBuffer HEAP = new UnsafeBuffer(new byte[CAPACITY]);
    private static final UnsafeBuffer OFF_HEAP = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
    private static final UnsafeBuffer EXACT = new UnsafeBuffer(0, 0);
    private static final MessageValidator VALIDATOR = new MessageValidator();
    private static final LogEntryCodec CODEC = new LogEntryCodec();
    private static final MessageHeaderDecoder HEADER = new MessageHeaderDecoder();
    private static final WholeMessageDecoder DECODER = new WholeMessageDecoder();
    private static final PeerMessages PEER_MESSAGES = new PeerMessages();
    private static final ClientMessages CLIENT_MESSAGES = new ClientMessages();
    private static final PeerMessages.Pivot PEER_PIVOT = new PeerMessages.Pivot();
    private static final ClientMessages.Pivot CLIENT_PIVOT = new ClientMessages.Pivot();
    private static final AllocationBudget BUDGET = new AllocationBudget(AllocationBudget.MAX_BYTES_PER_INPUT);
    private static final WarmUp WARM_UP = new WarmUp(WireCodecFuzzTest::validate, 200, 2048);

    static
    {
        PEER_PIVOT.term = 3;
        PEER_PIVOT.lastIndex = 5;
        PEER_PIVOT.lastTerm = 3;
        PEER_PIVOT.commitIndex = 4;
        PEER_PIVOT.memberIds = MEMBER_IDS;
        CLIENT_PIVOT.sessionId = 4;
        CLIENT_PIVOT.sequence = 1;
        CLIENT_PIVOT.maxPayloadBytes = 1024;
        CLIENT_PIVOT.memberIds = MEMBER_IDS;
    }

    @FuzzTest(maxDuration = "15s")
    void validatorAcceptsOnlyWhatDecodesWithinItsBytes(final byte[] input)
    {
        WARM_UP.once();
        BUDGET.run(input, WireCodecFuzzTest::validate, "validating one input");
    }

    private static void validate(final FuzzedDataProvider data)
    {
        BUDGET.start();
        final int offset = data.consumeInt(0, MAX_OFFSET);
        final int mode = data.consumeInt(0, 3);
        final int length;
        switch (mode)
        {
            case 0:
                length = PEER_MESSAGES.write(data, HEAP, offset, PEER_PIVOT);
                break;

            case 1:
                length = CLIENT_MESSAGES.write(data, HEAP, offset, CLIENT_PIVOT);
                break;

            default:
            {
                final byte[] bytes = data.consumeBytes(CAPACITY - MAX_OFFSET);
                HEAP.putBytes(offset, bytes);
                length = bytes.length;
                break;
            }
        }
        final int delivered = mode < 2 ? WireDamage.bend(data, HEAP, offset, length, CAPACITY - offset) : length;
        OFF_HEAP.putBytes(offset, HEAP, offset, delivered);

        if (mode == 3)
        {
            checkRecordRun(data, offset, delivered);
        }
        else
        {
            checkMessage(data, offset, delivered);
        }
        BUDGET.stop();
    }

    private static void checkMessage(final FuzzedDataProvider data, final int offset, final int length)
    {
        final int result = VALIDATOR.validate(HEAP, offset, length);
        final int messageLength = VALIDATOR.messageLength();
        assertEquals(result, VALIDATOR.validate(OFF_HEAP, offset, length), "heap and off-heap disagree");
        assertEquals(messageLength, VALIDATOR.messageLength(), "heap and off-heap disagree on the length");
        if (result < 0)
        {
            assertTrue(result >= MessageValidator.BAD_ENUM_VALUE, () -> "unknown reason " + result);
            assertEquals(0, messageLength, "a rejected message has no length");
            return;
        }

        assertTrue(messageLength >= HEADER_LENGTH && messageLength <= length,
            () -> "accepted " + messageLength + " bytes of " + length);
        assertTrue(VALIDATOR.validate(HEAP, offset, messageLength - 1) < 0,
            () -> "a message one byte short is accepted: " + MessageValidator.reasonText(result));
        final int cut = data.consumeInt(0, messageLength - 1);
        assertTrue(VALIDATOR.validate(HEAP, offset, cut) < 0,
            () -> "a message cut to " + cut + " of " + messageLength + " bytes is accepted");

        // the generated decoders, over exactly the accepted bytes, read every field and stop where the validator did
        EXACT.wrap(HEAP, offset, messageLength);
        HEADER.wrap(EXACT, 0);
        final int bodyLength = DECODER.decode(result, EXACT, HEADER_LENGTH, HEADER.blockLength(), HEADER.version());
        assertEquals(messageLength - HEADER_LENGTH, bodyLength,
            () -> MessageValidator.reasonText(result) + ": the decoder and the validator disagree on its end");
        if (result == AppendEntriesDecoder.TEMPLATE_ID)
        {
            checkEntries();
        }
    }

    /**
     * An accepted AppendEntries holds exactly entryCount intact records numbered from prevLogIndex + 1.
     */
    private static void checkEntries()
    {
        final AppendEntriesDecoder decoder = new AppendEntriesDecoder()
            .wrap(EXACT, HEADER_LENGTH, HEADER.blockLength(), HEADER.version());
        final int count = decoder.entryCount();
        final long firstIndex = decoder.prevLogIndex() + 1;
        final int start = decoder.limit() + AppendEntriesDecoder.entriesHeaderLength();
        final int end = start + decoder.entriesLength();
        assertEquals(LogEntryCodec.OK, CODEC.validateRun(EXACT, start, end - start, count, firstIndex));
        walkRecords(EXACT, start, end, count, firstIndex);
    }

    private static void checkRecordRun(final FuzzedDataProvider data, final int offset, final int length)
    {
        final int count = data.consumeInt(-1, EntryRuns.MAX_ENTRIES);
        final long firstIndex = Draw.near(data, 1);
        final int result = CODEC.validateRun(HEAP, offset, length, count, firstIndex);
        assertEquals(result, CODEC.validateRun(OFF_HEAP, offset, length, count, firstIndex),
            "heap and off-heap disagree");
        if (result == LogEntryCodec.OK)
        {
            EXACT.wrap(HEAP, offset, length);
            walkRecords(EXACT, 0, length, count, firstIndex);
        }
        else if (result > LogEntryCodec.OK || result < LogEntryCodec.TRAILING_BYTES)
        {
            fail("unknown reason " + result);
        }
    }

    private static void walkRecords(
        final UnsafeBuffer buffer, final int start, final int end, final int count, final long firstIndex)
    {
        int position = start;
        long previousTerm = Long.MIN_VALUE;
        for (int i = 0; i < count; i++)
        {
            final int recordLength = LogEntryCodec.recordLength(buffer, position);
            assertTrue(recordLength >= LogEntryCodec.HEADER_LENGTH && recordLength <= end - position,
                "a record runs past the run");
            assertTrue(CODEC.isChecksumValid(buffer, position, recordLength), "an accepted record fails its checksum");
            assertEquals(firstIndex + i, LogEntryCodec.index(buffer, position));
            assertTrue(LogEntryCodec.term(buffer, position) >= previousTerm, "terms decrease");
            previousTerm = LogEntryCodec.term(buffer, position);
            position += recordLength;
        }
        assertEquals(end, position, "bytes left after the records");
    }
}

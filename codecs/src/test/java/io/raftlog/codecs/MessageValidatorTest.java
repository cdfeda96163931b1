package io.raftlog.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static io.raftlog.codecs.MessageValidator.*;
import static io.raftlog.codecs.SampleMessages.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.*;

class MessageValidatorTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int OFFSET = 3;
    private static final int SCHEMA_ID_OFFSET = MessageHeaderDecoder.schemaIdEncodingOffset();
    private static final int VERSION_OFFSET = MessageHeaderDecoder.versionEncodingOffset();
    private static final int TEMPLATE_ID_OFFSET = MessageHeaderDecoder.templateIdEncodingOffset();
    private static final int BLOCK_LENGTH_OFFSET = MessageHeaderDecoder.blockLengthEncodingOffset();

    private final MessageValidator validator = new MessageValidator();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8192]);

    @Test
    void aForeignSchemaIdIsRejected()
    {
        for (final SampleMessages sample : SampleMessages.values())
        {
            final int length = sample.encode(buffer, OFFSET);
            for (final int schemaId : new int[] { 0, 1700, 1702, 0xFFFF })
            {
                buffer.putShort(OFFSET + SCHEMA_ID_OFFSET, (short)schemaId, LE);
                assertEquals(FOREIGN_SCHEMA, validator.validate(buffer, OFFSET, length), sample + " " + schemaId);
            }
        }
    }

    @Test
    void versionZeroAndVersionsNewerThanTheSchemaAreRejected()
    {
        for (final SampleMessages sample : SampleMessages.values())
        {
            final int length = sample.encode(buffer, OFFSET);
            for (final int version : new int[] { 0, MessageHeaderDecoder.SCHEMA_VERSION + 1, 0xFFFF })
            {
                buffer.putShort(OFFSET + VERSION_OFFSET, (short)version, LE);
                assertEquals(UNSUPPORTED_VERSION, validator.validate(buffer, OFFSET, length), sample + " " + version);
            }
        }
    }

    @Test
    void everyTemplateIdThatIsNotAWireMessageIsRejectedAsUnknown()
    {
        final Set<Integer> known = new HashSet<>();
        for (final SampleMessages sample : SampleMessages.values())
        {
            known.add(sample.templateId);
        }

        final int length = SampleMessages.APPEND_ENTRIES_HEARTBEAT.encode(buffer, OFFSET);
        for (int templateId = 0; templateId <= 0xFFFF; templateId++)
        {
            if (!known.contains(templateId))
            {
                buffer.putShort(OFFSET + TEMPLATE_ID_OFFSET, (short)templateId, LE);
                assertEquals(UNKNOWN_TEMPLATE, validator.validate(buffer, OFFSET, length), "template " + templateId);
            }
        }
    }

    @Test
    void aLogEntryIsAStoredRecordNotAWireMessage()
    {
        final LogEntryEncoder encoder = new LogEntryEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, new MessageHeaderEncoder())
            .entryType(EntryType.NOOP).index(1).term(1).timestamp(1)
            .putPayload(new UnsafeBuffer(new byte[0]), 0, 0);
        assertEquals(UNKNOWN_TEMPLATE, validator.validate(buffer, OFFSET, HEADER_LENGTH + encoder.encodedLength()));
    }

    @Test
    void aBlockLengthShorterThanTheTemplatesIsRejected()
    {
        for (final SampleMessages sample : SampleMessages.values())
        {
            final int length = sample.encode(buffer, OFFSET);
            final int blockLength = buffer.getShort(OFFSET + BLOCK_LENGTH_OFFSET, LE) & 0xFFFF;
            for (final int shorter : new int[] { 0, 1, blockLength - 1 })
            {
                buffer.putShort(OFFSET + BLOCK_LENGTH_OFFSET, (short)shorter, LE);
                assertEquals(BLOCK_TOO_SHORT, validator.validate(buffer, OFFSET, length), sample + " " + shorter);
            }
        }
    }

    /**
     * A newer sender may append fields to a fixed block; var data then starts after the header's block length, not
     * the static one. (The version is kept at ours: this checks the walk, not the version rule.)
     */
    @Test
    void varDataIsFoundAfterTheHeadersBlockLengthNotTheStaticOne()
    {
        final UnsafeBuffer original = new UnsafeBuffer(new byte[8192]);
        for (final SampleMessages sample : SampleMessages.values())
        {
            final int length = sample.encode(original, 0);
            final int blockLength = original.getShort(BLOCK_LENGTH_OFFSET, LE) & 0xFFFF;
            final int extra = 13;
            final int fixedEnd = HEADER_LENGTH + blockLength;

            buffer.setMemory(0, buffer.capacity(), (byte)0);
            buffer.putBytes(OFFSET, original, 0, fixedEnd);
            buffer.setMemory(OFFSET + fixedEnd, extra, (byte)0x7F); // would read as a huge var-data length
            buffer.putBytes(OFFSET + fixedEnd + extra, original, fixedEnd, length - fixedEnd);
            buffer.putShort(OFFSET + BLOCK_LENGTH_OFFSET, (short)(blockLength + extra), LE);

            final UnsafeBuffer exact = new UnsafeBuffer(buffer, 0, OFFSET + length + extra);
            assertEquals(sample.templateId, validator.validate(exact, OFFSET, length + extra), sample.name());
            assertEquals(length + extra, validator.messageLength());
            assertEquals(OFFSET + length + extra, decodeAll(exact, OFFSET), sample.name());
        }
    }

    @Test
    void everyTruncationOfEveryMessageIsRejected()
    {
        for (final SampleMessages sample : SampleMessages.values())
        {
            final int length = sample.encode(buffer, OFFSET);
            for (int cut = 0; cut < length; cut++)
            {
                final UnsafeBuffer exact = new UnsafeBuffer(buffer, 0, OFFSET + cut); // a read past the cut throws
                final int expected = cut < HEADER_LENGTH ? TOO_SHORT_FOR_HEADER : TRUNCATED;
                assertEquals(expected, validator.validate(exact, OFFSET, cut), sample + " cut at " + cut);
                assertEquals(0, validator.messageLength());
            }
        }
    }

    @Test
    void bytesAfterTheMessageAreToleratedAndMessageLengthSaysWhereItEnded()
    {
        for (final SampleMessages sample : SampleMessages.values())
        {
            final int length = sample.encode(buffer, OFFSET);
            buffer.setMemory(OFFSET + length, 100, (byte)0xFF);
            assertEquals(sample.templateId, validator.validate(buffer, OFFSET, length + 100), sample.name());
            assertEquals(length, validator.messageLength());
        }
    }

    @Test
    void rangesOutsideTheBufferAreRejectedWithoutThrowing()
    {
        final int length = SampleMessages.VOTE_REQUEST.encode(buffer, OFFSET);
        assertEquals(TRUNCATED, validator.validate(buffer, -1, length));
        assertEquals(TRUNCATED, validator.validate(buffer, OFFSET, -1));
        assertEquals(TRUNCATED, validator.validate(buffer, OFFSET, buffer.capacity()));
        assertEquals(TRUNCATED, validator.validate(buffer, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(TOO_SHORT_FOR_HEADER, validator.validate(new UnsafeBuffer(new byte[0]), 0, 0));
    }

    @Test
    void aFlippedBitInAnEntryIsRejectedAsBadEntries()
    {
        final int length = SampleMessages.APPEND_ENTRIES_THREE.encode(buffer, OFFSET);
        final int entriesOffset = OFFSET + HEADER_LENGTH + AppendEntriesDecoder.BLOCK_LENGTH + 4;
        final int entriesLength = buffer.getInt(entriesOffset - 4, LE);
        assertEquals(AppendEntriesDecoder.TEMPLATE_ID, validator.validate(buffer, OFFSET, length));

        int payloadBitsChecked = 0;
        int position = entriesOffset;
        for (int i = 0; i < SampleMessages.ENTRY_PAYLOADS.length; i++)
        {
            final int payloadOffset = LogEntryCodec.payloadOffset(position);
            final int payloadEnd = payloadOffset + LogEntryCodec.payloadLength(buffer, position);
            for (int at = payloadOffset; at < payloadEnd; at++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    flip(buffer, at, bit);
                    assertEquals(BAD_ENTRIES, validator.validate(buffer, OFFSET, length), "entry " + i + " at " + at);
                    assertEquals(LogEntryCodec.BAD_CHECKSUM, validator.entriesReason());
                    flip(buffer, at, bit);
                    payloadBitsChecked++;
                }
            }
            position = payloadEnd;
        }
        assertEquals(entriesOffset + entriesLength, position);
        assertTrue(payloadBitsChecked > 300 * 8);

        for (int at = entriesOffset; at < entriesOffset + entriesLength; at++) // headers and checksums too
        {
            for (int bit = 0; bit < 8; bit++)
            {
                flip(buffer, at, bit);
                assertEquals(BAD_ENTRIES, validator.validate(buffer, OFFSET, length), "byte " + at + " bit " + bit);
                flip(buffer, at, bit);
            }
        }
        assertEquals(AppendEntriesDecoder.TEMPLATE_ID, validator.validate(buffer, OFFSET, length));
    }

    @Test
    void anEntryCountThatDisagreesWithTheEntriesIsRejected()
    {
        final int entryCountAt = OFFSET + HEADER_LENGTH + AppendEntriesDecoder.entryCountEncodingOffset();

        final int length = SampleMessages.APPEND_ENTRIES_THREE.encode(buffer, OFFSET);
        for (final int count : new int[] { 2, 4, 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            buffer.putInt(entryCountAt, count, LE);
            assertEquals(BAD_ENTRIES, validator.validate(buffer, OFFSET, length), "count " + count);
        }

        final int heartbeatLength = SampleMessages.APPEND_ENTRIES_HEARTBEAT.encode(buffer, OFFSET);
        for (final int count : new int[] { 1, -1 })
        {
            buffer.putInt(entryCountAt, count, LE);
            assertEquals(BAD_ENTRIES, validator.validate(buffer, OFFSET, heartbeatLength), "heartbeat count " + count);
        }
    }

    @Test
    void entriesThatDoNotFollowPrevLogIndexAreRejected()
    {
        final int prevLogIndexAt = OFFSET + HEADER_LENGTH + AppendEntriesDecoder.prevLogIndexEncodingOffset();
        final int length = SampleMessages.APPEND_ENTRIES_THREE.encode(buffer, OFFSET);
        for (final long prevLogIndex : new long[] {
            SampleMessages.PREV_LOG_INDEX - 1, SampleMessages.PREV_LOG_INDEX + 1, 0, Long.MAX_VALUE })
        {
            buffer.putLong(prevLogIndexAt, prevLogIndex, LE);
            assertEquals(BAD_ENTRIES, validator.validate(buffer, OFFSET, length));
            assertEquals(LogEntryCodec.INDEX_GAP, validator.entriesReason());
        }
    }

    /** Generated decoders throw on an enum code the schema does not define, so such a message must not pass. */
    @Test
    void enumFieldsHoldingUndefinedCodesAreRejected()
    {
        // The counts below are the schema's: a value added to an enum fails here until the checks move past it.
        assertEquals(2, definedCodes(BooleanType.values(), BooleanType.NULL_VAL, BooleanType::value));
        assertEquals(2, definedCodes(VoteType.values(), VoteType.NULL_VAL, VoteType::value));
        assertEquals(3, definedCodes(SessionCode.values(), SessionCode.NULL_VAL, SessionCode::value));
        assertEquals(3, definedCodes(AppendCode.values(), AppendCode.NULL_VAL, AppendCode::value));
        assertEquals(18, definedCodes(RejectReason.values(), RejectReason.NULL_VAL, RejectReason::value));
        assertEquals(3, definedCodes(AdminAction.values(), AdminAction.NULL_VAL, AdminAction::value));

        checkEnumField(SampleMessages.VOTE_REQUEST, VoteRequestDecoder.voteTypeEncodingOffset(), 2);
        checkEnumField(SampleMessages.VOTE_REQUEST, VoteRequestDecoder.leadershipTransferEncodingOffset(), 2);
        checkEnumField(SampleMessages.VOTE_RESPONSE, VoteResponseDecoder.voteTypeEncodingOffset(), 2);
        checkEnumField(SampleMessages.VOTE_RESPONSE, VoteResponseDecoder.grantedEncodingOffset(), 2);
        checkEnumField(SampleMessages.APPEND_RESPONSE, AppendResponseDecoder.successEncodingOffset(), 2);
        checkEnumField(SampleMessages.INSTALL_SNAPSHOT, InstallSnapshotDecoder.lastChunkEncodingOffset(), 2);
        checkEnumField(
            SampleMessages.INSTALL_SNAPSHOT_RESPONSE, InstallSnapshotResponseDecoder.successEncodingOffset(), 2);
        checkEnumField(SampleMessages.OPEN_SESSION_RESPONSE, OpenSessionResponseDecoder.codeEncodingOffset(), 3);
        checkEnumField(SampleMessages.OPEN_SESSION_RESPONSE, OpenSessionResponseDecoder.reasonEncodingOffset(), 18);
        checkEnumField(SampleMessages.CLIENT_APPEND_RESPONSE, ClientAppendResponseDecoder.codeEncodingOffset(), 3);
        checkEnumField(SampleMessages.CLIENT_APPEND_RESPONSE, ClientAppendResponseDecoder.reasonEncodingOffset(), 18);
        checkEnumField(SampleMessages.CLIENT_APPEND_RESPONSE, ClientAppendResponseDecoder.hasResultEncodingOffset(), 2);
        checkEnumField(SampleMessages.CLIENT_QUERY_REQUEST, ClientQueryRequestDecoder.modeEncodingOffset(), 2);
        checkEnumField(SampleMessages.CLIENT_QUERY_RESPONSE, ClientQueryResponseDecoder.codeEncodingOffset(), 3);
        checkEnumField(SampleMessages.CLIENT_QUERY_RESPONSE, ClientQueryResponseDecoder.reasonEncodingOffset(), 18);
        checkEnumField(SampleMessages.STATUS_RESPONSE, StatusResponseDecoder.isVoterEncodingOffset(), 2);
        checkEnumField(SampleMessages.ADMIN_REQUEST_ADD_MEMBER, AdminRequestDecoder.actionEncodingOffset(), 3);
        checkEnumField(SampleMessages.ADMIN_REQUEST_TRANSFER_LEADER, AdminRequestDecoder.actionEncodingOffset(), 3);
        checkEnumField(SampleMessages.ADMIN_RESPONSE, AdminResponseDecoder.codeEncodingOffset(), 3);
        checkEnumField(SampleMessages.ADMIN_RESPONSE, AdminResponseDecoder.reasonEncodingOffset(), 18);
    }

    /** Fields that are not enums are not judged: StatusResponse.role is a plain int32, StatusRequest has no enum. */
    @Test
    void theNewClientMessagesWithoutEnumFieldsAcceptAnyFixedBlock()
    {
        for (final SampleMessages sample : new SampleMessages[] {
            SampleMessages.STATUS_REQUEST, SampleMessages.STATUS_RESPONSE })
        {
            final int length = sample.encode(buffer, OFFSET);
            final int blockLength = buffer.getShort(OFFSET + BLOCK_LENGTH_OFFSET, LE) & 0xFFFF;
            final int isVoterAt = sample == SampleMessages.STATUS_RESPONSE ?
                StatusResponseDecoder.isVoterEncodingOffset() : -1;
            for (int at = 0; at < blockLength; at++)
            {
                if (at == isVoterAt)
                {
                    continue;
                }
                buffer.putByte(OFFSET + HEADER_LENGTH + at, (byte)0xFF);
            }
            assertEquals(sample.templateId, validator.validate(buffer, OFFSET, length), sample.name());
            assertEquals(OFFSET + length, decodeAll(buffer, OFFSET));
        }
    }

    /**
     * AdminRequest is the one client message with two var-data fields: the validator must walk past the response
     * channel to the endpoint and bound both, or a decoder reading the endpoint would run past the message.
     */
    @Test
    void eitherVarDataFieldOfAnAdminRequestRunningPastTheBytesIsRejected()
    {
        final int channelAt = OFFSET + HEADER_LENGTH + AdminRequestDecoder.BLOCK_LENGTH;
        final int channelHeader = AdminRequestDecoder.responseChannelHeaderLength();
        final int endpointHeader = AdminRequestDecoder.endpointHeaderLength();
        final int channelLength = SampleMessages.RESPONSE_CHANNEL.length();
        final int endpointAt = channelAt + channelHeader + channelLength;
        final int endpointLength = SampleMessages.MEMBER_ENDPOINT.length();

        final int length = SampleMessages.ADMIN_REQUEST_ADD_MEMBER.encode(buffer, OFFSET);
        assertEquals(endpointAt + endpointHeader + endpointLength, OFFSET + length);
        assertEquals(channelLength, buffer.getShort(channelAt, LE) & 0xFFFF);
        assertEquals(endpointLength, buffer.getShort(endpointAt, LE) & 0xFFFF);
        final UnsafeBuffer exact = new UnsafeBuffer(buffer, 0, OFFSET + length);
        assertEquals(AdminRequestDecoder.TEMPLATE_ID, validator.validate(exact, OFFSET, length));

        // the endpoint one byte, or far, too long for the bytes left
        for (final int bad : new int[] { endpointLength + 1, endpointLength + 1000, 0xFFFF })
        {
            buffer.putShort(endpointAt, (short)bad, LE);
            assertEquals(TRUNCATED, validator.validate(exact, OFFSET, length), "endpoint length " + bad);
            assertEquals(0, validator.messageLength());
        }
        buffer.putShort(endpointAt, (short)endpointLength, LE);

        // the response channel too long: it swallows the endpoint's length prefix, or runs past the bytes
        for (final int bad : new int[] {
            length - (channelAt - OFFSET) - channelHeader - 1, length - (channelAt - OFFSET) - channelHeader,
            length - (channelAt - OFFSET) - channelHeader + 1, 0xFFFF })
        {
            buffer.putShort(channelAt, (short)bad, LE);
            assertEquals(TRUNCATED, validator.validate(exact, OFFSET, length), "channel length " + bad);
            assertEquals(0, validator.messageLength());
        }
        buffer.putShort(channelAt, (short)channelLength, LE);

        // an endpoint shorter than written: the message ends earlier, the rest is tolerated as trailing bytes
        buffer.putShort(endpointAt, (short)(endpointLength - 3), LE);
        assertEquals(AdminRequestDecoder.TEMPLATE_ID, validator.validate(exact, OFFSET, length));
        assertEquals(length - 3, validator.messageLength());
        assertEquals(OFFSET + length - 3, decodeAll(exact, OFFSET));

        // the bytes end after the channel, with none or half of the endpoint's length prefix: truncated
        for (int prefixBytes = 0; prefixBytes < endpointHeader; prefixBytes++)
        {
            final int cut = endpointAt - OFFSET + prefixBytes;
            final UnsafeBuffer shorter = new UnsafeBuffer(buffer, 0, OFFSET + cut);
            assertEquals(TRUNCATED, validator.validate(shorter, OFFSET, cut), "prefix bytes " + prefixBytes);
        }
    }

    @Test
    void randomGarbageNeverThrows()
    {
        final Random random = new Random(0x5EED_0002L);
        final byte[] bytes = new byte[600];
        int accepted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            random.nextBytes(bytes);
            final int length = random.nextInt(bytes.length + 1);
            final UnsafeBuffer exact = new UnsafeBuffer(bytes, 0, length);
            if (validator.validate(exact, 0, length) > 0)
            {
                accepted++;
            }
        }
        assertEquals(0, accepted, "pure noise with the right schema id, version and template is very unlikely");
    }

    /**
     * Garbage behind a plausible header reaches the body checks, and whatever the validator accepts, the generated
     * decoders read without throwing and without going past the message: the promise the node relies on.
     */
    @Test
    void garbageBehindAPlausibleHeaderNeverThrowsAndWhatIsAcceptedDecodes()
    {
        final Random random = new Random(0x5EED_0003L);
        final SampleMessages[] samples = SampleMessages.values();
        final byte[] bytes = new byte[300];
        final UnsafeBuffer whole = new UnsafeBuffer(bytes);
        final int[] blockLengths = new int[samples.length];
        for (int s = 0; s < samples.length; s++)
        {
            blockLengths[s] = blockLengthOf(samples[s]);
        }
        int accepted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            random.nextBytes(bytes);
            if (random.nextBoolean()) // small var-data lengths so some messages are complete
            {
                for (int at = 8; at < bytes.length; at += 1 + random.nextInt(8))
                {
                    bytes[at] = (byte)random.nextInt(4);
                }
            }
            final int s = random.nextInt(samples.length);
            final SampleMessages sample = samples[s];
            new MessageHeaderEncoder().wrap(whole, 0)
                .blockLength(blockLengths[s] + random.nextInt(3) - 1)
                .templateId(sample.templateId)
                .schemaId(MessageHeaderEncoder.SCHEMA_ID)
                .version(MessageHeaderEncoder.SCHEMA_VERSION);

            final int length = random.nextInt(bytes.length + 1);
            final UnsafeBuffer exact = new UnsafeBuffer(bytes, 0, length);
            final int result = validator.validate(exact, 0, length);
            if (result > 0)
            {
                accepted++;
                assertEquals(sample.templateId, result);
                assertEquals(validator.messageLength(), decodeAll(exact, 0));
            }
        }
        assertTrue(accepted > 1000, "accepted " + accepted);
    }

    @Test
    void mutatedMessagesNeverThrowAndWhatIsAcceptedDecodes()
    {
        final Random random = new Random(0x5EED_0004L);
        final SampleMessages[] samples = SampleMessages.values();
        final byte[][] originals = new byte[samples.length][];
        for (int s = 0; s < samples.length; s++)
        {
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8192]);
            originals[s] = SampleMessages.copy(scratch, 0, samples[s].encode(scratch, 0));
        }
        int accepted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final byte[] bytes = originals[i % samples.length].clone();
            final int length = bytes.length;
            final int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++)
            {
                bytes[random.nextInt(length)] ^= (byte)(1 << random.nextInt(8));
            }
            final int cut = random.nextInt(4) == 0 ? random.nextInt(length + 1) : length;
            final UnsafeBuffer exact = new UnsafeBuffer(bytes, 0, cut);
            if (validator.validate(exact, 0, cut) > 0)
            {
                accepted++;
                assertEquals(validator.messageLength(), decodeAll(exact, 0));
            }
        }
        assertTrue(accepted > 1000, "accepted " + accepted);
    }

    @Test
    void reasonTextNamesEveryReasonAndMessage()
    {
        final int[] codes = {
            TOO_SHORT_FOR_HEADER, FOREIGN_SCHEMA, UNSUPPORTED_VERSION, UNKNOWN_TEMPLATE, BLOCK_TOO_SHORT, TRUNCATED,
            BAD_ENTRIES, BAD_ENUM_VALUE, LogEntryCodec.BAD_CHECKSUM, LogEntryCodec.INDEX_GAP };
        final Set<String> texts = new HashSet<>();
        for (final int code : codes)
        {
            assertTrue(texts.add(reasonText(code)), reasonText(code));
        }
        for (final SampleMessages sample : SampleMessages.values())
        {
            assertFalse(reasonText(sample.templateId).startsWith("UNKNOWN"), sample.name());
        }
        assertEquals("UNKNOWN_REASON(-999)", reasonText(-999));
    }

    private void checkEnumField(final SampleMessages sample, final int fieldOffset, final int definedCodes)
    {
        final int length = sample.encode(buffer, OFFSET);
        final int at = OFFSET + HEADER_LENGTH + fieldOffset;
        for (int code = 0; code < 256; code++)
        {
            buffer.putByte(at, (byte)code);
            final int expected = code < definedCodes ? sample.templateId : BAD_ENUM_VALUE;
            assertEquals(expected, validator.validate(buffer, OFFSET, length), sample + " code " + code);
            if (expected > 0)
            {
                decodeAll(buffer, OFFSET);
            }
        }
    }

    /**
     * @return how many codes the enum defines, asserting they are 0 to that count less one, as the checks assume.
     */
    private static <E extends Enum<E>> int definedCodes(
        final E[] values, final E nullValue, final java.util.function.ToIntFunction<E> code)
    {
        final Set<Integer> codes = new HashSet<>();
        for (final E value : values)
        {
            if (value != nullValue)
            {
                assertTrue(codes.add(code.applyAsInt(value)), value.name());
            }
        }
        for (int i = 0; i < codes.size(); i++)
        {
            assertTrue(codes.contains(i), nullValue.getDeclaringClass().getSimpleName() + " lacks code " + i);
        }
        return codes.size();
    }

    private static int blockLengthOf(final SampleMessages sample)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8192]);
        sample.encode(scratch, 0);
        return new MessageHeaderDecoder().wrap(scratch, 0).blockLength();
    }

    private static void flip(final MutableDirectBuffer buffer, final int index, final int bit)
    {
        buffer.putByte(index, (byte)(buffer.getByte(index) ^ (1 << bit)));
    }

    /**
     * Reads every field and all var data with the generated decoders, as an adapter would.
     *
     * @return where the message ended.
     */
    static int decodeAll(final DirectBuffer buffer, final int offset)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        final int body = offset + HEADER_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        final UnsafeBuffer view = new UnsafeBuffer();
        long sum = 0;
        switch (header.templateId())
        {
            case VoteRequestDecoder.TEMPLATE_ID:
            {
                final VoteRequestDecoder d = new VoteRequestDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.lastLogIndex() + d.lastLogTerm() + d.candidateId() +
                    d.voteType().value() + d.leadershipTransfer().value();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case VoteResponseDecoder.TEMPLATE_ID:
            {
                final VoteResponseDecoder d = new VoteResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.voterId() + d.voteType().value() + d.granted().value();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case AppendEntriesDecoder.TEMPLATE_ID:
            {
                final AppendEntriesDecoder d = new AppendEntriesDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.prevLogIndex() + d.prevLogTerm() + d.leaderCommit() + d.leaderId();
                final int count = d.entryCount();
                d.wrapEntries(view);
                int position = 0;
                for (int i = 0; i < count; i++)
                {
                    sum += LogEntryCodec.index(view, position) + LogEntryCodec.term(view, position) +
                        EntryType.get(LogEntryCodec.entryTypeCode(view, position)).value();
                    position += LogEntryCodec.recordLength(view, position);
                }
                assertEquals(view.capacity(), position);
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case AppendResponseDecoder.TEMPLATE_ID:
            {
                final AppendResponseDecoder d = new AppendResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.matchIndex() + d.conflictIndex() + d.conflictTerm() + d.lastLogIndex() +
                    d.followerId() + d.success().value();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case TimeoutNowDecoder.TEMPLATE_ID:
            {
                final TimeoutNowDecoder d = new TimeoutNowDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.leaderId();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case InstallSnapshotDecoder.TEMPLATE_ID:
            {
                final InstallSnapshotDecoder d = new InstallSnapshotDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.lastIncludedIndex() + d.lastIncludedTerm() + d.chunkOffset() +
                    d.snapshotLength() + d.leaderId() + d.lastChunk().value();
                d.wrapConfiguration(view);
                d.wrapChunk(view);
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case InstallSnapshotResponseDecoder.TEMPLATE_ID:
            {
                final InstallSnapshotResponseDecoder d =
                    new InstallSnapshotResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.lastIncludedIndex() + d.nextChunkOffset() + d.followerId() + d.success().value();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case OpenSessionRequestDecoder.TEMPLATE_ID:
            {
                final OpenSessionRequestDecoder d =
                    new OpenSessionRequestDecoder().wrap(buffer, body, blockLength, version);
                sum += d.correlationId() + d.sessionId() + d.responseStreamId() + d.responseChannel().length();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case OpenSessionResponseDecoder.TEMPLATE_ID:
            {
                final OpenSessionResponseDecoder d =
                    new OpenSessionResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.correlationId() + d.sessionId() + d.leaderId() + d.code().value() + d.reason().value() +
                    d.leaderEndpoint().length();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case CloseSessionRequestDecoder.TEMPLATE_ID:
            {
                final CloseSessionRequestDecoder d =
                    new CloseSessionRequestDecoder().wrap(buffer, body, blockLength, version);
                sum += d.sessionId();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case ClientAppendRequestDecoder.TEMPLATE_ID:
            {
                final ClientAppendRequestDecoder d =
                    new ClientAppendRequestDecoder().wrap(buffer, body, blockLength, version);
                sum += d.sessionId() + d.sequence();
                d.wrapPayload(view);
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case ClientAppendResponseDecoder.TEMPLATE_ID:
            {
                final ClientAppendResponseDecoder d =
                    new ClientAppendResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.sessionId() + d.sequence() + d.index() + d.leaderId() + d.code().value() +
                    d.reason().value() + d.hasResult().value() + d.leaderEndpoint().length();
                d.wrapResult(view);
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case ClientQueryRequestDecoder.TEMPLATE_ID:
            {
                final ClientQueryRequestDecoder d =
                    new ClientQueryRequestDecoder().wrap(buffer, body, blockLength, version);
                sum += d.sessionId() + d.correlationId() + d.mode().value();
                d.wrapQuery(view);
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case ClientQueryResponseDecoder.TEMPLATE_ID:
            {
                final ClientQueryResponseDecoder d =
                    new ClientQueryResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.sessionId() + d.correlationId() + d.readIndex() + d.leaderId() + d.code().value() +
                    d.reason().value() + d.leaderEndpoint().length();
                d.wrapResult(view);
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case ReadIndexRequestDecoder.TEMPLATE_ID:
            {
                final ReadIndexRequestDecoder d = new ReadIndexRequestDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.requestId() + d.fromId();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case ReadIndexResponseDecoder.TEMPLATE_ID:
            {
                final ReadIndexResponseDecoder d =
                    new ReadIndexResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.term() + d.requestId() + d.readIndex() + d.leaderId();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case StatusRequestDecoder.TEMPLATE_ID:
            {
                final StatusRequestDecoder d = new StatusRequestDecoder().wrap(buffer, body, blockLength, version);
                sum += d.correlationId() + d.responseStreamId() + d.responseChannel().length();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case StatusResponseDecoder.TEMPLATE_ID:
            {
                final StatusResponseDecoder d = new StatusResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.correlationId() + d.memberId() + d.role() + d.term() + d.leaderId() + d.commitIndex() +
                    d.lastIndex() + d.isVoter().value() + d.leaderEndpoint().length();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case AdminRequestDecoder.TEMPLATE_ID:
            {
                final AdminRequestDecoder d = new AdminRequestDecoder().wrap(buffer, body, blockLength, version);
                sum += d.correlationId() + d.action().value() + d.memberId() + d.responseStreamId() +
                    d.responseChannel().length() + d.endpoint().length();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            case AdminResponseDecoder.TEMPLATE_ID:
            {
                final AdminResponseDecoder d = new AdminResponseDecoder().wrap(buffer, body, blockLength, version);
                sum += d.correlationId() + d.index() + d.leaderId() + d.code().value() + d.reason().value() +
                    d.leaderEndpoint().length();
                return offset + HEADER_LENGTH + d.encodedLength();
            }
            default:
                return fail("not a wire message: " + header.templateId() + " " + sum);
        }
    }
}

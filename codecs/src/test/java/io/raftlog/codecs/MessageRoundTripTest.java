package io.raftlog.codecs;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.TreeSet;

import static io.raftlog.codecs.SampleMessages.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every wire message survives encode (with a message header) -> validate -> decode with every field intact. Each
 * message is placed at a non-zero offset in a buffer that ends exactly where the message ends, so a decoder that
 * read past the message would throw.
 */
class MessageRoundTripTest
{
    private static final int OFFSET = 5;

    private final MessageValidator validator = new MessageValidator();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();

    @Test
    void voteRequestRoundTrips()
    {
        final VoteRequestDecoder decoder = new VoteRequestDecoder();
        final DirectBuffer buffer = encodeAndValidate(VOTE_REQUEST);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(TERM, decoder.term());
        assertEquals(LAST_LOG_INDEX, decoder.lastLogIndex());
        assertEquals(LAST_LOG_TERM, decoder.lastLogTerm());
        assertEquals(NODE_ID, decoder.candidateId());
        assertEquals(VoteType.PRE_VOTE, decoder.voteType());
        assertEquals(BooleanType.TRUE, decoder.leadershipTransfer());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void voteResponseRoundTrips()
    {
        final VoteResponseDecoder decoder = new VoteResponseDecoder();
        final DirectBuffer buffer = encodeAndValidate(VOTE_RESPONSE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(TERM, decoder.term());
        assertEquals(NODE_ID, decoder.voterId());
        assertEquals(VoteType.VOTE, decoder.voteType());
        assertEquals(BooleanType.TRUE, decoder.granted());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void appendEntriesHeartbeatRoundTripsWithNoEntries()
    {
        final AppendEntriesDecoder decoder = new AppendEntriesDecoder();
        final DirectBuffer buffer = encodeAndValidate(APPEND_ENTRIES_HEARTBEAT);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertAppendEntriesFields(decoder);
        assertEquals(0, decoder.entryCount());
        assertEquals(0, decoder.entriesLength());
        assertEquals(0, decoder.skipEntries());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void appendEntriesRoundTripsThreeEntriesOfDifferentSizes()
    {
        final AppendEntriesDecoder decoder = new AppendEntriesDecoder();
        final DirectBuffer buffer = encodeAndValidate(APPEND_ENTRIES_THREE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertAppendEntriesFields(decoder);
        assertEquals(ENTRY_PAYLOADS.length, decoder.entryCount());
        assertEquals(READ_SEQ, decoder.readSeq());
        assertEquals(LEADER_TIME_NS, decoder.leaderTimeNs());

        final UnsafeBuffer entries = new UnsafeBuffer();
        decoder.wrapEntries(entries);
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());

        final LogEntryCodec codec = new LogEntryCodec();
        assertEquals(LogEntryCodec.OK,
            codec.validateRun(entries, 0, entries.capacity(), decoder.entryCount(), decoder.prevLogIndex() + 1));

        int position = 0;
        for (int i = 0; i < ENTRY_PAYLOADS.length; i++)
        {
            final int recordLength = LogEntryCodec.recordLength(entries, position);
            assertTrue(codec.isChecksumValid(entries, position, recordLength));
            assertEquals(PREV_LOG_INDEX + 1 + i, LogEntryCodec.index(entries, position));
            assertEquals(ENTRY_TERMS[i], LogEntryCodec.term(entries, position));
            assertEquals(ENTRY_TIMESTAMPS[i], LogEntryCodec.timestamp(entries, position));
            assertEquals(ENTRY_TYPES[i], EntryType.get(LogEntryCodec.entryTypeCode(entries, position)));
            assertEquals(ENTRY_PAYLOADS[i].length, LogEntryCodec.payloadLength(entries, position));
            assertArrayEquals(ENTRY_PAYLOADS[i],
                copy(entries, LogEntryCodec.payloadOffset(position), ENTRY_PAYLOADS[i].length));
            position += recordLength;
        }
        assertEquals(entries.capacity(), position);
    }

    @Test
    void appendResponseRoundTrips()
    {
        final AppendResponseDecoder decoder = new AppendResponseDecoder();
        final DirectBuffer buffer = encodeAndValidate(APPEND_RESPONSE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(TERM, decoder.term());
        assertEquals(MATCH_INDEX, decoder.matchIndex());
        assertEquals(CONFLICT_INDEX, decoder.conflictIndex());
        assertEquals(CONFLICT_TERM, decoder.conflictTerm());
        assertEquals(LAST_LOG_INDEX, decoder.lastLogIndex());
        assertEquals(NODE_ID, decoder.followerId());
        assertEquals(BooleanType.FALSE, decoder.success());
        assertEquals(READ_SEQ, decoder.ackedReadSeq());
        assertEquals(LEADER_TIME_NS, decoder.ackedLeaderTimeNs());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void timeoutNowRoundTrips()
    {
        final TimeoutNowDecoder decoder = new TimeoutNowDecoder();
        final DirectBuffer buffer = encodeAndValidate(TIMEOUT_NOW);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(TERM, decoder.term());
        assertEquals(NODE_ID, decoder.leaderId());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void installSnapshotRoundTrips()
    {
        final InstallSnapshotDecoder decoder = new InstallSnapshotDecoder();
        final DirectBuffer buffer = encodeAndValidate(INSTALL_SNAPSHOT);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(TERM, decoder.term());
        assertEquals(LAST_INCLUDED_INDEX, decoder.lastIncludedIndex());
        assertEquals(LAST_INCLUDED_TERM, decoder.lastIncludedTerm());
        assertEquals(CHUNK_OFFSET, decoder.chunkOffset());
        assertEquals(SNAPSHOT_LENGTH, decoder.snapshotLength());
        assertEquals(NODE_ID, decoder.leaderId());
        assertEquals(BooleanType.TRUE, decoder.lastChunk());
        final byte[] configuration = new byte[CONFIGURATION.length];
        assertEquals(CONFIGURATION.length, decoder.getConfiguration(configuration, 0, configuration.length));
        assertArrayEquals(CONFIGURATION, configuration);
        assertEquals(CHUNK.length, decoder.chunkLength());
        final byte[] chunk = new byte[CHUNK.length];
        assertEquals(CHUNK.length, decoder.getChunk(chunk, 0, chunk.length));
        assertArrayEquals(CHUNK, chunk);
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void installSnapshotResponseRoundTrips()
    {
        final InstallSnapshotResponseDecoder decoder = new InstallSnapshotResponseDecoder();
        final DirectBuffer buffer = encodeAndValidate(INSTALL_SNAPSHOT_RESPONSE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(TERM, decoder.term());
        assertEquals(LAST_INCLUDED_INDEX, decoder.lastIncludedIndex());
        assertEquals(CHUNK_OFFSET + CHUNK.length, decoder.nextChunkOffset());
        assertEquals(NODE_ID, decoder.followerId());
        assertEquals(BooleanType.TRUE, decoder.success());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void openSessionRequestRoundTrips()
    {
        final OpenSessionRequestDecoder decoder = new OpenSessionRequestDecoder();
        final DirectBuffer buffer = encodeAndValidate(OPEN_SESSION_REQUEST);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(SESSION_ID, decoder.sessionId());
        assertEquals(STREAM_ID, decoder.responseStreamId());
        assertEquals(RESPONSE_CHANNEL, decoder.responseChannel());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void openSessionResponseRoundTrips()
    {
        final OpenSessionResponseDecoder decoder = new OpenSessionResponseDecoder();
        final DirectBuffer buffer = encodeAndValidate(OPEN_SESSION_RESPONSE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(SESSION_ID, decoder.sessionId());
        assertEquals(NODE_ID, decoder.leaderId());
        assertEquals(SessionCode.REDIRECT, decoder.code());
        assertEquals(RejectReason.NOT_LEADER, decoder.reason());
        assertEquals(LEADER_ENDPOINT, decoder.leaderEndpoint());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void closeSessionRequestRoundTrips()
    {
        final CloseSessionRequestDecoder decoder = new CloseSessionRequestDecoder();
        final DirectBuffer buffer = encodeAndValidate(CLOSE_SESSION_REQUEST);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(SESSION_ID, decoder.sessionId());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void clientAppendRequestRoundTrips()
    {
        final ClientAppendRequestDecoder decoder = new ClientAppendRequestDecoder();
        final DirectBuffer buffer = encodeAndValidate(CLIENT_APPEND_REQUEST);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(SESSION_ID, decoder.sessionId());
        assertEquals(SEQUENCE, decoder.sequence());
        final UnsafeBuffer payload = new UnsafeBuffer();
        decoder.wrapPayload(payload);
        assertArrayEquals(CLIENT_PAYLOAD, copy(payload, 0, payload.capacity()));
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void clientAppendResponseRoundTrips()
    {
        final ClientAppendResponseDecoder decoder = new ClientAppendResponseDecoder();
        final DirectBuffer buffer = encodeAndValidate(CLIENT_APPEND_RESPONSE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(SESSION_ID, decoder.sessionId());
        assertEquals(SEQUENCE, decoder.sequence());
        assertEquals(COMMITTED_INDEX, decoder.index());
        assertEquals(NODE_ID, decoder.leaderId());
        assertEquals(AppendCode.COMMITTED, decoder.code());
        assertEquals(RejectReason.NONE, decoder.reason());
        assertEquals(BooleanType.TRUE, decoder.hasResult());
        final StringBuilder endpoint = new StringBuilder();
        decoder.getLeaderEndpoint(endpoint);
        assertEquals(LEADER_ENDPOINT, endpoint.toString());
        final byte[] result = new byte[decoder.resultLength()];
        decoder.getResult(result, 0, result.length);
        assertArrayEquals(RESULT, result);
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void clientQueryRequestRoundTrips()
    {
        final ClientQueryRequestDecoder decoder = new ClientQueryRequestDecoder();
        final DirectBuffer buffer = encodeAndValidate(CLIENT_QUERY_REQUEST);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(SESSION_ID, decoder.sessionId());
        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(ReadMode.LEASE, decoder.mode());
        final byte[] query = new byte[decoder.queryLength()];
        decoder.getQuery(query, 0, query.length);
        assertArrayEquals(CLIENT_PAYLOAD, query);
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void clientQueryResponseRoundTrips()
    {
        final ClientQueryResponseDecoder decoder = new ClientQueryResponseDecoder();
        final DirectBuffer buffer = encodeAndValidate(CLIENT_QUERY_RESPONSE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(SESSION_ID, decoder.sessionId());
        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(COMMITTED_INDEX, decoder.readIndex());
        assertEquals(NODE_ID, decoder.leaderId());
        assertEquals(AppendCode.COMMITTED, decoder.code());
        assertEquals(LEADER_ENDPOINT, decoder.leaderEndpoint());
        final byte[] result = new byte[decoder.resultLength()];
        decoder.getResult(result, 0, result.length);
        assertArrayEquals(RESULT, result);
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void readIndexRequestAndResponseRoundTrip()
    {
        final ReadIndexRequestDecoder request = new ReadIndexRequestDecoder();
        DirectBuffer buffer = encodeAndValidate(READ_INDEX_REQUEST);
        request.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());
        assertEquals(TERM, request.term());
        assertEquals(CORRELATION_ID, request.requestId());
        assertEquals(NODE_ID, request.fromId());

        final ReadIndexResponseDecoder response = new ReadIndexResponseDecoder();
        buffer = encodeAndValidate(READ_INDEX_RESPONSE);
        response.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());
        assertEquals(TERM, response.term());
        assertEquals(CORRELATION_ID, response.requestId());
        assertEquals(COMMITTED_INDEX, response.readIndex());
        assertEquals(NODE_ID, response.leaderId());
    }

    @Test
    void statusRequestRoundTrips()
    {
        final StatusRequestDecoder decoder = new StatusRequestDecoder();
        final DirectBuffer buffer = encodeAndValidate(STATUS_REQUEST);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(STREAM_ID, decoder.responseStreamId());
        assertEquals(RESPONSE_CHANNEL, decoder.responseChannel());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void statusResponseRoundTrips()
    {
        final StatusResponseDecoder decoder = new StatusResponseDecoder();
        final DirectBuffer buffer = encodeAndValidate(STATUS_RESPONSE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(NODE_ID, decoder.memberId());
        assertEquals(ROLE, decoder.role());
        assertEquals(TERM, decoder.term());
        assertEquals(LEADER_ID, decoder.leaderId());
        assertEquals(LEADER_COMMIT, decoder.commitIndex());
        assertEquals(LAST_LOG_INDEX, decoder.lastIndex());
        assertEquals(BooleanType.TRUE, decoder.isVoter());
        assertEquals(LEADER_ENDPOINT, decoder.leaderEndpoint());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void adminRequestToAddAMemberRoundTripsBothVarDataFields()
    {
        final AdminRequestDecoder decoder = new AdminRequestDecoder();
        final DirectBuffer buffer = encodeAndValidate(ADMIN_REQUEST_ADD_MEMBER);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(AdminAction.ADD_MEMBER, decoder.action());
        assertEquals(MEMBER_ID, decoder.memberId());
        assertEquals(STREAM_ID, decoder.responseStreamId());
        assertEquals(RESPONSE_CHANNEL, decoder.responseChannel());
        assertEquals(MEMBER_ENDPOINT, decoder.endpoint());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void adminRequestToTransferLeadershipRoundTripsWithAnEmptyEndpoint()
    {
        final AdminRequestDecoder decoder = new AdminRequestDecoder();
        final DirectBuffer buffer = encodeAndValidate(ADMIN_REQUEST_TRANSFER_LEADER);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(AdminAction.TRANSFER_LEADER, decoder.action());
        assertEquals(MEMBER_ID, decoder.memberId());
        assertEquals(STREAM_ID, decoder.responseStreamId());
        assertEquals(RESPONSE_CHANNEL, decoder.responseChannel());
        assertEquals(0, decoder.endpointLength());
        assertEquals("", decoder.endpoint());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void adminResponseRoundTrips()
    {
        final AdminResponseDecoder decoder = new AdminResponseDecoder();
        final DirectBuffer buffer = encodeAndValidate(ADMIN_RESPONSE);
        decoder.wrap(buffer, OFFSET + HEADER_LENGTH, header.blockLength(), header.version());

        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(ADMIN_INDEX, decoder.index());
        assertEquals(LEADER_ID, decoder.leaderId());
        assertEquals(AppendCode.REJECTED, decoder.code());
        assertEquals(RejectReason.CHANGE_IN_PROGRESS, decoder.reason());
        assertEquals(LEADER_ENDPOINT, decoder.leaderEndpoint());
        assertEquals(validator.messageLength(), HEADER_LENGTH + decoder.encodedLength());
    }

    @Test
    void membershipConfigurationRoundTrips()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final MembershipConfigurationEncoder encoder = new MembershipConfigurationEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, new MessageHeaderEncoder())
            .joint(BooleanType.TRUE);
        final MembershipConfigurationEncoder.MembersEncoder members = encoder.membersCount(2);
        members.next().memberId(1).voterInOld(BooleanType.TRUE).voterInNew(BooleanType.FALSE)
            .promote(BooleanType.FALSE).endpoint("127.0.0.1:20001");
        members.next().memberId(4).voterInOld(BooleanType.FALSE).voterInNew(BooleanType.TRUE)
            .promote(BooleanType.TRUE).endpoint("127.0.0.1:20004");

        final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder().wrap(buffer, OFFSET);
        final MembershipConfigurationDecoder decoder = new MembershipConfigurationDecoder()
            .wrap(buffer, OFFSET + HEADER_LENGTH, headerDecoder.blockLength(), headerDecoder.version());
        assertEquals(BooleanType.TRUE, decoder.joint());
        final MembershipConfigurationDecoder.MembersDecoder decoded = decoder.members();
        assertEquals(2, decoded.count());
        decoded.next();
        assertEquals(1, decoded.memberId());
        assertEquals(BooleanType.TRUE, decoded.voterInOld());
        assertEquals(BooleanType.FALSE, decoded.voterInNew());
        assertEquals("127.0.0.1:20001", decoded.endpoint());
        decoded.next();
        assertEquals(4, decoded.memberId());
        assertEquals(BooleanType.TRUE, decoded.promote());
        assertEquals("127.0.0.1:20004", decoded.endpoint());
    }

    /**
     * Keeps this test, the samples and the validator in step with the schema: a message added to the schema fails
     * here until it has a sample (and so a round trip and the validator's truncation and fuzz tests).
     */
    @Test
    void everyWireMessageOfTheSchemaHasASampleAndNoOtherTemplateIsAccepted() throws Exception
    {
        final TreeSet<Integer> schemaIds = new TreeSet<>();
        try (InputStream in = MessageRoundTripTest.class.getResourceAsStream("/sbe/raftlog-schema.xml"))
        {
            assertNotNull(in, "schema on the class path");
            final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            final NodeList messages = factory.newDocumentBuilder().parse(in)
                .getElementsByTagNameNS("http://fixprotocol.io/2016/sbe", "message");
            for (int i = 0; i < messages.getLength(); i++)
            {
                final Element message = (Element)messages.item(i);
                // records stored or embedded, never sent on their own
                final String name = message.getAttribute("name");
                if (!"LogEntry".equals(name) && !"MembershipConfiguration".equals(name))
                {
                    schemaIds.add(Integer.parseInt(message.getAttribute("id")));
                }
            }
        }

        final TreeSet<Integer> sampleIds = new TreeSet<>();
        for (final SampleMessages sample : EnumSet.allOf(SampleMessages.class))
        {
            sampleIds.add(sample.templateId);
        }
        assertEquals(schemaIds, sampleIds);
    }

    private DirectBuffer encodeAndValidate(final SampleMessages sample)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8192]);
        final int length = sample.encode(scratch, OFFSET);
        final UnsafeBuffer exact = new UnsafeBuffer(new byte[OFFSET + length]);
        exact.putBytes(OFFSET, scratch, OFFSET, length);

        assertEquals(sample.templateId, validator.validate(exact, OFFSET, length), () ->
            MessageValidator.reasonText(validator.validate(exact, OFFSET, length)));
        assertEquals(length, validator.messageLength());

        header.wrap(exact, OFFSET);
        assertEquals(sample.templateId, header.templateId());
        assertEquals(MessageHeaderDecoder.SCHEMA_ID, header.schemaId());
        assertEquals(MessageHeaderDecoder.SCHEMA_VERSION, header.version());

        return exact;
    }

    private static void assertAppendEntriesFields(final AppendEntriesDecoder decoder)
    {
        assertEquals(TERM, decoder.term());
        assertEquals(PREV_LOG_INDEX, decoder.prevLogIndex());
        assertEquals(PREV_LOG_TERM, decoder.prevLogTerm());
        assertEquals(LEADER_COMMIT, decoder.leaderCommit());
        assertEquals(NODE_ID, decoder.leaderId());
    }
}

package io.raftlog.client;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.raftlog.codecs.AppendCode;
import io.raftlog.codecs.ClientAppendRequestEncoder;
import io.raftlog.codecs.ClientAppendResponseDecoder;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.OpenSessionRequestEncoder;
import io.raftlog.codecs.OpenSessionResponseDecoder;
import io.raftlog.codecs.SessionCode;
import io.raftlog.codecs.VoteRequestEncoder;
import io.raftlog.transport.AeronClientPort;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever arrives on the client port, a node answers what can be answered, counts what cannot, and keeps
 * serving: garbage, a foreign schema, a peer message, a response channel it will not open, an oversize entry, an
 * unknown session, a sequence out of order.
 */
class ClientPortBadInputTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path tempDir;

    private ThreadedCluster cluster;
    private ExclusivePublication toLeader;
    private Subscription responses;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8192]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final List<String> received = new ArrayList<>();

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(toLeader, responses, cluster);
    }

    @Test
    void badInputIsRefusedAndCountedAndTheNodeKeepsServing() throws Exception
    {
        cluster = new ThreadedCluster(tempDir, context -> { });
        cluster.startAll();
        final ClientContext context = new ClientContext().aeron(cluster.aeron).members(cluster.endpoints)
            .responseTimeoutNs(SECOND).noLeaderTimeoutNs(15 * SECOND);
        final int leader;
        try (ClusterAdmin admin = new ClusterAdmin(context))
        {
            final ClusterAdmin.MemberStatus status = admin.leader(20 * SECOND);
            assertNotNull(status);
            leader = status.memberId();
        }
        toLeader = cluster.aeron.addExclusivePublication(
            "aeron:udp?endpoint=" + cluster.endpoints.get(leader), AeronClientPort.CLIENT_STREAM_ID);
        responses = cluster.aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 1003);
        String responseChannel = null;
        while (responseChannel == null || !toLeader.isConnected())
        {
            LockSupport.parkNanos(1_000_000);
            responseChannel = responses.tryResolveChannelEndpointPort();
        }

        // garbage, a foreign schema, a peer message: no way to answer
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 50; i++)
        {
            final int length = 1 + random.nextInt(300);
            for (int b = 0; b < length; b++)
            {
                buffer.putByte(b, (byte)random.nextInt(256));
            }
            send(length);
        }
        headerEncoder.wrap(buffer, 0).blockLength(8).templateId(23).schemaId(4242).version(1);
        send(MessageHeaderEncoder.ENCODED_LENGTH + 8);
        final VoteRequestEncoder vote = new VoteRequestEncoder();
        vote.wrapAndApplyHeader(buffer, 0, headerEncoder).term(99).candidateId(leader % 3 + 1);
        send(MessageHeaderEncoder.ENCODED_LENGTH + vote.encodedLength());

        // a response channel the node will not open
        final OpenSessionRequestEncoder open = new OpenSessionRequestEncoder();
        open.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(1).sessionId(0).responseStreamId(1003)
            .responseChannel("aeron:ipc");
        send(MessageHeaderEncoder.ENCODED_LENGTH + open.encodedLength());

        // attaching a session that does not exist: answered
        open.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(2).sessionId(123_456).responseStreamId(1003)
            .responseChannel(responseChannel);
        send(MessageHeaderEncoder.ENCODED_LENGTH + open.encodedLength());
        awaitResponse("open 2 REJECTED UNKNOWN_SESSION");

        // a real session, then an oversize entry and a gap in its sequence: answered
        open.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(3).sessionId(0).responseStreamId(1003)
            .responseChannel(responseChannel);
        send(MessageHeaderEncoder.ENCODED_LENGTH + open.encodedLength());
        final String opened = awaitResponseStartingWith("open 3 OPEN");
        final long sessionId = Long.parseLong(opened.substring(opened.lastIndexOf(' ') + 1));

        final ClientAppendRequestEncoder append = new ClientAppendRequestEncoder();
        append.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(sessionId).sequence(1)
            .putPayload(new UnsafeBuffer(new byte[4000]), 0, 4000);
        send(MessageHeaderEncoder.ENCODED_LENGTH + append.encodedLength());
        awaitResponse("append 1 REJECTED TOO_LARGE");

        append.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(sessionId).sequence(5)
            .putPayload(new UnsafeBuffer(new byte[8]), 0, 8);
        send(MessageHeaderEncoder.ENCODED_LENGTH + append.encodedLength());
        awaitResponse("append 5 REJECTED OUT_OF_SEQUENCE");

        append.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(sessionId + 1_000).sequence(1)
            .putPayload(new UnsafeBuffer(new byte[8]), 0, 8);
        send(MessageHeaderEncoder.ENCODED_LENGTH + append.encodedLength());

        append.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(sessionId).sequence(1)
            .putPayload(new UnsafeBuffer(new byte[8]), 0, 8);
        send(MessageHeaderEncoder.ENCODED_LENGTH + append.encodedLength());
        final String committed = awaitResponseStartingWith("append 1 COMMITTED");
        assertTrue(Long.parseLong(committed.substring(committed.lastIndexOf(' ') + 1)) > sessionId);

        // and a well-behaved client is served as before
        final long[] lastIndex = new long[1];
        try (RaftlogClient client = RaftlogClient.connect(context, (sequence, index) -> lastIndex[0] = index))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
            final long deadline = System.nanoTime() + 30 * SECOND;
            int offered = 0;
            while (client.acknowledged() < 100 && System.nanoTime() < deadline)
            {
                if (offered < 100 && client.offer(payload, 0, 32) > 0)
                {
                    offered++;
                }
                client.poll();
                LockSupport.parkNanos(100_000);
            }
            assertEquals(100, client.acknowledged());
        }

        cluster.stopAll();
        final long rejected = cluster.nodes[leader].sessions().requestsRejected();
        // 50 garbage + foreign schema + peer message + refused channel + oversize + gap + unknown session
        assertEquals(56, rejected);
        assertEquals(1, cluster.nodes[leader].clientPort().respondersRefused());
        assertEquals(List.of(), cluster.errors);
    }

    private void send(final int length)
    {
        final long deadline = System.nanoTime() + 5 * SECOND;
        while (toLeader.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("could not send to the leader");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void awaitResponse(final String expected)
    {
        assertEquals(expected, awaitResponseStartingWith(expected));
    }

    private String awaitResponseStartingWith(final String prefix)
    {
        final long deadline = System.nanoTime() + 10 * SECOND;
        while (System.nanoTime() < deadline)
        {
            for (final String response : received)
            {
                if (response.startsWith(prefix))
                {
                    received.remove(response);
                    return response;
                }
            }
            if (responses.poll(this::onResponse, 10) == 0)
            {
                LockSupport.parkNanos(1_000_000);
            }
        }
        throw new AssertionError("no response " + prefix + "; received " + received);
    }

    private void onResponse(final DirectBuffer msg, final int offset, final int length, final io.aeron.logbuffer.Header h)
    {
        headerDecoder.wrap(msg, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        if (headerDecoder.templateId() == OpenSessionResponseDecoder.TEMPLATE_ID)
        {
            final OpenSessionResponseDecoder d = new OpenSessionResponseDecoder()
                .wrap(msg, body, headerDecoder.blockLength(), headerDecoder.version());
            received.add("open " + d.correlationId() + " " + d.code() +
                (d.code() == SessionCode.OPEN ? " " + d.sessionId() : " " + d.reason()));
        }
        else if (headerDecoder.templateId() == ClientAppendResponseDecoder.TEMPLATE_ID)
        {
            final ClientAppendResponseDecoder d = new ClientAppendResponseDecoder()
                .wrap(msg, body, headerDecoder.blockLength(), headerDecoder.version());
            received.add("append " + d.sequence() + " " + d.code() +
                (d.code() == AppendCode.COMMITTED ? " " + d.index() : " " + d.reason()));
        }
    }
}

package io.raftlog.transport;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.protocol.PeerMessageEncoder;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import io.raftlog.sim.SimSnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Peers added to and removed from a running {@link AeronPeerTransport} ({@link PeerLinks}): two real cores on loopback
 * UDP, member 1 started knowing only itself. The cores are never ticked, so no election interferes: the test sends
 * vote requests by hand and watches them arrive.
 */
class AeronPeerTransportPeerLinksTest
{
    @TempDir
    Path tempDir;

    private MediaDriver driver;
    private Aeron aeron;
    private final AeronPeerTransport[] transports = new AeronPeerTransport[3];
    private final RaftCore[] cores = new RaftCore[3];
    private final PeerMessageDispatcher[] dispatchers = new PeerMessageDispatcher[3];
    private final PeerMessageEncoder[] encoders = new PeerMessageEncoder[3];
    private final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
    private String endpoint1;
    private String endpoint2;

    @BeforeEach
    void start() throws Exception
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        endpoint1 = "127.0.0.1:" + freeUdpPort();
        endpoint2 = "127.0.0.1:" + freeUdpPort();
        start(1, Map.of(1, endpoint1));
        start(2, Map.of(1, endpoint1, 2, endpoint2));
    }

    private void start(final int id, final Map<Integer, String> endpoints)
    {
        transports[id] = new AeronPeerTransport(aeron, id, endpoints, "");
        encoders[id] = new PeerMessageEncoder(transports[id]);
        cores[id] = new RaftCore(new RaftConfig().selfId(id).memberIds(1, 2).randomSeed(id),
            new SimLogStore(id, 1 << 16, 1 << 10), new SimMetaStore(), new SimSnapshotStore(), encoders[id],
            RaftListener.NO_OP);
        dispatchers[id] = new PeerMessageDispatcher(cores[id], transports[id]);
        transports[id].dispatcher(dispatchers[id]);
        cores[id].start(System.nanoTime());
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(transports);
        CloseHelper.closeAll(aeron, driver);
    }

    @Test
    void aPeerOpenedAtRuntimeIsHeardAndReachedAndAClosedOneIsForeignAgain()
    {
        final AeronPeerTransport t1 = transports[1];
        assertFalse(t1.isKnown(2));
        encoders[1].sendVoteRequest(2, 5, 0, 0, 1, false, false);
        assertEquals(1, t1.unknownPeer(), "no endpoint for 2 yet: not sent");

        // 2 knows 1 from the start: what it sends is dropped as foreign until 1 knows 2
        runUntil(() -> transports[2].isConnected(1));
        send(2, 1, 3);
        runUntil(() -> dispatchers[1].unknownSenders() == 1);
        assertEquals(0, cores[1].currentTerm());

        t1.openPeer(2, endpoint2);
        assertTrue(t1.isKnown(2), "known at once: its messages are accepted while the publication is made");
        assertEquals(endpoint2, t1.endpointOf(2));
        runUntil(() -> t1.isConnected(2));

        send(1, 2, 5);
        runUntil(() -> cores[2].currentTerm() == 5 && cores[2].votedFor() == 1);
        send(2, 1, 7);
        runUntil(() -> cores[1].currentTerm() == 7);
        assertEquals(1, dispatchers[1].unknownSenders());

        final long publications = t1.peerCount();
        t1.openPeer(2, endpoint2);
        assertTrue(t1.isConnected(2), "opening a peer at the endpoint it has changes nothing");
        assertEquals(publications, t1.peerCount());

        t1.closePeer(2);
        assertFalse(t1.isKnown(2));
        assertFalse(t1.hasPublication(2));
        assertNull(t1.endpointOf(2));
        encoders[1].sendVoteRequest(2, 9, 0, 0, 1, false, false);
        assertEquals(2, t1.unknownPeer());
        send(2, 1, 11);
        runUntil(() -> dispatchers[1].unknownSenders() == 2);
        assertEquals(7, cores[1].currentTerm());
    }

    @Test
    void aPeerMovedToAnotherEndpointIsReachedThereOnly() throws Exception
    {
        final AeronPeerTransport t1 = transports[1];
        t1.openPeer(2, endpoint2);
        runUntil(() -> t1.isConnected(2));

        final String nowhere = "127.0.0.1:" + freeUdpPort();
        t1.openPeer(2, nowhere);
        assertEquals(nowhere, t1.endpointOf(2));
        assertFalse(t1.isConnected(2), "the publication to the old endpoint is closed");
        runUntil(() -> t1.hasPublication(2));
        runFor(200);
        assertFalse(t1.isConnected(2), "nobody listens there");

        t1.openPeer(2, endpoint2);
        runUntil(() -> t1.isConnected(2));
        send(1, 2, 5);
        runUntil(() -> cores[2].currentTerm() == 5);
    }

    @Test
    void anEndpointTheDriverRefusesIsCountedAndTheTransportCarriesOn()
    {
        final AeronPeerTransport t1 = transports[1];
        t1.openPeer(3, "127.0.0.1:notaport");
        runUntil(() -> t1.peerErrors() == 1);
        assertTrue(t1.isKnown(3), "still a member, just unreachable");
        assertFalse(t1.hasPublication(3));
        encoders[1].sendVoteRequest(3, 5, 0, 0, 1, false, false);
        assertEquals(1, t1.notConnected());

        // a peer closed while its publication is still being made leaves nothing behind
        t1.openPeer(2, endpoint2);
        t1.closePeer(2);
        t1.closePeer(3);
        runFor(100);
        assertFalse(t1.isKnown(2) || t1.isKnown(3));

        t1.openPeer(2, endpoint2);
        runUntil(() -> t1.isConnected(2));
        send(1, 2, 5);
        runUntil(() -> cores[2].currentTerm() == 5);
    }

    @Test
    void thisMembersOwnIdIsNeverAPeer()
    {
        transports[1].openPeer(1, endpoint2);
        assertFalse(transports[1].isKnown(1));
    }

    /**
     * Sends a vote request from {@code from} to {@code to} once: a publication just connected may refuse a claim for a
     * moment (back-pressure until the driver first sets its limit), as Raft's own retries would absorb.
     */
    private void send(final int from, final int to, final long term)
    {
        final long sent = encoders[from].messagesSent();
        runUntil(() ->
        {
            encoders[from].sendVoteRequest(to, term, 0, 0, from, false, false);
            return encoders[from].messagesSent() > sent;
        });
    }

    private int poll()
    {
        return transports[1].poll(16) + transports[2].poll(16);
    }

    private void runUntil(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out: " + state());
            }
            idle.idle(poll());
        }
    }

    private String state()
    {
        final StringBuilder sb = new StringBuilder();
        for (int id = 1; id <= 2; id++)
        {
            final AeronPeerTransport t = transports[id];
            sb.append(" [member ").append(id).append(": sent ").append(encoders[id].messagesSent())
                .append(" notSent ").append(encoders[id].messagesBackPressured())
                .append(" notConnected ").append(t.notConnected()).append(" backPressured ").append(t.backPressured())
                .append(" unknownPeer ").append(t.unknownPeer())
                .append(" received ").append(dispatchers[id].messagesReceived())
                .append(" rejected ").append(dispatchers[id].messagesRejected())
                .append(" unknownSenders ").append(dispatchers[id].unknownSenders())
                .append(" term ").append(cores[id].currentTerm()).append(']');
        }
        return sb.toString();
    }

    private void runFor(final long millis)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end)
        {
            idle.idle(poll());
        }
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}

package io.raftlog.samples.faults;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay on loopback, between client sockets (the senders) and a socket standing for the node: it passes
 * datagrams both ways, answers leave from the endpoint the sender sent to, and it delays, reorders and duplicates as
 * its control file says, losing nothing.
 */
class UdpRelayTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int RECEIVE_TIMEOUT_MS = 2_000;

    @TempDir
    Path tempDir;

    private final StringWriter log = new StringWriter();
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private UdpRelay relay;
    private Thread relayThread;
    private DatagramSocket node;
    private Path control;

    @AfterEach
    void stopRelay() throws InterruptedException
    {
        if (relay != null)
        {
            relay.stop();
            relayThread.join(TimeUnit.SECONDS.toMillis(10));
            relay.close();
        }
        sockets.forEach(DatagramSocket::close);
    }

    @Test
    @Timeout(10)
    void datagramsPassBothWaysAndAnswersComeFromTheEndpointTheSenderSentTo() throws Exception
    {
        startRelay(RelaySettings.NONE);
        final DatagramSocket first = socket();
        final DatagramSocket second = socket();

        send(first, relay.listenAddress(), "from first");
        final DatagramPacket atNode = receive(node);
        assertEquals("from first", text(atNode));
        send(second, relay.listenAddress(), "from second");
        final DatagramPacket secondAtNode = receive(node);
        assertEquals("from second", text(secondAtNode));
        assertNotEquals(atNode.getSocketAddress(), secondAtNode.getSocketAddress(), "each sender has its own flow");

        // the node answers the source of what it received, as Aeron's status messages and NAKs do
        send(node, atNode.getSocketAddress(), "answer to first");
        send(node, secondAtNode.getSocketAddress(), "answer to second");
        final DatagramPacket answer = receive(first);
        assertEquals("answer to first", text(answer));
        assertEquals(relay.listenAddress(), answer.getSocketAddress());
        assertEquals("answer to second", text(receive(second)));
        assertNull(poll(first), "nothing more");
    }

    @Test
    @Timeout(10)
    void withDuplicationAtAHundredPercentEachDatagramArrivesTwice() throws Exception
    {
        startRelay(new RelaySettings(0, 0, 100));
        final DatagramSocket sender = socket();
        for (int i = 0; i < 20; i++)
        {
            send(sender, relay.listenAddress(), "d" + i);
        }
        final Map<String, Integer> arrivals = new HashMap<>();
        for (int i = 0; i < 40; i++)
        {
            arrivals.merge(text(receive(node)), 1, Integer::sum);
        }
        assertNull(poll(node), "no third copy");
        for (int i = 0; i < 20; i++)
        {
            assertEquals(2, arrivals.get("d" + i), "d" + i);
        }
    }

    @Test
    @Timeout(10)
    void withJitterABurstArrivesReorderedAndWhole() throws Exception
    {
        startRelay(new RelaySettings(0, 20, 0));
        final DatagramSocket sender = socket();
        final int count = 200;
        for (int i = 0; i < count; i++)
        {
            send(sender, relay.listenAddress(), Integer.toString(i));
        }
        final boolean[] seen = new boolean[count];
        int inversions = 0;
        int previous = -1;
        for (int i = 0; i < count; i++)
        {
            final int sequence = Integer.parseInt(text(receive(node)));
            assertTrue(!seen[sequence], sequence + " arrived twice");
            seen[sequence] = true;
            inversions += sequence < previous ? 1 : 0;
            previous = sequence;
        }
        assertTrue(inversions > 0, "a burst with 0..20 ms of jitter arrives out of order");
        assertNull(poll(node), "nothing more");
    }

    @Test
    @Timeout(10)
    void withADelayEachDatagramArrivesNoSoonerThanTheDelayBothWays() throws Exception
    {
        final long delayMs = 50;
        startRelay(new RelaySettings((int)delayMs, 0, 0));
        final DatagramSocket sender = socket();
        for (int i = 0; i < 5; i++)
        {
            final long sentNs = System.nanoTime();
            send(sender, relay.listenAddress(), "t" + i);
            final DatagramPacket atNode = receive(node);
            final long arrivedNs = System.nanoTime();
            assertEquals("t" + i, text(atNode));
            assertTrue(arrivedNs - sentNs >= TimeUnit.MILLISECONDS.toNanos(delayMs),
                "arrived after " + (arrivedNs - sentNs) + " ns");
            send(node, atNode.getSocketAddress(), "r" + i);
            assertEquals("r" + i, text(receive(sender)));
            assertTrue(System.nanoTime() - sentNs >= TimeUnit.MILLISECONDS.toNanos(2 * delayMs),
                "the answer is held too");
        }
    }

    @Test
    @Timeout(10)
    void aNewControlFileTakesEffect() throws Exception
    {
        startRelay(RelaySettings.NONE);
        final DatagramSocket sender = socket();
        send(sender, relay.listenAddress(), "once");
        assertEquals("once", text(receive(node)));
        assertNull(poll(node), "only once");

        final RelaySettings twice = new RelaySettings(0, 0, 100);
        RelayControlFile.write(control, twice);
        awaitSettings(twice);
        send(sender, relay.listenAddress(), "twice");
        assertEquals("twice", text(receive(node)));
        assertEquals("twice", text(receive(node)));

        RelayControlFile.write(control, RelaySettings.NONE);
        awaitSettings(RelaySettings.NONE);
        send(sender, relay.listenAddress(), "once more");
        assertEquals("once more", text(receive(node)));
        assertNull(poll(node), "only once");
        assertTrue(log.toString().contains("relay: " + twice), log.toString());
    }

    private void startRelay(final RelaySettings settings) throws IOException, InterruptedException
    {
        node = socket();
        control = tempDir.resolve("relay.control");
        RelayControlFile.write(control, settings);
        relay = new UdpRelay(new InetSocketAddress(LOOPBACK, 0), (InetSocketAddress)node.getLocalSocketAddress(),
            new RelayControlFile(control), 42, null, new PrintWriter(log, true));
        relayThread = new Thread(relay, "relay");
        relayThread.start();
        awaitSettings(settings);
    }

    private void awaitSettings(final RelaySettings settings) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!relay.settings().equals(settings))
        {
            assertTrue(System.nanoTime() < deadlineNs, "the relay took " + settings + ": " + log);
            Thread.sleep(10);
        }
    }

    private DatagramSocket socket() throws IOException
    {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
        sockets.add(socket);
        return socket;
    }

    private static void send(final DatagramSocket from, final SocketAddress to, final String text)
        throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static DatagramPacket receive(final DatagramSocket socket) throws IOException
    {
        final DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        socket.receive(packet);
        return packet;
    }

    /**
     * @return a datagram that arrives within a short while, or null: for asserting that nothing more comes.
     */
    private static DatagramPacket poll(final DatagramSocket socket) throws IOException
    {
        socket.setSoTimeout(200);
        try
        {
            return receive(socket);
        }
        catch (final SocketTimeoutException ex)
        {
            return null;
        }
        finally
        {
            socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
        }
    }

    private static String text(final DatagramPacket packet)
    {
        return StandardCharsets.US_ASCII.decode(
            ByteBuffer.wrap(packet.getData(), packet.getOffset(), packet.getLength())).toString();
    }
}

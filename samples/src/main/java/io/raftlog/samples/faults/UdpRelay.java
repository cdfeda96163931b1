package io.raftlog.samples.faults;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A UDP relay in front of one node, the slow part of a fault run's network: it is bound at the endpoint the other
 * members (and the clients) send to, and forwards every datagram to where the node is bound instead
 * ({@code node --peer-listen}), holding each one back and sending some twice as its {@link RelaySettings} say. So it
 * delays, reorders and duplicates on the receiving side, in userspace: the faults {@code tc netem} makes on the wire,
 * for kernels that have no netem.
 * <pre>
 *   sender S --> listen socket (the advertised endpoint) --> flow(S): socket U --> node (at the forward endpoint)
 *   sender S <-- listen socket                           <-- flow(S): socket U <-- node answers U
 * </pre>
 * Each sender gets a socket of its own towards the node (a {@link RelayFlow}), because the node answers the source of
 * what it received (Aeron's status messages and NAKs): an answer arriving on a flow's socket is for that sender, and
 * leaves from the listen socket, since an Aeron sender's socket is connected to the endpoint it sends to and takes
 * datagrams from there only. The settings apply both ways, each datagram drawing its own delay from a seeded random.
 * <p>
 * One thread, non-blocking channels and a selector that sleeps until the next datagram is due (or the next look at
 * the control file, or the next check on the parent process): it never spins. Held datagrams are bounded
 * ({@link DelayedDatagrams}), and so are flows: one idle for a minute (its sender died: a restarted process sends from
 * a new port) is closed, and beyond {@link #MAX_FLOWS} a new sender's datagrams are dropped and counted.
 */
public final class UdpRelay implements Runnable, AutoCloseable
{
    /** The largest UDP payload: a datagram is never cut. */
    static final int MAX_DATAGRAM_BYTES = 65_535;
    static final int MAX_DELAYED_DATAGRAMS = 65_536;
    static final long MAX_DELAYED_BYTES = 64L << 20;
    static final int MAX_FLOWS = 1024;

    private static final long FLOW_IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long CONTROL_POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long HOUSEKEEPING_NS = TimeUnit.SECONDS.toNanos(1);
    /** Datagrams read from one socket before the others get a turn. */
    private static final int DATAGRAMS_PER_TURN = 64;
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final Selector selector;
    private final DatagramChannel listen;
    private final InetSocketAddress forwardTo;
    private final RelayControlFile control;
    private final ProcessHandle parent;
    private final SplittableRandom random;
    private final PrintWriter log;
    private final DelayedDatagrams delayed = new DelayedDatagrams(MAX_DELAYED_DATAGRAMS, MAX_DELAYED_BYTES);
    private final Map<InetSocketAddress, RelayFlow> flows = new HashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_BYTES);
    private final Consumer<SelectionKey> onReadable = this::onReadable;
    private volatile boolean running = true;
    private volatile RelaySettings settings = RelaySettings.NONE;
    private long received;
    private long forwarded;
    private long duplicated;
    private long sendsFailed;
    private long flowsOpened;
    private long datagramsRefused;

    /**
     * Binds the listen endpoint; {@link #run} relays.
     *
     * @param listenAt  the endpoint the node is known at (port 0: any free one, see {@link #listenAddress}).
     * @param forwardTo where the node is bound.
     * @param control   where the settings come from; until it holds any, datagrams pass at once.
     * @param seed      the seed of the delays and duplicates drawn.
     * @param parent    the process whose end ends the relay (the fault harness), or null for none.
     * @param log       where the relay says what it does: settings taken, flows refused, the parent gone.
     * @throws IOException when the listen endpoint cannot be bound.
     */
    public UdpRelay(
        final InetSocketAddress listenAt,
        final InetSocketAddress forwardTo,
        final RelayControlFile control,
        final long seed,
        final ProcessHandle parent,
        final PrintWriter log) throws IOException
    {
        this.forwardTo = forwardTo;
        this.control = control;
        this.parent = parent;
        this.random = new SplittableRandom(seed);
        this.log = log;
        this.selector = Selector.open();
        DatagramChannel channel = null;
        try
        {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            channel.bind(listenAt);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, null);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (channel != null)
            {
                channel.close();
            }
            selector.close();
            throw ex;
        }
        this.listen = channel;
    }

    /**
     * @return the bound listen endpoint.
     */
    public InetSocketAddress listenAddress()
    {
        try
        {
            return (InetSocketAddress)listen.getLocalAddress();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Relays until {@link #stop} or the parent's end, on the calling thread.
     */
    public void run()
    {
        long nextControlNs = System.nanoTime();
        long nextHousekeepingNs = nextControlNs + HOUSEKEEPING_NS;
        try
        {
            while (running)
            {
                final long nowNs = System.nanoTime();
                if (nowNs - nextControlNs >= 0)
                {
                    takeSettings();
                    nextControlNs = nowNs + CONTROL_POLL_NS;
                }
                if (nowNs - nextHousekeepingNs >= 0)
                {
                    if (parent != null && !parent.isAlive())
                    {
                        log.printf("relay: the parent process %d is gone: stopping%n", parent.pid());
                        log.flush();
                        return;
                    }
                    closeIdleFlows(nowNs);
                    nextHousekeepingNs = nowNs + HOUSEKEEPING_NS;
                }
                releaseDue(nowNs);
                selector.select(onReadable, timeoutMs(nextControlNs, nextHousekeepingNs));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Ends {@link #run} soon, from any thread.
     */
    public void stop()
    {
        running = false;
        selector.wakeup();
    }

    /**
     * Closes every socket; after {@link #run} has returned.
     */
    public void close()
    {
        for (final RelayFlow flow : flows.values())
        {
            flow.close();
        }
        flows.clear();
        try
        {
            listen.close();
            selector.close();
        }
        catch (final IOException ignore)
        {
            // nothing is left to deliver: held datagrams are dropped with the relay, as a link going down drops them
        }
    }

    /**
     * @return the settings the relay works with now (any thread): the control file's, once it has read them.
     */
    public RelaySettings settings()
    {
        return settings;
    }

    /**
     * @return the counters as one line, {@code relay: forwarded=<n> duplicated=<n> dropped=<n> ...}; read it after
     * {@link #run} has returned.
     */
    public String countersLine()
    {
        return "relay: forwarded=" + forwarded + " duplicated=" + duplicated + " dropped=" + delayed.droppedOverCap() +
            " received=" + received + " failed=" + sendsFailed + " flows=" + flowsOpened +
            " refused=" + datagramsRefused + " held=" + delayed.size();
    }

    private long timeoutMs(final long nextControlNs, final long nextHousekeepingNs)
    {
        final long nowNs = System.nanoTime();
        long waitNs = Math.min(nextControlNs - nowNs, nextHousekeepingNs - nowNs);
        if (delayed.size() > 0)
        {
            waitNs = Math.min(waitNs, delayed.nextReleaseNs() - nowNs);
        }
        // at least 1 ms: select(0) would wait for ever, and a datagram a fraction of a millisecond late is no harm
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNs + 999_999));
    }

    private void takeSettings()
    {
        try
        {
            final RelaySettings next = control.pollChange();
            if (next != null && !next.equals(settings))
            {
                settings = next;
                log.printf("relay: %s%n", settings);
                log.flush();
            }
        }
        catch (final IllegalArgumentException | UncheckedIOException ex)
        {
            log.printf("relay: control file %s ignored, the settings stay %s: %s%n", control.file(), settings,
                ex.getMessage());
            log.flush();
        }
    }

    private void onReadable(final SelectionKey key)
    {
        final RelayFlow flow = (RelayFlow)key.attachment();
        if (flow == null)
        {
            readFromSenders();
        }
        else
        {
            readFromNode(flow);
        }
    }

    private void readFromSenders()
    {
        for (int i = 0; i < DATAGRAMS_PER_TURN; i++)
        {
            buffer.clear();
            final InetSocketAddress sender;
            try
            {
                sender = (InetSocketAddress)listen.receive(buffer);
            }
            catch (final IOException ex)
            {
                return; // an error queued by an earlier send to a sender that is gone: the next read goes on
            }
            if (sender == null)
            {
                return;
            }
            received++;
            final RelayFlow flow = flowOf(sender);
            if (flow != null)
            {
                buffer.flip();
                pass(flow, true);
            }
        }
    }

    private void readFromNode(final RelayFlow flow)
    {
        for (int i = 0; i < DATAGRAMS_PER_TURN; i++)
        {
            buffer.clear();
            try
            {
                if (flow.upstream().receive(buffer) == null)
                {
                    return;
                }
            }
            catch (final PortUnreachableException ex)
            {
                return; // the node was not there for an earlier datagram (killed, restarting): lost, as on a wire
            }
            catch (final IOException ex)
            {
                log.printf("relay: the socket towards the node for %s failed, closed: %s%n", flow.sender(), ex);
                log.flush();
                flows.remove(flow.sender());
                flow.close();
                return;
            }
            received++;
            flow.touch(System.nanoTime());
            buffer.flip();
            pass(flow, false);
        }
    }

    /**
     * @return the sender's flow, opened on its first datagram; null when there are too many (the datagram is dropped).
     */
    private RelayFlow flowOf(final InetSocketAddress sender)
    {
        final long nowNs = System.nanoTime();
        RelayFlow flow = flows.get(sender);
        if (flow != null)
        {
            flow.touch(nowNs);
            return flow;
        }
        if (flows.size() >= MAX_FLOWS)
        {
            if (datagramsRefused++ == 0)
            {
                log.printf("relay: %d senders at once, the most it serves: datagrams from new ones are dropped%n",
                    MAX_FLOWS);
                log.flush();
            }
            return null;
        }
        DatagramChannel upstream = null;
        try
        {
            upstream = DatagramChannel.open();
            upstream.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            upstream.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            upstream.connect(forwardTo);
            upstream.configureBlocking(false);
            flow = new RelayFlow(sender, upstream, nowNs);
            upstream.register(selector, SelectionKey.OP_READ, flow);
        }
        catch (final IOException ex)
        {
            if (upstream != null)
            {
                try
                {
                    upstream.close();
                }
                catch (final IOException ignore)
                {
                    // it never carried a datagram
                }
            }
            log.printf("relay: no socket towards the node for %s: %s%n", sender, ex);
            log.flush();
            return null;
        }
        flows.put(sender, flow);
        flowsOpened++;
        return flow;
    }

    /**
     * The datagram in {@link #buffer}, on its way: now or later, once or twice.
     */
    private void pass(final RelayFlow flow, final boolean towardsNode)
    {
        final RelaySettings current = settings;
        final boolean twice = current.duplicatePercent() > 0 && random.nextInt(100) < current.duplicatePercent();
        if (twice)
        {
            duplicated++;
        }
        for (int copy = twice ? 2 : 1; copy > 0; copy--)
        {
            if (current.delays())
            {
                delayed.add(System.nanoTime() + delayNs(current), buffer, flow, towardsNode);
            }
            else
            {
                send(buffer, flow, towardsNode);
            }
        }
    }

    private long delayNs(final RelaySettings current)
    {
        final long jitterNs = current.jitterMs() == 0 ? 0 :
            random.nextLong(TimeUnit.MILLISECONDS.toNanos(current.jitterMs()) + 1);
        return TimeUnit.MILLISECONDS.toNanos(current.delayMs()) + jitterNs;
    }

    private void releaseDue(final long nowNs)
    {
        DelayedDatagrams.Datagram datagram;
        while ((datagram = delayed.pollDue(nowNs)) != null)
        {
            send(ByteBuffer.wrap(datagram.bytes), datagram.flow, datagram.towardsNode);
        }
    }

    /**
     * Sends {@code payload}'s remaining bytes, leaving its position as it was (a duplicate sends them again).
     */
    private void send(final ByteBuffer payload, final RelayFlow flow, final boolean towardsNode)
    {
        if (!flow.isOpen())
        {
            sendsFailed++; // its flow went idle and was closed while this was held
            return;
        }
        final int start = payload.position();
        try
        {
            final int sent = towardsNode ? flow.upstream().write(payload) : listen.send(payload, flow.sender());
            if (sent > 0 || payload.limit() == start)
            {
                forwarded++;
            }
            else
            {
                sendsFailed++; // the socket's buffer is full: lost, as a congested link loses it
            }
        }
        catch (final IOException ex)
        {
            sendsFailed++; // the node is not there (killed, not yet restarted), or the sender's host is gone
        }
        payload.position(start);
    }

    private void closeIdleFlows(final long nowNs)
    {
        flows.values().removeIf(flow ->
        {
            if (nowNs - flow.lastActiveNs() > FLOW_IDLE_TIMEOUT_NS)
            {
                flow.close();
                return true;
            }
            return false;
        });
    }
}

package io.raftlog.driver;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * A named set of media-driver settings for one kind of machine, and the idle strategy the node's own agent thread
 * should use on that machine, so that the driver and the node make the same trade between CPU and latency.
 * <p>
 * A profile decides the threading mode, every idle strategy, whether term files are sparse, and the default sizes
 * (MTU, term length, initial window, socket buffers, largest message). {@link DriverSettings} takes the sizes from
 * the profile unless a setter or a system property gives them, and validates the result.
 * <pre>
 *   profile       threads (driver)                      idle: driver            idle: node agent
 *   small         1 shared (+ name resolver, mostly      backoff to 1 ms park    backoff to 1 ms park
 *                 asleep)
 *   low-latency   3 dedicated: sender, receiver,         no-op / busy spin       busy spin
 *                 conductor
 *   throughput    3 dedicated                            yield / backoff         yield
 * </pre>
 * CPU: a busy-spinning or yielding thread takes a whole core whether or not there is work (measured on the 2-core
 * development VM: ~100% of a core), a backing-off one ~3%. Only {@link #SMALL} lets several nodes share a few cores.
 */
public enum DriverProfile
{
    /**
     * A small machine: three nodes, their drivers and a test runner on 2 cores.
     * <ul>
     *   <li>{@link ThreadingMode#SHARED}: the conductor, sender and receiver take turns on one thread. Three nodes
     *   then run three driver threads instead of nine, and none of them competes with a node's agent for a core it
     *   does not have.</li>
     *   <li>{@link BackoffIdleStrategy} (10 spins, 5 yields, then parks from 1 µs doubling to 1 ms): an idle driver
     *   costs a few percent of a core, and a message arriving after a quiet spell waits at most one park (1 ms),
     *   far below an election timeout. Busy-spinning here would starve the very nodes the driver serves.</li>
     *   <li>The asynchronous name resolver keeps its own thread (a slow DNS lookup must not stall the only driver
     *   thread, or heartbeats stop and elections follow), but sleeps 10 ms between polls instead of Aeron's 1 ms:
     *   it only works when a channel with a host name is added, which is rare.</li>
     *   <li>Sparse term files and a 1 MiB term: memory is committed only as it is written, and each publication
     *   maps 3 MiB instead of Aeron's 48 MiB, which matters with several nodes' logs on one small box. The largest
     *   message such a term carries is 128 KiB, double the default largest message of 64 KiB.</li>
     *   <li>The node's agent backs off the same way: it has nothing to do between client offers and heartbeats.</li>
     * </ul>
     */
    SMALL(
        "small",
        ThreadingMode.SHARED,
        DriverProfile.DEFAULT_MTU_LENGTH,
        1024 * 1024,
        128 * 1024,
        0,
        128 * 1024,
        64 * 1024)
    {
        void applyIdleStrategies(final MediaDriver.Context ctx)
        {
            ctx.sharedIdleStrategy(newBackoff());
            ctx.asyncExecutorEnabled(true);
            ctx.asyncExecutorIdleStrategy(new SleepingMillisIdleStrategy(SMALL_NAME_RESOLVER_SLEEP_MS));
            ctx.termBufferSparseFile(true);
        }

        public IdleStrategy newAgentIdleStrategy()
        {
            return newBackoff();
        }
    },

    /**
     * The lowest latency, at the price of a core per busy thread: the driver alone needs three free cores, plus
     * one for each node's agent. Never use it on a machine with fewer cores than busy threads: a spinning thread
     * that is descheduled makes latency far worse than backing off would.
     * <ul>
     *   <li>{@link ThreadingMode#DEDICATED}: sender, receiver and conductor each on their own thread, so sending
     *   never waits for receiving or for the conductor's housekeeping.</li>
     *   <li>Sender and receiver {@link NoOpIdleStrategy}: they are on the path of every message and react within
     *   the next loop iteration. The conductor (client commands, timers, not on the per-message path)
     *   {@link BusySpinIdleStrategy}: always hot too, but its {@code Thread.onSpinWait()} lets a hyper-thread
     *   sibling run.</li>
     *   <li>Term files are not sparse: Aeron touches every page when it creates a log, so no page fault lands in
     *   the middle of a message. A 4 MiB term keeps that pre-touched memory moderate (12 MiB per publication)
     *   while still carrying messages up to 512 KiB; latency-sensitive batches are small.</li>
     *   <li>Aeron's default MTU (1408), window (128 KiB, the bandwidth-delay product of 10 Gbit/s over a 100 µs
     *   LAN round trip) and receive buffer (128 KiB).</li>
     *   <li>The node's agent busy-spins as well: waking from a park costs tens of microseconds.</li>
     * </ul>
     */
    LOW_LATENCY(
        "low-latency",
        ThreadingMode.DEDICATED,
        DriverProfile.DEFAULT_MTU_LENGTH,
        4 * 1024 * 1024,
        128 * 1024,
        0,
        128 * 1024,
        64 * 1024)
    {
        void applyIdleStrategies(final MediaDriver.Context ctx)
        {
            ctx.senderIdleStrategy(NoOpIdleStrategy.INSTANCE);
            ctx.receiverIdleStrategy(NoOpIdleStrategy.INSTANCE);
            ctx.conductorIdleStrategy(BusySpinIdleStrategy.INSTANCE);
            ctx.termBufferSparseFile(false);
        }

        public IdleStrategy newAgentIdleStrategy()
        {
            return BusySpinIdleStrategy.INSTANCE;
        }
    },

    /**
     * The most bytes per second: large batches kept in flight over a longer or faster path.
     * <ul>
     *   <li>{@link ThreadingMode#DEDICATED}: sender and receiver run in parallel with each other and with the
     *   conductor.</li>
     *   <li>Sender and receiver {@link YieldingIdleStrategy}: under sustained load they always have work; when a
     *   burst pauses they yield rather than park, so the next burst is picked up within a scheduler slice, while
     *   the node's disk flusher or GC threads can still take the core when they need it. The conductor is off the
     *   data path and keeps Aeron's default {@link BackoffIdleStrategy}.</li>
     *   <li>A 64 MiB term (largest message 8 MiB) and a 2 MiB initial window: room for large batches and for the
     *   bandwidth-delay product of 10 Gbit/s over a ~1.6 ms round trip. 2 MiB socket buffers so the window fits in
     *   SO_RCVBUF (Aeron's rule) and the sender can hand the kernel a whole window. The OS must allow them
     *   ({@code net.core.rmem_max}/{@code wmem_max}); if not, Aeron prints a warning and the kernel caps them.</li>
     *   <li>The MTU stays at 1408: a larger one saves system calls but is fragmented by IP on an ordinary
     *   1500-byte network, where one lost fragment loses the whole datagram. Raise it (a multiple of 32, for
     *   example 8192) on a jumbo-frame network or loopback.</li>
     *   <li>Sparse term files: 192 MiB per publication is committed only as it is written.</li>
     *   <li>The node's agent yields: it is busy whenever the driver is.</li>
     * </ul>
     */
    THROUGHPUT(
        "throughput",
        ThreadingMode.DEDICATED,
        DriverProfile.DEFAULT_MTU_LENGTH,
        64 * 1024 * 1024,
        2 * 1024 * 1024,
        2 * 1024 * 1024,
        2 * 1024 * 1024,
        1024 * 1024)
    {
        void applyIdleStrategies(final MediaDriver.Context ctx)
        {
            ctx.senderIdleStrategy(YieldingIdleStrategy.INSTANCE);
            ctx.receiverIdleStrategy(YieldingIdleStrategy.INSTANCE);
            ctx.conductorIdleStrategy(new BackoffIdleStrategy(
                AERON_IDLE_MAX_SPINS, AERON_IDLE_MAX_YIELDS, BACKOFF_MIN_PARK_NS, BACKOFF_MAX_PARK_NS));
            ctx.termBufferSparseFile(true);
        }

        public IdleStrategy newAgentIdleStrategy()
        {
            return YieldingIdleStrategy.INSTANCE;
        }
    };

    /**
     * Aeron's default MTU ({@code io.aeron.driver.Configuration.MTU_LENGTH_DEFAULT}): fits an Ethernet frame with
     * IPv4 or IPv6 and a PPPoE or cloud encapsulation header without IP fragmentation.
     */
    static final int DEFAULT_MTU_LENGTH = 1408;

    static final long BACKOFF_MAX_SPINS = 10;
    static final long BACKOFF_MAX_YIELDS = 5;
    static final long BACKOFF_MIN_PARK_NS = 1_000;
    static final long BACKOFF_MAX_PARK_NS = 1_000_000;
    static final long AERON_IDLE_MAX_SPINS = 10;
    static final long AERON_IDLE_MAX_YIELDS = 20;
    static final long SMALL_NAME_RESOLVER_SLEEP_MS = 10;

    private final String profileName;
    private final ThreadingMode threadingMode;
    private final int mtuLength;
    private final int publicationTermBufferLength;
    private final int initialWindowLength;
    private final int socketSndbufLength;
    private final int socketRcvbufLength;
    private final int largestMessageBytes;

    DriverProfile(
        final String profileName,
        final ThreadingMode threadingMode,
        final int mtuLength,
        final int publicationTermBufferLength,
        final int initialWindowLength,
        final int socketSndbufLength,
        final int socketRcvbufLength,
        final int largestMessageBytes)
    {
        this.profileName = profileName;
        this.threadingMode = threadingMode;
        this.mtuLength = mtuLength;
        this.publicationTermBufferLength = publicationTermBufferLength;
        this.initialWindowLength = initialWindowLength;
        this.socketSndbufLength = socketSndbufLength;
        this.socketRcvbufLength = socketRcvbufLength;
        this.largestMessageBytes = largestMessageBytes;
    }

    /**
     * The profile with this name, as written on the command line or in {@code raftlog.driver.profile}.
     *
     * @param name {@code small}, {@code low-latency} or {@code throughput} (case and surrounding blanks ignored).
     * @return the profile.
     * @throws IllegalArgumentException naming the valid profiles when the name is none of them.
     */
    public static DriverProfile fromName(final String name)
    {
        if (null != name)
        {
            final String wanted = name.trim().toLowerCase(Locale.ROOT);
            for (final DriverProfile profile : values())
            {
                if (profile.profileName.equals(wanted))
                {
                    return profile;
                }
            }
        }

        throw new IllegalArgumentException(
            "profile=" + name + " is not a driver profile; valid profiles: " + validNames());
    }

    /**
     * @return the names {@link #fromName(String)} accepts, comma separated.
     */
    public static String validNames()
    {
        final StringBuilder names = new StringBuilder();
        for (final DriverProfile profile : values())
        {
            if (names.length() > 0)
            {
                names.append(", ");
            }
            names.append(profile.profileName);
        }
        return names.toString();
    }

    /**
     * @return the name of this profile on the command line and in system properties.
     */
    public String profileName()
    {
        return profileName;
    }

    /**
     * @return the driver's threading mode under this profile.
     */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /**
     * @return the MTU this profile uses unless another is set.
     */
    public int mtuLength()
    {
        return mtuLength;
    }

    /**
     * @return the publication term length this profile uses unless another is set.
     */
    public int publicationTermBufferLength()
    {
        return publicationTermBufferLength;
    }

    /**
     * @return the initial receiver window this profile uses unless another is set.
     */
    public int initialWindowLength()
    {
        return initialWindowLength;
    }

    /**
     * @return the SO_SNDBUF this profile asks for unless another is set; 0 keeps the OS default.
     */
    public int socketSndbufLength()
    {
        return socketSndbufLength;
    }

    /**
     * @return the SO_RCVBUF this profile asks for unless another is set; 0 keeps the OS default.
     */
    public int socketRcvbufLength()
    {
        return socketRcvbufLength;
    }

    /**
     * @return the largest message the node sends under this profile unless another is set.
     */
    public int largestMessageBytes()
    {
        return largestMessageBytes;
    }

    /**
     * A new idle strategy for the node's own agent thread (its {@code AgentRunner}), matched to this profile's
     * driver. Call it once per thread: some strategies keep state. {@code profile::newAgentIdleStrategy} is the
     * factory to hand around.
     *
     * @return the idle strategy for one node agent thread.
     */
    public abstract IdleStrategy newAgentIdleStrategy();

    /**
     * Apply this profile to a driver context: threading mode, idle strategies (new instances for this context),
     * sparse term files, and this profile's default sizes. {@link DriverSettings#applyTo(MediaDriver.Context)}
     * applies the profile and then overrides the sizes with the validated settings.
     *
     * @param ctx to change.
     * @return the same context.
     */
    public MediaDriver.Context applyTo(final MediaDriver.Context ctx)
    {
        ctx.threadingMode(threadingMode);
        applyIdleStrategies(ctx);
        ctx.mtuLength(mtuLength)
            .publicationTermBufferLength(publicationTermBufferLength)
            .initialWindowLength(initialWindowLength)
            .socketSndbufLength(socketSndbufLength)
            .socketRcvbufLength(socketRcvbufLength);
        return ctx;
    }

    abstract void applyIdleStrategies(MediaDriver.Context ctx);

    static BackoffIdleStrategy newBackoff()
    {
        return new BackoffIdleStrategy(
            BACKOFF_MAX_SPINS, BACKOFF_MAX_YIELDS, BACKOFF_MIN_PARK_NS, BACKOFF_MAX_PARK_NS);
    }
}

package io.raftlog.perf.compare;

import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftlog.perf.IdleStrategies;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the comparison systems share: temporary directories, loopback ports, an embedded media driver set up for the
 * run's idle strategy, errors collected instead of printed, and the threads of the agents for measuring allocation.
 */
final class CompareSupport
{
    /**
     * Every channel names the loopback address itself: with a literal address the driver never asks its name
     * resolver, and nothing leaves the machine.
     */
    static final String LOOPBACK = "127.0.0.1";

    private static final long ONE_SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    private CompareSupport()
    {
    }

    /**
     * @return a new directory for Aeron's driver files: under {@code /dev/shm} where there is one (Aeron's own
     * default on Linux, memory-backed), else the temporary directory.
     */
    static Path newShmDirectory(final String prefix)
    {
        final Path shm = Paths.get("/dev/shm");
        try
        {
            if (Files.isDirectory(shm) && Files.isWritable(shm))
            {
                return Files.createTempDirectory(shm, prefix);
            }
            return Files.createTempDirectory(prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temporary directory for " + prefix, ex);
        }
    }

    /**
     * @return a new directory on the temporary file system (a disk on most machines): where stored data goes, as the
     * systems it is compared with store theirs.
     */
    static Path newDiskDirectory(final String prefix)
    {
        try
        {
            return Files.createTempDirectory(prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temporary directory for " + prefix, ex);
        }
    }

    /**
     * Deletes a directory and everything under it; what cannot be deleted is left (and said on stderr).
     */
    static void deleteRecursively(final Path root)
    {
        if (root == null || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            final List<Path> all = new ArrayList<>();
            paths.forEach(all::add);
            all.sort(Comparator.reverseOrder());
            for (final Path path : all)
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final IOException ex)
                {
                    System.err.println("perf: could not delete " + path + ": " + ex);
                }
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            System.err.println("perf: could not delete " + root + ": " + ex);
        }
    }

    /**
     * Free UDP ports on the loopback address: all are held open together (so they differ) and released at once.
     * Another process could take one before the system under test binds it; the window is milliseconds.
     */
    static int[] freeUdpPorts(final int count)
    {
        final DatagramSocket[] sockets = new DatagramSocket[count];
        final int[] ports = new int[count];
        try
        {
            final InetAddress loopback = InetAddress.getByName(LOOPBACK);
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new DatagramSocket(new InetSocketAddress(loopback, 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot find " + count + " free UDP ports on " + LOOPBACK, ex);
        }
        finally
        {
            for (final DatagramSocket socket : sockets)
            {
                if (socket != null)
                {
                    socket.close();
                }
            }
        }
    }

    static String udpChannel(final int port)
    {
        return "aeron:udp?endpoint=" + LOOPBACK + ":" + port;
    }

    static String endpoint(final int port)
    {
        return LOOPBACK + ":" + port;
    }

    static boolean isBusySpin(final String idleStrategy)
    {
        return "busy-spin".equals(idleStrategy);
    }

    static Supplier<IdleStrategy> idleSupplier(final String idleStrategy)
    {
        IdleStrategies.create(idleStrategy); // fail early on an unknown name
        return () -> IdleStrategies.create(idleStrategy);
    }

    /**
     * A media-driver context for the run: its own directory, deleted on start and on shutdown, errors to
     * {@code errors}, and the threads and idle strategies chosen for the run's idle strategy.
     * <p>
     * Threading mode: with {@code busy-spin} {@link ThreadingMode#DEDICATED} (conductor, sender and receiver each on
     * a spinning thread, so sending never waits for receiving or for housekeeping: the lowest latency a driver
     * offers, at the price of three cores); with {@code backoff} {@link ThreadingMode#SHARED} (one thread takes turns
     * at the three duties: with several drivers, nodes and a client on few cores, fewer runnable threads means less
     * time waiting for a core, and a backing-off thread costs a few percent of a core when idle). This is the same
     * choice as raftlog's {@code low-latency} and {@code small} driver profiles, so the drivers compared are set up
     * alike. Aeron's other settings (term length, MTU, windows, non-sparse term files) stay at their defaults; the
     * name resolver's executor keeps its own 1 ms sleeping thread (off the message path).
     */
    static MediaDriver.Context driverContext(
        final Path aeronDir, final String idleStrategy, final ErrorCollector errors, final AgentThreads threads)
    {
        return driverContext(aeronDir, idleStrategy, errors, threads, false);
    }

    /**
     * @param alwaysShared one driver thread even under busy-spin: for a system that runs more agents per member than
     *                     raftlog does, so that both spin the same number of threads per member.
     */
    static MediaDriver.Context driverContext(
        final Path aeronDir,
        final String idleStrategy,
        final ErrorCollector errors,
        final AgentThreads threads,
        final boolean alwaysShared)
    {
        final Supplier<IdleStrategy> idle = idleSupplier(idleStrategy);
        final MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .errorHandler(errors::onError);
        if (isBusySpin(idleStrategy) && !alwaysShared)
        {
            ctx.threadingMode(ThreadingMode.DEDICATED)
                .conductorIdleStrategy(idle.get())
                .senderIdleStrategy(idle.get())
                .receiverIdleStrategy(idle.get());
        }
        else
        {
            ctx.threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idle.get());
        }
        if (threads != null)
        {
            ctx.conductorThreadFactory(threads)
                .senderThreadFactory(threads)
                .receiverThreadFactory(threads)
                .sharedThreadFactory(threads)
                .sharedNetworkThreadFactory(threads);
        }
        return ctx;
    }

    /**
     * @return a short description of the driver threads {@link #driverContext} sets up.
     */
    static String driverThreadsNote(final String idleStrategy)
    {
        return isBusySpin(idleStrategy) ?
            "threading DEDICATED (3 driver threads)" : "threading SHARED (1 driver thread)";
    }

    /**
     * Whether an offer's result means "try again" (back-pressure, an admin action, not yet connected) rather than a
     * failure that retrying cannot cure.
     */
    static boolean isRetryable(final long result)
    {
        return result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION ||
            result == Publication.NOT_CONNECTED;
    }

    static String offerResultName(final long result)
    {
        if (result == Publication.NOT_CONNECTED)
        {
            return "NOT_CONNECTED";
        }
        if (result == Publication.BACK_PRESSURED)
        {
            return "BACK_PRESSURED";
        }
        if (result == Publication.ADMIN_ACTION)
        {
            return "ADMIN_ACTION";
        }
        if (result == Publication.CLOSED)
        {
            return "CLOSED";
        }
        if (result == Publication.MAX_POSITION_EXCEEDED)
        {
            return "MAX_POSITION_EXCEEDED";
        }
        return Long.toString(result);
    }

    static long seconds(final int seconds)
    {
        return seconds * ONE_SECOND_NS;
    }

    /**
     * Joins a thread for up to {@code timeoutMs}; interrupts it if it is still alive then.
     */
    static void join(final Thread thread, final long timeoutMs)
    {
        if (thread == null)
        {
            return;
        }
        try
        {
            thread.join(timeoutMs);
            if (thread.isAlive())
            {
                thread.interrupt();
                thread.join(1000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Errors reported by the agents of a system under test, kept instead of printed: counted, the first few kept for
     * the report. Once the system is being torn down, errors are expected (peers vanish) and only counted apart.
     */
    static final class ErrorCollector
    {
        private static final int KEPT = 5;

        private final AtomicLong count = new AtomicLong();
        private final AtomicLong duringTeardown = new AtomicLong();
        private final ConcurrentLinkedQueue<String> first = new ConcurrentLinkedQueue<>();
        private volatile boolean tearingDown;

        void onError(final Throwable error)
        {
            if (tearingDown)
            {
                duringTeardown.incrementAndGet();
                return;
            }
            if (count.incrementAndGet() <= KEPT)
            {
                first.add(String.valueOf(error));
            }
        }

        void tearingDown()
        {
            tearingDown = true;
        }

        long count()
        {
            return count.get();
        }

        String summary()
        {
            return count.get() + " agent error(s) while running" + (count.get() == 0 ? "" : ", first: " + first);
        }
    }

    /**
     * A thread factory that remembers the threads it made: the agents' threads, whose allocation is measured
     * together ({@code com.sun.management.ThreadMXBean}, HotSpot).
     */
    static final class AgentThreads implements ThreadFactory
    {
        private final List<Thread> threads = new ArrayList<>();

        public synchronized Thread newThread(final Runnable runnable)
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        }

        synchronized int count()
        {
            return threads.size();
        }

        /**
         * @return bytes allocated so far by the threads made (those that ended count no longer), or -1 where the JVM
         * cannot tell.
         */
        synchronized long allocatedBytes()
        {
            if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean))
            {
                return -1;
            }
            final com.sun.management.ThreadMXBean bean =
                (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
            if (!bean.isThreadAllocatedMemorySupported() || !bean.isThreadAllocatedMemoryEnabled())
            {
                return -1;
            }
            final long[] ids = new long[threads.size()];
            for (int i = 0; i < ids.length; i++)
            {
                ids[i] = threads.get(i).getId();
            }
            long total = 0;
            for (final long bytes : bean.getThreadAllocatedBytes(ids))
            {
                if (bytes > 0)
                {
                    total += bytes;
                }
            }
            return total;
        }
    }
}

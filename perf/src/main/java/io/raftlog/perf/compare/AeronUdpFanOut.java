package io.raftlog.perf.compare;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.raftlog.perf.IdleStrategies;
import io.raftlog.perf.Progress;
import io.raftlog.perf.Result;
import io.raftlog.perf.SystemUnderTest;
import io.raftlog.perf.Workload;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical throughput limit of a leader replicating to two followers over Aeron UDP on loopback: one publisher
 * sends every message to two subscribers, each on its own endpoint and its own thread, as fast as back-pressure
 * allows. Reported: messages per second delivered to both (the slower subscriber's count over the window).
 * <ul>
 *   <li>Two exclusive publications, one per subscriber endpoint, each message offered to both: the way raftlog's
 *   leader sends (one publication per follower), so the sender's work per message is the same. (A multi-destination
 *   publication would copy each message into the term buffer once and let the driver send it to both; that is Aeron
 *   Cluster's log channel, and it is cheaper for the publisher.)</li>
 *   <li>One embedded media driver (its own directory under {@code /dev/shm}; threading chosen as in
 *   {@link CompareSupport#driverContext}) serves all three ends; every message crosses the kernel's loopback once per
 *   subscriber.</li>
 *   <li>The publisher runs on the calling thread, each subscriber on its own; all use
 *   {@code IdleStrategies.create(workload.idleStrategy())}.</li>
 * </ul>
 * Throughput runs only ({@code ratePerSec == 0}); latency is not measured. {@code nodes} is ignored: always one
 * publisher and two subscribers.
 */
public final class AeronUdpFanOut implements SystemUnderTest
{
    public static final String NAME = "aeron-udp-fanout";

    private static final int STREAM_ID = 1003;
    private static final int FRAGMENT_LIMIT = 256;
    private static final long SETUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long ONE_SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int MIN_MESSAGE_LENGTH = 8;

    public String name()
    {
        return NAME;
    }

    public boolean supports(final Workload workload)
    {
        return workload.isThroughputRun() && workload.measureSec() > 0;
    }

    public Result run(final Workload workload, final Progress progress) throws Exception
    {
        if (!supports(workload))
        {
            throw new IllegalArgumentException(NAME + " measures throughput only (ratePerSec == 0): " + workload);
        }
        final String idleName = workload.idleStrategy();
        final Path shmDir = CompareSupport.newShmDirectory("aeron-udp-fanout-");
        final CompareSupport.ErrorCollector errors = new CompareSupport.ErrorCollector();
        MediaDriver driver = null;
        Aeron aeron = null;
        final Receiver[] receivers = new Receiver[2];
        final Thread[] threads = new Thread[2];
        try
        {
            progress.update(NAME + ": starting");
            driver = MediaDriver.launchEmbedded(
                CompareSupport.driverContext(shmDir.resolve("driver"), idleName, errors, null));
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .errorHandler(errors::onError));

            final ExclusivePublication[] publications = new ExclusivePublication[2];
            for (int i = 0; i < 2; i++)
            {
                final Subscription subscription =
                    aeron.addSubscription(AeronUdpRoundTrip.ephemeralChannel(), STREAM_ID);
                publications[i] = aeron.addExclusivePublication(
                    "aeron:udp?endpoint=" + AeronUdpRoundTrip.resolvedEndpoint(subscription), STREAM_ID);
                receivers[i] = new Receiver(subscription, IdleStrategies.create(idleName));
                threads[i] = new Thread(receivers[i], NAME + "-subscriber-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
            awaitConnected(publications);

            final int length = Math.max(MIN_MESSAGE_LENGTH, workload.payloadBytes());
            final Outcome outcome = publish(workload, publications, receivers, length,
                IdleStrategies.create(idleName), progress);

            final StringBuilder note = new StringBuilder()
                .append("1 publisher -> 2 subscribers on 127.0.0.1, two exclusive publications (one per subscriber, ")
                .append("like raftlog's leader), each subscriber on its own thread, one embedded driver, ")
                .append(CompareSupport.driverThreadsNote(idleName))
                .append("; idle ").append(idleName)
                .append("; delivered to both = the slower subscriber's count");
            if (length != workload.payloadBytes())
            {
                note.append("; messages padded to ").append(length).append(" B");
            }
            note.append(String.format(java.util.Locale.ROOT, "; offered %.0f/s, subscribers %.0f/s and %.0f/s",
                outcome.offeredPerSec, outcome.perSec[0], outcome.perSec[1]));
            if (errors.count() > 0)
            {
                note.append("; ").append(errors.summary());
            }
            return new Result(NAME, workload, null, Math.min(outcome.perSec[0], outcome.perSec[1]), Double.NaN,
                note.toString());
        }
        finally
        {
            errors.tearingDown();
            for (final Receiver receiver : receivers)
            {
                if (receiver != null)
                {
                    receiver.running = false;
                }
            }
            for (final Thread thread : threads)
            {
                CompareSupport.join(thread, 5_000);
            }
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(driver);
            CompareSupport.deleteRecursively(shmDir);
        }
    }

    private record Outcome(double offeredPerSec, double[] perSec)
    {
    }

    private static Outcome publish(
        final Workload workload,
        final ExclusivePublication[] publications,
        final Receiver[] receivers,
        final int length,
        final IdleStrategy idle,
        final Progress progress)
    {
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN));
        final long startNs = System.nanoTime();
        final long windowStartNs = startNs + CompareSupport.seconds(workload.warmupSec());
        final long windowEndNs = windowStartNs + CompareSupport.seconds(workload.measureSec());
        final long[] atStart = new long[2];
        long offeredAtStart = 0;
        boolean windowStarted = false;
        long nextProgressNs = startNs;
        long seq = 0;
        boolean sent0 = false;
        boolean sent1 = false;
        message.putLong(0, seq, ByteOrder.LITTLE_ENDIAN);
        idle.reset();
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - windowEndNs >= 0)
            {
                break;
            }
            if (!windowStarted && nowNs - windowStartNs >= 0)
            {
                windowStarted = true;
                atStart[0] = receivers[0].received.get();
                atStart[1] = receivers[1].received.get();
                offeredAtStart = seq;
            }
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs = nowNs + ONE_SECOND_NS;
                progress.update(NAME + (windowStarted ? ": measuring " : ": warm-up ") +
                    TimeUnit.NANOSECONDS.toSeconds(nowNs - (windowStarted ? windowStartNs : startNs)) + " s, " +
                    Math.min(receivers[0].received.get(), receivers[1].received.get()) + " delivered");
            }
            int work = 0;
            for (int burst = 0; burst < 1024; burst++)
            {
                if (!sent0)
                {
                    sent0 = offered(publications[0].offer(message, 0, length));
                }
                if (!sent1)
                {
                    sent1 = offered(publications[1].offer(message, 0, length));
                }
                if (!(sent0 && sent1))
                {
                    break;
                }
                sent0 = false;
                sent1 = false;
                seq++;
                message.putLong(0, seq, ByteOrder.LITTLE_ENDIAN);
                work++;
            }
            idle.idle(work);
        }
        final double seconds = workload.measureSec();
        final double[] perSec = {
            (receivers[0].received.get() - atStart[0]) / seconds,
            (receivers[1].received.get() - atStart[1]) / seconds,
        };
        return new Outcome((seq - offeredAtStart) / seconds, perSec);
    }

    private static boolean offered(final long result)
    {
        if (result > 0)
        {
            return true;
        }
        if (!CompareSupport.isRetryable(result))
        {
            throw new IllegalStateException(NAME + ": offer failed: " + CompareSupport.offerResultName(result));
        }
        return false;
    }

    private static void awaitConnected(final ExclusivePublication[] publications) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + SETUP_TIMEOUT_NS;
        for (final ExclusivePublication publication : publications)
        {
            while (!publication.isConnected())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException(NAME + ": " + publication.channel() + " not connected within " +
                        TimeUnit.NANOSECONDS.toSeconds(SETUP_TIMEOUT_NS) + " s");
                }
                Thread.sleep(1);
            }
        }
    }

    /**
     * Counts whole messages (fragments reassembled) until stopped.
     */
    private static final class Receiver implements Runnable
    {
        private final Subscription subscription;
        private final IdleStrategy idle;
        private final FragmentHandler handler;
        final AtomicLong received = new AtomicLong();
        volatile boolean running = true;
        private long count;

        Receiver(final Subscription subscription, final IdleStrategy idle)
        {
            this.subscription = subscription;
            this.idle = idle;
            this.handler = new FragmentAssembler((buffer, offset, length, header) -> count++);
        }

        public void run()
        {
            while (running)
            {
                final int fragments = subscription.poll(handler, FRAGMENT_LIMIT);
                if (fragments > 0)
                {
                    received.lazySet(count);
                }
                idle.idle(fragments);
            }
        }
    }
}

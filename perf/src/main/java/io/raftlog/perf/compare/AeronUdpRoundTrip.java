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
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The physical limit of a request and its answer over Aeron UDP on loopback: a ping endpoint and a pong endpoint,
 * the pong echoing every message back on its own thread. No consensus, no storage: what any Aeron-based replicated
 * log pays at least once per commit (a leader's append to a follower and the follower's acknowledgement).
 * <ul>
 *   <li>One embedded media driver (its own directory under {@code /dev/shm}; threading chosen as in
 *   {@link CompareSupport#driverContext}) serves both ends, so each message crosses the kernel's loopback twice,
 *   through the driver's sender and receiver, as between two machines.</li>
 *   <li>Ping: an exclusive publication to the pong's endpoint and a subscription on its own; pong: a subscription
 *   on its endpoint and an exclusive publication back. Both endpoints are {@code 127.0.0.1} with a port the driver
 *   picks (resolved before the publications are added).</li>
 *   <li>The load is {@link EchoLoad}'s open loop at the workload's rate, on the calling thread (same histogram
 *   convention as every system: echo received − due time). The pong thread and the load use
 *   {@code IdleStrategies.create(workload.idleStrategy())}.</li>
 * </ul>
 * Latency runs only ({@code ratePerSec > 0}): a throughput run has nothing to say here ({@link AeronUdpFanOut} is the
 * throughput limit). {@code nodes} is ignored: always two endpoints.
 */
public final class AeronUdpRoundTrip implements SystemUnderTest
{
    public static final String NAME = "aeron-udp-rtt";

    private static final int PING_STREAM_ID = 1001;
    private static final int PONG_STREAM_ID = 1002;
    private static final int FRAGMENT_LIMIT = 16;
    private static final long SETUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    public String name()
    {
        return NAME;
    }

    public boolean supports(final Workload workload)
    {
        return !workload.isThroughputRun() && workload.measureSec() > 0;
    }

    public Result run(final Workload workload, final Progress progress) throws Exception
    {
        if (!supports(workload))
        {
            throw new IllegalArgumentException(NAME + " measures latency only (ratePerSec > 0): " + workload);
        }
        final String idleName = workload.idleStrategy();
        final Path shmDir = CompareSupport.newShmDirectory("aeron-udp-rtt-");
        final CompareSupport.ErrorCollector errors = new CompareSupport.ErrorCollector();
        MediaDriver driver = null;
        Aeron aeron = null;
        Pong pong = null;
        Thread pongThread = null;
        try
        {
            progress.update(NAME + ": starting");
            driver = MediaDriver.launchEmbedded(
                CompareSupport.driverContext(shmDir.resolve("driver"), idleName, errors, null));
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .errorHandler(errors::onError));

            final Subscription pongIn = aeron.addSubscription(ephemeralChannel(), PING_STREAM_ID);
            final Subscription pingIn = aeron.addSubscription(ephemeralChannel(), PONG_STREAM_ID);
            final ExclusivePublication pingOut = aeron.addExclusivePublication(
                "aeron:udp?endpoint=" + resolvedEndpoint(pongIn), PING_STREAM_ID);
            final ExclusivePublication pongOut = aeron.addExclusivePublication(
                "aeron:udp?endpoint=" + resolvedEndpoint(pingIn), PONG_STREAM_ID);

            pong = new Pong(pongIn, pongOut, IdleStrategies.create(idleName));
            pongThread = new Thread(pong, "aeron-udp-rtt-pong");
            pongThread.setDaemon(true);
            pongThread.start();

            final EchoLoad load = new EchoLoad(NAME, workload, IdleStrategies.create(idleName), progress);
            final FragmentHandler echoes = new FragmentAssembler(
                (buffer, offset, length, header) -> load.onEcho(buffer, offset, length));
            final EchoLoad.Link link = new EchoLoad.Link()
            {
                public long offer(final DirectBuffer buffer, final int offset, final int length)
                {
                    return pingOut.offer(buffer, offset, length);
                }

                public int poll()
                {
                    return pingIn.poll(echoes, FRAGMENT_LIMIT);
                }
            };
            load.awaitPath(link, SETUP_TIMEOUT_NS);
            final EchoLoad.Outcome outcome = load.run(link);

            final StringBuilder note = new StringBuilder()
                .append("ping/pong on 127.0.0.1 through one embedded driver, ")
                .append(CompareSupport.driverThreadsNote(idleName))
                .append("; idle ").append(idleName).append("; pong on its own thread");
            if (load.messageLength() != workload.payloadBytes())
            {
                note.append("; messages padded to ").append(load.messageLength()).append(" B (seq + time)");
            }
            if (outcome.retriedOffers() > 0)
            {
                note.append("; ").append(outcome.retriedOffers()).append(" ping offers retried (back-pressure)");
            }
            if (outcome.missing() > 0 || pong.dropped > 0)
            {
                note.append("; ").append(outcome.missing()).append(" of ").append(outcome.sent())
                    .append(" pings never answered");
            }
            if (outcome.incomplete())
            {
                note.append("; INCOMPLETE: stopped at the deadline");
            }
            if (errors.count() > 0)
            {
                note.append("; ").append(errors.summary());
            }
            return new Result(
                NAME, workload, outcome.latencyNs(), outcome.throughputPerSec(), Double.NaN, note.toString());
        }
        finally
        {
            errors.tearingDown();
            if (pong != null)
            {
                pong.running = false;
            }
            CompareSupport.join(pongThread, 5_000);
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(driver);
            CompareSupport.deleteRecursively(shmDir);
        }
    }

    static String ephemeralChannel()
    {
        return "aeron:udp?endpoint=" + CompareSupport.LOOPBACK + ":0";
    }

    /**
     * @return {@code host:port} the driver bound a subscription's endpoint to (its port was 0).
     */
    static String resolvedEndpoint(final Subscription subscription) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + SETUP_TIMEOUT_NS;
        String endpoint;
        while ((endpoint = subscription.resolvedEndpoint()) == null)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the driver did not bind " + subscription.channel() + " within " +
                    TimeUnit.NANOSECONDS.toSeconds(SETUP_TIMEOUT_NS) + " s");
            }
            Thread.sleep(1);
        }
        return endpoint;
    }

    /**
     * Echoes every message it receives. A refused echo is retried (idling) while the run lasts; one refused for
     * good (the publication closed) is counted.
     */
    private static final class Pong implements Runnable
    {
        private final Subscription in;
        private final ExclusivePublication out;
        private final IdleStrategy idle;
        private final FragmentHandler handler;
        volatile boolean running = true;
        volatile long dropped;

        Pong(final Subscription in, final ExclusivePublication out, final IdleStrategy idle)
        {
            this.in = in;
            this.out = out;
            this.idle = idle;
            this.handler = new FragmentAssembler((buffer, offset, length, header) -> echo(buffer, offset, length));
        }

        public void run()
        {
            while (running)
            {
                idle.idle(in.poll(handler, FRAGMENT_LIMIT));
            }
        }

        private void echo(final DirectBuffer buffer, final int offset, final int length)
        {
            long result;
            while ((result = out.offer(buffer, offset, length)) <= 0)
            {
                if (!CompareSupport.isRetryable(result) || !running)
                {
                    dropped++;
                    return;
                }
                idle.idle();
            }
            idle.reset();
        }
    }
}

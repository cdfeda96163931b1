package io.raftlog.perf.compare;

import io.raftlog.perf.LatencyHistograms;
import io.raftlog.perf.OpenLoopSchedule;
import io.raftlog.perf.Progress;
import io.raftlog.perf.Workload;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The client side of an echo measurement, on one thread: it offers messages through a {@link Link} and is told of
 * each echo by {@link #onEcho}, which the link's {@code poll} calls.
 * <p>
 * A message is {@code payloadBytes} long (at least {@link #MIN_MESSAGE_LENGTH}) and carries its sequence number at
 * {@link #SEQ_OFFSET} and a time at {@link #TIME_OFFSET}: the time it was due (latency runs) or sent (throughput
 * runs). A probe (sequence {@code -1}) goes first, until one comes back: the whole path is connected before
 * anything is timed.
 * <ul>
 *   <li>Latency ({@code ratePerSec > 0}): open loop on an {@link OpenLoopSchedule}. Whatever is due is offered (a
 *   back-pressured offer is retried, and its latency still counts from its due time). The latency of an echo is the
 *   time it was received minus the time its message was due; messages due during the measurement window are
 *   recorded. Once everything due in the window has been sent, the load waits for the outstanding echoes (bounded).
 *   </li>
 *   <li>Throughput ({@code ratePerSec == 0}): offers as fast as back-pressure allows with at most {@code window}
 *   messages unanswered, and counts the echoes received during the window. Outstanding means sent after the last
 *   echo's sequence number, so an echo that never comes cannot shrink the window for good.</li>
 * </ul>
 * Throughput: in a throughput run, echoes received during the window over its length; in a latency run, the
 * window's messages over the time from the window's start to the last of their echoes (at least the window's
 * length): the offered rate while the system keeps up, what it really completes when it falls behind or stalls.
 */
final class EchoLoad
{
    static final int SEQ_OFFSET = 0;
    static final int TIME_OFFSET = 8;
    static final int MIN_MESSAGE_LENGTH = 16;
    static final long PROBE_SEQ = -1;

    /**
     * Where the messages go and the echoes come from.
     */
    interface Link
    {
        /**
         * @return a positive position if sent, else an Aeron {@code Publication} result.
         */
        long offer(DirectBuffer buffer, int offset, int length);

        /**
         * Polls for echoes, calling {@link EchoLoad#onEcho} for each.
         *
         * @return work done.
         */
        int poll();
    }

    /**
     * What the load saw.
     *
     * @param latencyNs        the recorded latencies; null for a throughput run.
     * @param throughputPerSec echoes per second (see the class comment).
 * @param echoedInWindow   echoes received during the window (by arrival time): the work done while allocation
 *                         was sampled.
     * @param sent             messages sent (probes excluded).
     * @param echoed           echoes received (probes excluded).
     * @param retriedOffers    offers that were back-pressured (or not connected, or hit an admin action) and retried.
     * @param incomplete       whether the load stopped at its deadline with messages still to send or echoes due.
     */
    record Outcome(
        Histogram latencyNs,
        double throughputPerSec,
        long echoedInWindow,
        long sent,
        long echoed,
        long retriedOffers,
        boolean incomplete)
    {
        long missing()
        {
            return sent - echoed;
        }
    }

    private static final long ONE_SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long NOT_CONNECTED_LIMIT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_BURST = 256;
    private static final int MAX_POLLS = 64;

    private final String name;
    private final Workload workload;
    private final IdleStrategy idle;
    private final Progress progress;
    private final int length;
    private final UnsafeBuffer message;
    private final Histogram histogram;

    private long windowStartNs = Long.MAX_VALUE;
    private long windowEndNs = Long.MAX_VALUE;
    private long echoed;
    private long echoedInWindow;
    private long lastRecordedNs;
    private long lastEchoSeq = -1;
    private boolean probeEchoed;
    private long retriedOffers;
    private long notConnectedSinceNs;
    private Runnable onWindowStart = () -> { };
    private Runnable onWindowEnd = () -> { };

    EchoLoad(final String name, final Workload workload, final IdleStrategy idle, final Progress progress)
    {
        this.name = name;
        this.workload = workload;
        this.idle = idle;
        this.progress = progress;
        this.length = messageLength(workload.payloadBytes());
        this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN));
        this.histogram = workload.isThroughputRun() ? null : LatencyHistograms.create();
    }

    static int messageLength(final int payloadBytes)
    {
        return Math.max(MIN_MESSAGE_LENGTH, payloadBytes);
    }

    /**
     * Hooks run on the load's thread when the measurement window starts and ends (to sample allocation).
     */
    EchoLoad onWindow(final Runnable onStart, final Runnable onEnd)
    {
        this.onWindowStart = onStart;
        this.onWindowEnd = onEnd;
        return this;
    }

    int messageLength()
    {
        return length;
    }

    /**
     * Called by the link's poll for every echo.
     */
    void onEcho(final DirectBuffer buffer, final int offset, final int length)
    {
        final long nowNs = System.nanoTime();
        if (length < MIN_MESSAGE_LENGTH)
        {
            return;
        }
        final long seq = buffer.getLong(offset + SEQ_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final long timeNs = buffer.getLong(offset + TIME_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (seq == PROBE_SEQ)
        {
            probeEchoed = true;
            return;
        }
        echoed++;
        if (seq > lastEchoSeq)
        {
            lastEchoSeq = seq;
        }
        final boolean arrivedInWindow = nowNs - windowStartNs >= 0 && nowNs - windowEndNs < 0;
        // timed as raftlog's loads are: every echo that arrives in the window (an overloaded run receives echoes of
        // messages due before it), and, after it, those that were due in it
        if (histogram != null && (arrivedInWindow || (timeNs - windowStartNs >= 0 && timeNs - windowEndNs < 0)))
        {
            LatencyHistograms.record(histogram, nowNs - timeNs);
            lastRecordedNs = nowNs;
        }
        if (arrivedInWindow)
        {
            echoedInWindow++;
        }
    }

    /**
     * Sends probes every 100 ms until one comes back.
     *
     * @throws IllegalStateException if none does within {@code timeoutNs}.
     */
    void awaitPath(final Link link, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long nextProbeNs = System.nanoTime();
        long lastResult = 0;
        idle.reset();
        while (!probeEchoed)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - deadlineNs > 0)
            {
                throw new IllegalStateException(name + ": no echo of a probe within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (last offer: " +
                    CompareSupport.offerResultName(lastResult) + ")");
            }
            int work = 0;
            if (nowNs - nextProbeNs >= 0)
            {
                message.putLong(SEQ_OFFSET, PROBE_SEQ, ByteOrder.LITTLE_ENDIAN);
                message.putLong(TIME_OFFSET, nowNs, ByteOrder.LITTLE_ENDIAN);
                lastResult = link.offer(message, 0, length);
                failIfFatal(lastResult);
                nextProbeNs = nowNs + TimeUnit.MILLISECONDS.toNanos(100);
                work++;
            }
            work += drain(link);
            idle.idle(work);
        }
    }

    Outcome run(final Link link)
    {
        return workload.isThroughputRun() ? runThroughput(link, Integer.MAX_VALUE) : runLatency(link);
    }

    /**
     * @param window most messages unanswered at a time (for a throughput run).
     */
    Outcome run(final Link link, final int window)
    {
        return workload.isThroughputRun() ? runThroughput(link, window) : runLatency(link);
    }

    private Outcome runLatency(final Link link)
    {
        final long startNs = System.nanoTime();
        final OpenLoopSchedule schedule = new OpenLoopSchedule(startNs, workload.ratePerSec());
        windowStartNs = startNs + CompareSupport.seconds(workload.warmupSec());
        windowEndNs = windowStartNs + CompareSupport.seconds(workload.measureSec());
        // what is due in the window must go out and come back: allow generously for a system that falls behind
        final long deadlineNs = windowEndNs + Math.max(CompareSupport.seconds(10), (windowEndNs - startNs) / 2);
        boolean windowStarted = false;
        boolean windowEnded = false;
        long nextProgressNs = startNs;
        idle.reset();

        while (true)
        {
            final long nowNs = System.nanoTime();
            int work = 0;
            while (work < MAX_BURST && schedule.nextDueNs() - windowEndNs < 0 && schedule.isDue(nowNs))
            {
                final long dueNs = schedule.nextDueNs();
                message.putLong(SEQ_OFFSET, schedule.count(), ByteOrder.LITTLE_ENDIAN);
                message.putLong(TIME_OFFSET, dueNs, ByteOrder.LITTLE_ENDIAN);
                final long result = link.offer(message, 0, length);
                if (result > 0)
                {
                    schedule.sent();
                    notConnectedSinceNs = 0;
                    work++;
                }
                else
                {
                    onRefused(result, nowNs);
                    break;
                }
            }
            work += drain(link);

            if (!windowStarted && nowNs - windowStartNs >= 0)
            {
                windowStarted = true;
                onWindowStart.run();
            }
            if (!windowEnded && nowNs - windowEndNs >= 0)
            {
                windowEnded = true;
                onWindowEnd.run();
            }
            final boolean allSent = schedule.nextDueNs() - windowEndNs >= 0;
            if (allSent && echoed >= schedule.count() && windowEnded)
            {
                break;
            }
            if (nowNs - deadlineNs > 0)
            {
                return finish(schedule.count(), windowEnded, true);
            }
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs = nowNs + ONE_SECOND_NS;
                report(nowNs, startNs);
            }
            idle.idle(work);
        }
        return finish(schedule.count(), true, false);
    }

    private Outcome runThroughput(final Link link, final int window)
    {
        final long startNs = System.nanoTime();
        windowStartNs = startNs + CompareSupport.seconds(workload.warmupSec());
        windowEndNs = windowStartNs + CompareSupport.seconds(workload.measureSec());
        boolean windowStarted = false;
        long nextProgressNs = startNs;
        long sent = 0;
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
                onWindowStart.run();
            }
            int work = 0;
            while (work < MAX_BURST && sent - (lastEchoSeq + 1) < window)
            {
                message.putLong(SEQ_OFFSET, sent, ByteOrder.LITTLE_ENDIAN);
                message.putLong(TIME_OFFSET, nowNs, ByteOrder.LITTLE_ENDIAN);
                final long result = link.offer(message, 0, length);
                if (result > 0)
                {
                    sent++;
                    notConnectedSinceNs = 0;
                    work++;
                }
                else
                {
                    onRefused(result, nowNs);
                    break;
                }
            }
            work += drain(link);
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs = nowNs + ONE_SECOND_NS;
                report(nowNs, startNs);
            }
            idle.idle(work);
        }
        onWindowEnd.run();
        // drain what is outstanding (not counted: the window is over) so that teardown finds the system quiet
        final long drainDeadlineNs = System.nanoTime() + CompareSupport.seconds(5);
        while (echoed < sent && System.nanoTime() - drainDeadlineNs < 0)
        {
            idle.idle(drain(link));
        }
        final double throughput = echoedInWindow / (double)workload.measureSec();
        return new Outcome(null, throughput, echoedInWindow, sent, echoed, retriedOffers, false);
    }

    /**
     * Polls until nothing more arrives (bounded), so echoes never pile up behind sends: a client that polled a
     * fixed number of fragments per burst of sends would back-pressure the echoing side and measure itself.
     */
    private static int drain(final Link link)
    {
        int total = 0;
        for (int i = 0; i < MAX_POLLS; i++)
        {
            final int work = link.poll();
            if (work <= 0)
            {
                break;
            }
            total += work;
        }
        return total;
    }

    private Outcome finish(final long sent, final boolean windowEnded, final boolean incomplete)
    {
        if (!windowEnded)
        {
            onWindowEnd.run();
        }
        final double seconds = Math.max(workload.measureSec(), (lastRecordedNs - windowStartNs) / 1e9);
        final double throughput = histogram.getTotalCount() / seconds;
        return new Outcome(histogram, throughput, echoedInWindow, sent, echoed, retriedOffers, incomplete);
    }

    private void onRefused(final long result, final long nowNs)
    {
        failIfFatal(result);
        retriedOffers++;
        if (result == io.aeron.Publication.NOT_CONNECTED)
        {
            if (notConnectedSinceNs == 0)
            {
                notConnectedSinceNs = nowNs;
            }
            else if (nowNs - notConnectedSinceNs > NOT_CONNECTED_LIMIT_NS)
            {
                throw new IllegalStateException(name + ": not connected for " +
                    TimeUnit.NANOSECONDS.toSeconds(NOT_CONNECTED_LIMIT_NS) + " s");
            }
        }
    }

    private void failIfFatal(final long result)
    {
        if (result <= 0 && !CompareSupport.isRetryable(result))
        {
            throw new IllegalStateException(name + ": offer failed: " + CompareSupport.offerResultName(result));
        }
    }

    private void report(final long nowNs, final long startNs)
    {
        final long elapsedSec = TimeUnit.NANOSECONDS.toSeconds(nowNs - startNs);
        if (nowNs - windowStartNs < 0)
        {
            progress.update(name + ": warm-up " + elapsedSec + "/" + workload.warmupSec() + " s");
        }
        else if (nowNs - windowEndNs < 0)
        {
            progress.update(name + ": measuring " + TimeUnit.NANOSECONDS.toSeconds(nowNs - windowStartNs) + "/" +
                workload.measureSec() + " s, " + echoedInWindow + " echoes");
        }
        else
        {
            progress.update(name + ": waiting for the last echoes (" + echoed + " echoed)");
        }
    }
}

package io.raftlog.perf.raftlog;

import io.aeron.Aeron;
import io.raftlog.client.ClientContext;
import io.raftlog.client.RaftlogClient;
import io.raftlog.driver.DriverProfile;
import io.raftlog.driver.DriverSettings;
import io.raftlog.driver.EmbeddedDriver;
import io.raftlog.perf.IdleStrategies;
import io.raftlog.perf.LatencyHistograms;
import io.raftlog.perf.OpenLoopSchedule;
import io.raftlog.perf.Progress;
import io.raftlog.perf.Result;
import io.raftlog.perf.SystemUnderTest;
import io.raftlog.perf.Workload;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * raftlog through its remote client: a {@link RaftlogClient} with its own media driver, on its own thread, offers
 * the load open loop over Aeron UDP to the leader, and each entry is timed from its due time to the client
 * receiving the acknowledgement with its committed index.
 */
public final class RaftlogRemoteClient implements SystemUnderTest
{
    private static final int RING = 1 << 16;
    private static final int MASK = RING - 1;

    public String name()
    {
        return "raftlog-client";
    }

    public boolean supports(final Workload workload)
    {
        return workload.nodes() >= 3 && !"none".equals(workload.durability());
    }

    public Result run(final Workload workload, final Progress progress) throws Exception
    {
        try (PerfCluster cluster = new PerfCluster(workload, -1))
        {
            cluster.awaitLeader(30);
            final ClientLoad load = new ClientLoad(cluster, workload);
            final Thread thread = new Thread(load, "raftlog-perf-client");
            thread.start();
            final Measurement measurement = new Measurement(name(), workload, progress);
            measurement.run(new MeasuredCluster()
            {
                public void phase(final int phase)
                {
                    if (phase == OpenLoopSequencer.MEASURE)
                    {
                        load.measureStartNs = System.nanoTime();
                    }
                    load.phase = phase;
                }

                public long[] agentThreadIds()
                {
                    return cluster.agentThreadIds();
                }

                public int awaitLeader(final int timeoutSec)
                {
                    return cluster.awaitLeader(timeoutSec);
                }
            }, cluster.awaitLeader(30));
            load.phase = OpenLoopSequencer.STOPPED;
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (load.failure != null)
            {
                throw new IllegalStateException("the client failed: " + load.failure);
            }
            return measurement.result(load.histogram, load.committed, load.committedWhileMeasuring,
                "remote client over Aeron UDP with its own media driver, up to " + load.capacity + " in flight; " +
                load.rejections + " refusals, " + load.resent + " resent, " + load.leaderChanges + " leader changes" +
                Measurement.lagNote(load.scheduleLagNs));
        }
    }

    private static final class ClientLoad implements Runnable
    {
        private final PerfCluster cluster;
        private final Workload workload;
        private final long[] dueBySequence = new long[RING];
        private final Histogram histogram = LatencyHistograms.create();
        volatile int phase = OpenLoopSequencer.IDLE;
        volatile long measureStartNs;
        volatile String failure;
        volatile long scheduleLagNs;
        long committed;
        long committedWhileMeasuring;
        int capacity;
        long rejections;
        long resent;
        long leaderChanges;

        ClientLoad(final PerfCluster cluster, final Workload workload)
        {
            this.cluster = cluster;
            this.workload = workload;
        }

        public void run()
        {
            final DriverProfile profile = "busy-spin".equals(workload.idleStrategy()) ?
                DriverProfile.LOW_LATENCY : DriverProfile.SMALL;
            EmbeddedDriver driver = null;
            Aeron aeron = null;
            RaftlogClient client = null;
            try
            {
                driver = EmbeddedDriver.launch(new DriverSettings().profile(profile)
                    .largestMessageBytes(Math.max(64 * 1024, workload.payloadBytes() * 4)));
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
                client = RaftlogClient.connect(new ClientContext()
                    .aeron(aeron)
                    .members(cluster.endpoints)
                    .maxInFlight(1024)
                    .responseTimeoutNs(TimeUnit.SECONDS.toNanos(5))
                    .noLeaderTimeoutNs(TimeUnit.SECONDS.toNanos(30)), this::onCommitted);
                capacity = client.capacity();
                drive(client);
                rejections = client.rejections();
                resent = client.resent();
                leaderChanges = client.leaderChanges();
            }
            catch (final RuntimeException ex)
            {
                failure = ex.toString();
            }
            finally
            {
                CloseHelper.quietCloseAll(client, aeron, driver);
            }
        }

        private void drive(final RaftlogClient client)
        {
            final IdleStrategy idle = IdleStrategies.create(workload.idleStrategy());
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[Math.max(8, workload.payloadBytes())]);
            OpenLoopSchedule schedule = null;
            while (phase != OpenLoopSequencer.STOPPED)
            {
                final int phase = this.phase;
                int work = client.poll();
                if (phase == OpenLoopSequencer.WARMUP || phase == OpenLoopSequencer.MEASURE)
                {
                    final long nowNs = System.nanoTime();
                    if (workload.ratePerSec() > 0)
                    {
                        if (schedule == null)
                        {
                            schedule = new OpenLoopSchedule(nowNs, workload.ratePerSec());
                        }
                        while (schedule.isDue(nowNs))
                        {
                            final long sequence = client.offer(payload, 0, workload.payloadBytes());
                            if (sequence <= 0)
                            {
                                break; // still due: the wait counts in its latency
                            }
                            dueBySequence[(int)(sequence & MASK)] = schedule.sent();
                            work++;
                        }
                        if (phase == OpenLoopSequencer.MEASURE)
                        {
                            scheduleLagNs = Math.max(0, nowNs - schedule.nextDueNs());
                        }
                    }
                    else
                    {
                        long sequence;
                        while ((sequence = client.offer(payload, 0, workload.payloadBytes())) > 0)
                        {
                            dueBySequence[(int)(sequence & MASK)] = nowNs;
                            work++;
                        }
                    }
                }
                if (client.isFailed())
                {
                    failure = client.failure();
                    return;
                }
                idle.idle(work);
            }
        }

        private void onCommitted(final long sequence, final long index)
        {
            final int phase = this.phase;
            final long due = dueBySequence[(int)(sequence & MASK)];
            final boolean inWindow = phase == OpenLoopSequencer.MEASURE;
            // timed: every entry acknowledged in the window (an overloaded run acknowledges entries that were due
            // before it), and, while draining, those that were due in it
            if (inWindow || (phase == OpenLoopSequencer.DRAIN && due - measureStartNs >= 0))
            {
                LatencyHistograms.record(histogram, System.nanoTime() - due);
                committed++;
                if (inWindow)
                {
                    committedWhileMeasuring++;
                }
            }
        }
    }
}

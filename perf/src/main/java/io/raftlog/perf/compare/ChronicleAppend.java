package io.raftlog.perf.compare;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.perf.IdleStrategies;
import io.raftlog.perf.LatencyHistograms;
import io.raftlog.perf.OpenLoopSchedule;
import io.raftlog.perf.Progress;
import io.raftlog.perf.Result;
import io.raftlog.perf.SystemUnderTest;
import io.raftlog.perf.Workload;
import io.raftlog.storage.ChronicleLogStore;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The storage limit: appends to one Chronicle Queue and nothing else, records of the size raftlog stores for an
 * entry of the workload's payload ({@link LogEntryCodec#recordLength}: payload + 36-byte header), in a queue set up
 * as raftlog's log store sets up its own (same roll cycle and block size, {@link ChronicleLogStore}), in a new
 * directory under the temporary directory (a disk, as a node's data directory would be), deleted afterwards.
 * <ul>
 *   <li>Durability {@code fsync}: the queue is built with {@code SyncMode.SYNC} and {@code appender.sync()}
 *   ({@code msync(MS_SYNC)}) runs after each batch of appends (group commit, as raftlog syncs once per duty cycle);
 *   {@code page-cache} (or {@code none}): nothing is synced.</li>
 *   <li>Latency runs: open loop at the workload's rate on the calling thread; each pass appends every entry due
 *   (up to {@link #MAX_BATCH}), syncs if {@code fsync}, then records for each entry "batch completed − due time".
 *   At a steady low rate every batch is one entry. Throughput: the window's entries over the time from the
 *   window's start until the last of them completed (at least the window's length): the offered rate if the queue
 *   keeps up.</li>
 *   <li>Throughput runs: batches of {@link #MAX_BATCH} appends back to back (synced per batch under {@code fsync});
 *   appends completed per second over the window.</li>
 * </ul>
 * {@code nodes} is ignored. The idle strategy is the workload's, between passes of a latency run.
 */
public final class ChronicleAppend implements SystemUnderTest
{
    public static final String NAME = "chronicle-append";

    /**
     * Most entries appended between two syncs: raftlog's client window, the most a leader could have to append in
     * one duty cycle from one client.
     */
    public static final int MAX_BATCH = 1024;

    private static final long ONE_SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    public String name()
    {
        return NAME;
    }

    public boolean supports(final Workload workload)
    {
        return workload.measureSec() > 0;
    }

    public Result run(final Workload workload, final Progress progress) throws Exception
    {
        final boolean fsync = "fsync".equals(workload.durability());
        final int recordLength = LogEntryCodec.recordLength(workload.payloadBytes());
        final Path dir = CompareSupport.newDiskDirectory("chronicle-append-");
        final Bytes<?> record = Bytes.allocateDirect(recordLength);
        try
        {
            for (int i = 0; i < recordLength; i++)
            {
                record.writeByte((byte)i);
            }
            try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(ChronicleLogStore.DEFAULT_ROLL_CYCLE)
                .blockSize(ChronicleLogStore.DEFAULT_BLOCK_SIZE)
                .syncMode(fsync ? SyncMode.SYNC : SyncMode.NONE)
                .build();
                ExcerptAppender appender = queue.createAppender())
            {
                progress.update(NAME + ": appending");
                final Appends appends = new Appends(appender, record, recordLength, fsync);
                final IdleStrategy idle = IdleStrategies.create(workload.idleStrategy());
                final Outcome outcome = workload.isThroughputRun() ?
                    throughput(workload, appends, progress) : latency(workload, appends, idle, progress);
                final String note = recordLength + " B records (payload + " + (recordLength - workload.payloadBytes()) +
                    " B header) in one queue on " + dir.getParent() + ", raftlog's roll cycle and block size; " +
                    (fsync ? "SyncMode.SYNC + appender.sync() (msync) per batch of up to " + MAX_BATCH :
                        "no sync (page cache)") +
                    "; idle " + workload.idleStrategy() + "; " + appends.syncs + " syncs" +
                    (outcome.incomplete ? "; INCOMPLETE: stopped at the deadline" : "");
                return new Result(NAME, workload, outcome.latencyNs, outcome.throughputPerSec, Double.NaN, note);
            }
        }
        finally
        {
            record.releaseLast();
            CompareSupport.deleteRecursively(dir);
        }
    }

    private record Outcome(Histogram latencyNs, double throughputPerSec, boolean incomplete)
    {
    }

    private static Outcome latency(
        final Workload workload, final Appends appends, final IdleStrategy idle, final Progress progress)
    {
        final Histogram histogram = LatencyHistograms.create();
        final long[] dues = new long[MAX_BATCH];
        final long startNs = System.nanoTime();
        final OpenLoopSchedule schedule = new OpenLoopSchedule(startNs, workload.ratePerSec());
        final long windowStartNs = startNs + CompareSupport.seconds(workload.warmupSec());
        final long windowEndNs = windowStartNs + CompareSupport.seconds(workload.measureSec());
        final long deadlineNs = windowEndNs + Math.max(CompareSupport.seconds(10), (windowEndNs - startNs) / 2);
        long lastRecordedNs = windowStartNs;
        long nextProgressNs = startNs;
        idle.reset();
        while (schedule.nextDueNs() - windowEndNs < 0)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - deadlineNs > 0)
            {
                return new Outcome(histogram, rate(histogram, windowStartNs, lastRecordedNs, workload), true);
            }
            int batch = 0;
            while (batch < MAX_BATCH && schedule.nextDueNs() - windowEndNs < 0 && schedule.isDue(nowNs))
            {
                final long dueNs = schedule.sent();
                appends.append(schedule.count(), dueNs);
                dues[batch++] = dueNs;
            }
            if (batch > 0)
            {
                appends.sync();
                final long doneNs = System.nanoTime();
                for (int i = 0; i < batch; i++)
                {
                    if (dues[i] - windowStartNs >= 0)
                    {
                        LatencyHistograms.record(histogram, doneNs - dues[i]);
                        lastRecordedNs = doneNs;
                    }
                }
            }
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs = nowNs + ONE_SECOND_NS;
                progress.update(phase(nowNs, startNs, windowStartNs, workload) + ", " + schedule.count() + " appends");
            }
            idle.idle(batch);
        }
        return new Outcome(histogram, rate(histogram, windowStartNs, lastRecordedNs, workload), false);
    }

    /**
     * The window's entries over the time from the window's start to the last of them completed (at least the
     * window's length): the offered rate while the queue keeps up.
     */
    private static double rate(
        final Histogram histogram, final long windowStartNs, final long lastRecordedNs, final Workload workload)
    {
        return histogram.getTotalCount() / Math.max(workload.measureSec(), (lastRecordedNs - windowStartNs) / 1e9);
    }

    private static Outcome throughput(final Workload workload, final Appends appends, final Progress progress)
    {
        final long startNs = System.nanoTime();
        final long windowStartNs = startNs + CompareSupport.seconds(workload.warmupSec());
        final long windowEndNs = windowStartNs + CompareSupport.seconds(workload.measureSec());
        long inWindow = 0;
        long seq = 0;
        long nextProgressNs = startNs;
        while (true)
        {
            for (int i = 0; i < MAX_BATCH; i++)
            {
                appends.append(seq++, 0);
            }
            appends.sync();
            final long nowNs = System.nanoTime();
            if (nowNs - windowEndNs >= 0)
            {
                break;
            }
            if (nowNs - windowStartNs >= 0)
            {
                inWindow += MAX_BATCH;
            }
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs = nowNs + ONE_SECOND_NS;
                progress.update(phase(nowNs, startNs, windowStartNs, workload) + ", " + inWindow + " appends");
            }
        }
        return new Outcome(null, inWindow / (double)workload.measureSec(), false);
    }

    private static String phase(final long nowNs, final long startNs, final long windowStartNs, final Workload workload)
    {
        return nowNs - windowStartNs < 0 ?
            NAME + ": warm-up " + TimeUnit.NANOSECONDS.toSeconds(nowNs - startNs) + "/" + workload.warmupSec() + " s" :
            NAME + ": measuring " + TimeUnit.NANOSECONDS.toSeconds(nowNs - windowStartNs) + "/" +
                workload.measureSec() + " s";
    }

    /**
     * One append: a document holding the record (its first 16 bytes overwritten with a sequence number and a time,
     * so no two records are alike), written from a reused off-heap buffer.
     */
    private static final class Appends
    {
        private final ExcerptAppender appender;
        private final Bytes<?> record;
        private final int recordLength;
        private final boolean fsync;
        long syncs;

        Appends(final ExcerptAppender appender, final Bytes<?> record, final int recordLength, final boolean fsync)
        {
            this.appender = appender;
            this.record = record;
            this.recordLength = recordLength;
            this.fsync = fsync;
        }

        void append(final long seq, final long timeNs)
        {
            record.writeLong(0, seq);
            record.writeLong(8, timeNs);
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write((BytesStore<?, ?>)record, 0L, (long)recordLength);
            }
        }

        void sync()
        {
            if (fsync)
            {
                appender.sync();
                syncs++;
            }
        }
    }
}

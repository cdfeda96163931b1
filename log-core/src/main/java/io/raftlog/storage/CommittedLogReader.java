package io.raftlog.storage;

import io.raftlog.codecs.LogEntryCodec;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the committed entries of a node's {@link ChronicleLogStore} directory, from this process or another, while
 * the node runs (following new entries as they are committed) or after it stopped. It never writes: the queue is
 * built with Chronicle's {@code SingleChronicleQueueBuilder.readOnly(true)} (cycle files and the queue's metadata
 * file are mapped {@code READ_ONLY}, files are never created, grown or locked, and {@code createAppender()} throws
 * "Can't append to a read-only chronicle"), and the meta file is read through a {@code READ}-only channel.
 *
 * <h2>Which version of an entry is delivered</h2>
 * The queue holds frames (see {@link LogFrame}): an index can appear more than once (a TRUNCATE or VOID dropped a
 * suffix that was then re-appended), control frames interleave with entries, and BASE frames move the base. The
 * reader applies the frames exactly as {@link LogRecovery} does, in its own {@link LogIndex}, with one tailer
 * (the <em>scan</em>), and delivers entries from that index with a second tailer (the <em>read</em>).
 *
 * <h2>Why a delivered entry is final</h2>
 * The bound is the commit index {@code C} of the node that writes the directory. A TRUNCATE (or a VOID, or a RESET
 * below it) only ever drops entries above the commit index at the time it is written, so once the node's commit
 * index reached {@code i}, the version of {@code i} in its log then is the version forever. But an older version of
 * {@code i} can sit earlier in the queue, followed by a TRUNCATE and the re-append, and a scan that has not reached
 * that TRUNCATE yet holds the old version as current. So the reader reads {@code C} first and only then scans; when
 * the scan reaches the end of the queue, every frame written before {@code C} was read has been applied, and the
 * index's entries up to {@code C} are the ones the node had when its commit index was {@code C}: final. Entries up
 * to {@code min(C, last)} become deliverable only at that moment ({@link #finalIndex}); a scan that stops part-way
 * (its per-poll budget) delivers nothing new on the strength of a bound read later. The one other proof of
 * finality is a BASE COMPACT frame at {@code b}: the node compacts committed entries only, so the entries up to
 * {@code b} are final when the scan meets it (still never delivered beyond the bound). A reader that ran ahead of
 * the scan, or trusted an index just because it is at or below the bound, could hand out a version that a
 * TRUNCATE further on drops. A TRUNCATE, VOID or RESET that would drop an entry already delivered means the bound
 * was not a commit index of this node: the reader fails with an {@link IllegalStateException} rather than go on.
 *
 * <h2>Gaps</h2>
 * Entries that lay in cycle files compaction deleted before the reader first looked (the first CHECKPOINT it reads
 * lists them), or at or below a RESET base (installed from a snapshot), are not in the log: the reader passes over
 * them ({@link #entriesSkipped()}) and continues at the base plus one. Before it applies a BASE frame that would drop
 * entries it could still deliver, it delivers them first.
 * <p>
 * A reader that falls behind by whole cycle files can find them deleted under it: the scan reaches the next cycle
 * file still there and its CHECKPOINT is ahead of the frames read (the file the scan read last is gone), or an entry
 * to deliver is no longer at its queue index because its file is gone. Those entries were committed and compacted;
 * they are not damage, and passing over them would hide from the consumer that it missed them. So {@link #poll}
 * throws {@link EntriesCompactedException} naming the first index lost and the first one left, and does so at every
 * poll until {@link #seek} moves the reader past the gap.
 *
 * <h2>Damage</h2>
 * Every entry's CRC32C is checked when scanned (as recovery does) and again when delivered. The scan stops
 * believing the stream at the first bad frame until a VOID frame naming it (recovery's rule); if the entry it
 * could not vouch for is at or below the bound, {@link #poll} throws {@link StorageCorruptionException} with that
 * index, as it does if a delivered record fails its checksum.
 * <p>
 * Nothing is allocated per entry once warm (Chronicle allocates when it maps a new chunk or cycle file; a seek to a
 * non-consecutive document is a {@code moveToIndex}). Not thread-safe.
 */
public final class CommittedLogReader implements AutoCloseable
{
    /**
     * The commit index bound, without boxing: the node's commit-index counter (in the node's process
     * {@code counter::get}; from another process {@code io.raftlog.node.AeronCounterCommitIndex}, which reads it
     * from the media driver's CnC file and falls back to the recorded commit index when the node stops), or the
     * commit index the node recorded in its meta file ({@link MetaFileCommitIndex}) when it does not run. It must be
     * a commit index the node that writes the directory had (read before the entries it allows are scanned), and
     * must not go back.
     */
    @FunctionalInterface
    public interface CommitIndexSupplier
    {
        long commitIndex();
    }

    /**
     * Receives committed entries. The buffer is valid only during the call.
     */
    @FunctionalInterface
    public interface EntryHandler
    {
        void onEntry(long index, long term, long timestamp, int entryType, DirectBuffer buffer, int payloadOffset,
            int payloadLength);
    }

    /** Documents the scan reads per poll at most, so that a fast writer cannot keep one poll busy forever. */
    public static final int DEFAULT_SCAN_BUDGET = 1 << 16;

    private final Path directory;
    private final CommitIndexSupplier bound;
    private final AutoCloseable boundResource;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final ExcerptTailer scanTailer;
    private final ExcerptTailer readTailer;
    private final long maxFrameLength;
    private final int scanBudget;
    private final LogIndex log;
    private final RaftIndexMap map;
    private final LogEntryCodec codec = new LogEntryCodec();
    private final FrameApplier applier;
    private final UnsafeBuffer entryView = new UnsafeBuffer(0, 0);

    private long nextIndex = 1;
    private long finalIndex;
    private long readTailerNext = -1;
    private int scanCycle;
    private boolean firstFrame;
    private boolean damaged;
    private long badQueueIndex;
    private long badIndex;
    private String badReason;
    private File badFile;
    private long entriesSkipped;
    private File scanFile;
    private long gapFirstMissing;
    private long gapFirstRetained;
    private long seeks;
    private boolean scanIdle;
    private boolean caughtUp;
    private boolean closed;

    private CommittedLogReader(
        final Path directory, final CommitIndexSupplier bound, final AutoCloseable boundResource,
        final RollCycle rollCycle, final long blockSize, final int scanBudget)
    {
        if (!Files.isDirectory(directory))
        {
            throw new IllegalArgumentException("no log directory " + directory);
        }
        if (scanBudget <= 0)
        {
            throw new IllegalArgumentException("scanBudget must be positive: " + scanBudget);
        }
        this.directory = directory;
        this.bound = bound;
        this.boundResource = boundResource;
        this.scanBudget = scanBudget;
        final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(directory)
            .readOnly(true)
            .rollCycle(rollCycle)
            .blockSize(blockSize);
        if (!builder.readOnly())
        {
            // Chronicle falls back to read/write where it cannot map read-only (Windows): refuse instead
            throw new IllegalStateException("Chronicle would not open " + directory + " read-only");
        }
        this.queue = builder.build();
        ExcerptTailer scan = null;
        ExcerptTailer read = null;
        try
        {
            this.rollCycle = queue.rollCycle();
            this.maxFrameLength = queue.overlapSize();
            scan = queue.createTailer();
            read = queue.createTailer();
            scan.singleThreadedCheckDisabled(true);
            read.singleThreadedCheckDisabled(true);
            this.scanTailer = scan;
            this.readTailer = read;
            this.log = new LogIndex(1 << 12);
            this.applier = new FrameApplier(log, new DeliveredEntries());
            this.map = log.map();
            restartScan();
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly(read);
            closeQuietly(scan);
            queue.close();
            throw ex;
        }
    }

    /**
     * Opens a reader of the log in {@code directory} (written by a {@link ChronicleLogStore} with the default roll
     * cycle and block size), bounded by {@code bound}.
     */
    public static CommittedLogReader open(final Path directory, final CommitIndexSupplier bound)
    {
        return open(directory, bound, ChronicleLogStore.DEFAULT_ROLL_CYCLE, ChronicleLogStore.DEFAULT_BLOCK_SIZE,
            DEFAULT_SCAN_BUDGET);
    }

    /**
     * @param rollCycle  and
     * @param blockSize  as the store was opened with.
     * @param scanBudget documents scanned per poll at most.
     */
    public static CommittedLogReader open(
        final Path directory, final CommitIndexSupplier bound, final RollCycle rollCycle, final long blockSize,
        final int scanBudget)
    {
        if (bound == null)
        {
            throw new IllegalArgumentException("bound must be set");
        }
        return new CommittedLogReader(directory, bound, null, rollCycle, blockSize, scanBudget);
    }

    /**
     * Opens a reader bounded by the commit index the node recorded in its meta file ({@link FileMetaStore}), read
     * only: for a node that does not run. The file is re-read (two positional reads) once per {@link #poll}, so a
     * running node's lazily recorded index is followed too; it is a lower bound of the real one.
     */
    public static CommittedLogReader openWithRecordedCommitIndex(final Path directory, final Path metaFile)
    {
        final MetaFileCommitIndex recorded = new MetaFileCommitIndex(metaFile);
        try
        {
            return new CommittedLogReader(directory, recorded, recorded, ChronicleLogStore.DEFAULT_ROLL_CYCLE,
                ChronicleLogStore.DEFAULT_BLOCK_SIZE, DEFAULT_SCAN_BUDGET);
        }
        catch (final RuntimeException | Error ex)
        {
            recorded.close();
            throw ex;
        }
    }

    /**
     * @return the commit index recorded in a node's meta file, read without opening it for writing.
     */
    public static long recordedCommitIndex(final Path metaFile)
    {
        try (MetaFileCommitIndex recorded = new MetaFileCommitIndex(metaFile))
        {
            return recorded.commitIndex();
        }
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * @return the index the next {@link #poll} delivers first (if it is committed and in the log).
     */
    public long nextIndex()
    {
        return nextIndex;
    }

    /**
     * @return how many indices were passed over because they are not in the log (compacted away or below a RESET).
     */
    public long entriesSkipped()
    {
        return entriesSkipped;
    }

    /**
     * @return the highest index known final in the reader's view of the log (not yet limited by the bound).
     */
    public long finalIndex()
    {
        return finalIndex;
    }

    /**
     * Makes the next {@link #poll} start at {@code fromIndex} (at 1 or at the base plus one, if lower). Going back
     * before entries already passed re-scans the queue from its start.
     */
    public void seek(final long fromIndex)
    {
        checkOpen();
        caughtUp = false;
        final long from = Math.max(1, fromIndex);
        if (gapFirstMissing != 0 && (from >= gapFirstRetained || from < gapFirstMissing))
        {
            gapFirstMissing = 0;
            gapFirstRetained = 0;
        }
        if (from < nextIndex)
        {
            nextIndex = from;
            restartScan();
        }
        else
        {
            nextIndex = from;
        }
    }

    /**
     * Delivers up to {@code limit} committed entries, in index order, from {@link #nextIndex()}. A poll scans at
     * most the scan budget of documents, so on a long log it can return 0 while there is more to read: see
     * {@link #isCaughtUp()}.
     *
     * @return how many entries were delivered.
     * @throws StorageCorruptionException if a committed entry is damaged.
     * @throws EntriesCompactedException  if entries not yet delivered were compacted away under the reader.
     */
    public int poll(final EntryHandler handler, final int limit)
    {
        checkOpen();
        caughtUp = false;
        if (gapFirstMissing != 0)
        {
            throw new EntriesCompactedException(directory, gapFirstMissing, gapFirstRetained);
        }
        final long commitIndex = bound.commitIndex();
        int delivered = deliver(handler, limit, commitIndex);
        if (delivered < limit)
        {
            scanIdle = false;
            delivered += scan(commitIndex, handler, limit - delivered);
            delivered += deliver(handler, limit - delivered, commitIndex);
            caughtUp = delivered < limit && scanIdle;
        }
        return delivered;
    }

    /**
     * @return true if the last {@link #poll} delivered every entry up to the bound it read that the log held when
     * its scan reached the end of the queue: nothing more is deliverable until the bound moves or the log grows.
     * False after a poll that stopped at its limit or at its scan budget (poll again; each such poll makes
     * progress). A reader that reads a log to its commit index and stops polls until a poll returns 0 and this is
     * true.
     */
    public boolean isCaughtUp()
    {
        return caughtUp;
    }

    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closeQuietly(readTailer);
        closeQuietly(scanTailer);
        queue.close();
        closeQuietly(boundResource);
    }

    // ------------------------------------------------------------------------------------------------- delivering

    private int deliver(final EntryHandler handler, final int limit, final long commitIndex)
    {
        int delivered = 0;
        while (delivered < limit)
        {
            if (nextIndex <= log.baseIndex())
            {
                entriesSkipped += log.baseIndex() + 1 - nextIndex;
                nextIndex = log.baseIndex() + 1;
            }
            final long upTo = Math.min(Math.min(finalIndex, commitIndex), log.lastIndex());
            if (nextIndex > upTo)
            {
                if (damaged && nextIndex == badIndex && badIndex <= commitIndex)
                {
                    throw new StorageCorruptionException(badFile == null ? directory : badFile.toPath(), badIndex,
                        badReason + "; the bound says this entry is committed (" + commitIndex + ")");
                }
                break;
            }
            final long queueIndex = map.queueIndex(nextIndex);
            if (queueIndex == RaftIndexMap.UNKNOWN)
            {
                // listed by the first CHECKPOINT read, its document in a cycle file compaction deleted
                entriesSkipped++;
                nextIndex++;
                continue;
            }
            deliverOne(handler, nextIndex, queueIndex);
            nextIndex++;
            delivered++;
        }
        final long passed = Math.min(Math.min(nextIndex - 1, finalIndex), log.lastIndex());
        if (passed > log.baseIndex())
        {
            // entries passed and final are never needed again nor dropped: the index's floor moves, its base stays
            map.compactTo(passed);
        }
        return delivered;
    }

    private void deliverOne(final EntryHandler handler, final long index, final long queueIndex)
    {
        if (readTailerNext != queueIndex)
        {
            seeks++;
            readTailerNext = -1;
            if (!readTailer.moveToIndex(queueIndex))
            {
                throw notFound(index, queueIndex);
            }
        }
        try (DocumentContext dc = readTailer.readingDocument())
        {
            readTailerNext = -1;
            if (!dc.isPresent() || dc.index() != queueIndex)
            {
                dc.rollbackOnClose();
                throw notFound(index, queueIndex);
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final int frameLength = (int)bytes.readRemaining();
            entryView.wrap(bytes.addressForRead(bytes.readPosition(), frameLength), frameLength);
            final int recordLength = frameLength - LogFrame.TYPE_LENGTH;
            if (recordLength < LogEntryCodec.HEADER_LENGTH ||
                entryView.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) != LogFrame.ENTRY ||
                LogEntryCodec.recordLength(entryView, LogFrame.TYPE_LENGTH) != recordLength ||
                !codec.isChecksumValid(entryView, LogFrame.TYPE_LENGTH, recordLength) ||
                LogEntryCodec.index(entryView, LogFrame.TYPE_LENGTH) != index)
            {
                throw new StorageCorruptionException(readTailer.currentFile().toPath(), index,
                    "committed ENTRY record fails its checksum or header check (queue index 0x" +
                    Long.toHexString(queueIndex) + ")");
            }
            handler.onEntry(
                index,
                LogEntryCodec.term(entryView, LogFrame.TYPE_LENGTH),
                LogEntryCodec.timestamp(entryView, LogFrame.TYPE_LENGTH),
                LogEntryCodec.entryTypeCode(entryView, LogFrame.TYPE_LENGTH),
                entryView,
                LogEntryCodec.payloadOffset(LogFrame.TYPE_LENGTH),
                LogEntryCodec.payloadLength(entryView, LogFrame.TYPE_LENGTH));
        }
        readTailerNext = readTailer.index();
    }

    /**
     * An entry is not at its queue index: compaction deleted its cycle file (a gap, told as such), or else the log
     * is not what the scan read.
     */
    private RuntimeException notFound(final long index, final long queueIndex)
    {
        if (!cycleFileExists(rollCycle.toCycle(queueIndex)))
        {
            return compactedAway(index, firstRetainedIndex());
        }
        return new IllegalStateException("entry " + index + " not found at its queue index in " + directory);
    }

    private EntriesCompactedException compactedAway(final long firstMissing, final long firstRetained)
    {
        gapFirstMissing = firstMissing;
        gapFirstRetained = firstRetained;
        return new EntriesCompactedException(directory, firstMissing, firstRetained);
    }

    private boolean cycleFileExists(final int cycle)
    {
        final File file = CycleFiles.file(queue, cycle);
        return file != null && file.exists();
    }

    /**
     * @return the first entry the oldest cycle file left holds (its CHECKPOINT's last index plus one), or
     * {@link EntriesCompactedException#UNKNOWN}. Only when a gap is found: it allocates.
     */
    private long firstRetainedIndex()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.singleThreadedCheckDisabled(true);
            try (DocumentContext dc = tailer.toStart().readingDocument())
            {
                if (!dc.isPresent())
                {
                    return EntriesCompactedException.UNKNOWN;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final int frameLength = (int)bytes.readRemaining();
                final LogFrame checkpoint = new LogFrame();
                final UnsafeBuffer view = new UnsafeBuffer(bytes.addressForRead(bytes.readPosition(), frameLength),
                    frameLength);
                if (view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) != LogFrame.CHECKPOINT ||
                    !checkpoint.loadControl(view, 0, frameLength))
                {
                    return EntriesCompactedException.UNKNOWN;
                }
                return checkpoint.field(2) + 1;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- scanning

    private void restartScan()
    {
        scanTailer.toStart();
        readTailerNext = -1;
        log.reset(0, 0);
        finalIndex = 0;
        scanCycle = Integer.MIN_VALUE;
        firstFrame = true;
        damaged = false;
        badQueueIndex = -1;
        badIndex = 0;
        badReason = null;
        badFile = null;
        scanFile = null;
    }

    /**
     * Applies up to the scan budget of documents. When it reaches the end of the queue, the entries up to the bound
     * read before it started are final. Pauses before a BASE frame that would drop entries still deliverable, and
     * delivers them.
     *
     * @return how many entries it delivered, at most {@code limit}.
     */
    private int scan(final long commitIndex, final EntryHandler handler, final int limit)
    {
        int remaining = limit;
        for (int documents = 0; documents < scanBudget; documents++)
        {
            try (DocumentContext dc = scanTailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    finalIndex = Math.max(finalIndex, Math.min(commitIndex, log.lastIndex()));
                    scanIdle = true;
                    return limit - remaining;
                }
                final long queueIndex = dc.index();
                final int docCycle = rollCycle.toCycle(queueIndex);
                final boolean cycleStart = docCycle != scanCycle;
                final Bytes<?> bytes = dc.wire().bytes();
                final long frameLength = bytes.readRemaining();
                if (frameLength < LogFrame.TYPE_LENGTH || frameLength > maxFrameLength)
                {
                    scanCycle = docCycle;
                    noteDamage(queueIndex, "frame of " + frameLength + " bytes");
                    continue;
                }
                applier.view.wrap(
                    bytes.addressForRead(bytes.readPosition(), (int)frameLength), (int)frameLength);
                if (damaged)
                {
                    scanCycle = docCycle;
                    if (applier.isVoidFor(badQueueIndex))
                    {
                        damaged = false;
                        applier.applyVoid();
                    }
                    continue;
                }
                if (!cycleStart && droppingDeliverable(commitIndex))
                {
                    // deliver what this BASE frame drops first; the document is read again next time
                    dc.rollbackOnClose();
                    final long nextBefore = nextIndex;
                    final int delivered = deliver(handler, remaining, commitIndex);
                    remaining -= delivered;
                    if (remaining == 0)
                    {
                        return limit;
                    }
                    if (nextIndex == nextBefore)
                    {
                        // the entries this BASE frame drops wait for the bound: the scan waits with them
                        scanIdle = true;
                        return limit - remaining;
                    }
                    documents--;
                    continue;
                }
                scanCycle = docCycle;
                final String problem = cycleStart ? applier.applyCheckpoint(firstFrame) : applier.applyFrame(queueIndex);
                if (problem != null && cycleStart && !firstFrame && scanFile != null && !scanFile.exists() &&
                    applier.isControl(LogFrame.CHECKPOINT))
                {
                    // the scan's last file was deleted under it: compaction, not damage
                    final long firstRetained = applier.frame.field(2) + 1;
                    resumeFromCheckpoint();
                    if (nextIndex < firstRetained)
                    {
                        throw compactedAway(nextIndex, firstRetained);
                    }
                }
                else if (problem != null)
                {
                    noteDamage(queueIndex, problem);
                }
                firstFrame = false;
                if (cycleStart)
                {
                    scanFile = scanTailer.currentFile();
                }
            }
        }
        return limit - remaining;
    }

    /**
     * @return true if the frame in the applier's view is an intact BASE frame that drops entries this reader could
     * deliver now (the COMPACT frame itself proves entries up to its index committed).
     */
    private boolean droppingDeliverable(final long commitIndex)
    {
        if (!applier.isControl(LogFrame.BASE))
        {
            return false;
        }
        final LogFrame frame = applier.frame;
        final long index = Math.min(frame.field(0), log.lastIndex());
        final long next = Math.max(nextIndex, log.baseIndex() + 1);
        if (next > index)
        {
            return false;
        }
        if (frame.field(2) == LogFrame.COMPACT)
        {
            // the node compacts committed entries only: they are final, and wait here for the bound if it lags
            finalIndex = Math.max(finalIndex, index);
            return true;
        }
        return next <= Math.min(finalIndex, commitIndex);
    }

    /**
     * Takes the CHECKPOINT in the applier's view as the state of the log from here, as a scan that starts at this
     * cycle file would: the entries it lists lie in deleted files.
     */
    private void resumeFromCheckpoint()
    {
        final String problem = applier.applyCheckpoint(true);
        if (problem != null)
        {
            throw new IllegalStateException("CHECKPOINT after deleted cycle files in " + directory + ": " + problem);
        }
    }

    private void noteDamage(final long queueIndex, final String problem)
    {
        if (!damaged)
        {
            damaged = true;
            badQueueIndex = queueIndex;
            badIndex = log.lastIndex() + 1;
            badReason = problem + " (queue index 0x" + Long.toHexString(queueIndex) + ")";
            badFile = scanTailer.currentFile();
        }
    }

    /**
     * Keeps the frames from taking back what was delivered as committed.
     */
    private final class DeliveredEntries implements FrameApplier.Guard
    {
        public void beforeDrop(final long from)
        {
            checkDrop(from);
        }

        public void beforeReset(final long index)
        {
            checkReset(index);
        }
    }

    /**
     * A TRUNCATE or VOID frame is about to drop entries: never ones already delivered as committed.
     */
    private void checkDrop(final long from)
    {
        if (from < nextIndex && from <= finalIndex)
        {
            throw new IllegalStateException("the log in " + directory + " drops entries from " + from +
                ", but the reader already delivered up to " + (nextIndex - 1) + " as committed: the bound is not " +
                "this node's commit index");
        }
        finalIndex = Math.min(finalIndex, from - 1);
    }

    /**
     * A BASE RESET frame is about to empty the log: never below entries already delivered.
     */
    private void checkReset(final long index)
    {
        if (index < nextIndex - 1 && index < finalIndex)
        {
            throw new IllegalStateException("the log in " + directory + " is reset to " + index +
                ", below entries the reader already delivered (up to " + (nextIndex - 1) + ")");
        }
        finalIndex = Math.min(finalIndex, index);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /**
     * @return how many times delivery had to seek the read tailer (for tests).
     */
    long seeks()
    {
        return seeks;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("reader of " + directory + " is closed");
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (closeable != null)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
                // closing: nothing was written
            }
        }
    }
}

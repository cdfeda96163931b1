package io.raftlog.storage;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.DurableLogStore;
import io.raftlog.core.LogStore;
import io.raftlog.core.TermHistory;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A member's log in one Chronicle Queue: an append-only stream of frames, one per document (see {@link LogFrame}),
 * where dropping a conflicting suffix is an appended TRUNCATE frame and compaction or a snapshot install is an
 * appended BASE frame, because Chronicle cannot truncate (and writing at an existing queue index silently does
 * nothing). An entry is stored as the record bytes it arrived as, so a follower never re-encodes and the record's
 * CRC32C travels with it.
 *
 * <h2>Index</h2>
 * Raft index to Chronicle index lives in a {@link RaftIndexMap} (primitive arrays, 16 bytes per retained entry),
 * rebuilt on start by scanning every document from the first cycle file, obeying TRUNCATE, BASE and VOID frames;
 * terms live in a {@link TermHistory}. Reads seek with a reused tailer ({@code moveToIndex}) and then read
 * sequentially, so a follower's catch-up does not remap chunks per entry.
 *
 * <h2>Recovery</h2>
 * The scan stops believing the stream at the first frame that is incomplete, fails its checksum, or does not follow
 * from the frames before it. Opening fails with a {@link StorageCorruptionException} naming the file, index and
 * reason if the first entry it could not vouch for is at or below the commit index the node last recorded
 * ({@link Context#committedIndexHint}), or if whole frames follow the damage: a crash tears only the end of the
 * stream, so damage followed by more log is a record that changed after it was written, and this member may have
 * acknowledged it and what follows (the recorded commit index lags the real one, so it cannot vouch that they were
 * not committed). Entries a member acknowledged are never dropped silently. Only a torn tail is cut back
 * logically: the current cycle file is sealed (appends move to a fresh one, see {@link CycleClock}) and a VOID frame
 * naming the first bad document is appended and forced, so every later scan skips the same documents. A cycle file
 * whose tail Chronicle itself cannot read past (its header says more was written than a reader can see) is sealed
 * the same way, since Chronicle would otherwise append where no reader looks.
 *
 * <h2>Cycle files</h2>
 * Every cycle file starts with a CHECKPOINT frame (base, last index, term runs), so a scan can begin at any cycle
 * file. {@link #compactTo} and {@link #reset} therefore delete the cycle files wholly before the first document the
 * log still needs (the entry after the base, or the BASE frame itself when nothing follows), after the BASE frame
 * is forced.
 *
 * <h2>Durability</h2>
 * Appends write into the mapped file and never force. {@link #sync()}, once per duty cycle, forces under
 * {@link Durability#FSYNC} (group commit). The common case is Chronicle's {@code appender.sync()}: with the queue
 * built with {@code SyncMode.SYNC} it is an {@code msync(MS_SYNC)} of the pages from the last synced one to the write
 * position, but only within the chunk the appender has mapped now ({@code MappedBytesStore.syncUpTo}). So when the
 * appender moved to another chunk or cycle file since the last sync, the store forces each file touched whole
 * ({@code FileChannel.force}) and the directory (a new file's entry) instead. Chronicle's own index and header pages
 * below the last synced page are not forced by the common case; recovery does not rely on them (it reads documents
 * sequentially, a stale file header only makes Chronicle's appender skip forward, and a header that outlived its
 * documents is sealed, above). {@link #compactTo} and {@link #reset} force every file touched under either policy.
 *
 * <h2>A full device</h2>
 * Chronicle writes through a memory map, where a full device shows up as SIGBUS in the middle of a write. So the
 * store claims the disk blocks of a batch with plain writes before it writes the batch ({@link SpaceReservation}):
 * on a full device {@link #append} throws {@link StorageFullException} having written nothing, the log stays as it
 * was, and appends work again once there is room.
 *
 * <h2>Clock</h2>
 * Chronicle picks the cycle file from the wall clock. The store hands it a {@link CycleClock}: monotonic and never
 * before the last cycle file, because a clock stepped back would make Chronicle append into an older file (seen
 * here: {@code WriteAfterEOFException} on the first append after the clock went back an hour).
 * <p>
 * Not thread-safe: one thread at a time (the node's agent), handed over with a happens-before edge.
 */
public final class ChronicleLogStore implements DurableLogStore, AutoCloseable
{
    /**
     * Chronicle maps a cycle file in blocks of this size (plus an overlap of a quarter of it), and a document must
     * fit in the overlap: 64 MiB allows records up to 16 MiB, far above Aeron's largest message, and costs one
     * mapping (one small allocation and an mmap) per 64 MiB of log, which is rare enough on the append path.
     */
    public static final long DEFAULT_BLOCK_SIZE = 64L << 20;

    /**
     * Hourly cycle files of up to 2^32 documents, indexed every 64th: an hour is the unit in which compaction
     * returns disk space, 4 billion entries an hour (over a million a second) is beyond any one log, and a seek
     * scans at most 63 documents.
     */
    public static final RollCycle DEFAULT_ROLL_CYCLE = LargeRollCycles.LARGE_HOURLY;

    /**
     * How long Chronicle waits on a document left incomplete, or on its write lock, before it decides the writer
     * died and takes over (its default is 10 s). This store is the only writer of its directory, so at start any
     * such document or lock was left by a crashed process: waiting longer only delays the first append after a crash
     * (measured: 10 s when the restart falls in a later cycle than the torn document).
     */
    public static final long DEFAULT_TIMEOUT_MS = 1000;

    /**
     * Room claimed per frame beyond its record: Chronicle's header, the frame type, alignment, and a share of the
     * index pages Chronicle writes among the documents.
     */
    private static final int FRAME_ROOM = 64;

    /**
     * Settings, validated by {@link #conclude()} when the store opens.
     */
    public static final class Context
    {
        private Path directory;
        private Durability durability = Durability.FSYNC;
        private long committedIndexHint;
        private long blockSize = DEFAULT_BLOCK_SIZE;
        private RollCycle rollCycle = DEFAULT_ROLL_CYCLE;
        private TimeProvider timeProvider = SystemTimeProvider.INSTANCE;
        private int initialEntries = 1 << 16;
        private long timeoutMs = DEFAULT_TIMEOUT_MS;
        private long claimLimitBytes = Long.MAX_VALUE;

        /**
         * @param directory the node's log directory (one queue); created if absent.
         */
        public Context directory(final Path directory)
        {
            this.directory = directory;
            return this;
        }

        public Path directory()
        {
            return directory;
        }

        public Context durability(final Durability durability)
        {
            this.durability = durability;
            return this;
        }

        public Durability durability()
        {
            return durability;
        }

        /**
         * @param committedIndexHint the commit index the node last recorded: damage at or below it fails opening.
         */
        public Context committedIndexHint(final long committedIndexHint)
        {
            this.committedIndexHint = committedIndexHint;
            return this;
        }

        public long committedIndexHint()
        {
            return committedIndexHint;
        }

        public Context blockSize(final long blockSize)
        {
            this.blockSize = blockSize;
            return this;
        }

        public long blockSize()
        {
            return blockSize;
        }

        public Context rollCycle(final RollCycle rollCycle)
        {
            this.rollCycle = rollCycle;
            return this;
        }

        public RollCycle rollCycle()
        {
            return rollCycle;
        }

        /**
         * @param timeProvider the wall clock the queue rolls cycle files by (tests roll files at will with it).
         */
        public Context timeProvider(final TimeProvider timeProvider)
        {
            this.timeProvider = timeProvider;
            return this;
        }

        public TimeProvider timeProvider()
        {
            return timeProvider;
        }

        /**
         * @param initialEntries retained entries the index holds before it first grows.
         */
        public Context initialEntries(final int initialEntries)
        {
            this.initialEntries = initialEntries;
            return this;
        }

        public int initialEntries()
        {
            return initialEntries;
        }

        /**
         * @param timeoutMs how long Chronicle waits on an incomplete document or its write lock (see
         *                  {@link #DEFAULT_TIMEOUT_MS}).
         */
        public Context timeoutMs(final long timeoutMs)
        {
            this.timeoutMs = timeoutMs;
            return this;
        }

        public long timeoutMs()
        {
            return timeoutMs;
        }

        /**
         * For tests: claims of disk room past this file position fail as on a full device.
         */
        Context claimLimitBytes(final long claimLimitBytes)
        {
            this.claimLimitBytes = claimLimitBytes;
            return this;
        }

        long claimLimitBytes()
        {
            return claimLimitBytes;
        }

        /**
         * Checks the settings; fails naming the bad one.
         */
        public Context conclude()
        {
            if (directory == null)
            {
                throw new IllegalArgumentException("ChronicleLogStore.Context.directory must be set");
            }
            if (durability == null)
            {
                throw new IllegalArgumentException("ChronicleLogStore.Context.durability must be set");
            }
            if (committedIndexHint < 0)
            {
                throw new IllegalArgumentException(
                    "ChronicleLogStore.Context.committedIndexHint must not be negative: " + committedIndexHint);
            }
            if (blockSize < (1 << 20) || blockSize % (64 << 10) != 0 || blockSize > (1L << 30))
            {
                throw new IllegalArgumentException(
                    "ChronicleLogStore.Context.blockSize must be a multiple of 64 KiB in [1 MiB, 1 GiB]: " + blockSize);
            }
            if (rollCycle == null || timeProvider == null)
            {
                throw new IllegalArgumentException("ChronicleLogStore.Context.rollCycle and timeProvider must be set");
            }
            if (timeoutMs <= 0)
            {
                throw new IllegalArgumentException("ChronicleLogStore.Context.timeoutMs must be positive: " + timeoutMs);
            }
            if (initialEntries <= 0)
            {
                throw new IllegalArgumentException(
                    "ChronicleLogStore.Context.initialEntries must be positive: " + initialEntries);
            }
            return this;
        }
    }

    private final Path directory;
    private final Durability durability;
    private final long committedIndexHint;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final long blockSize;
    private final CycleFiles cycleFiles;
    private final ExcerptAppender appender;
    private final ExcerptTailer copyTailer;
    private final ExcerptTailer probeTailer;
    private final long maxFrameLength;
    private final LogIndex log;
    private final TermHistory terms;
    private final RaftIndexMap map;
    private final LogFrame frame = new LogFrame();
    private final LogFrame checkpointFrame = new LogFrame();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final SpaceReservation space;

    private int checkpointCycle = Integer.MIN_VALUE;
    private boolean unsynced;
    private boolean forcedAll = true;
    private int syncedCycle = Integer.MIN_VALUE;
    private BytesStore<?, ?> syncedStore;
    private long copyTailerNext = -1;
    private int spaceCycle = Integer.MIN_VALUE;
    private long nextWritePosition;
    private long seeks;
    private long chunkSyncs;
    private long fileForces;
    private long tornTailsRepaired;
    private long tornTailCutFrom;
    private long sealedCycleFiles;
    private long deletedCycleFiles;
    private boolean closed;

    private ChronicleLogStore(final Context context)
    {
        this.directory = context.directory();
        this.durability = context.durability();
        this.committedIndexHint = context.committedIndexHint();
        this.rollCycle = context.rollCycle();
        this.blockSize = context.blockSize();
        this.log = new LogIndex(context.initialEntries());
        this.terms = log.terms();
        this.map = log.map();
        this.space = new SpaceReservation(directory, context.claimLimitBytes());
        final CycleClock clock = new CycleClock(context.timeProvider());
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create log directory " + directory, ex);
        }
        this.queue = SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(rollCycle)
            .blockSize(context.blockSize())
            .timeProvider(clock)
            .timeoutMS(context.timeoutMs())
            // SYNC makes appender.sync() an msync(MS_SYNC); NONE keeps Chronicle from ever msyncing by itself
            .syncMode(durability == Durability.FSYNC ? SyncMode.SYNC : SyncMode.NONE)
            .build();
        ExcerptAppender appender = null;
        ExcerptTailer copyTailer = null;
        ExcerptTailer probeTailer = null;
        try
        {
            this.cycleFiles = new CycleFiles(queue, directory, clock);
            this.maxFrameLength = queue.overlapSize();
            appender = queue.createAppender();
            copyTailer = queue.createTailer();
            probeTailer = queue.createTailer();
            // the store is confined to one thread at a time, but it may be opened on one and used on another
            appender.singleThreadedCheckDisabled(true);
            copyTailer.singleThreadedCheckDisabled(true);
            probeTailer.singleThreadedCheckDisabled(true);
            this.appender = appender;
            this.copyTailer = copyTailer;
            this.probeTailer = probeTailer;
            recover();
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly(probeTailer);
            closeQuietly(copyTailer);
            closeQuietly(appender);
            queue.close();
            space.close();
            throw ex;
        }
    }

    /**
     * Opens (or creates) the log in {@code context.directory()}, rebuilding the index by scanning it.
     *
     * @throws StorageCorruptionException if a record at or below the committed index hint is damaged.
     */
    public static ChronicleLogStore open(final Context context)
    {
        return new ChronicleLogStore(context.conclude());
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * @return the roll cycle the queue was opened with: a {@link CommittedLogReader} of it must use the same.
     */
    public RollCycle rollCycle()
    {
        return rollCycle;
    }

    /**
     * @return the block size the queue was opened with: a {@link CommittedLogReader} of it must use the same.
     */
    public long blockSize()
    {
        return blockSize;
    }

    public Durability durability()
    {
        return durability;
    }

    /**
     * @return the largest record an entry may hold: a document must fit in Chronicle's mapping overlap.
     */
    public int maxRecordLength()
    {
        return (int)Math.min(Integer.MAX_VALUE, maxFrameLength - LogFrame.TYPE_LENGTH);
    }

    /**
     * @return how many times opening cut a torn or corrupt tail back (0 or 1 per open).
     */
    public long tornTailsRepaired()
    {
        return tornTailsRepaired;
    }

    /**
     * @return the index of the torn record opening cut back (the log now ends just before it), or 0 if it cut none.
     */
    public long tornTailCutFrom()
    {
        return tornTailCutFrom;
    }

    /**
     * @return how many cycle files were sealed since opening because their tail was damaged.
     */
    public long sealedCycleFiles()
    {
        return sealedCycleFiles;
    }

    /**
     * @return how many cycle files compaction has deleted since opening.
     */
    public long deletedCycleFiles()
    {
        return deletedCycleFiles;
    }

    public long baseIndex()
    {
        return log.baseIndex();
    }

    public long lastIndex()
    {
        return log.lastIndex();
    }

    public long termAt(final long index)
    {
        return terms.termAt(index);
    }

    public long firstIndexOfTerm(final long term)
    {
        return terms.firstIndexOfTerm(term);
    }

    public long lastIndexOfTerm(final long term)
    {
        return terms.lastIndexOfTerm(term);
    }

    public long timestampAt(final long index)
    {
        checkOpen();
        checkInLog(index);
        if (!probeTailer.moveToIndex(map.queueIndex(index)))
        {
            throw new IllegalStateException("entry " + index + " not found at its queue index");
        }
        try (DocumentContext dc = probeTailer.readingDocument())
        {
            checkEntryDocument(dc, index, map.queueIndex(index));
            return LogEntryCodec.timestamp(view, LogFrame.TYPE_LENGTH);
        }
    }

    public long bytesFrom(final long index)
    {
        if (index > log.lastIndex())
        {
            return 0;
        }
        if (index <= log.baseIndex())
        {
            throw new IllegalStateException("bytesFrom " + index + " at or below the base " + log.baseIndex());
        }
        return map.bytesFrom(index);
    }

    public void append(final DirectBuffer records, final int offset, final int length, final int count)
    {
        checkOpen();
        claimRoom(length + (long)count * FRAME_ROOM);
        final int end = offset + length;
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            if (end - position < LogEntryCodec.HEADER_LENGTH)
            {
                throw new IllegalStateException("record " + i + " of " + count + " runs past " + length + " bytes");
            }
            final int recordLength = LogEntryCodec.recordLength(records, position);
            final long index = LogEntryCodec.index(records, position);
            final long term = LogEntryCodec.term(records, position);
            if (recordLength < LogEntryCodec.HEADER_LENGTH || recordLength > end - position)
            {
                throw new IllegalStateException("record " + i + " of " + count + " runs past " + length + " bytes");
            }
            if (index != log.lastIndex() + 1)
            {
                throw new IllegalStateException("append of " + index + " after " + log.lastIndex());
            }
            if (term < log.lastTerm())
            {
                throw new IllegalStateException("term " + term + " at " + index + " goes back from " + log.lastTerm());
            }
            if (LogFrame.TYPE_LENGTH + (long)recordLength > maxFrameLength)
            {
                throw new IllegalArgumentException("record of " + recordLength + " bytes exceeds the largest a " +
                    "document may hold, " + maxRecordLength() + " (a quarter of the block size)");
            }
            final long queueIndex = writeEntryFrame(records, position, recordLength);
            log.append(index, term, queueIndex, recordLength);
            position += recordLength;
            claimRoomInNewFile(end - position + (long)(count - i - 1) * FRAME_ROOM);
        }
        if (position != end)
        {
            throw new IllegalStateException("records do not fill " + length + " bytes");
        }
    }

    public void truncateFrom(final long index)
    {
        checkOpen();
        if (index > log.lastIndex())
        {
            return;
        }
        if (index <= log.baseIndex())
        {
            throw new IllegalStateException("truncate at " + index + " at or below the base " + log.baseIndex());
        }
        writeControlFrame(frame.encodeTruncate(index));
        log.truncateFrom(index);
    }

    public void compactTo(final long index)
    {
        checkOpen();
        if (index <= log.baseIndex())
        {
            return;
        }
        if (index > log.lastIndex())
        {
            throw new IllegalStateException("compact to " + index + " beyond " + log.lastIndex());
        }
        writeControlFrame(frame.encodeBase(index, terms.termAt(index), LogFrame.COMPACT));
        log.compactTo(index);
        forceAll();
        deleteCycleFilesBeforeBase();
    }

    public void reset(final long baseIndex, final long baseTerm)
    {
        checkOpen();
        writeControlFrame(frame.encodeBase(baseIndex, baseTerm, LogFrame.RESET));
        log.reset(baseIndex, baseTerm);
        forceAll();
        deleteCycleFilesBeforeBase();
    }

    public int copyRecords(final long fromIndex, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset)
    {
        checkOpen();
        if (fromIndex <= log.baseIndex())
        {
            throw new IllegalStateException("copy from " + fromIndex + " at or below the base " + log.baseIndex());
        }
        int copied = 0;
        for (long index = fromIndex; index <= log.lastIndex(); index++)
        {
            final int recordLength = (int)(map.bytesOf(index) - LogFrame.ENTRY_OVERHEAD);
            if (copied > 0 && copied + recordLength > maxBytes)
            {
                break;
            }
            final long queueIndex = map.queueIndex(index);
            if (copyTailerNext != queueIndex)
            {
                // a seek only where the entries are not consecutive documents (after a truncation, a new cycle file)
                seeks++;
                copyTailerNext = -1;
                if (!copyTailer.moveToIndex(queueIndex))
                {
                    throw new IllegalStateException("entry " + index + " not found at its queue index");
                }
            }
            try (DocumentContext dc = copyTailer.readingDocument())
            {
                copyTailerNext = -1;
                checkEntryDocument(dc, index, queueIndex);
                if (view.capacity() - LogFrame.TYPE_LENGTH != recordLength)
                {
                    throw new IllegalStateException("entry " + index + " changed length since it was indexed");
                }
                dst.putBytes(dstOffset + copied, view, LogFrame.TYPE_LENGTH, recordLength);
            }
            copyTailerNext = copyTailer.index();
            copied += recordLength;
        }
        return copied;
    }

    /**
     * Called by the runtime once per duty cycle: under {@link Durability#FSYNC} forces what was written since the
     * last call (group commit); under {@link Durability#PAGE_CACHE} does nothing.
     *
     * @return the index up to which the log is durable under the policy: its last index.
     */
    public long sync()
    {
        checkOpen();
        if (durability == Durability.FSYNC && unsynced)
        {
            force();
        }
        return log.lastIndex();
    }

    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (durability == Durability.FSYNC && unsynced)
            {
                force();
            }
        }
        finally
        {
            closeQuietly(probeTailer);
            closeQuietly(copyTailer);
            closeQuietly(appender);
            queue.close();
            space.close();
        }
    }

    // ------------------------------------------------------------------------------------------------- writing

    private long writeEntryFrame(final DirectBuffer records, final int offset, final int recordLength)
    {
        final DocumentContext dc = openDocument();
        try
        {
            final Bytes<?> bytes = dc.wire().bytes();
            final int frameLength = LogFrame.TYPE_LENGTH + recordLength;
            final long writePosition = bytes.writePosition();
            if (bytes.bytesStore().inside(writePosition, frameLength))
            {
                // in place: the frame is contiguous in the mapped chunk (a document always fits in its overlap)
                view.wrap(bytes.addressForWrite(writePosition), frameLength);
                view.putInt(LogFrame.TYPE_OFFSET, LogFrame.ENTRY, LogFrame.ORDER);
                view.putBytes(LogFrame.TYPE_LENGTH, records, offset, recordLength);
                bytes.writeSkip(frameLength);
            }
            else
            {
                writeThroughBytes(bytes, LogFrame.ENTRY, records, offset, recordLength);
            }
            nextWritePosition = bytes.writePosition();
        }
        catch (final RuntimeException | Error ex)
        {
            dc.rollbackOnClose();
            throw ex;
        }
        finally
        {
            dc.close();
        }
        unsynced = true;
        return appender.lastIndexAppended();
    }

    /**
     * Writes the control frame last encoded in {@link #frame}; a cycle's checkpoint, if due first, is built in
     * its own scratch so it does not overwrite it.
     */
    private long writeControlFrame(final int frameLength)
    {
        claimRoom(frameLength + FRAME_ROOM);
        final DocumentContext dc = openDocument();
        nextWritePosition = writeFrameInto(dc, frame, frameLength);
        unsynced = true;
        claimRoomInNewFile(0);
        return appender.lastIndexAppended();
    }

    /**
     * @return the file position just past the frame.
     */
    private static long writeFrameInto(final DocumentContext dc, final LogFrame frame, final int frameLength)
    {
        try
        {
            final Bytes<?> bytes = dc.wire().bytes();
            final DirectBuffer source = frame.buffer();
            writeThroughBytes(bytes, source.getInt(0, LogFrame.ORDER), source, LogFrame.TYPE_LENGTH,
                frameLength - LogFrame.TYPE_LENGTH);
            return bytes.writePosition();
        }
        catch (final RuntimeException | Error ex)
        {
            dc.rollbackOnClose();
            throw ex;
        }
        finally
        {
            dc.close();
        }
    }

    /**
     * Opens a document for a frame. If it is the first of a cycle file, it first becomes that file's CHECKPOINT
     * (the roll happens inside {@code writingDocument}, so this is where a new cycle shows).
     */
    private DocumentContext openDocument()
    {
        DocumentContext dc = appender.writingDocument();
        while (appender.cycle() != checkpointCycle)
        {
            final int cycle = appender.cycle();
            final int length = checkpointFrame.encodeCheckpoint(terms, log.baseIndex(), log.lastIndex());
            nextWritePosition = writeFrameInto(dc, checkpointFrame, length);
            checkpointCycle = cycle;
            dc = appender.writingDocument();
        }
        return dc;
    }

    /**
     * The bounds-checked way, through Chronicle's own writes (little-endian like the frames): for control frames and
     * for the never-expected case of a frame that is not contiguous in the mapped chunk.
     */
    private static void writeThroughBytes(
        final Bytes<?> bytes, final int type, final DirectBuffer body, final int offset, final int length)
    {
        bytes.writeInt(type);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            bytes.writeLong(body.getLong(offset + i, LogFrame.ORDER));
        }
        for (; i < length; i++)
        {
            bytes.writeByte(body.getByte(offset + i));
        }
    }

    // ------------------------------------------------------------------------------------------------- room

    /**
     * Claims room for {@code bytes} more of documents where the next one goes, or, when it will go to a cycle file
     * Chronicle has yet to create, checks the device has room for that file (see {@link SpaceReservation}).
     */
    private void claimRoom(final long bytes)
    {
        if (queue.cycle() != spaceCycle)
        {
            space.checkRoomForNewFile(bytes);
        }
        else
        {
            space.ensure(nextWritePosition + bytes);
        }
    }

    /**
     * After a document: if it opened a new cycle file, claims from there on for {@code bytes} more.
     */
    private void claimRoomInNewFile(final long bytes)
    {
        final int cycle = appender.cycle();
        if (cycle != spaceCycle)
        {
            spaceCycle = cycle;
            space.moveTo(appender.currentFile(), nextWritePosition);
            space.ensure(nextWritePosition + bytes);
        }
    }

    // ------------------------------------------------------------------------------------------------- durability

    private void force()
    {
        final int cycle = appender.cycle();
        final BytesStore<?, ?> store = appender.wire().bytes().bytesStore();
        if (!forcedAll && cycle == syncedCycle && store == syncedStore)
        {
            // msync(MS_SYNC) from the last synced page to the write position, in this chunk
            appender.sync();
            chunkSyncs++;
        }
        else
        {
            forceFilesTouched();
        }
        unsynced = false;
    }

    /**
     * Forces every file written since the last force whole, whatever the sync mode: the BASE frame must be on the
     * device before cycle files below it go.
     */
    private void forceAll()
    {
        if (unsynced)
        {
            forceFilesTouched();
            unsynced = false;
        }
    }

    private void forceFilesTouched()
    {
        final int cycle = appender.cycle();
        fileForces += cycleFiles.force(syncedCycle, cycle);
        syncedCycle = cycle;
        syncedStore = appender.wire().bytes().bytesStore();
        forcedAll = false;
    }

    // ------------------------------------------------------------------------------------------------- reading

    /**
     * Points {@link #view} at the frame of an open reading document and checks it is the entry at {@code index}.
     */
    private void checkEntryDocument(final DocumentContext dc, final long index, final long queueIndex)
    {
        if (!dc.isPresent() || dc.index() != queueIndex)
        {
            throw new IllegalStateException("entry " + index + " not found at its queue index");
        }
        final Bytes<?> bytes = dc.wire().bytes();
        final int frameLength = (int)bytes.readRemaining();
        view.wrap(bytes.addressForRead(bytes.readPosition(), frameLength), frameLength);
        if (frameLength < LogFrame.TYPE_LENGTH + LogEntryCodec.HEADER_LENGTH ||
            view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) != LogFrame.ENTRY ||
            LogEntryCodec.index(view, LogFrame.TYPE_LENGTH) != index)
        {
            throw new IllegalStateException("the document at the queue index of entry " + index + " is not that entry");
        }
    }

    // ------------------------------------------------------------------------------------------------- recovery

    private void recover()
    {
        final LogRecovery recovery = new LogRecovery(log, rollCycle, maxFrameLength);
        recovery.scan(queue);

        // a cycle file that holds any document already has its first one; the appender's next file needs a checkpoint
        checkpointCycle = recovery.lastCycleRead();
        syncedCycle = recovery.lastCycleRead();
        cycleFiles.holdClockAtLastCycle();
        if (recovery.damaged())
        {
            final File file = recovery.badFile();
            final Path path = file == null ? directory : file.toPath();
            if (recovery.badIndex() <= committedIndexHint)
            {
                throw new StorageCorruptionException(path, recovery.badIndex(),
                    recovery.badReason() + "; the node recorded commit index " + committedIndexHint +
                    ", so this entry was committed");
            }
            if (recovery.intactFramesAfter() > 0)
            {
                // not a torn tail: the log went on past the damage, so this member may have acknowledged the
                // damaged entry and those after it, and cutting them could lose committed entries
                throw new StorageCorruptionException(path, recovery.badIndex(),
                    recovery.badReason() + "; " + recovery.intactFramesAfter() + " whole frames follow it (the " +
                    "first at queue index 0x" + Long.toHexString(recovery.firstIntactQueueIndexAfter()) +
                    ", entries up to index " + recovery.highestIndexAfter() + "), so it is not a tail torn by a " +
                    "crash but a record damaged inside the log, and the entries from index " + recovery.badIndex() +
                    " on may have been acknowledged to a leader: they are not cut back");
            }
            final long hidden = hiddenWholeFrame(file, recovery.badHeaderPosition() + 4,
                rollCycle.toCycle(recovery.badQueueIndex()));
            if (hidden >= 0)
            {
                throw new StorageCorruptionException(path, recovery.badIndex(), recovery.badReason() +
                    "; Chronicle reads no further, but a whole frame lies after it at file position " + hidden +
                    " (a damaged document header hides the documents after it), so it is not a tail torn by a " +
                    "crash, and the entries from index " + recovery.badIndex() + " on may have been acknowledged " +
                    "to a leader: they are not cut back");
            }
            // cut back: the damaged file is never appended to again, and the VOID frame tells every later scan
            // which documents to pass over
            sealLastCycleFile();
            writeControlFrame(frame.encodeVoid(recovery.badQueueIndex(), log.lastIndex()));
            forceAll();
            tornTailsRepaired++;
            tornTailCutFrom = recovery.badIndex();
        }
        else if (!cycleFiles.lastCycleAppendable(recovery.lastCycleRead(), recovery.lastHeaderPosition()))
        {
            final long hidden = recovery.lastFile() == null ? -1 :
                hiddenWholeFrame(recovery.lastFile(), recovery.lastDocumentEnd(), recovery.lastCycleRead());
            if (hidden >= 0)
            {
                throw new StorageCorruptionException(recovery.lastFile().toPath(), log.lastIndex() + 1,
                    "Chronicle reads no document after the one at file position " + recovery.lastHeaderPosition() +
                    ", but a whole frame lies after it at file position " + hidden + " (a damaged document " +
                    "header hides the documents after it): the entries after index " + log.lastIndex() +
                    " may have been acknowledged to a leader, and are not cut back");
            }
            sealLastCycleFile();
        }

        if (spaceCycle == Integer.MIN_VALUE && recovery.lastFile() != null && queue.cycle() == recovery.lastCycleRead())
        {
            // appends go on in the last file, after its last document
            spaceCycle = recovery.lastCycleRead();
            nextWritePosition = recovery.lastDocumentEnd();
            space.moveTo(recovery.lastFile(), nextWritePosition);
        }

        final long unknown = map.firstUnknownFrom(log.baseIndex() + 1);
        if (unknown != 0)
        {
            throw new StorageCorruptionException(directory, unknown,
                "the entry lies in a cycle file deleted by compaction, but no BASE frame drops it");
        }
    }

    /**
     * @return the file position of a whole frame in {@code file} from {@code from} to the last document its header
     * records, or -1: see {@link TailProbe}.
     */
    private long hiddenWholeFrame(final File file, final long from, final int cycle)
    {
        final long writePosition = cycleFiles.recordedWritePosition(cycle);
        return file == null || writePosition < from ? -1 :
            TailProbe.findWholeFrame(file, from, writePosition, maxFrameLength);
    }

    private void sealLastCycleFile()
    {
        cycleFiles.sealLast();
        sealedCycleFiles++;
    }

    // ------------------------------------------------------------------------------------------------- cycle files

    /**
     * Deletes the cycle files wholly before the first document the log still needs: the entry after the base, or
     * the BASE frame just written when nothing follows the base.
     */
    private void deleteCycleFilesBeforeBase()
    {
        final long keepFrom = log.baseIndex() < log.lastIndex() ?
            map.queueIndex(log.baseIndex() + 1) : appender.lastIndexAppended();
        if (keepFrom == RaftIndexMap.UNKNOWN)
        {
            return;
        }
        final int deleted = cycleFiles.deleteBefore(rollCycle.toCycle(keepFrom));
        if (deleted > 0)
        {
            deletedCycleFiles += deleted;
            copyTailerNext = -1;
        }
    }

    // ------------------------------------------------------------------------------------------------- for tests

    /**
     * @return how many syncs were Chronicle's msync of the current chunk.
     */
    long chunkSyncs()
    {
        return chunkSyncs;
    }

    /**
     * @return how many cycle files were forced whole (the appender had moved to another chunk or file).
     */
    long fileForces()
    {
        return fileForces;
    }

    /**
     * @return how many times {@link #copyRecords} had to seek rather than read on.
     */
    long seeks()
    {
        return seeks;
    }

    /**
     * @return the cycle file holding the entry at {@code index}.
     */
    File fileOf(final long index)
    {
        checkInLog(index);
        if (!probeTailer.moveToIndex(map.queueIndex(index)))
        {
            throw new IllegalStateException("entry " + index + " not found");
        }
        return probeTailer.currentFile();
    }

    /**
     * @return where the record of the entry at {@code index} starts in its cycle file.
     */
    long filePositionOf(final long index)
    {
        checkInLog(index);
        if (!probeTailer.moveToIndex(map.queueIndex(index)))
        {
            throw new IllegalStateException("entry " + index + " not found");
        }
        try (DocumentContext dc = probeTailer.readingDocument())
        {
            return dc.wire().bytes().readPosition() + LogFrame.TYPE_LENGTH;
        }
    }

    /**
     * @return the number of cycle files in the directory.
     */
    int cycleFileCount()
    {
        return cycleFiles.count();
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private void checkInLog(final long index)
    {
        if (index <= log.baseIndex() || index > log.lastIndex())
        {
            throw new IllegalStateException("index " + index + " not in the log (" + log.baseIndex() + ", " +
                log.lastIndex() + "]");
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("log store " + directory + " is closed");
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
                // closing on a failure path: the first failure is the one to report
            }
        }
    }
}

package io.raftlog.storage;

import io.raftlog.core.MetaStore;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Term, vote and a lazily recorded commit index in a small file of two slots, each a complete record with a sequence
 * number and a CRC32C. A write goes to the slot that does not hold the last forced record, so a crash in the middle
 * of any write leaves that record whole; opening takes the intact slot with the higher sequence.
 * <pre>
 *   file: | slot 0 (4 KiB) | slot 1 (4 KiB) |      (separate pages: a torn write of one never touches the other)
 *   slot: 0 magic "RLMS" | 4 version | 8 sequence | 16 term | 24 votedFor (int32) | 28 reserved |
 *         32 commit index | 40 crc32c of bytes [0, 40) | 44 reserved |           little-endian, 48 bytes used
 * </pre>
 * {@link #store} forces the file ({@code FileChannel.force(true)}) before it returns: the core answers a vote right
 * after. {@link #recordCommitIndex} writes at most once per interval, unforced (the commit index is a hint for
 * recovery, see {@link ChronicleLogStore.Context#committedIndexHint}); {@link #close} writes the latest one, forced.
 * Unforced writes also never touch the slot holding the last forced record.
 * <p>
 * A file that exists but has no intact slot, or that is missing when the caller expects one, fails opening with a
 * {@link StorageCorruptionException} naming it: a member must never start over at term 0 with a vote forgotten.
 * (An intact older slot beside a damaged newer one is what a torn write leaves and is accepted: the newer value was
 * never acknowledged, since {@code store} had not returned.)
 */
public final class FileMetaStore implements MetaStore, AutoCloseable
{
    public static final long DEFAULT_COMMIT_INDEX_INTERVAL_MS = 1000;

    static final int SLOT_SIZE = 4096;
    static final int FILE_SIZE = 2 * SLOT_SIZE;
    static final int MAGIC = 0x534D4C52; // "RLMS" little-endian
    static final int VERSION = 1;
    static final int SEQUENCE_OFFSET = 8;
    static final int TERM_OFFSET = 16;
    static final int VOTE_OFFSET = 24;
    static final int COMMIT_OFFSET = 32;
    static final int CRC_OFFSET = 40;
    static final int RECORD_LENGTH = 48;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(RECORD_LENGTH).order(ORDER);
    private final UnsafeBuffer record = new UnsafeBuffer(buffer);
    private final CRC32C crc = new CRC32C();
    private final byte[] crcScratch = new byte[CRC_OFFSET];
    private final NanoClock clock;
    private final long commitIndexIntervalNs;

    private long sequence;
    private long currentTerm;
    private int votedFor;
    private long recordedCommitIndex;
    private long pendingCommitIndex;
    private long lastCommitWriteNs;
    private int forcedSlot;
    private boolean recoveredFromTornWrite;
    private boolean closed;

    private FileMetaStore(final Path file, final boolean createIfMissing, final long intervalMs, final NanoClock clock)
    {
        this.file = file;
        this.clock = clock;
        this.commitIndexIntervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        if (!Files.exists(file))
        {
            if (!createIfMissing)
            {
                throw new StorageCorruptionException(file, StorageCorruptionException.NO_INDEX,
                    "the metadata file (term and vote) is missing, but the member has state that expects it");
            }
            create(file);
        }
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open metadata file " + file, ex);
        }
        try
        {
            load();
            // whatever was read may so far live only in the page cache: make it the durable base for what follows
            channel.force(true);
        }
        catch (final IOException ex)
        {
            closeQuietly();
            throw new UncheckedIOException("cannot read metadata file " + file, ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly();
            throw ex;
        }
        lastCommitWriteNs = clock.nanoTime();
    }

    /**
     * Opens the metadata file, creating it (term 0, no vote) if absent and {@code createIfMissing}.
     *
     * @param createIfMissing false when the member has other state (a log): then a missing file is an error.
     * @throws StorageCorruptionException if the file is missing but expected, or has no intact slot.
     */
    public static FileMetaStore open(final Path file, final boolean createIfMissing)
    {
        return new FileMetaStore(file, createIfMissing, DEFAULT_COMMIT_INDEX_INTERVAL_MS, SystemNanoClock.INSTANCE);
    }

    /**
     * As {@link #open(Path, boolean)}, recording the commit index at most every {@code commitIndexIntervalMs} by
     * {@code clock}.
     */
    public static FileMetaStore open(
        final Path file, final boolean createIfMissing, final long commitIndexIntervalMs, final NanoClock clock)
    {
        if (commitIndexIntervalMs < 0)
        {
            throw new IllegalArgumentException("commitIndexIntervalMs must not be negative: " + commitIndexIntervalMs);
        }
        return new FileMetaStore(file, createIfMissing, commitIndexIntervalMs, clock);
    }

    public Path file()
    {
        return file;
    }

    public long currentTerm()
    {
        return currentTerm;
    }

    public int votedFor()
    {
        return votedFor;
    }

    /**
     * @return true if opening found the newer slot damaged (a write torn by a crash) and used the older one.
     */
    public boolean recoveredFromTornWrite()
    {
        return recoveredFromTornWrite;
    }

    public void store(final long term, final int votedFor)
    {
        checkOpen();
        if (term < currentTerm)
        {
            throw new IllegalStateException("term goes back from " + currentTerm + " to " + term);
        }
        if (term == currentTerm && this.votedFor != NO_VOTE && votedFor != this.votedFor)
        {
            throw new IllegalStateException("second vote in term " + term + ": " + this.votedFor + " then " + votedFor);
        }
        final long commitIndex = Math.max(recordedCommitIndex, pendingCommitIndex);
        final int slot = 1 - forcedSlot;
        write(slot, sequence + 1, term, votedFor, commitIndex, true);
        forcedSlot = slot;
        currentTerm = term;
        this.votedFor = votedFor;
        recordedCommitIndex = commitIndex;
    }

    /**
     * Notes the commit index; written (not forced) when the interval since the last write has passed.
     */
    public void recordCommitIndex(final long commitIndex)
    {
        checkOpen();
        if (commitIndex <= pendingCommitIndex)
        {
            return;
        }
        pendingCommitIndex = commitIndex;
        final long nowNs = clock.nanoTime();
        if (nowNs - lastCommitWriteNs >= commitIndexIntervalNs)
        {
            lastCommitWriteNs = nowNs;
            write(1 - forcedSlot, sequence + 1, currentTerm, votedFor, commitIndex, false);
            recordedCommitIndex = commitIndex;
        }
    }

    /**
     * @return the commit index last written to the file (at opening, the one recorded before).
     */
    public long lastRecordedCommitIndex()
    {
        return recordedCommitIndex;
    }

    /**
     * Writes and forces the latest commit index if it was not written yet, and closes the file.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            if (pendingCommitIndex > recordedCommitIndex)
            {
                final int slot = 1 - forcedSlot;
                write(slot, sequence + 1, currentTerm, votedFor, pendingCommitIndex, true);
                forcedSlot = slot;
                recordedCommitIndex = pendingCommitIndex;
            }
        }
        finally
        {
            closed = true;
            closeQuietly();
        }
    }

    private void write(
        final int slot, final long sequence, final long term, final int votedFor, final long commitIndex,
        final boolean force)
    {
        encode(record, sequence, term, votedFor, commitIndex);
        buffer.clear();
        try
        {
            FileIo.writeFully(channel, buffer, (long)slot * SLOT_SIZE);
            if (force)
            {
                channel.force(true);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write metadata file " + file, ex);
        }
        this.sequence = sequence;
    }

    private void encode(
        final UnsafeBuffer dst, final long sequence, final long term, final int votedFor, final long commitIndex)
    {
        dst.setMemory(0, RECORD_LENGTH, (byte)0);
        dst.putInt(0, MAGIC, ORDER);
        dst.putInt(4, VERSION, ORDER);
        dst.putLong(SEQUENCE_OFFSET, sequence, ORDER);
        dst.putLong(TERM_OFFSET, term, ORDER);
        dst.putInt(VOTE_OFFSET, votedFor, ORDER);
        dst.putLong(COMMIT_OFFSET, commitIndex, ORDER);
        dst.putInt(CRC_OFFSET, checksum(dst), ORDER);
    }

    private int checksum(final UnsafeBuffer src)
    {
        src.getBytes(0, crcScratch);
        crc.reset();
        crc.update(crcScratch, 0, CRC_OFFSET);
        return (int)crc.getValue();
    }

    private boolean intact(final UnsafeBuffer src)
    {
        return src.getInt(0, ORDER) == MAGIC && src.getInt(4, ORDER) == VERSION &&
            src.getInt(CRC_OFFSET, ORDER) == checksum(src) && src.getLong(TERM_OFFSET, ORDER) >= 0;
    }

    private void load() throws IOException
    {
        final long size = channel.size();
        if (size != FILE_SIZE)
        {
            throw new StorageCorruptionException(file, StorageCorruptionException.NO_INDEX,
                "metadata file is " + size + " bytes, not " + FILE_SIZE);
        }
        int best = -1;
        long bestSequence = -1;
        int intactSlots = 0;
        boolean anyWritten = false;
        for (int slot = 0; slot < 2; slot++)
        {
            buffer.clear();
            if (!FileIo.readFully(channel, buffer, (long)slot * SLOT_SIZE))
            {
                throw new StorageCorruptionException(file, StorageCorruptionException.NO_INDEX,
                    "metadata file ends inside slot " + slot);
            }
            anyWritten |= record.getLong(0) != 0 || record.getLong(CRC_OFFSET) != 0;
            if (intact(record))
            {
                intactSlots++;
                final long slotSequence = record.getLong(SEQUENCE_OFFSET, ORDER);
                if (slotSequence > bestSequence)
                {
                    best = slot;
                    bestSequence = slotSequence;
                }
            }
        }
        if (best < 0)
        {
            throw new StorageCorruptionException(file, StorageCorruptionException.NO_INDEX,
                anyWritten ? "neither slot holds an intact record (magic, version or checksum wrong)" :
                "the metadata file holds no record");
        }
        buffer.clear();
        FileIo.readFully(channel, buffer, (long)best * SLOT_SIZE);
        sequence = record.getLong(SEQUENCE_OFFSET, ORDER);
        currentTerm = record.getLong(TERM_OFFSET, ORDER);
        votedFor = record.getInt(VOTE_OFFSET, ORDER);
        recordedCommitIndex = record.getLong(COMMIT_OFFSET, ORDER);
        pendingCommitIndex = recordedCommitIndex;
        forcedSlot = best;
        recoveredFromTornWrite = intactSlots == 1 && otherSlotWritten(1 - best);
    }

    private boolean otherSlotWritten(final int slot) throws IOException
    {
        buffer.clear();
        FileIo.readFully(channel, buffer, (long)slot * SLOT_SIZE);
        for (int i = 0; i < RECORD_LENGTH; i += 8)
        {
            if (record.getLong(i) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A new file holds slot 0 (sequence 1, term 0, no vote): written under a temporary name, forced, renamed.
     */
    private void create(final Path file)
    {
        final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                encode(record, 1, 0, NO_VOTE, 0);
                buffer.clear();
                FileIo.writeFully(out, buffer, 0);
                FileIo.writeFully(out, ByteBuffer.allocate(FILE_SIZE - RECORD_LENGTH), RECORD_LENGTH);
                out.force(true);
            }
            FileIo.replaceAtomically(temp, file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create metadata file " + file, ex);
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("metadata store " + file + " is closed");
        }
    }

    private void closeQuietly()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // nothing more to do with a file that failed
        }
    }
}

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
 * number and a CRC32C; opening takes the intact slot with the higher sequence.
 * <pre>
 *   file: | slot 0 (4 KiB) | slot 1 (4 KiB) |      (separate pages: a write of one never touches the other)
 *   slot: 0 magic "RLMS" | 4 version | 8 sequence | 16 term | 24 votedFor (int32) | 28 reserved |
 *         32 commit index | 40 crc32c of bytes [0, 40) | 44 reserved |           little-endian, 48 bytes used
 * </pre>
 * {@link #store} writes the new term and vote to slot 0 and forces it, then to slot 1 and forces it, before it
 * returns: the core answers a vote right after. {@link #recordCommitIndex} writes slot 1 only, at most once per
 * interval, unforced (the commit index is a hint for recovery, see
 * {@link ChronicleLogStore.Context#committedIndexHint}); {@link #close} writes the latest one there, forced.
 * <p>
 * So every term and vote this member acted on is in both slots, and one damaged slot loses nothing that matters:
 * a crash tearing the first write of {@code store} leaves slot 1 with the previous term and vote (the new ones were
 * never acted on: {@code store} had not returned); tearing the second leaves slot 0 with the new ones; a torn or
 * flipped slot 1 leaves slot 0 with the latest term and vote and an older commit index (lower is safe); a flipped
 * slot 0 leaves slot 1 with the same term and vote. Opening repairs the damaged slot from the other, forced.
 * <p>
 * A file that exists but has no intact slot, that is missing when the caller expects one, or that was written by
 * version 1 (which alternated the slots, so a damaged slot there may have held the newer vote) with a damaged slot,
 * fails opening with a {@link StorageCorruptionException} naming it and why: a member must never start over at an
 * older term, or at term 0, with a vote forgotten, since it could then vote twice in one term.
 */
public final class FileMetaStore implements MetaStore, AutoCloseable
{
    public static final long DEFAULT_COMMIT_INDEX_INTERVAL_MS = 1000;

    static final int SLOT_SIZE = 4096;
    static final int FILE_SIZE = 2 * SLOT_SIZE;
    static final int MAGIC = 0x534D4C52; // "RLMS" little-endian
    /** Every forced record in both slots; version 1 alternated them. */
    static final int VERSION = 2;
    static final int VERSION_ALTERNATING = 1;
    /** The slot {@link #recordCommitIndex} writes, unforced; {@link #store} writes slot 0 first. */
    static final int COMMIT_SLOT = 1;
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
    private int repairedSlot = -1;
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
     * @return the slot opening found damaged (a torn write or a flipped bit) and rewrote from the other, or -1.
     */
    public int repairedSlot()
    {
        return repairedSlot;
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
        write(0, sequence + 1, term, votedFor, commitIndex, true);
        write(COMMIT_SLOT, sequence + 1, term, votedFor, commitIndex, true);
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
            write(COMMIT_SLOT, sequence + 1, currentTerm, votedFor, commitIndex, false);
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
                write(COMMIT_SLOT, sequence + 1, currentTerm, votedFor, pendingCommitIndex, true);
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
        return checksum(src, crc, crcScratch);
    }

    private static int checksum(final UnsafeBuffer src, final CRC32C crc, final byte[] scratch)
    {
        src.getBytes(0, scratch, 0, CRC_OFFSET);
        crc.reset();
        crc.update(scratch, 0, CRC_OFFSET);
        return (int)crc.getValue();
    }

    private boolean intact(final UnsafeBuffer src)
    {
        return isWhole(src, crc, crcScratch) && src.getLong(TERM_OFFSET, ORDER) >= 0;
    }

    /**
     * Whether a slot's bytes hold a record this format wrote: its magic, a version it knows, and its checksum. Also
     * for {@link MetaFileCommitIndex}, which reads the same slots from another process.
     *
     * @param scratch at least {@link #CRC_OFFSET} bytes.
     */
    static boolean isWhole(final UnsafeBuffer slot, final CRC32C crc, final byte[] scratch)
    {
        final int version = slot.getInt(4, ORDER);
        return slot.getInt(0, ORDER) == MAGIC && (version == VERSION || version == VERSION_ALTERNATING) &&
            slot.getInt(CRC_OFFSET, ORDER) == checksum(slot, crc, scratch);
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
        int damaged = -1;
        for (int slot = 0; slot < 2; slot++)
        {
            buffer.clear();
            if (!FileIo.readFully(channel, buffer, (long)slot * SLOT_SIZE))
            {
                throw new StorageCorruptionException(file, StorageCorruptionException.NO_INDEX,
                    "metadata file ends inside slot " + slot);
            }
            if (intact(record))
            {
                final long slotSequence = record.getLong(SEQUENCE_OFFSET, ORDER);
                if (slotSequence > bestSequence)
                {
                    best = slot;
                    bestSequence = slotSequence;
                }
            }
            else if (written(record))
            {
                damaged = damaged < 0 ? slot : 2;
            }
        }
        if (best < 0)
        {
            throw new StorageCorruptionException(file, StorageCorruptionException.NO_INDEX,
                damaged >= 0 ? "neither slot holds an intact record (magic, version or checksum wrong): the term " +
                "and vote this member last acted on are lost" : "the metadata file holds no record");
        }
        buffer.clear();
        FileIo.readFully(channel, buffer, (long)best * SLOT_SIZE);
        if (damaged >= 0 && record.getInt(4, ORDER) == VERSION_ALTERNATING)
        {
            throw new StorageCorruptionException(file, StorageCorruptionException.NO_INDEX,
                "slot " + damaged + " is damaged (magic, version or checksum wrong) and the file was written by " +
                "version 1, which kept a vote in one slot only: slot " + best + " holds term " +
                record.getLong(TERM_OFFSET, ORDER) + ", but the damaged slot may have held a later term or vote, " +
                "and starting from the older one could let this member vote twice in one term");
        }
        sequence = record.getLong(SEQUENCE_OFFSET, ORDER);
        currentTerm = record.getLong(TERM_OFFSET, ORDER);
        votedFor = record.getInt(VOTE_OFFSET, ORDER);
        recordedCommitIndex = record.getLong(COMMIT_OFFSET, ORDER);
        pendingCommitIndex = recordedCommitIndex;
        if (damaged >= 0 || record.getInt(4, ORDER) == VERSION_ALTERNATING)
        {
            // both slots hold the record again (in this version's format) before anything acts on it
            repairedSlot = damaged;
            write(0, sequence + 1, currentTerm, votedFor, recordedCommitIndex, true);
            write(COMMIT_SLOT, sequence + 1, currentTerm, votedFor, recordedCommitIndex, true);
        }
    }

    /**
     * @return whether a slot that is not intact was ever written (a file is created with zeros where no record is).
     */
    private boolean written(final UnsafeBuffer src)
    {
        for (int i = 0; i < RECORD_LENGTH; i += 8)
        {
            if (src.getLong(i) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A new file holds term 0 and no vote in both slots: written under a temporary name, forced, renamed.
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
                FileIo.writeFully(out, ByteBuffer.allocate(FILE_SIZE), 0);
                for (int slot = 0; slot < 2; slot++)
                {
                    encode(record, 1, 0, NO_VOTE, 0);
                    buffer.clear();
                    FileIo.writeFully(out, buffer, (long)slot * SLOT_SIZE);
                }
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

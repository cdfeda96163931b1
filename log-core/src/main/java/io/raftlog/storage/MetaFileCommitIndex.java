package io.raftlog.storage;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The commit index a node recorded in its {@link FileMetaStore} file, read the way {@link FileMetaStore} loads it
 * (the intact slot with the higher sequence) but through a channel opened {@code READ} only: it never writes, never
 * forces and never creates the file, so it can be read beside a running node or after it stopped.
 * <p>
 * {@link #commitIndex()} re-reads the two slots each call (two positional reads into a preallocated direct buffer,
 * no allocation) and never goes back: a slot torn by a concurrent write of the node fails its CRC and the other
 * slot is used; the value returned is the largest intact one seen. Not thread-safe.
 * <p>
 * A bound for a {@link CommittedLogReader} of a node that does not run, or the fallback of a bound that follows a
 * running node's commit-index counter ({@code io.raftlog.node.AeronCounterCommitIndex}) for when the node stops.
 */
public final class MetaFileCommitIndex implements CommittedLogReader.CommitIndexSupplier, AutoCloseable
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer =
        ByteBuffer.allocateDirect(FileMetaStore.RECORD_LENGTH).order(ORDER);
    private final UnsafeBuffer record = new UnsafeBuffer(buffer);
    private final CRC32C crc = new CRC32C();
    private final byte[] crcScratch = new byte[FileMetaStore.CRC_OFFSET];
    private long commitIndex;

    /**
     * Opens {@code file} for reading only and reads it once.
     *
     * @throws UncheckedIOException         if it cannot be opened.
     * @throws StorageCorruptionException if neither slot holds an intact record.
     */
    public MetaFileCommitIndex(final Path file)
    {
        this.file = file;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open metadata file " + file + " for reading", ex);
        }
        try
        {
            if (!read())
            {
                throw new StorageCorruptionException(file, StorageCorruptionException.NO_INDEX,
                    "neither slot of the metadata file holds an intact record");
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    public Path file()
    {
        return file;
    }

    /**
     * @return the largest commit index the file recorded in an intact slot, re-read now (a torn slot keeps the
     * previous answer).
     */
    public long commitIndex()
    {
        read();
        return commitIndex;
    }

    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // read-only: nothing was written that could be lost
        }
    }

    /**
     * @return true if a slot was intact.
     */
    private boolean read()
    {
        long bestSequence = -1;
        long bestCommit = 0;
        for (int slot = 0; slot < 2; slot++)
        {
            buffer.clear();
            try
            {
                if (!FileIo.readFully(channel, buffer, (long)slot * FileMetaStore.SLOT_SIZE))
                {
                    continue;
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read metadata file " + file, ex);
            }
            if (intact())
            {
                final long sequence = record.getLong(FileMetaStore.SEQUENCE_OFFSET, ORDER);
                if (sequence > bestSequence)
                {
                    bestSequence = sequence;
                    bestCommit = record.getLong(FileMetaStore.COMMIT_OFFSET, ORDER);
                }
            }
        }
        if (bestSequence < 0)
        {
            return false;
        }
        if (bestCommit > commitIndex)
        {
            commitIndex = bestCommit;
        }
        return true;
    }

    private boolean intact()
    {
        return FileMetaStore.isWhole(record, crc, crcScratch) &&
            record.getLong(FileMetaStore.COMMIT_OFFSET, ORDER) >= 0;
    }
}

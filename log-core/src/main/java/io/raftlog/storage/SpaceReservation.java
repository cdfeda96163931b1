package io.raftlog.storage;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Claims disk blocks ahead of where the log writes, with plain positional writes, so that no write into Chronicle's
 * memory map ever needs a block the device does not have.
 * <p>
 * Why: Chronicle writes documents into a mapped, sparse cycle file. On a full device the page fault of such a write
 * cannot get a block and the kernel sends SIGBUS, which the JVM turns into an {@code InternalError} ("a fault
 * occurred in an unsafe memory access operation") raised wherever the thread happens to be, possibly after the
 * record was half written and its document marked complete. A {@code pwrite} to the same region fails cleanly with
 * {@code ENOSPC} instead, before anything is written. So the store claims each region before it writes there: it
 * reads the bytes back and writes the same bytes (zeros in a hole, and whatever a torn document left: nothing
 * changes), which makes the file system allocate them.
 * <p>
 * The store claims a whole batch before it writes any of it ({@link #ensure}) and keeps {@link #STEP} more claimed
 * ahead, so one claim (a read and a write of 1 MiB) serves a MiB of entries. A new cycle file is created by
 * Chronicle inside its first write, before there is a file to claim in: the store first checks that the device has
 * room for it ({@link #checkRoomForNewFile}); another process filling the device in between is the one window left.
 * <p>
 * Not thread-safe; allocation only when the store moves to another cycle file (a channel is opened).
 */
final class SpaceReservation implements AutoCloseable
{
    /** Claimed at a time, and kept claimed ahead of the write position. */
    static final int STEP = 1 << 20;

    /** Room a new cycle file needs before its first documents: Chronicle's header and first index pages. */
    static final long NEW_FILE_BYTES = 4L << 20;

    private final Path directory;
    private final long claimLimit;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(STEP);
    private FileChannel channel;
    private File file;
    private long claimedUpTo;

    /**
     * @param claimLimit the file position past which claims fail as if the device were full ({@link Long#MAX_VALUE}
     *                   but in tests).
     */
    SpaceReservation(final Path directory, final long claimLimit)
    {
        this.directory = directory;
        this.claimLimit = claimLimit;
    }

    /**
     * Makes {@code file} the one claims are made in, from {@code position} on (where the next document goes).
     */
    void moveTo(final File file, final long position)
    {
        closeChannel();
        try
        {
            channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new StorageFullException(directory, STEP, "cannot open " + file + " to claim room in it: " + ex, ex);
        }
        this.file = file;
        this.claimedUpTo = position;
    }

    /**
     * Claims the file up to {@code position} plus {@link #STEP}, if not yet claimed.
     *
     * @throws StorageFullException if the device has no room: nothing was changed.
     */
    void ensure(final long position)
    {
        if (channel == null || position <= claimedUpTo)
        {
            return;
        }
        final long target = position + STEP;
        while (claimedUpTo < target)
        {
            claim(claimedUpTo, (int)Math.min(STEP, target - claimedUpTo));
        }
    }

    /**
     * Before Chronicle creates a new cycle file inside a write: fails if the device has not room for it and
     * {@code bytes} of documents.
     */
    void checkRoomForNewFile(final long bytes)
    {
        final long wanted = NEW_FILE_BYTES + bytes;
        final long usable;
        try
        {
            usable = Files.getFileStore(directory).getUsableSpace();
        }
        catch (final IOException ex)
        {
            return; // cannot tell: Chronicle's own write will find out
        }
        if (usable < wanted || claimLimit != Long.MAX_VALUE && claimLimit < wanted)
        {
            throw new StorageFullException(directory, wanted, "a new cycle file needs " + wanted + " bytes, the " +
                "device has " + usable + " usable", null);
        }
    }

    private void claim(final long position, final int length)
    {
        if (position + length > claimLimit)
        {
            throw new StorageFullException(directory, length, "claim beyond the test limit of " + claimLimit +
                " bytes in " + file, null);
        }
        try
        {
            chunk.clear().limit(length);
            final long size = channel.size();
            if (position < size)
            {
                final int existing = (int)Math.min(length, size - position);
                chunk.limit(existing);
                FileIo.readFully(channel, chunk, position);
                chunk.limit(length);
            }
            // past the end of the file: zeros, as a read of a hole gives
            while (chunk.remaining() >= 8)
            {
                chunk.putLong(0);
            }
            while (chunk.hasRemaining())
            {
                chunk.put((byte)0);
            }
            chunk.flip();
            FileIo.writeFully(channel, chunk, position);
        }
        catch (final IOException ex)
        {
            throw new StorageFullException(directory, length, "claiming " + length + " bytes at " + position +
                " of " + file + " failed: " + ex.getMessage(), ex);
        }
        claimedUpTo = position + length;
    }

    public void close()
    {
        closeChannel();
    }

    private void closeChannel()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // claims changed no byte: nothing to lose
            }
            channel = null;
            file = null;
        }
    }
}

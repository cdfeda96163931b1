package io.raftlog.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The few file operations the stores need to make a change durable and atomic: a positional write or read that
 * loops until done, forcing a directory (so a rename or a new file survives power loss), and
 * write-temp-then-rename.
 */
final class FileIo
{
    private FileIo()
    {
    }

    static void writeFully(final FileChannel channel, final ByteBuffer buffer, final long position) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
    }

    /**
     * @return false if the file ended first.
     */
    static boolean readFully(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, at);
            if (read < 0)
            {
                return false;
            }
            at += read;
        }
        return true;
    }

    /**
     * Forces a directory's entries (new, renamed, deleted files) to the device; Linux supports fsync on a directory.
     */
    static void forceDirectory(final Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force directory " + directory + " to the device", ex);
        }
    }

    /**
     * Renames {@code from} over {@code to} atomically, then forces the directory so the rename is durable.
     */
    static void replaceAtomically(final Path from, final Path to) throws IOException
    {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(to.toAbsolutePath().getParent());
    }
}

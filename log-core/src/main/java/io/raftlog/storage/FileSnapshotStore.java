package io.raftlog.storage;

import io.raftlog.core.SnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The member's current snapshot as one file, {@code snapshot} in its directory. A new one (saved, or received from
 * the leader in chunks) is written under a temporary name, forced, and renamed over the current one atomically,
 * then the directory is forced: a crash leaves either the old snapshot or the new one, never a mix, and the rename
 * itself deletes the old one.
 * <pre>
 *   0 magic "RLSN" | 4 version | 8 last included index | 16 last included term | 24 state length (int64) |
 *   32 configuration length (int32) | 36 crc32c of the state | 40 crc32c of bytes [0, 40) and the configuration |
 *   44 reserved | 48 state ... | configuration ...                                       (little-endian)
 * </pre>
 * The state comes first so chunks received from the leader go straight to their place before the configuration,
 * which arrives with the last one. Opening checks both checksums (reading the state once) and fails with a
 * {@link StorageCorruptionException} naming the file if either is wrong: the log may already be compacted past it.
 * <p>
 * Not thread-safe. Reads and chunk writes go through one reused direct buffer and allocate nothing.
 */
public final class FileSnapshotStore implements SnapshotStore, AutoCloseable
{
    /** The snapshot's file in the directory the store is opened on. */
    public static final String FILE_NAME = "snapshot";
    static final String CURRENT = FILE_NAME;
    static final String SAVING = "snapshot.saving";
    static final String RECEIVING = "snapshot.receiving";
    static final int MAGIC = 0x4E534C52; // "RLSN" little-endian
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 48;
    static final int MAX_CONFIGURATION_LENGTH = 1 << 20;
    private static final int IO_CHUNK = 64 * 1024;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final Path directory;
    private final Path currentFile;
    private final ByteBuffer io = ByteBuffer.allocateDirect(IO_CHUNK).order(ORDER);
    private final UnsafeBuffer ioView = new UnsafeBuffer(io);
    private final CRC32C crc = new CRC32C();
    private final byte[] crcScratch = new byte[IO_CHUNK];

    private FileChannel current;
    private long index;
    private long term;
    private long length;
    private byte[] configuration = new byte[0];

    private FileChannel receiving;
    private long receivingIndex = -1;
    private long receivingTerm;
    private long receivingLength;
    private long receivedPrefix;
    private boolean closed;

    private FileSnapshotStore(final Path directory)
    {
        this.directory = directory;
        this.currentFile = directory.resolve(CURRENT);
        try
        {
            Files.createDirectories(directory);
            // a save or a transfer cut short by a crash: never made current, so never needed
            Files.deleteIfExists(directory.resolve(SAVING));
            Files.deleteIfExists(directory.resolve(RECEIVING));
            if (Files.exists(currentFile))
            {
                current = FileChannel.open(currentFile, StandardOpenOption.READ);
                load();
            }
        }
        catch (final IOException ex)
        {
            closeQuietly(current);
            throw new UncheckedIOException("cannot open snapshot store " + directory, ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(current);
            throw ex;
        }
    }

    /**
     * Opens the snapshot store in {@code directory}, creating the directory if absent.
     *
     * @throws StorageCorruptionException if the current snapshot is damaged.
     */
    public static FileSnapshotStore open(final Path directory)
    {
        return new FileSnapshotStore(directory);
    }

    public Path directory()
    {
        return directory;
    }

    public long lastIncludedIndex()
    {
        return index;
    }

    public long lastIncludedTerm()
    {
        return term;
    }

    public int readConfiguration(final MutableDirectBuffer dst, final int offset)
    {
        dst.putBytes(offset, configuration, 0, configuration.length);
        return configuration.length;
    }

    public long length()
    {
        return length;
    }

    public int read(final long position, final MutableDirectBuffer dst, final int offset, final int maxLength)
    {
        checkOpen();
        if (position < 0 || position > length)
        {
            throw new IllegalArgumentException("read at " + position + " outside the snapshot of " + length + " bytes");
        }
        final int total = (int)Math.min(maxLength, length - position);
        int done = 0;
        try
        {
            while (done < total)
            {
                final int chunk = Math.min(IO_CHUNK, total - done);
                io.clear().limit(chunk);
                if (!FileIo.readFully(current, io, HEADER_LENGTH + position + done))
                {
                    throw new IllegalStateException("snapshot file " + currentFile + " shorter than its header says");
                }
                dst.putBytes(offset + done, ioView, 0, chunk);
                done += chunk;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read snapshot " + currentFile, ex);
        }
        return total;
    }

    public void save(
        final long index,
        final long term,
        final DirectBuffer configuration,
        final int configurationOffset,
        final int configurationLength,
        final DirectBuffer state,
        final int stateOffset,
        final int stateLength)
    {
        checkOpen();
        if (index <= this.index)
        {
            throw new IllegalStateException("snapshot at " + index + " not after " + this.index);
        }
        final Path temp = directory.resolve(SAVING);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
        {
            writeBytes(out, HEADER_LENGTH, state, stateOffset, stateLength);
            final int stateCrc = checksumOf(out, stateLength);
            writeBytes(out, HEADER_LENGTH + (long)stateLength, configuration, configurationOffset, configurationLength);
            writeHeader(out, index, term, stateLength, stateCrc, configuration, configurationOffset,
                configurationLength);
            out.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write snapshot " + temp, ex);
        }
        makeCurrent(temp);
    }

    public void beginReceive(final long index, final long term, final long length)
    {
        checkOpen();
        if (length < 0)
        {
            throw new IllegalArgumentException("snapshot length " + length);
        }
        closeQuietly(receiving);
        receiving = null;
        try
        {
            receiving = FileChannel.open(directory.resolve(RECEIVING), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start receiving a snapshot in " + directory, ex);
        }
        receivingIndex = index;
        receivingTerm = term;
        receivingLength = length;
        receivedPrefix = 0;
    }

    public void receiveChunk(final long position, final DirectBuffer chunk, final int offset, final int length)
    {
        checkOpen();
        if (receiving == null || position < 0 || position + length > receivingLength)
        {
            throw new IllegalStateException("chunk [" + position + ", " + (position + length) +
                ") outside the snapshot being received");
        }
        try
        {
            writeBytes(receiving, HEADER_LENGTH + position, chunk, offset, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write a received snapshot chunk in " + directory, ex);
        }
        if (position <= receivedPrefix)
        {
            receivedPrefix = Math.max(receivedPrefix, position + length);
        }
    }

    public void completeReceive(final DirectBuffer configuration, final int offset, final int length)
    {
        checkOpen();
        if (receiving == null)
        {
            throw new IllegalStateException("no snapshot is being received");
        }
        if (receivedPrefix != receivingLength)
        {
            throw new IllegalStateException("snapshot at " + receivingIndex + " incomplete: " + receivedPrefix +
                " of " + receivingLength + " bytes received in order");
        }
        final Path temp = directory.resolve(RECEIVING);
        try
        {
            final int stateCrc = checksumOf(receiving, receivingLength);
            writeBytes(receiving, HEADER_LENGTH + receivingLength, configuration, offset, length);
            writeHeader(receiving, receivingIndex, receivingTerm, receivingLength, stateCrc, configuration, offset,
                length);
            receiving.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot complete the received snapshot " + temp, ex);
        }
        finally
        {
            closeQuietly(receiving);
            receiving = null;
            receivingIndex = -1;
        }
        makeCurrent(temp);
    }

    public void close()
    {
        if (!closed)
        {
            closed = true;
            closeQuietly(receiving);
            closeQuietly(current);
        }
    }

    private void makeCurrent(final Path temp)
    {
        closeQuietly(current);
        current = null;
        try
        {
            FileIo.replaceAtomically(temp, currentFile);
            current = FileChannel.open(currentFile, StandardOpenOption.READ);
            load();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make " + temp + " the current snapshot", ex);
        }
    }

    private void writeHeader(
        final FileChannel out,
        final long index,
        final long term,
        final long stateLength,
        final int stateCrc,
        final DirectBuffer configuration,
        final int configurationOffset,
        final int configurationLength) throws IOException
    {
        if (configurationLength > MAX_CONFIGURATION_LENGTH)
        {
            throw new IllegalArgumentException("configuration of " + configurationLength + " bytes");
        }
        ioView.setMemory(0, HEADER_LENGTH, (byte)0);
        ioView.putInt(0, MAGIC, ORDER);
        ioView.putInt(4, VERSION, ORDER);
        ioView.putLong(8, index, ORDER);
        ioView.putLong(16, term, ORDER);
        ioView.putLong(24, stateLength, ORDER);
        ioView.putInt(32, configurationLength, ORDER);
        ioView.putInt(36, stateCrc, ORDER);
        crc.reset();
        ioView.getBytes(0, crcScratch, 0, 40);
        crc.update(crcScratch, 0, 40);
        for (int done = 0; done < configurationLength; )
        {
            final int chunk = Math.min(crcScratch.length, configurationLength - done);
            configuration.getBytes(configurationOffset + done, crcScratch, 0, chunk);
            crc.update(crcScratch, 0, chunk);
            done += chunk;
        }
        ioView.putInt(40, (int)crc.getValue(), ORDER);
        io.clear().limit(HEADER_LENGTH);
        FileIo.writeFully(out, io, 0);
    }

    private void writeBytes(
        final FileChannel out, final long position, final DirectBuffer src, final int offset, final int length)
        throws IOException
    {
        for (int done = 0; done < length; )
        {
            final int chunk = Math.min(IO_CHUNK, length - done);
            ioView.putBytes(0, src, offset + done, chunk);
            io.clear().limit(chunk);
            FileIo.writeFully(out, io, position + done);
            done += chunk;
        }
    }

    /**
     * @return the CRC32C of the state bytes as they are in the file (what is checked is what reached it).
     */
    private int checksumOf(final FileChannel in, final long stateLength) throws IOException
    {
        crc.reset();
        for (long done = 0; done < stateLength; )
        {
            final int chunk = (int)Math.min(IO_CHUNK, stateLength - done);
            io.clear().limit(chunk);
            if (!FileIo.readFully(in, io, HEADER_LENGTH + done))
            {
                return ~0;
            }
            ioView.getBytes(0, crcScratch, 0, chunk);
            crc.update(crcScratch, 0, chunk);
            done += chunk;
        }
        return (int)crc.getValue();
    }

    private void load() throws IOException
    {
        io.clear().limit(HEADER_LENGTH);
        if (!FileIo.readFully(current, io, 0))
        {
            throw corrupt("shorter than its header");
        }
        if (ioView.getInt(0, ORDER) != MAGIC || ioView.getInt(4, ORDER) != VERSION)
        {
            throw corrupt("not a snapshot file (magic or version)");
        }
        final long fileIndex = ioView.getLong(8, ORDER);
        final long fileTerm = ioView.getLong(16, ORDER);
        final long stateLength = ioView.getLong(24, ORDER);
        final int configurationLength = ioView.getInt(32, ORDER);
        final int stateCrc = ioView.getInt(36, ORDER);
        final int headerCrc = ioView.getInt(40, ORDER);
        if (stateLength < 0 || configurationLength < 0 || configurationLength > MAX_CONFIGURATION_LENGTH ||
            current.size() != HEADER_LENGTH + stateLength + configurationLength)
        {
            throw corrupt("lengths in the header (state " + stateLength + ", configuration " + configurationLength +
                ") do not match the file of " + current.size() + " bytes");
        }
        crc.reset();
        ioView.getBytes(0, crcScratch, 0, 40);
        crc.update(crcScratch, 0, 40);
        final byte[] readConfiguration = new byte[configurationLength];
        final ByteBuffer configurationBuffer = ByteBuffer.wrap(readConfiguration);
        if (!FileIo.readFully(current, configurationBuffer, HEADER_LENGTH + stateLength))
        {
            throw corrupt("configuration cut short");
        }
        crc.update(readConfiguration, 0, configurationLength);
        if ((int)crc.getValue() != headerCrc)
        {
            throw corrupt("header or configuration checksum mismatch");
        }
        if (checksumOf(current, stateLength) != stateCrc)
        {
            throw corrupt("state checksum mismatch");
        }
        index = fileIndex;
        term = fileTerm;
        length = stateLength;
        configuration = readConfiguration;
    }

    private StorageCorruptionException corrupt(final String reason)
    {
        return new StorageCorruptionException(currentFile, StorageCorruptionException.NO_INDEX, "snapshot " + reason);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("snapshot store " + directory + " is closed");
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to do with it
            }
        }
    }
}

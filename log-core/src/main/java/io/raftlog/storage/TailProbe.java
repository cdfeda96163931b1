package io.raftlog.storage;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Looks at a cycle file's raw bytes past the point where recovery's scan stopped believing it, for whole frames: a
 * tail torn by a crash leaves none there, but a damaged Chronicle document header does. Chronicle finds the next
 * document from the length in the one before, so a flipped bit in that header (its length, or its not-complete
 * flag) hides every document after it from a tailer: the file then reads exactly like a torn tail, while the
 * documents after it, acknowledged perhaps, are still on disk.
 * <pre>
 *   document: | header (int32 LE: bit 31 not complete, bit 30 metadata, bits 0-29 length) | frame (length bytes) |
 *             documents start 4-byte aligned
 * </pre>
 * The probe tries every 4-aligned position from {@code from} up to the file's recorded write position (the header
 * of the last document Chronicle says it wrote) as a header: a complete data document whose frame is an intact
 * ENTRY (its CRC32C) or control frame ({@link FrameApplier#isIntact}). A random position passes that only with the
 * odds of a CRC32C collision after a plausible length and type. Only run on damage, at start: it allocates, and
 * reads at most to the recorded write position plus one frame.
 */
final class TailProbe
{
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int META_DATA = 0x4000_0000;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int CHUNK = 1 << 20;

    private TailProbe()
    {
    }

    /**
     * @return the position of the first whole frame's document header in {@code file} in [{@code from},
     * {@code writePosition}], or -1 if none.
     */
    static long findWholeFrame(final File file, final long from, final long writePosition, final long maxFrameLength)
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            final long size = channel.size();
            final long last = Math.min(writePosition, size - 4);
            final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            final FrameApplier applier = new FrameApplier(new LogIndex(16), FrameApplier.Guard.NONE);
            ByteBuffer frameBytes = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);
            long chunkStart = -1;
            for (long position = (from + 3) & ~3L; position <= last; position += 4)
            {
                if (chunkStart < 0 || position + 4 > chunkStart + chunk.limit())
                {
                    chunkStart = position;
                    chunk.clear();
                    FileIo.readFully(channel, chunk.limit((int)Math.min(CHUNK, size - position)), position);
                    chunk.flip();
                }
                final int header = chunk.getInt((int)(position - chunkStart));
                final int length = header & LENGTH_MASK;
                if ((header & (NOT_COMPLETE | META_DATA)) != 0 || length < LogFrame.FIELDS_OFFSET ||
                    length > maxFrameLength || position + 4 + length > size)
                {
                    continue;
                }
                if (frameBytes.capacity() < length)
                {
                    frameBytes = ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
                }
                frameBytes.clear().limit(length);
                FileIo.readFully(channel, frameBytes, position + 4);
                final int type = frameBytes.getInt(0);
                if (type < LogFrame.ENTRY || type > LogFrame.CHECKPOINT)
                {
                    continue;
                }
                applier.view.wrap(frameBytes, 0, length);
                if (applier.isIntact())
                {
                    return position;
                }
            }
            return -1;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file + " to look past its damaged tail", ex);
        }
    }
}

package io.raftlog.storage;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage at every byte of one record, after the store closed: a tail cut at any offset inside the last record (what
 * a crash leaves) is cut back and the log goes on; a bit flipped at any offset of a record inside the log (what a
 * bad sector or a stray write leaves) is never cut: opening fails naming the file and the index, whatever commit
 * index the node recorded.
 */
@Timeout(120)
class ChronicleLogStoreDamageTest
{
    private static final int ENTRIES = 20;
    private static final int DAMAGED = 10;
    /** Chronicle's document header and the frame type before a record. */
    private static final int BEFORE_RECORD = 4 + LogFrame.TYPE_LENGTH;

    @TempDir
    Path tempDir;

    private final Records records = new Records();
    private final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(1 << 16);

    private ChronicleLogStore open(final Path dir, final long committedIndexHint)
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir).durability(Durability.PAGE_CACHE)
            .timeProvider(new SetTimeProvider(1_700_000_000_000_000_000L)).committedIndexHint(committedIndexHint));
    }

    /**
     * A log of 20 entries in {@code dir}; returns where the document of {@code index} starts and its length.
     */
    private long[] writeLog(final Path dir, final long index)
    {
        try (ChronicleLogStore store = open(dir, 0))
        {
            Records.append(store, records, 1, ENTRIES, 1);
            final long recordStart = store.filePositionOf(index);
            final long recordLength = store.bytesFrom(index) - (store.bytesFrom(index + 1)) - LogFrame.ENTRY_OVERHEAD;
            return new long[]{ recordStart - BEFORE_RECORD, BEFORE_RECORD + recordLength };
        }
    }

    private static File onlyCycleFile(final Path dir) throws IOException
    {
        try (var files = Files.list(dir))
        {
            final List<Path> cycleFiles = new ArrayList<>(files.filter(p -> p.toString().endsWith(".cq4")).toList());
            assertEquals(1, cycleFiles.size(), cycleFiles.toString());
            return cycleFiles.get(0).toFile();
        }
    }

    private void checkEntries(final ChronicleLogStore store, final long from, final long to, final long term)
    {
        for (long index = from; index <= to; index++)
        {
            store.copyRecords(index, 1, copy, 0);
            records.check(copy, 0, index, term);
        }
    }

    @Test
    void aLastRecordCutAtAnyOffsetIsCutBackAndTheLogGoesOn() throws IOException
    {
        final long[] layout = writeLog(tempDir.resolve("layout"), ENTRIES);
        for (int cut = 0; cut < layout[1]; cut++)
        {
            final Path dir = tempDir.resolve("cut-" + cut);
            writeLog(dir, ENTRIES);
            try (FileChannel channel = FileChannel.open(onlyCycleFile(dir).toPath(), StandardOpenOption.WRITE))
            {
                channel.truncate(layout[0] + cut); // the rest of the record never reached the disk
            }
            try (ChronicleLogStore store = open(dir, ENTRIES - 1))
            {
                assertEquals(ENTRIES - 1, store.lastIndex(), "cut at " + cut + " of " + layout[1]);
                checkEntries(store, 1, ENTRIES - 1, 1);
                Records.append(store, records, ENTRIES, ENTRIES + 2, 2);
            }
            try (ChronicleLogStore store = open(dir, ENTRIES + 2))
            {
                assertEquals(ENTRIES + 2, store.lastIndex(), "cut at " + cut);
                checkEntries(store, 1, ENTRIES - 1, 1);
                checkEntries(store, ENTRIES, ENTRIES + 2, 2);
            }
        }
    }

    @Test
    void aBitFlippedAtAnyOffsetOfARecordInsideTheLogFailsOpeningNamingFileAndIndex() throws IOException
    {
        final long[] layout = writeLog(tempDir.resolve("layout"), DAMAGED);
        final List<String> cut = new ArrayList<>();
        for (int offset = 0; offset < layout[1]; offset++)
        {
            // Chronicle's header: the lowest length bit, and the metadata and not-complete flags; then one bit a byte
            final int[] bits = offset < 4 ? new int[]{ 0, 6, 7 } : new int[]{ offset % 8 };
            for (final int bit : bits)
            {
                final Path dir = tempDir.resolve("flip-" + offset + "-" + bit);
                writeLog(dir, DAMAGED);
                final File file = onlyCycleFile(dir);
                flipBit(file, layout[0] + offset, bit);
                try (ChronicleLogStore store = open(dir, 0))
                {
                    cut.add("offset " + offset + " bit " + bit + ": opened with last index " + store.lastIndex());
                }
                catch (final StorageCorruptionException ex)
                {
                    if (ex.index() != DAMAGED || !file.toPath().equals(ex.file()))
                    {
                        cut.add("offset " + offset + " bit " + bit + ": " + ex.getMessage());
                    }
                }
            }
        }
        assertTrue(cut.isEmpty(), cut.size() + " flips not reported as damage at index " + DAMAGED + ":\n" +
            String.join("\n", cut));
    }

    private static void flipBit(final File file, final long position, final int bit) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte)(one.get(0) ^ (1 << bit))).rewind();
            channel.write(one, position);
        }
    }
}

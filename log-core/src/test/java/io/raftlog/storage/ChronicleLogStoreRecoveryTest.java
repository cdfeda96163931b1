package io.raftlog.storage;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening a log whose files were damaged behind the store's back: the bytes are changed in the cycle files after the
 * store closed, as a torn write or a flipped bit would leave them.
 */
class ChronicleLogStoreRecoveryTest
{
    private static final long HOUR_MS = 3600_000L;

    @TempDir
    Path dir;

    private final Records records = new Records();
    private final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(1 << 16);
    private final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);

    private ChronicleLogStore open(final long committedIndexHint)
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir).durability(Durability.PAGE_CACHE)
            .timeProvider(time).committedIndexHint(committedIndexHint));
    }

    /** Where a frame lies in its cycle file. */
    record Frame(File file, long position, int type, int length)
    {
    }

    /**
     * Every readable document of the queue in {@code dir}, read with Chronicle directly.
     */
    private List<Frame> frames()
    {
        final List<Frame> frames = new ArrayList<>();
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir)
            .rollCycle(ChronicleLogStore.DEFAULT_ROLL_CYCLE).timeProvider(time).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    frames.add(new Frame(tailer.currentFile(), bytes.readPosition(),
                        bytes.readInt(bytes.readPosition()), (int)bytes.readRemaining()));
                }
            }
        }
        return frames;
    }

    private static void overwrite(final File file, final long position, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }

    private static void flipByte(final File file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte)(one.get(0) ^ 0x5A)).rewind();
            channel.write(one, position);
        }
    }

    private void checkEntries(final ChronicleLogStore store, final long from, final long to, final long term)
    {
        for (long index = from; index <= to; index++)
        {
            store.copyRecords(index, 1, copy, 0);
            records.check(copy, 0, index, term);
            assertEquals(term, store.termAt(index));
        }
    }

    @Test
    void aCorruptTailRecordIsCutBackToTheLastGoodOneAndAppendsContinue() throws IOException
    {
        final File file;
        final long position;
        try (ChronicleLogStore store = open(0))
        {
            Records.append(store, records, 1, 20, 1);
            file = store.fileOf(20);
            position = store.filePositionOf(20);
        }
        flipByte(file, position + 40); // inside the payload of the last record

        try (ChronicleLogStore store = open(19))
        {
            assertEquals(19, store.lastIndex());
            assertEquals(1, store.tornTailsRepaired());
            assertEquals(1, store.sealedCycleFiles());
            checkEntries(store, 1, 19, 1);
            Records.append(store, records, 20, 25, 2);
        }
        try (ChronicleLogStore store = open(25))
        {
            assertEquals(25, store.lastIndex());
            assertEquals(0, store.tornTailsRepaired(), "the cut is recorded: the same damage is not repaired twice");
            assertEquals(0, store.sealedCycleFiles());
            checkEntries(store, 1, 19, 1);
            checkEntries(store, 20, 25, 2);

            // the damaged file goes once compaction passes it
            time.advanceMillis(HOUR_MS);
            Records.append(store, records, 26, 30, 2);
            store.compactTo(27);
            assertEquals(1, store.cycleFileCount());
        }
        try (ChronicleLogStore store = open(30))
        {
            assertEquals(27, store.baseIndex());
            assertEquals(30, store.lastIndex());
            checkEntries(store, 28, 30, 2);
        }
    }

    @Test
    void aFileCutInsideTheLastRecordIsCutBackAndAppendsContinue() throws IOException
    {
        final File file;
        final long position;
        try (ChronicleLogStore store = open(0))
        {
            Records.append(store, records, 1, 20, 1);
            file = store.fileOf(20);
            position = store.filePositionOf(20);
        }
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE))
        {
            channel.truncate(position + 10); // the rest of the record never reached the disk
        }

        try (ChronicleLogStore store = open(0))
        {
            assertEquals(19, store.lastIndex());
            assertEquals(1, store.tornTailsRepaired());
            Records.append(store, records, 20, 22, 3);
        }
        try (ChronicleLogStore store = open(22))
        {
            assertEquals(22, store.lastIndex());
            assertEquals(0, store.tornTailsRepaired());
            checkEntries(store, 1, 19, 1);
            checkEntries(store, 20, 22, 3);
        }
    }

    @Test
    void aLostDocumentHeaderAtTheTailSealsTheFileSoAppendsStayVisible() throws IOException
    {
        final File file;
        final long position;
        try (ChronicleLogStore store = open(0))
        {
            Records.append(store, records, 1, 20, 1);
            file = store.fileOf(20);
            position = store.filePositionOf(20);
        }
        // Chronicle's own header of the last document is zero, as if its page never reached the disk while the
        // file header (which names that document as the last written) did
        overwrite(file, position - 4 - 4, new byte[4]);

        try (ChronicleLogStore store = open(0))
        {
            assertEquals(19, store.lastIndex());
            assertEquals(0, store.tornTailsRepaired());
            assertEquals(1, store.sealedCycleFiles(), "Chronicle would append where no reader looks");
            Records.append(store, records, 20, 24, 2);
        }
        try (ChronicleLogStore store = open(24))
        {
            assertEquals(24, store.lastIndex());
            assertEquals(0, store.sealedCycleFiles());
            checkEntries(store, 1, 19, 1);
            checkEntries(store, 20, 24, 2);
        }
    }

    @Test
    void aDocumentTornMidWriteByACrashIsOverwrittenByTheNextAppend() throws IOException
    {
        final File file;
        final long end;
        try (ChronicleLogStore store = open(0))
        {
            Records.append(store, records, 1, 20, 1);
            file = store.fileOf(20);
            end = endOfLastRecord(store);
        }
        // a header still marked incomplete (Chronicle's NOT_COMPLETE bit) with part of a record after it
        final ByteBuffer torn = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        torn.putInt(0x8000_0000 | 100).putInt(LogFrame.ENTRY).putLong(0x1234_5678L).flip();
        final long header = (end + 3) & ~3L;
        overwrite(file, header, torn.array());

        try (ChronicleLogStore store = open(20))
        {
            assertEquals(20, store.lastIndex());
            assertEquals(0, store.tornTailsRepaired());
            assertEquals(0, store.sealedCycleFiles());
            Records.append(store, records, 21, 23, 2);
            assertEquals(header + 4 + LogFrame.TYPE_LENGTH, store.filePositionOf(21),
                "Chronicle's appender took the torn document's place");
            // torn again; this time the restart falls in a later cycle, so the appender rolls past the torn document
            overwrite(file, (endOfLastRecord(store) + 3) & ~3L, torn.array());
        }
        time.advanceMillis(HOUR_MS);
        final long start = System.nanoTime();
        try (ChronicleLogStore store = open(23))
        {
            Records.append(store, records, 24, 24, 2);
            System.out.printf("first append after a torn document, in a new cycle: %d ms (Chronicle waits timeoutMs " +
                "for its writer before sealing the old file)%n", (System.nanoTime() - start) / 1_000_000);
        }
        try (ChronicleLogStore store = open(24))
        {
            assertEquals(24, store.lastIndex());
            checkEntries(store, 1, 20, 1);
            checkEntries(store, 21, 24, 2);
        }
    }

    /**
     * @return where the last record ends in its file: where Chronicle's next document header goes (4-aligned).
     */
    private static long endOfLastRecord(final ChronicleLogStore store)
    {
        final long last = store.lastIndex();
        return store.filePositionOf(last) + store.bytesFrom(last) - LogFrame.ENTRY_OVERHEAD;
    }

    @Test
    void corruptionInsideTheCommittedPrefixFailsOpeningNamingIndexAndFile() throws IOException
    {
        final File file;
        final long position;
        try (ChronicleLogStore store = open(0))
        {
            Records.append(store, records, 1, 20, 1);
            file = store.fileOf(5);
            position = store.filePositionOf(5);
        }
        flipByte(file, position + 20); // the term field of entry 5

        final StorageCorruptionException failure = assertThrows(StorageCorruptionException.class, () -> open(10));
        assertEquals(5, failure.index());
        assertEquals(file.toPath(), failure.file());
        assertTrue(failure.getMessage().contains(file.getName()), failure.getMessage());
        assertTrue(failure.getMessage().contains("index 5"), failure.getMessage());
        assertTrue(failure.getMessage().contains("checksum"), failure.getMessage());
        assertThrows(StorageCorruptionException.class, () -> open(5), "at the hint itself: committed");

        // the node's own record says only 4 entries were committed, but 6..20 follow the damage whole: entry 5 was
        // not being written when a crash struck, and this member may have acknowledged it; the record lags
        final StorageCorruptionException midLog = assertThrows(StorageCorruptionException.class, () -> open(4));
        assertEquals(5, midLog.index());
        assertTrue(midLog.getMessage().contains("not a tail torn by a crash"), midLog.getMessage());
    }

    @Test
    void aCorruptControlFrameEndsTheTrustedLogWhereItStands() throws IOException
    {
        try (ChronicleLogStore store = open(0))
        {
            Records.append(store, records, 1, 10, 1);
            store.truncateFrom(8);
            Records.append(store, records, 8, 12, 2);
        }
        final Frame truncate = frames().stream().filter(frame -> frame.type() == LogFrame.TRUNCATE).findFirst()
            .orElseThrow();
        flipByte(truncate.file(), truncate.position() + LogFrame.FIELDS_OFFSET);

        assertThrows(StorageCorruptionException.class, () -> open(11));
        // the entries of term 2 after it are whole and may have been acknowledged: not cut, whatever the hint
        final StorageCorruptionException failure = assertThrows(StorageCorruptionException.class, () -> open(7));
        assertEquals(11, failure.index(), "the first entry after the last one the scan could vouch for");
        assertTrue(failure.getMessage().contains("torn or corrupt frame of type 2"), failure.getMessage());
    }

    @Test
    void aBitFlipBeforeTheTailIsReportedNotCutEvenAboveTheRecordedCommitIndex() throws IOException
    {
        final File file;
        final long position;
        try (ChronicleLogStore store = open(0))
        {
            Records.append(store, records, 1, 30, 1);
            file = store.fileOf(25);
            position = store.filePositionOf(25);
        }
        flipByte(file, position + 1);
        final StorageCorruptionException failure = assertThrows(StorageCorruptionException.class, () -> open(20));
        assertEquals(25, failure.index());
        assertEquals(file.toPath(), failure.file());
        assertTrue(failure.getMessage().contains("entries up to index 30"), failure.getMessage());

        // nothing was written: the damage is still there to be seen, and the same report comes again
        assertThrows(StorageCorruptionException.class, () -> open(20));
    }
}

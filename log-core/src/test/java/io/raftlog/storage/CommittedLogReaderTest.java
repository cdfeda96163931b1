package io.raftlog.storage;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommittedLogReaderTest
{
    private static final long HOUR_MS = 3600_000L;

    @TempDir
    Path dir;

    private final Records records = new Records();
    private final long[] commit = new long[1];
    private final CommittedLogReader.CommitIndexSupplier bound = () -> commit[0];

    /**
     * Collects what the reader delivers and checks each record against the term expected at its index.
     */
    private final class Collector implements CommittedLogReader.EntryHandler
    {
        final List<long[]> seen = new ArrayList<>();

        public void onEntry(final long index, final long term, final long timestamp, final int entryType,
            final DirectBuffer buffer, final int payloadOffset, final int payloadLength)
        {
            assertEquals(Records.timestampOf(index), timestamp);
            assertEquals(Records.payloadLengthOf(index), payloadLength);
            records.fillPayload(index, term, payloadLength);
            for (int i = 0; i < payloadLength; i++)
            {
                assertEquals(records.payload.getByte(i), buffer.getByte(payloadOffset + i), "payload of " + index);
            }
            seen.add(new long[]{ index, term });
        }

        void drain(final CommittedLogReader reader)
        {
            while (reader.poll(this, 7) > 0)
            {
                // poll until nothing more is committed
            }
        }

        void assertRun(final long from, final long to, final Map<Long, Long> termFrom)
        {
            assertEquals(to - from + 1, seen.size(), "count");
            for (int i = 0; i < seen.size(); i++)
            {
                final long index = from + i;
                assertEquals(index, seen.get(i)[0], "order");
                assertEquals((long)((TreeMap<Long, Long>)termFrom).floorEntry(index).getValue(), seen.get(i)[1],
                    "term of " + index);
            }
            seen.clear();
        }
    }

    private ChronicleLogStore openStore()
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir)
            .durability(Durability.PAGE_CACHE));
    }

    private static TreeMap<Long, Long> terms(final long... startAndTerm)
    {
        final TreeMap<Long, Long> map = new TreeMap<>();
        for (int i = 0; i < startAndTerm.length; i += 2)
        {
            map.put(startAndTerm[i], startAndTerm[i + 1]);
        }
        return map;
    }

    @Test
    void deliversTheSurvivingVersionsUpToTheCommitIndexOnce()
    {
        try (ChronicleLogStore store = openStore())
        {
            Records.append(store, records, 1, 100, 1);
            store.truncateFrom(61);
            Records.append(store, records, 61, 120, 2);
            store.truncateFrom(101);
            Records.append(store, records, 101, 150, 3);
        }
        commit[0] = 140;
        final Collector collector = new Collector();
        try (CommittedLogReader reader = CommittedLogReader.open(dir, bound))
        {
            collector.drain(reader);
            collector.assertRun(1, 140, terms(1, 1, 61, 2, 101, 3));
            assertEquals(0, reader.poll(collector, 100), "nothing beyond the bound");
            commit[0] = 150;
            collector.drain(reader);
            collector.assertRun(141, 150, terms(1, 3));
        }
    }

    @Test
    void followsALiveStoreAndNeverPassesTheBound()
    {
        final Collector collector = new Collector();
        try (ChronicleLogStore store = openStore();
            CommittedLogReader reader = CommittedLogReader.open(dir, bound))
        {
            assertEquals(0, reader.poll(collector, 10));
            Records.append(store, records, 1, 50, 1);
            assertEquals(0, reader.poll(collector, 10), "nothing committed yet");
            commit[0] = 30;
            collector.drain(reader);
            collector.assertRun(1, 30, terms(1, 1));

            // entries 31..50 of term 1 are uncommitted, are dropped, and replaced while the reader waits at the bound
            store.truncateFrom(41);
            Records.append(store, records, 41, 80, 2);
            commit[0] = 45;
            collector.drain(reader);
            collector.assertRun(31, 45, terms(1, 1, 41, 2));
            store.truncateFrom(61);
            Records.append(store, records, 61, 200, 3);
            commit[0] = 190;
            collector.drain(reader);
            collector.assertRun(46, 190, terms(1, 2, 61, 3));
            assertEquals(0, reader.poll(collector, 10));
        }
    }

    @Test
    void seeksToAMiddleIndexForwardAndBack()
    {
        try (ChronicleLogStore store = openStore())
        {
            Records.append(store, records, 1, 100, 1);
            store.truncateFrom(50);
            Records.append(store, records, 50, 100, 2);
        }
        commit[0] = 100;
        final Collector collector = new Collector();
        try (CommittedLogReader reader = CommittedLogReader.open(dir, bound))
        {
            reader.seek(70);
            collector.drain(reader);
            collector.assertRun(70, 100, terms(1, 2));
            reader.seek(20);
            assertEquals(5, reader.poll(collector, 5));
            collector.assertRun(20, 24, terms(1, 1));
            reader.seek(60);
            collector.drain(reader);
            collector.assertRun(60, 100, terms(1, 2));
        }
    }

    @Test
    void compactionKeepsEntriesStillOnDiskAndSkipsDeletedOnes()
    {
        final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);
        try (ChronicleLogStore store = ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir)
            .durability(Durability.PAGE_CACHE).timeProvider(time)))
        {
            Records.append(store, records, 1, 100, 1);
            store.compactTo(40);
            Records.append(store, records, 101, 150, 1);
        }
        commit[0] = 150;
        final Collector collector = new Collector();
        try (CommittedLogReader reader = CommittedLogReader.open(dir, bound))
        {
            collector.drain(reader);
            collector.assertRun(1, 150, terms(1, 1));
        }

        try (ChronicleLogStore store = ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir)
            .durability(Durability.PAGE_CACHE).timeProvider(time)))
        {
            time.advanceMillis(HOUR_MS);
            Records.append(store, records, 151, 200, 2);
            store.compactTo(160);
            assertTrue(store.deletedCycleFiles() > 0, "the first cycle file is deleted");
            Records.append(store, records, 201, 220, 2);
        }
        commit[0] = 210;
        try (CommittedLogReader reader = CommittedLogReader.open(dir, bound))
        {
            collector.drain(reader);
            collector.assertRun(151, 210, terms(1, 2));
            assertEquals(150, reader.entriesSkipped());
        }
    }

    @Test
    void aReaderOfAStoppedNodeUsesTheRecordedCommitIndexAndWritesNothing() throws IOException
    {
        final Path meta = dir.resolveSibling(dir.getFileName() + ".meta");
        try (ChronicleLogStore store = openStore();
            FileMetaStore metaStore = FileMetaStore.open(meta, true))
        {
            Records.append(store, records, 1, 120, 1);
            metaStore.store(1, 1);
            metaStore.recordCommitIndex(77);
        }
        assertEquals(77, CommittedLogReader.recordedCommitIndex(meta));
        final Map<Path, byte[]> before = snapshot(meta);
        final Collector collector = new Collector();
        try (CommittedLogReader reader = CommittedLogReader.openWithRecordedCommitIndex(dir, meta))
        {
            collector.drain(reader);
            collector.assertRun(1, 77, terms(1, 1));
            reader.seek(10);
            collector.drain(reader);
            collector.assertRun(10, 77, terms(1, 1));
        }
        final Map<Path, byte[]> after = snapshot(meta);
        assertEquals(before.keySet(), after.keySet(), "no file created or removed");
        for (final Map.Entry<Path, byte[]> file : before.entrySet())
        {
            assertArrayEquals(file.getValue(), after.get(file.getKey()), "unchanged: " + file.getKey());
        }
    }

    @Test
    void aCorruptCommittedRecordFailsWithItsIndex() throws IOException
    {
        final Path file;
        final long position;
        try (ChronicleLogStore store = openStore())
        {
            Records.append(store, records, 1, 50, 1);
            file = store.fileOf(20).toPath();
            position = store.filePositionOf(20);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position + 40);
            one.put(0, (byte)(one.get(0) ^ 0x5A)).clear();
            channel.write(one, position + 40);
        }
        commit[0] = 19;
        final Collector collector = new Collector();
        try (CommittedLogReader reader = CommittedLogReader.open(dir, bound))
        {
            collector.drain(reader);
            collector.assertRun(1, 19, terms(1, 1));
            commit[0] = 30;
            final StorageCorruptionException ex =
                assertThrows(StorageCorruptionException.class, () -> reader.poll(collector, 10));
            assertEquals(20, ex.index());
        }
    }

    @Test
    void deliversWithoutAllocatingOnceWarm()
    {
        final int warmUp = 200_000;
        final int measured = 100_000;
        final long[] sink = new long[1];
        final CommittedLogReader.EntryHandler handler =
            (index, term, timestamp, type, buffer, offset, length) -> sink[0] += index + length;
        try (ChronicleLogStore store = ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir)
            .durability(Durability.PAGE_CACHE).initialEntries(warmUp + measured + 64)))
        {
            Records.append(store, records, 1, warmUp + measured, 1);
            commit[0] = warmUp + measured;
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            try (CommittedLogReader reader = CommittedLogReader.open(dir, bound))
            {
                long delivered = 0;
                while (delivered < warmUp)
                {
                    delivered += reader.poll(handler, (int)Math.min(100, warmUp - delivered));
                }
                final long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                final long start = System.nanoTime();
                while (delivered < warmUp + measured)
                {
                    delivered += reader.poll(handler, 100);
                }
                final long ns = System.nanoTime() - start;
                final long bytes = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
                System.out.printf("CommittedLogReader: %.0f ns/entry, %.4f B/entry%n", ns / (double)measured,
                    bytes / (double)measured);
                assertEquals(warmUp + measured, delivered);
                assertTrue(bytes < measured / 10, "allocated " + bytes + " bytes for " + measured + " entries");
            }
        }
    }

    private Map<Path, byte[]> snapshot(final Path meta) throws IOException
    {
        final Map<Path, byte[]> files = new TreeMap<>();
        try (Stream<Path> paths = Files.list(dir))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                files.put(path, Files.readAllBytes(path));
            }
        }
        files.put(meta, Files.readAllBytes(meta));
        return files;
    }
}

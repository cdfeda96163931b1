package io.raftlog.storage;

import io.raftlog.codecs.LogEntryCodec;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChronicleLogStoreTest
{
    private static final long HOUR_MS = 3600_000L;

    @TempDir
    Path dir;

    private final Records records = new Records();
    private final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(1 << 20);

    static ChronicleLogStore.Context context(final Path dir)
    {
        return new ChronicleLogStore.Context().directory(dir).durability(Durability.PAGE_CACHE);
    }

    private ChronicleLogStore open()
    {
        return ChronicleLogStore.open(context(dir));
    }

    /**
     * Reads the whole log back through copyRecords, in batches of at most {@code maxBytes}, checking every record
     * against the term the test expects at its index.
     */
    private void checkLog(final ChronicleLogStore store, final long[] termOf, final int maxBytes)
    {
        long index = store.baseIndex() + 1;
        while (index <= store.lastIndex())
        {
            final int length = store.copyRecords(index, maxBytes, copy, 0);
            assertTrue(length > 0, "copyRecords copies at least one record");
            int position = 0;
            while (position < length)
            {
                assertEquals(termOf[(int)index], store.termAt(index), "termAt " + index);
                position += records.check(copy, position, index, termOf[(int)index]);
                assertEquals(Records.timestampOf(index), store.timestampAt(index));
                index++;
            }
            assertEquals(length, position);
        }
        assertEquals(store.lastIndex() + 1, index);
    }

    @Test
    void appendedEntriesReadBackWithTheirTermsAcrossManyTerms()
    {
        final long[] termOf = new long[2001];
        try (ChronicleLogStore store = open())
        {
            assertEquals(0, store.lastIndex());
            assertEquals(0, store.termAt(0));
            assertEquals(-1, store.termAt(1));
            long index = 1;
            for (long term = 1; term <= 40; term++)
            {
                final long to = index + 49;
                Records.append(store, records, index, to, term * 3);
                for (long i = index; i <= to; i++)
                {
                    termOf[(int)i] = term * 3;
                }
                index = to + 1;
            }
            assertEquals(2000, store.lastIndex());
            checkLog(store, termOf, 4096);
            checkLog(store, termOf, 1); // at least one record per call, whatever the limit
            assertEquals(51, store.firstIndexOfTerm(6));
            assertEquals(100, store.lastIndexOfTerm(6));
            assertEquals(0, store.firstIndexOfTerm(7));
            assertEquals(0, store.lastIndexOfTerm(7));
            assertEquals(-1, store.termAt(2001));
        }
        try (ChronicleLogStore store = open())
        {
            assertEquals(2000, store.lastIndex());
            assertEquals(0, store.tornTailsRepaired());
            assertEquals(0, store.sealedCycleFiles());
            checkLog(store, termOf, 64 * 1024);
            assertEquals(1951, store.firstIndexOfTerm(120));
        }
    }

    @Test
    void aRecordFromAnOffHeapBufferIsStoredAsItsExactBytes()
    {
        final Records offHeap = new Records(true, 1 << 16);
        offHeap.clear().add(1, 1, 100).add(2, 1, 0).add(3, 2, 1000);
        try (ChronicleLogStore store = open())
        {
            store.append(offHeap.batch, 0, offHeap.length, offHeap.count);
            final int copied = store.copyRecords(1, 1 << 20, copy, 0);
            assertEquals(offHeap.length, copied);
            for (int i = 0; i < copied; i++)
            {
                assertEquals(offHeap.batch.getByte(i), copy.getByte(i), "byte " + i);
            }
        }
    }

    @Test
    void truncatedEntriesNeverComeBackAfterReopen()
    {
        final long[] termOf = new long[200];
        try (ChronicleLogStore store = open())
        {
            Records.append(store, records, 1, 100, 1);
            Arrays.fill(termOf, 1, 101, 1);
            store.truncateFrom(61);
            assertEquals(60, store.lastIndex());
            assertEquals(-1, store.termAt(61));
            Records.append(store, records, 61, 80, 2);
            Arrays.fill(termOf, 61, 81, 2);
            store.truncateFrom(81); // nothing after 80: no frame, no change
            store.truncateFrom(71);
            Records.append(store, records, 71, 90, 3);
            Arrays.fill(termOf, 71, 91, 3);
            checkLog(store, termOf, 1 << 16);
        }
        try (ChronicleLogStore store = open())
        {
            assertEquals(90, store.lastIndex());
            assertEquals(61, store.firstIndexOfTerm(2));
            assertEquals(70, store.lastIndexOfTerm(2));
            assertEquals(71, store.firstIndexOfTerm(3));
            checkLog(store, termOf, 1 << 16);
            // truncate and reopen with nothing appended after it
            store.truncateFrom(50);
        }
        try (ChronicleLogStore store = open())
        {
            assertEquals(49, store.lastIndex());
            assertEquals(0, store.firstIndexOfTerm(2));
            checkLog(store, termOf, 1 << 16);
            Records.append(store, records, 50, 55, 4);
            Arrays.fill(termOf, 50, 56, 4);
        }
        try (ChronicleLogStore store = open())
        {
            assertEquals(55, store.lastIndex());
            checkLog(store, termOf, 1 << 16);
        }
    }

    @Test
    void compactionAndResetSurviveReopen()
    {
        final long[] termOf = new long[300];
        try (ChronicleLogStore store = open())
        {
            Records.append(store, records, 1, 50, 1);
            Records.append(store, records, 51, 100, 2);
            Arrays.fill(termOf, 1, 51, 1);
            Arrays.fill(termOf, 51, 101, 2);
            store.compactTo(60);
            assertEquals(60, store.baseIndex());
            assertEquals(2, store.termAt(60));
            assertEquals(-1, store.termAt(59));
            assertThrows(IllegalStateException.class, () -> store.copyRecords(60, 100, copy, 0));
            assertThrows(IllegalStateException.class, () -> store.truncateFrom(60));
            store.compactTo(55); // below the base: nothing
            assertEquals(60, store.baseIndex());
        }
        try (ChronicleLogStore store = open())
        {
            assertEquals(60, store.baseIndex());
            assertEquals(2, store.termAt(60));
            assertEquals(100, store.lastIndex());
            assertEquals(61, store.firstIndexOfTerm(2));
            assertEquals(0, store.firstIndexOfTerm(1));
            checkLog(store, termOf, 1 << 16);
            store.reset(500, 7);
            assertEquals(500, store.baseIndex());
            assertEquals(500, store.lastIndex());
            assertEquals(7, store.termAt(500));
        }
        try (ChronicleLogStore store = open())
        {
            assertEquals(500, store.baseIndex());
            assertEquals(500, store.lastIndex());
            assertEquals(7, store.termAt(500));
            assertEquals(0, store.bytesFrom(501));
            Records.append(store, records, 501, 520, 8);
            store.compactTo(520); // everything
            assertEquals(520, store.baseIndex());
            assertEquals(520, store.lastIndex());
        }
        try (ChronicleLogStore store = open())
        {
            assertEquals(520, store.baseIndex());
            assertEquals(520, store.lastIndex());
            assertEquals(8, store.termAt(520));
        }
    }

    @Test
    void bytesFromCountsEachRecordWithItsFrame()
    {
        try (ChronicleLogStore store = open())
        {
            Records.append(store, records, 1, 30, 1);
            long expected = 0;
            for (long index = 30; index >= 1; index--)
            {
                expected += LogEntryCodec.recordLength(Records.payloadLengthOf(index)) + 8;
                assertEquals(expected, store.bytesFrom(index), "bytesFrom " + index);
            }
            assertEquals(0, store.bytesFrom(31));
            store.compactTo(10);
            store.truncateFrom(21);
            assertEquals(store.bytesFrom(11) - store.bytesFrom(12),
                LogEntryCodec.recordLength(Records.payloadLengthOf(11)) + 8);
            assertEquals(0, store.bytesFrom(21));
        }
    }

    @Test
    void copyRecordsReadsOnWithoutSeekingWhenTheNextEntryIsTheNextDocument()
    {
        try (ChronicleLogStore store = open())
        {
            Records.append(store, records, 1, 1000, 1);
            int index = 1;
            while (index <= 1000)
            {
                final int length = store.copyRecords(index, 2048, copy, 0);
                int position = 0;
                while (position < length)
                {
                    position += LogEntryCodec.recordLength(copy, position);
                    index++;
                }
            }
            assertEquals(1, store.seeks(), "one seek, then sequential reads");
            store.copyRecords(500, 100, copy, 0);
            assertEquals(2, store.seeks());
        }
    }

    @Test
    void fsyncSyncReturnsTheDurableIndex()
    {
        try (ChronicleLogStore store = ChronicleLogStore.open(context(dir).durability(Durability.FSYNC)))
        {
            assertEquals(0, store.sync());
            Records.append(store, records, 1, 10, 1);
            assertEquals(10, store.sync());
            assertEquals(10, store.sync()); // nothing new: answers at once
            store.truncateFrom(6);
            assertEquals(5, store.sync());
            final long[] costs = new long[200];
            long index = 6;
            for (int i = 0; i < costs.length; i++)
            {
                Records.append(store, records, index, index + 15, 2);
                index += 16;
                final long start = System.nanoTime();
                assertEquals(index - 1, store.sync());
                costs[i] = System.nanoTime() - start;
            }
            assertTrue(store.chunkSyncs() >= costs.length - 1, "group commit is Chronicle's msync of the chunk");
            Arrays.sort(costs);
            System.out.printf("FSYNC sync of a 16-entry batch: p50 %d us, p90 %d us, max %d us%n",
                costs[costs.length / 2] / 1000, costs[costs.length * 9 / 10] / 1000, costs[costs.length - 1] / 1000);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(context(dir).durability(Durability.PAGE_CACHE)))
        {
            assertEquals(5 + 200 * 16, store.lastIndex());
            Records.append(store, records, store.lastIndex() + 1, store.lastIndex() + 1, 3);
            assertEquals(store.lastIndex(), store.sync());
        }
    }

    @Test
    void fsyncSyncCoversBatchesThatCrossChunksAndCycleFiles()
    {
        final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);
        final ChronicleLogStore.Context context = context(dir).durability(Durability.FSYNC)
            .blockSize(1 << 20).timeProvider(time);
        final Records big = new Records(false, 1 << 20);
        long index = 1;
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            Records.append(store, records, index, 10, 1);
            index = 11;
            assertEquals(10, store.sync());
            for (int round = 0; round < 6; round++)
            {
                // ~650 KiB between syncs with 1 MiB blocks: every other batch ends in another chunk
                for (int i = 0; i < 5; i++)
                {
                    big.clear();
                    for (int j = 0; j < 16; j++, index++)
                    {
                        big.add(index, 1, 8000);
                    }
                    store.append(big.batch, 0, big.length, big.count);
                }
                assertEquals(index - 1, store.sync());
            }
            assertTrue(store.fileForces() >= 4, "batches ending in another chunk force the file: " +
                store.fileForces());
            assertTrue(store.chunkSyncs() >= 2, "batches within a chunk msync it: " + store.chunkSyncs());

            final long forcesBefore = store.fileForces();
            time.advanceMillis(HOUR_MS);
            Records.append(store, records, index, index + 9, 1);
            index += 10;
            assertEquals(index - 1, store.sync());
            assertTrue(store.fileForces() >= forcesBefore + 2, "a new cycle file forces the old and the new one");
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            assertEquals(index - 1, store.lastIndex());
            assertEquals(0, store.sealedCycleFiles());
            final Records checker = new Records();
            for (long i = 1; i < index; i++)
            {
                store.copyRecords(i, 1, copy, 0);
                checker.check(copy, 0, i, 1);
            }
        }
    }

    @Test
    void compactionDeletesCycleFilesWhollyBelowTheBaseAndReopensFromACheckpoint()
    {
        final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);
        final ChronicleLogStore.Context context = context(dir).timeProvider(time);
        final long[] termOf = new long[400];
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            Records.append(store, records, 1, 100, 1);
            time.advanceMillis(HOUR_MS);
            Records.append(store, records, 101, 200, 2);
            time.advanceMillis(HOUR_MS);
            Records.append(store, records, 201, 300, 3);
            Arrays.fill(termOf, 1, 101, 1);
            Arrays.fill(termOf, 101, 201, 2);
            Arrays.fill(termOf, 201, 301, 3);
            assertEquals(3, store.cycleFileCount());

            store.compactTo(150); // entries 151.. live in the second file: only the first goes
            assertEquals(1, store.deletedCycleFiles());
            assertEquals(2, store.cycleFileCount());
            checkLog(store, termOf, 1 << 16);

            store.compactTo(250);
            assertEquals(2, store.deletedCycleFiles());
            assertEquals(1, store.cycleFileCount());
            checkLog(store, termOf, 1 << 16);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            assertEquals(250, store.baseIndex());
            assertEquals(3, store.termAt(250));
            assertEquals(300, store.lastIndex());
            assertEquals(0, store.sealedCycleFiles());
            checkLog(store, termOf, 1 << 16);

            store.compactTo(300); // nothing after the base: the BASE frame's file stays
            assertEquals(1, store.cycleFileCount());
            time.advanceMillis(HOUR_MS);
            Records.append(store, records, 301, 310, 4);
            Arrays.fill(termOf, 301, 311, 4);
            store.truncateFrom(306);
            store.compactTo(303);
            assertEquals(1, store.cycleFileCount());
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            assertEquals(303, store.baseIndex());
            assertEquals(4, store.termAt(303));
            assertEquals(305, store.lastIndex());
            checkLog(store, termOf, 1 << 16);
            time.advanceMillis(HOUR_MS);
            store.reset(1000, 9);
            assertEquals(1, store.cycleFileCount());
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            assertEquals(1000, store.baseIndex());
            assertEquals(1000, store.lastIndex());
            assertEquals(9, store.termAt(1000));
        }
    }

    @Test
    void aWallClockSteppingBackNeverAppendsIntoAnOlderCycleFile()
    {
        final long[] nowMs = {1_700_000_000_000L};
        final TimeProvider wallClock = () -> nowMs[0];
        final ChronicleLogStore.Context context = context(dir).timeProvider(wallClock);
        final long[] termOf = new long[100];
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            Records.append(store, records, 1, 10, 1);
            nowMs[0] += HOUR_MS;
            Records.append(store, records, 11, 20, 1);
            nowMs[0] -= HOUR_MS; // NTP steps the clock back
            Records.append(store, records, 21, 30, 2);
            assertEquals(2, store.cycleFileCount());
        }
        Arrays.fill(termOf, 1, 21, 1);
        Arrays.fill(termOf, 21, 31, 2);
        nowMs[0] -= 2 * HOUR_MS; // and the node restarts with it further back still
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            assertEquals(30, store.lastIndex());
            checkLog(store, termOf, 1 << 16);
            Records.append(store, records, 31, 40, 3);
            Arrays.fill(termOf, 31, 41, 3);
            assertEquals(2, store.cycleFileCount());
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            assertEquals(40, store.lastIndex());
            assertEquals(0, store.sealedCycleFiles());
            checkLog(store, termOf, 1 << 16);
        }
    }

    @Test
    void badSettingsFailNamingTheSetting()
    {
        final IllegalArgumentException noDirectory = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStore.open(new ChronicleLogStore.Context()));
        assertTrue(noDirectory.getMessage().contains("directory"));
        final IllegalArgumentException block = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStore.open(context(dir).blockSize(1000)));
        assertTrue(block.getMessage().contains("blockSize"));
        final IllegalArgumentException hint = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStore.open(context(dir).committedIndexHint(-1)));
        assertTrue(hint.getMessage().contains("committedIndexHint"));
    }

    @Test
    void anAppendThatDoesNotFollowTheLastIndexIsRefused()
    {
        try (ChronicleLogStore store = open())
        {
            Records.append(store, records, 1, 5, 2);
            records.clear().add(7, 2, 10);
            assertThrows(IllegalStateException.class, () -> store.append(records.batch, 0, records.length, 1));
            records.clear().add(6, 1, 10);
            assertThrows(IllegalStateException.class, () -> store.append(records.batch, 0, records.length, 1));
            assertEquals(5, store.lastIndex());
        }
        try (ChronicleLogStore store = open())
        {
            assertEquals(5, store.lastIndex());
            assertEquals(0, store.tornTailsRepaired());
        }
    }
}

package io.raftlog.storage;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A reader that falls behind while the node compacts: the cycle files holding entries it has not delivered yet are
 * deleted under it. It must say which entries it lost ({@link EntriesCompactedException}), every time it is polled
 * until it is moved past them, and never take the gap for damage, never stall, never pass over it silently. Cycle
 * files here are a second long ({@code TEST_SECONDLY}, the clock set by the test), twenty entries each.
 */
@Timeout(60)
class CommittedLogReaderCompactionTest
{
    private static final RollCycle ROLL_CYCLE = TestRollCycles.TEST_SECONDLY;
    private static final long BLOCK_SIZE = 1 << 20;
    private static final int ENTRIES_PER_FILE = 20;
    /** Polls a test allows before it calls the reader stalled: far more than any of these logs needs. */
    private static final int MAX_POLLS = 10_000;

    @TempDir
    Path dir;

    private final Records records = new Records();
    private final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);
    private final long[] commit = new long[1];
    private final List<Long> delivered = new ArrayList<>();
    private final CommittedLogReader.EntryHandler handler = new CommittedLogReader.EntryHandler()
    {
        public void onEntry(final long index, final long term, final long timestamp, final int entryType,
            final DirectBuffer buffer, final int payloadOffset, final int payloadLength)
        {
            assertEquals(Records.payloadLengthOf(index), payloadLength, "payload of " + index);
            delivered.add(index);
        }
    };
    private long last;

    private ChronicleLogStore openStore()
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir).durability(Durability.PAGE_CACHE)
            .rollCycle(ROLL_CYCLE).blockSize(BLOCK_SIZE).timeProvider(time));
    }

    private CommittedLogReader openReader(final int scanBudget)
    {
        return CommittedLogReader.open(dir, () -> commit[0], ROLL_CYCLE, BLOCK_SIZE, scanBudget);
    }

    /**
     * Appends a cycle file's worth of entries, then moves the clock on by {@code seconds} (more than one leaves
     * cycles without a file).
     */
    private void appendFiles(final ChronicleLogStore store, final int files, final int seconds)
    {
        for (int i = 0; i < files; i++)
        {
            Records.append(store, records, last + 1, last + ENTRIES_PER_FILE, 1);
            last += ENTRIES_PER_FILE;
            time.advanceMillis(1000L * seconds);
        }
    }

    /**
     * Polls until the reader has delivered everything up to the bound, failing if it stops making progress.
     */
    private void drain(final CommittedLogReader reader)
    {
        for (int polls = 0; polls < MAX_POLLS; polls++)
        {
            if (reader.poll(handler, 7) == 0 && reader.isCaughtUp())
            {
                return;
            }
        }
        fail("the reader stalled at " + reader.nextIndex() + " with the bound at " + commit[0]);
    }

    /**
     * Polls until the reader throws, failing if it delivers everything or stalls instead.
     */
    private EntriesCompactedException pollUntilGap(final CommittedLogReader reader)
    {
        for (int polls = 0; polls < MAX_POLLS; polls++)
        {
            try
            {
                reader.poll(handler, 7);
            }
            catch (final EntriesCompactedException ex)
            {
                return ex;
            }
        }
        return fail("no EntriesCompactedException: the reader went on to " + reader.nextIndex() + " (delivered " +
            delivered.size() + ", skipped " + reader.entriesSkipped() + ")");
    }

    private void assertDeliveredInOrder(final long from, final long to)
    {
        assertEquals(to - from + 1, delivered.size(), "entries delivered " + from + ".." + to);
        for (int i = 0; i < delivered.size(); i++)
        {
            assertEquals(from + i, delivered.get(i), "each index once, in order");
        }
        delivered.clear();
    }

    @Test
    void aReaderThatCaughtUpAndThenFellWholeCycleFilesBehindIsToldWhichEntriesWereCompactedAway()
    {
        try (ChronicleLogStore store = openStore(); CommittedLogReader reader = openReader(3))
        {
            appendFiles(store, 3, 1);
            commit[0] = last;
            drain(reader);
            assertDeliveredInOrder(1, 60);

            appendFiles(store, 6, 1); // 61..180 in six more files; the reader is not polled meanwhile
            commit[0] = last;
            store.compactTo(150); // the entry after the base, 151, lies in the file of 141..160: the six before go
            assertEquals(7, store.deletedCycleFiles());

            final EntriesCompactedException gap = pollUntilGap(reader);
            assertEquals(61, gap.firstMissingIndex());
            assertEquals(141, gap.firstRetainedIndex());
            assertTrue(gap.getMessage().contains("61") && gap.getMessage().contains("141"), gap.getMessage());
            assertEquals(0, delivered.size(), "nothing past the gap");
            assertThrows(EntriesCompactedException.class, () -> reader.poll(handler, 7),
                "told again until the reader is moved past the gap");

            reader.seek(gap.firstRetainedIndex());
            drain(reader);
            assertDeliveredInOrder(141, 180);
        }
    }

    @Test
    void aReaderWhoseDeliveryLagsItsScanIsToldWhichEntriesWereCompactedAway()
    {
        try (ChronicleLogStore store = openStore(); CommittedLogReader reader = openReader(1 << 16))
        {
            appendFiles(store, 6, 1);
            commit[0] = 10; // the scan reaches the end of the log; delivery stops at the bound
            drain(reader);
            assertDeliveredInOrder(1, 10);

            commit[0] = last;
            store.compactTo(90); // 1..80 go with their four files
            appendFiles(store, 1, 1);
            commit[0] = last;

            final EntriesCompactedException gap = pollUntilGap(reader);
            final long firstMissing = gap.firstMissingIndex();
            assertTrue(firstMissing > 10 && firstMissing <= 21, "lost from " + firstMissing +
                " (entries still in a file the reader had open may be read first)");
            assertEquals(81, gap.firstRetainedIndex());
            assertDeliveredInOrder(11, firstMissing - 1);

            reader.seek(gap.firstRetainedIndex());
            drain(reader);
            assertDeliveredInOrder(81, 140);
        }
    }

    @Test
    void hoursWithoutAnEntryBetweenCycleFilesNeitherBreakCompactionNorHideTheGap()
    {
        try (ChronicleLogStore store = openStore(); CommittedLogReader reader = openReader(5))
        {
            appendFiles(store, 3, 1);
            commit[0] = last;
            drain(reader);
            assertDeliveredInOrder(1, 60);

            appendFiles(store, 6, 3); // two cycles with no file after each of these
            commit[0] = last;
            store.compactTo(150);
            assertEquals(7, store.deletedCycleFiles());

            final EntriesCompactedException gap = pollUntilGap(reader);
            assertEquals(61, gap.firstMissingIndex());
            assertEquals(141, gap.firstRetainedIndex());
        }
    }

    @Test
    void aReaderThatDeliveredEverythingTheDeletedFilesHeldGoesOn()
    {
        try (ChronicleLogStore store = openStore(); CommittedLogReader reader = openReader(3))
        {
            appendFiles(store, 3, 1);
            commit[0] = last;
            drain(reader);
            assertDeliveredInOrder(1, 60);

            appendFiles(store, 3, 1);
            commit[0] = last;
            store.compactTo(65); // the three files the reader read go; 61.. stay
            assertEquals(3, store.deletedCycleFiles());

            drain(reader);
            assertDeliveredInOrder(61, 120);
            assertEquals(0, reader.entriesSkipped());
        }
    }

    @Test
    void aReaderOpenedBeforeCompactionButNotYetPolledStartsAtTheOldestEntryLeft()
    {
        try (ChronicleLogStore store = openStore(); CommittedLogReader reader = openReader(3))
        {
            appendFiles(store, 6, 1);
            commit[0] = last;
            store.compactTo(90);
            appendFiles(store, 1, 1);
            commit[0] = last;
            drain(reader);
            assertDeliveredInOrder(81, 140);
            assertEquals(80, reader.entriesSkipped(), "compacted before the reader first looked: passed over");
        }
    }

    @Test
    void aReaderWhoseScanStoppedAtTheEndOfAFileIsToldOfTheFilesDeletedAfterIt()
    {
        try (ChronicleLogStore store = openStore(); CommittedLogReader reader = openReader(1 << 16))
        {
            appendFiles(store, 2, 1);
            commit[0] = 30; // the scan reads both files to their end; 31..40 wait for the bound
            drain(reader);
            assertDeliveredInOrder(1, 30);
            appendFiles(store, 4, 1);
            commit[0] = last;
            store.compactTo(110); // 101..110 lie in the file of 101..120: the five before go
            assertEquals(5, store.deletedCycleFiles());

            final EntriesCompactedException gap = pollUntilGap(reader);
            assertTrue(gap.firstMissingIndex() > 30 && gap.firstMissingIndex() <= 41, gap.getMessage());
            assertEquals(101, gap.firstRetainedIndex());
        }
    }

    @Test
    void aReaderOpenedAfterCompactionStillStartsAtTheOldestEntryLeft()
    {
        try (ChronicleLogStore store = openStore())
        {
            appendFiles(store, 6, 1);
            store.compactTo(90);
        }
        commit[0] = last;
        try (CommittedLogReader reader = openReader(3))
        {
            drain(reader);
            assertDeliveredInOrder(81, 120);
            assertEquals(80, reader.entriesSkipped(), "compacted before the reader first looked: passed over");
        }
    }
}

package io.raftlog.storage;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader open on a live store while the store rolls to new cycle files (one a second with Chronicle's
 * {@code TEST_SECONDLY}, the clock set by the test): the reader's own read-only queue finds each new cycle file, its
 * scan crosses file boundaries in the middle of a poll (a budget of 3 documents), cycles that were skipped leave no
 * hole, and a TRUNCATE written in a new cycle file drops uncommitted entries of the previous one. Every committed
 * entry is delivered once, in order, in the version that survived.
 */
@Timeout(60)
class CommittedLogReaderCycleRollTest
{
    private static final RollCycle ROLL_CYCLE = TestRollCycles.TEST_SECONDLY;
    private static final long BLOCK_SIZE = 1 << 20;

    @TempDir
    Path dir;

    private final Records records = new Records();
    private final long[] commit = new long[1];
    private final List<long[]> seen = new ArrayList<>();
    private final TreeMap<Long, Long> termFrom = new TreeMap<>();

    private final CommittedLogReader.EntryHandler handler = new CommittedLogReader.EntryHandler()
    {
        public void onEntry(final long index, final long term, final long timestamp, final int entryType,
            final DirectBuffer buffer, final int payloadOffset, final int payloadLength)
        {
            assertTrue(index <= commit[0], "entry " + index + " beyond the bound " + commit[0]);
            assertEquals(Records.payloadLengthOf(index), payloadLength);
            records.fillPayload(index, term, payloadLength);
            for (int i = 0; i < payloadLength; i++)
            {
                assertEquals(records.payload.getByte(i), buffer.getByte(payloadOffset + i), "payload of " + index);
            }
            seen.add(new long[]{ index, term });
        }
    };

    @Test
    void aReaderFollowsALiveStoreAcrossCycleFileRollsWithoutLosingOrRepeatingAnEntry() throws IOException
    {
        final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);
        try (ChronicleLogStore store = ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(dir)
            .durability(Durability.PAGE_CACHE)
            .rollCycle(ROLL_CYCLE)
            .blockSize(BLOCK_SIZE)
            .timeProvider(time));
            CommittedLogReader reader = CommittedLogReader.open(dir, () -> commit[0], ROLL_CYCLE, BLOCK_SIZE, 3))
        {
            termFrom.put(1L, 1L);
            long last = 0;
            for (int cycle = 0; cycle < 12; cycle++)
            {
                // a few batches per cycle file, the reader polled between them with the bound ten entries behind
                for (int batch = 0; batch < 3; batch++)
                {
                    Records.append(store, records, last + 1, last + 13, 1);
                    last += 13;
                    commit[0] = last - 10;
                    reader.poll(handler, 5);
                }
                time.advanceMillis(cycle % 4 == 3 ? 5_000 : 1_000); // now and then a few cycles with no file
            }

            // uncommitted entries at the end of one cycle file are dropped by a TRUNCATE in the next
            commit[0] = last - 20;
            drain(reader);
            Records.append(store, records, last + 1, last + 30, 1);
            time.advanceMillis(1_000);
            final long truncateFrom = last - 5;
            store.truncateFrom(truncateFrom);
            termFrom.put(truncateFrom, 2L);
            Records.append(store, records, truncateFrom, truncateFrom + 40, 2);
            last = truncateFrom + 40;
            time.advanceMillis(1_000);
            Records.append(store, records, last + 1, last + 20, 2);
            last += 20;

            commit[0] = last;
            drain(reader);
            assertEquals(0, reader.poll(handler, 10));
            assertTrue(reader.isCaughtUp());
            assertEquals(last, seen.size());
            for (int i = 0; i < seen.size(); i++)
            {
                assertEquals(i + 1, seen.get(i)[0], "each index once, in order");
                assertEquals((long)termFrom.floorEntry(seen.get(i)[0]).getValue(), seen.get(i)[1],
                    "the surviving version of " + seen.get(i)[0]);
            }
            assertEquals(0, reader.entriesSkipped());
        }
        try (Stream<Path> files = Files.list(dir))
        {
            final long cycleFiles = files.filter(path -> path.toString().endsWith(".cq4")).count();
            assertEquals(12 + 3, cycleFiles, "a cycle file per second written in: twelve in the loop, three after");
        }
    }

    private void drain(final CommittedLogReader reader)
    {
        while (reader.poll(handler, 7) > 0 || !reader.isCaughtUp())
        {
            // poll until everything up to the bound is delivered
        }
    }
}

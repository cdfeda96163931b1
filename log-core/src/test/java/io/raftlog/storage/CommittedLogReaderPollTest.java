package io.raftlog.storage;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one {@link CommittedLogReader#poll} promises its caller: it delivers at most its limit and returns how many it
 * delivered, including entries its scan delivers before a BASE frame drops them; and it says when it has caught up,
 * since on a long log a poll bounded by its scan budget can return 0 with more to read.
 */
@Timeout(60)
class CommittedLogReaderPollTest
{
    private static final long BLOCK_SIZE = 1 << 20;

    @TempDir
    Path dir;

    private final Records records = new Records();
    private long delivered;
    private long lastIndex;

    private final CommittedLogReader.EntryHandler handler = new CommittedLogReader.EntryHandler()
    {
        public void onEntry(final long index, final long term, final long timestamp, final int entryType,
            final DirectBuffer buffer, final int payloadOffset, final int payloadLength)
        {
            assertEquals(lastIndex + 1, index, "in order, once");
            lastIndex = index;
            delivered++;
        }
    };

    private ChronicleLogStore openStore()
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(dir).durability(Durability.PAGE_CACHE).blockSize(BLOCK_SIZE));
    }

    @Test
    void aPollReturnsWhatItDeliveredAndNeverMoreThanItsLimitThoughItsScanDeliversBeforeACompaction()
    {
        try (ChronicleLogStore store = openStore())
        {
            Records.append(store, records, 1, 200, 1);
            store.compactTo(150); // a BASE frame in the same cycle file: entries 1..150 stay on disk behind it
        }
        try (CommittedLogReader reader = CommittedLogReader.open(dir, () -> 200,
            ChronicleLogStore.DEFAULT_ROLL_CYCLE, BLOCK_SIZE, CommittedLogReader.DEFAULT_SCAN_BUDGET))
        {
            int polls = 0;
            do
            {
                final long before = delivered;
                final int returned = reader.poll(handler, 7);
                assertEquals(delivered - before, returned, "poll " + polls + " returns what it delivered");
                assertTrue(returned <= 7, "poll " + polls + " delivered " + returned);
                polls++;
            }
            while (!reader.isCaughtUp());
            assertEquals(200, lastIndex, "the compacted entries too: they were still on disk");
            assertEquals(0, reader.entriesSkipped());
        }
    }

    @Test
    void aLongLogIsReadToItsEndByPollingUntilCaughtUpThoughAPollCanReturnNothing()
    {
        try (ChronicleLogStore store = openStore())
        {
            Records.append(store, records, 1, 500, 1);
        }
        try (CommittedLogReader reader = CommittedLogReader.open(dir, () -> 500,
            ChronicleLogStore.DEFAULT_ROLL_CYCLE, BLOCK_SIZE, 16))
        {
            assertEquals(0, reader.poll(handler, 100), "the scan has not reached the end of the queue yet");
            assertFalse(reader.isCaughtUp(), "and says so");
            int polls = 1;
            while (reader.poll(handler, 100) > 0 || !reader.isCaughtUp())
            {
                polls++;
            }
            assertEquals(500, delivered);
            assertTrue(polls > 30, "the scan budget bounds each poll: " + polls);
            assertEquals(0, reader.poll(handler, 100));
            assertTrue(reader.isCaughtUp());
        }
    }
}

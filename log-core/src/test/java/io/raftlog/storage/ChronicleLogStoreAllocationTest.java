package io.raftlog.storage;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The append path writes in place into the mapped document and allocates nothing once warm. The one allocation
 * Chronicle makes per newly mapped chunk is kept out of the measured run: with the default 64 MiB block, the warm-up
 * (200k records, long enough for the JIT to finish) and the measured 100k records (about 22 MiB with their
 * frames) fit in the first chunk. The index is sized up front so it does not
 * grow during the run (a doubling is the one allocation it makes).
 */
class ChronicleLogStoreAllocationTest
{
    private static final int RECORD_LENGTH = 64;
    private static final int PAYLOAD_LENGTH = RECORD_LENGTH - LogEntryCodec.HEADER_LENGTH;
    private static final int BATCH = 10;
    private static final int WARM_UP_RECORDS = 200_000;
    private static final int MEASURED_RECORDS = 100_000;

    @TempDir
    Path dir;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final LogEntryCodec codec = new LogEntryCodec();
    private final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(BATCH * RECORD_LENGTH);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
    private final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(64 * 1024);

    @Test
    void appendingAndReadingBackAfterWarmUpAllocateLessThanOneBytePerRecord()
    {
        final ChronicleLogStore.Context context = new ChronicleLogStore.Context().directory(dir)
            .durability(Durability.PAGE_CACHE).initialEntries(WARM_UP_RECORDS + MEASURED_RECORDS + BATCH);
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            appendRecords(store, WARM_UP_RECORDS);
            readAll(store, 1);
            readAll(store, 1);

            final long firstMeasured = store.lastIndex() + 1;
            final long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            final long start = System.nanoTime();
            appendRecords(store, MEASURED_RECORDS);
            final long appendNs = System.nanoTime() - start;
            final long appendBytes = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

            final long readBefore = threads.getCurrentThreadAllocatedBytes();
            final long readStart = System.nanoTime();
            final long read = readAll(store, firstMeasured);
            final long readNs = System.nanoTime() - readStart;
            final long readBytes = threads.getCurrentThreadAllocatedBytes() - readBefore;

            assertEquals(MEASURED_RECORDS, read);
            System.out.printf("append of %d-byte records in batches of %d: %.0f ns/record, %.4f B/record; " +
                "copyRecords: %.0f ns/record, %.4f B/record%n", RECORD_LENGTH, BATCH,
                appendNs / (double)MEASURED_RECORDS, appendBytes / (double)MEASURED_RECORDS,
                readNs / (double)MEASURED_RECORDS, readBytes / (double)MEASURED_RECORDS);
            assertTrue(appendBytes < MEASURED_RECORDS, "append allocated " + appendBytes + " bytes for " +
                MEASURED_RECORDS + " records");
            assertTrue(readBytes < MEASURED_RECORDS, "copyRecords allocated " + readBytes + " bytes for " +
                MEASURED_RECORDS + " records");
        }
    }

    @Test
    void anFsyncGroupCommitAfterWarmUpAllocatesAlmostNothing()
    {
        final ChronicleLogStore.Context context = new ChronicleLogStore.Context().directory(dir)
            .durability(Durability.FSYNC).initialEntries(1 << 16);
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            for (int i = 0; i < 2000; i++)
            {
                appendRecords(store, BATCH);
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            final long start = System.nanoTime();
            final int syncs = 1000;
            for (int i = 0; i < syncs; i++)
            {
                appendRecords(store, BATCH);
            }
            final long ns = System.nanoTime() - start;
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            System.out.printf("FSYNC: append of %d records + sync: %.0f us per batch, %.1f B per batch%n", BATCH,
                ns / 1000.0 / syncs, allocated / (double)syncs);
            assertTrue(store.chunkSyncs() >= syncs, "each batch was Chronicle's msync of the chunk");
            assertTrue(allocated < 64L * syncs, "a group commit allocated " + allocated / syncs + " B");
        }
        // the log is the whole of what was appended
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            assertEquals(3000 * BATCH, store.lastIndex());
        }
    }

    @Test
    void openingRebuildsTheIndexOfALargeLogByScanning()
    {
        final ChronicleLogStore.Context context = new ChronicleLogStore.Context().directory(dir)
            .durability(Durability.PAGE_CACHE).initialEntries(1 << 19);
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            appendRecords(store, 300_000);
        }
        final long start = System.nanoTime();
        try (ChronicleLogStore store = ChronicleLogStore.open(context))
        {
            final long ns = System.nanoTime() - start;
            assertEquals(300_000, store.lastIndex());
            System.out.printf("opening a log of %d entries (scan, checksums, index): %d ms, %.0f ns/entry%n",
                store.lastIndex(), ns / 1_000_000, ns / (double)store.lastIndex());
        }
    }

    private void appendRecords(final ChronicleLogStore store, final int records)
    {
        long index = store.lastIndex() + 1;
        for (int done = 0; done < records; done += BATCH)
        {
            int length = 0;
            for (int i = 0; i < BATCH; i++, index++)
            {
                payload.putLong(0, index);
                length += codec.encode(batch, length, index, 1, index, EntryType.APPLICATION, payload, 0,
                    PAYLOAD_LENGTH);
            }
            store.append(batch, 0, length, BATCH);
            store.sync();
        }
    }

    private long readAll(final ChronicleLogStore store, final long from)
    {
        long index = from;
        while (index <= store.lastIndex())
        {
            index += store.copyRecords(index, copy.capacity(), copy, 0) / RECORD_LENGTH;
        }
        return index - from;
    }
}

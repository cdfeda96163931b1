package io.raftlog.storage;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Appends on a full device: the append that does not fit throws {@link StorageFullException} having written nothing
 * (no SIGBUS from a write into Chronicle's map, no half-written record), every entry before it reads back, a reopen
 * finds the same log, and appends go on once there is room again. Once on a real file system that fills up (an
 * 8 MiB tmpfs: Linux, and root to mount it, else skipped), once with the store's claims limited as if the device
 * were full (anywhere).
 */
@Timeout(120)
class ChronicleLogStoreFullDiskTest
{
    /** Far more than either device holds: the fill gives up here rather than run on. */
    private static final long MAX_ENTRIES = 500_000;

    @TempDir
    Path tempDir;

    private final Records records = new Records();
    private final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(1 << 16);

    @Test
    void aFullTmpfsStopsAppendsCleanlyAndTheyGoOnWhenItGrows() throws Exception
    {
        final Path mount = Files.createDirectory(tempDir.resolve("tmpfs"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString()),
            "cannot mount a tmpfs here (needs Linux and root): the claim-limit test covers the store's side");
        try
        {
            final Path dir = mount.resolve("log");
            final long full;
            try (ChronicleLogStore store = open(dir, Long.MAX_VALUE))
            {
                full = fillUntilFull(store);
                assertTrue(full > 1000, "appended " + full + " entries before the 8 MiB filled");

                assertTrue(run("mount", "-o", "remount,size=32m", mount.toString()), "grow the tmpfs");
                Records.append(store, records, full + 1, full + 5000, 2);
                checkEntries(store, 1, full, 1);
                checkEntries(store, full + 1, full + 5000, 2);
            }
            try (ChronicleLogStore store = open(dir, Long.MAX_VALUE))
            {
                assertEquals(full + 5000, store.lastIndex());
                assertEquals(0, store.tornTailsRepaired(), "nothing torn");
                checkEntries(store, 1, full, 1);
                checkEntries(store, full + 1, full + 5000, 2);
            }
        }
        finally
        {
            run("umount", mount.toString());
        }
    }

    @Test
    void aClaimRefusedAsOnAFullDeviceStopsAppendsCleanlyAndTheyGoOnWithRoom()
    {
        final Path dir = tempDir.resolve("log");
        final long full;
        try (ChronicleLogStore store = open(dir, 3L << 20))
        {
            full = fillUntilFull(store);
        }
        try (ChronicleLogStore store = open(dir, 3L << 20))
        {
            assertEquals(full, store.lastIndex(), "the same log after a reopen");
            assertEquals(0, store.tornTailsRepaired(), "nothing torn");
            assertThrows(StorageFullException.class, () -> Records.append(store, records, full + 1, full + 16, 2));
        }
        try (ChronicleLogStore store = open(dir, 16L << 20))
        {
            Records.append(store, records, full + 1, full + 5000, 2);
        }
        try (ChronicleLogStore store = open(dir, 16L << 20))
        {
            assertEquals(full + 5000, store.lastIndex());
            checkEntries(store, 1, full, 1);
            checkEntries(store, full + 1, full + 5000, 2);
        }
    }

    private ChronicleLogStore open(final Path dir, final long claimLimitBytes)
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir).durability(Durability.FSYNC)
            .claimLimitBytes(claimLimitBytes));
    }

    /**
     * Appends batches of 16 until one does not fit; checks it left nothing behind.
     *
     * @return the last index appended.
     */
    private long fillUntilFull(final ChronicleLogStore store)
    {
        long last = store.lastIndex();
        while (last < MAX_ENTRIES)
        {
            try
            {
                Records.append(store, records, last + 1, last + 16, 1);
                store.sync();
                last += 16;
            }
            catch (final StorageFullException ex)
            {
                assertTrue(ex.getMessage().contains("no room"), ex.getMessage());
                assertEquals(last, store.lastIndex(), "nothing of the batch that did not fit");
                checkEntries(store, 1, last, 1);
                return last;
            }
        }
        return fail("no StorageFullException after " + last + " entries: the device never filled");
    }

    private void checkEntries(final ChronicleLogStore store, final long from, final long to, final long term)
    {
        for (long index = from; index <= to; index++)
        {
            store.copyRecords(index, 1, copy, 0);
            records.check(copy, 0, index, term);
        }
    }

    private static boolean run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }
}

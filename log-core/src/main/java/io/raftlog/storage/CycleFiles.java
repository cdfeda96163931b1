package io.raftlog.storage;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

/**
 * The store's dealings with the queue's cycle files as files: forcing them, deleting those compaction has passed,
 * and sealing a damaged one by moving the clock on to the next cycle. Nothing here is on the per-entry path; it
 * allocates (Chronicle lists the directory, Java opens channels) and that is fine at these rates.
 */
final class CycleFiles
{
    private final SingleChronicleQueue queue;
    private final Path directory;
    private final RollCycle rollCycle;
    private final CycleClock clock;

    CycleFiles(final SingleChronicleQueue queue, final Path directory, final CycleClock clock)
    {
        this.queue = queue;
        this.directory = directory;
        this.rollCycle = queue.rollCycle();
        this.clock = clock;
    }

    /**
     * @return the file of {@code cycle}, or null if there is none.
     */
    File file(final int cycle)
    {
        return file(queue, cycle);
    }

    /**
     * @return the file of {@code cycle} in {@code queue}, or null if there is none.
     */
    static File file(final SingleChronicleQueue queue, final int cycle)
    {
        final SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null)
        {
            return null;
        }
        try
        {
            return store.file();
        }
        finally
        {
            queue.closeStore(store);
        }
    }

    /**
     * @return the number of cycle files in the directory.
     */
    int count()
    {
        final File[] files = directory.toFile().listFiles((dir, name) -> name.endsWith(SingleChronicleQueue.SUFFIX));
        return files == null ? 0 : files.length;
    }

    /**
     * Forces the cycle files from {@code fromCycle} to {@code toCycle} whole, and the directory if they differ (a
     * new file's entry must survive power loss too).
     *
     * @return how many files were forced.
     */
    int force(final int fromCycle, final int toCycle)
    {
        int forced = 0;
        final int from = Math.min(Math.max(fromCycle, queue.firstCycle()), toCycle);
        for (final Long cycle : queue.listCyclesBetween(from, toCycle))
        {
            final File file = file(cycle.intValue());
            if (file != null)
            {
                forceFile(file.toPath());
                forced++;
            }
        }
        if (fromCycle != toCycle)
        {
            FileIo.forceDirectory(directory);
        }
        return forced;
    }

    /**
     * Deletes the cycle files before {@code keepFromCycle}. Safe only because every cycle file starts with a
     * CHECKPOINT and the BASE frame that drops the entries they hold is already forced.
     *
     * @return how many files were deleted.
     */
    int deleteBefore(final int keepFromCycle)
    {
        final int firstCycle = queue.firstCycle();
        if (firstCycle >= keepFromCycle || firstCycle < 0)
        {
            return 0;
        }
        int deleted = 0;
        // Chronicle lists cycles only between two that have files, and an hour with no entry has none: list up to
        // the last file and stop at the first to keep
        for (final Long cycle : queue.listCyclesBetween(firstCycle, queue.lastCycle()))
        {
            if (cycle >= keepFromCycle)
            {
                break;
            }
            final File file = file(cycle.intValue());
            try
            {
                if (file != null && Files.deleteIfExists(file.toPath()))
                {
                    deleted++;
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot delete compacted cycle file " + file, ex);
            }
        }
        if (deleted > 0)
        {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    /**
     * Chronicle appends after the document its cycle file's header names as the last written. If that document is
     * beyond the last one a reader reached (its own header never reached the disk), Chronicle would append where no
     * reader looks, and it cannot be told to go back.
     *
     * @return true if appending to the last cycle file is safe.
     */
    boolean lastCycleAppendable(final int lastCycleRead, final long lastHeaderPosition)
    {
        final int lastCycle = queue.lastCycle();
        if (lastCycle < 0)
        {
            return true; // no file yet
        }
        if (lastCycleRead != lastCycle)
        {
            return false; // the last cycle file holds no document a reader can see, not even its checkpoint
        }
        final SingleChronicleQueueStore store = queue.storeForCycle(lastCycle, queue.epoch(), false, null);
        if (store == null)
        {
            return true;
        }
        try
        {
            return store.writePosition() <= lastHeaderPosition;
        }
        finally
        {
            queue.closeStore(store);
        }
    }

    /**
     * @return where Chronicle's header of the cycle file says its last document starts, or -1 if there is no file.
     */
    long recordedWritePosition(final int cycle)
    {
        final SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null)
        {
            return -1;
        }
        try
        {
            return store.writePosition();
        }
        finally
        {
            queue.closeStore(store);
        }
    }

    /**
     * Never lets Chronicle append into a cycle file before the last one, whatever the wall clock says.
     */
    void holdClockAtLastCycle()
    {
        final int lastCycle = queue.lastCycle();
        if (lastCycle >= 0)
        {
            clock.floorMillis(startMillis(lastCycle));
        }
    }

    /**
     * Makes the next append open a fresh cycle file: the last one is left as it is, read up to where it is good.
     */
    void sealLast()
    {
        final int lastCycle = queue.lastCycle();
        if (queue.cycle() <= lastCycle)
        {
            final int next = lastCycle + 1;
            clock.floorMillis(startMillis(next));
            if (queue.cycle() != next)
            {
                throw new IllegalStateException("sealing a cycle file: the clock floor gave cycle " + queue.cycle() +
                    ", not " + next);
            }
        }
    }

    private long startMillis(final int cycle)
    {
        return queue.epoch() + (long)cycle * rollCycle.lengthInMillis();
    }

    private static void forceFile(final Path path)
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force " + path + " to the device", ex);
        }
    }
}

package io.raftlog.storage;

import io.raftlog.core.MetaStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileMetaStoreTest
{
    @TempDir
    Path dir;

    private long nowNs;

    private Path file()
    {
        return dir.resolve("meta");
    }

    private FileMetaStore open(final boolean create)
    {
        return FileMetaStore.open(file(), create, 1000, () -> nowNs);
    }

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte)(one.get(0) ^ 0x01)).rewind();
            channel.write(one, position);
        }
    }

    @Test
    void aNewFileStartsAtTermZeroWithoutAVote()
    {
        try (FileMetaStore meta = open(true))
        {
            assertEquals(0, meta.currentTerm());
            assertEquals(MetaStore.NO_VOTE, meta.votedFor());
            assertEquals(0, meta.lastRecordedCommitIndex());
        }
        assertTrue(Files.exists(file()));
        assertFalse(Files.exists(dir.resolve("meta.tmp")));
    }

    @Test
    void termAndVoteSurviveReopen()
    {
        try (FileMetaStore meta = open(true))
        {
            meta.store(3, 2);
            meta.store(4, MetaStore.NO_VOTE);
            meta.store(4, 1);
        }
        try (FileMetaStore meta = open(false))
        {
            assertEquals(4, meta.currentTerm());
            assertEquals(1, meta.votedFor());
            assertEquals(-1, meta.repairedSlot());
            meta.store(9, 3);
        }
        try (FileMetaStore meta = open(false))
        {
            assertEquals(9, meta.currentTerm());
            assertEquals(3, meta.votedFor());
        }
    }

    @Test
    void storeReturnsOnlyAfterForcingTheFile()
    {
        try (FileMetaStore meta = open(true))
        {
            final long[] costs = new long[100];
            for (int i = 0; i < costs.length; i++)
            {
                final long start = System.nanoTime();
                meta.store(i + 1, 1 + i % 3);
                costs[i] = System.nanoTime() - start;
            }
            java.util.Arrays.sort(costs);
            System.out.printf("FileMetaStore.store (positional write + force): p50 %d us, p90 %d us%n",
                costs[costs.length / 2] / 1000, costs[costs.length * 9 / 10] / 1000);
        }
        try (FileMetaStore meta = open(false))
        {
            assertEquals(100, meta.currentTerm());
            assertEquals(1 + 99 % 3, meta.votedFor());
        }
    }

    @Test
    void theTermNeverGoesBackAndAVoteIsNeverChangedWithinATerm()
    {
        try (FileMetaStore meta = open(true))
        {
            meta.store(5, 2);
            assertThrows(IllegalStateException.class, () -> meta.store(4, 2));
            assertThrows(IllegalStateException.class, () -> meta.store(5, 3));
            meta.store(5, 2);
            assertEquals(5, meta.currentTerm());
            assertEquals(2, meta.votedFor());
        }
    }

    @Test
    void aMissingFileThatWasExpectedFailsOpeningNamingIt()
    {
        final StorageCorruptionException failure = assertThrows(StorageCorruptionException.class, () -> open(false));
        assertEquals(file(), failure.file());
        assertTrue(failure.getMessage().contains(file().toString()), failure.getMessage());
        assertTrue(failure.getMessage().contains("missing"), failure.getMessage());
    }

    @Test
    void aFileWithNoIntactSlotFailsOpeningNamingItRatherThanStartingAtTermZero() throws IOException
    {
        try (FileMetaStore meta = open(true))
        {
            meta.store(7, 1);
            meta.store(8, 2);
        }
        flipByte(file(), FileMetaStore.TERM_OFFSET);
        flipByte(file(), FileMetaStore.SLOT_SIZE + FileMetaStore.TERM_OFFSET);
        final StorageCorruptionException failure = assertThrows(StorageCorruptionException.class, () -> open(true));
        assertTrue(failure.getMessage().contains(file().toString()), failure.getMessage());
        assertTrue(failure.getMessage().contains("intact"), failure.getMessage());
    }

    @Test
    void aFileOfTheWrongSizeFailsOpening() throws IOException
    {
        try (FileMetaStore meta = open(true))
        {
            meta.store(7, 1);
        }
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE))
        {
            channel.truncate(100);
        }
        final StorageCorruptionException failure = assertThrows(StorageCorruptionException.class, () -> open(true));
        assertTrue(failure.getMessage().contains("100 bytes"), failure.getMessage());
    }

    @Test
    void aVoteIsInBothSlotsSoEitherSlotDamagedLosesNoVote() throws IOException
    {
        for (int damaged = 0; damaged < 2; damaged++)
        {
            try (FileMetaStore meta = open(true))
            {
                meta.store(7, 1);
                meta.store(8, 2);
            }
            flipByte(file(), (long)damaged * FileMetaStore.SLOT_SIZE + FileMetaStore.VOTE_OFFSET);
            try (FileMetaStore meta = open(false))
            {
                assertEquals(8, meta.currentTerm(), "slot " + damaged + " damaged");
                assertEquals(2, meta.votedFor(), "slot " + damaged + " damaged");
                assertEquals(damaged, meta.repairedSlot());
            }
            try (FileMetaStore meta = open(false))
            {
                assertEquals(8, meta.currentTerm());
                assertEquals(-1, meta.repairedSlot(), "opening rewrote the damaged slot");
            }
            Files.delete(file());
        }
    }

    @Test
    void aStoreTornByACrashBeforeItReturnedLeavesThePreviousTermAndVote() throws IOException
    {
        try (FileMetaStore meta = open(true))
        {
            meta.store(7, 1);
        }
        // store(8, 2) was cut short in its first write: slot 0 is half new, slot 1 still says term 7
        overwrite(file(), FileMetaStore.TERM_OFFSET, new byte[]{ 8 });
        try (FileMetaStore meta = open(false))
        {
            assertEquals(7, meta.currentTerm());
            assertEquals(1, meta.votedFor());
            assertEquals(0, meta.repairedSlot());
            meta.store(8, 3);
        }
        try (FileMetaStore meta = open(false))
        {
            assertEquals(8, meta.currentTerm());
            assertEquals(3, meta.votedFor());
        }
    }

    @Test
    void aVersionOneFileWithADamagedSlotFailsOpeningSinceThatSlotMayHaveHeldTheNewerVote() throws IOException
    {
        // version 1 alternated the slots: term 7 (vote 1) in slot 1, then term 8 (vote 2) in slot 0
        writeVersionOne(1, 2, 7, 1);
        writeVersionOne(0, 3, 8, 2);
        flipByte(file(), FileMetaStore.VOTE_OFFSET);
        final StorageCorruptionException failure = assertThrows(StorageCorruptionException.class, () -> open(false));
        assertEquals(file(), failure.file());
        assertTrue(failure.getMessage().contains("vote twice"), failure.getMessage());

        // intact, it opens and is rewritten in this version's format
        writeVersionOne(0, 3, 8, 2);
        try (FileMetaStore meta = open(false))
        {
            assertEquals(8, meta.currentTerm());
            assertEquals(2, meta.votedFor());
        }
        flipByte(file(), FileMetaStore.VOTE_OFFSET);
        try (FileMetaStore meta = open(false))
        {
            assertEquals(8, meta.currentTerm(), "both slots hold it now");
            assertEquals(2, meta.votedFor());
        }
    }

    private void writeVersionOne(final int slot, final long sequence, final long term, final int vote)
        throws IOException
    {
        if (!Files.exists(file()))
        {
            Files.write(file(), new byte[FileMetaStore.FILE_SIZE]);
        }
        final ByteBuffer record = ByteBuffer.allocate(FileMetaStore.RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(0, FileMetaStore.MAGIC).putInt(4, FileMetaStore.VERSION_ALTERNATING)
            .putLong(FileMetaStore.SEQUENCE_OFFSET, sequence).putLong(FileMetaStore.TERM_OFFSET, term)
            .putInt(FileMetaStore.VOTE_OFFSET, vote);
        final CRC32C crc = new CRC32C();
        crc.update(record.array(), 0, FileMetaStore.CRC_OFFSET);
        record.putInt(FileMetaStore.CRC_OFFSET, (int)crc.getValue());
        overwrite(file(), (long)slot * FileMetaStore.SLOT_SIZE, record.array());
    }

    private static void overwrite(final Path file, final long position, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }

    @Test
    void theCommitIndexIsWrittenAtMostOncePerIntervalAndOnClose()
    {
        try (FileMetaStore meta = open(true))
        {
            meta.store(2, 1);
            meta.recordCommitIndex(5); // less than the interval since opening: kept in memory
            assertEquals(0, recordedOnDisk());
            nowNs += TimeUnit.MILLISECONDS.toNanos(1500);
            meta.recordCommitIndex(6);
            assertEquals(6, recordedOnDisk());
            assertEquals(6, meta.lastRecordedCommitIndex());
            nowNs += TimeUnit.MILLISECONDS.toNanos(100);
            meta.recordCommitIndex(7);
            meta.recordCommitIndex(3); // never goes back
            assertEquals(6, recordedOnDisk());
            // a forced term change carries the latest commit index along
            meta.store(3, MetaStore.NO_VOTE);
            assertEquals(7, recordedOnDisk());
            nowNs += TimeUnit.MILLISECONDS.toNanos(100);
            meta.recordCommitIndex(9);
            assertEquals(7, recordedOnDisk());
            assertEquals(3, meta.currentTerm());
        }
        try (FileMetaStore meta = open(false))
        {
            assertEquals(9, meta.lastRecordedCommitIndex(), "closing writes the latest commit index");
            assertEquals(3, meta.currentTerm());
            assertEquals(MetaStore.NO_VOTE, meta.votedFor());
        }
    }

    @Test
    void unforcedCommitIndexWritesNeverTouchTheSlotOfTheLastForcedRecord() throws IOException
    {
        try (FileMetaStore meta = open(true))
        {
            meta.store(4, 2);
            for (int i = 1; i <= 5; i++)
            {
                nowNs += TimeUnit.SECONDS.toNanos(2);
                meta.recordCommitIndex(10 * i);
            }
            // a power loss tears the unforced slot: the forced term and vote remain
            final Path copy = dir.resolve("meta-after-power-loss");
            Files.copy(file(), copy);
            final int forcedSlot;
            try (FileMetaStore view = FileMetaStore.open(copy, false))
            {
                assertEquals(50, view.lastRecordedCommitIndex());
            }
            // find the slot holding commit index 50 (the unforced one) and tear it
            forcedSlot = slotHolding(copy, 50) == 0 ? 1 : 0;
            flipByte(copy, (long)(1 - forcedSlot) * FileMetaStore.SLOT_SIZE + FileMetaStore.COMMIT_OFFSET);
            try (FileMetaStore view = FileMetaStore.open(copy, false))
            {
                assertEquals(4, view.currentTerm());
                assertEquals(2, view.votedFor());
            }
        }
    }

    private static int slotHolding(final Path file, final long commitIndex) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            for (int slot = 0; slot < 2; slot++)
            {
                final ByteBuffer value = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                channel.read(value, (long)slot * FileMetaStore.SLOT_SIZE + FileMetaStore.COMMIT_OFFSET);
                if (value.getLong(0) == commitIndex)
                {
                    return slot;
                }
            }
        }
        throw new AssertionError("no slot holds commit index " + commitIndex);
    }

    private long recordedOnDisk()
    {
        final Path copy = dir.resolve("meta-copy-" + System.nanoTime());
        try
        {
            Files.copy(file(), copy);
            try (FileMetaStore view = FileMetaStore.open(copy, false))
            {
                return view.lastRecordedCommitIndex();
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}

package io.raftlog.storage;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileSnapshotStoreTest
{
    private static final int STATE_LENGTH = 200_000; // several I/O chunks

    @TempDir
    Path dir;

    private final ExpandableArrayBuffer configuration = new ExpandableArrayBuffer(64);
    private final UnsafeBuffer state = new UnsafeBuffer(ByteBuffer.allocateDirect(STATE_LENGTH));
    private final ExpandableArrayBuffer read = new ExpandableArrayBuffer(STATE_LENGTH);

    private int configuration(final int seed)
    {
        for (int i = 0; i < 40; i++)
        {
            configuration.putByte(i, (byte)(seed + i));
        }
        return 40;
    }

    private void fillState(final int seed)
    {
        for (int i = 0; i < STATE_LENGTH; i++)
        {
            state.putByte(i, (byte)(seed * 7 + i * 13));
        }
    }

    private void checkSnapshot(final FileSnapshotStore store, final long index, final long term, final int seed)
    {
        assertEquals(index, store.lastIncludedIndex());
        assertEquals(term, store.lastIncludedTerm());
        assertEquals(STATE_LENGTH, store.length());
        assertEquals(40, store.readConfiguration(read, 10));
        for (int i = 0; i < 40; i++)
        {
            assertEquals((byte)(seed + i), read.getByte(10 + i));
        }
        int position = 0;
        while (position < STATE_LENGTH)
        {
            final int n = store.read(position, read, 0, 70_000);
            assertTrue(n > 0);
            for (int i = 0; i < n; i++)
            {
                if (read.getByte(i) != (byte)(seed * 7 + (position + i) * 13))
                {
                    throw new AssertionError("state byte " + (position + i));
                }
            }
            position += n;
        }
        assertEquals(0, store.read(STATE_LENGTH, read, 0, 100));
    }

    @Test
    void anEmptyStoreHasNoSnapshot()
    {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            assertEquals(0, store.lastIncludedIndex());
            assertEquals(0, store.lastIncludedTerm());
            assertEquals(0, store.length());
            assertEquals(0, store.readConfiguration(read, 0));
        }
    }

    @Test
    void aSavedSnapshotReadsBackAndSurvivesReopen()
    {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            fillState(1);
            store.save(100, 3, configuration, 0, configuration(1), state, 0, STATE_LENGTH);
            checkSnapshot(store, 100, 3, 1);
            assertThrows(IllegalStateException.class,
                () -> store.save(100, 3, configuration, 0, configuration(1), state, 0, STATE_LENGTH));
            fillState(2);
            store.save(200, 4, configuration, 0, configuration(2), state, 0, STATE_LENGTH);
            checkSnapshot(store, 200, 4, 2);
        }
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            checkSnapshot(store, 200, 4, 2);
        }
        assertFalse(Files.exists(dir.resolve(FileSnapshotStore.SAVING)));
    }

    @Test
    void aSnapshotReceivedInChunksBecomesCurrentOnlyWhenComplete()
    {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            fillState(1);
            store.save(100, 3, configuration, 0, configuration(1), state, 0, STATE_LENGTH);
            fillState(5);
            store.beginReceive(500, 7, STATE_LENGTH);
            for (int position = 0; position < STATE_LENGTH; position += 30_000)
            {
                store.receiveChunk(position, state, position, Math.min(30_000, STATE_LENGTH - position));
                checkSnapshot(store, 100, 3, 1); // the current one serves reads until the new one is whole
            }
            assertThrows(IllegalStateException.class, () -> store.receiveChunk(STATE_LENGTH - 10, state, 0, 20));
            store.completeReceive(configuration, 0, configuration(5));
            checkSnapshot(store, 500, 7, 5);
            assertFalse(Files.exists(dir.resolve(FileSnapshotStore.RECEIVING)));
        }
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            checkSnapshot(store, 500, 7, 5);
        }
    }

    @Test
    void aTransferCutShortByACrashIsDiscardedOnReopen()
    {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            fillState(1);
            store.save(100, 3, configuration, 0, configuration(1), state, 0, STATE_LENGTH);
            store.beginReceive(500, 7, STATE_LENGTH);
            store.receiveChunk(0, state, 0, 1000);
        }
        assertTrue(Files.exists(dir.resolve(FileSnapshotStore.RECEIVING)));
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            checkSnapshot(store, 100, 3, 1);
            assertFalse(Files.exists(dir.resolve(FileSnapshotStore.RECEIVING)));
        }
    }

    @Test
    void aTransferWithAGapCannotCompleteAndANewTransferAbandonsTheOld()
    {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            fillState(3);
            store.beginReceive(500, 7, STATE_LENGTH);
            store.receiveChunk(0, state, 0, 1000);
            store.receiveChunk(2000, state, 2000, STATE_LENGTH - 2000);
            assertThrows(IllegalStateException.class, () -> store.completeReceive(configuration, 0, configuration(3)));
            assertEquals(0, store.lastIncludedIndex());
            assertThrows(IllegalStateException.class, () -> store.completeReceive(configuration, 0, 0));

            store.beginReceive(600, 8, STATE_LENGTH);
            store.beginReceive(600, 8, STATE_LENGTH); // the leader started over
            store.receiveChunk(0, state, 0, STATE_LENGTH);
            store.completeReceive(configuration, 0, configuration(3));
            checkSnapshot(store, 600, 8, 3);
        }
    }

    @Test
    void aCorruptSnapshotFailsOpeningNamingTheFile() throws IOException
    {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            fillState(1);
            store.save(100, 3, configuration, 0, configuration(1), state, 0, STATE_LENGTH);
        }
        final Path file = dir.resolve(FileSnapshotStore.CURRENT);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, FileSnapshotStore.HEADER_LENGTH + 123_456);
            one.put(0, (byte)(one.get(0) ^ 0x10)).rewind();
            channel.write(one, FileSnapshotStore.HEADER_LENGTH + 123_456);
        }
        final StorageCorruptionException failure =
            assertThrows(StorageCorruptionException.class, () -> FileSnapshotStore.open(dir));
        assertEquals(file, failure.file());
        assertTrue(failure.getMessage().contains(file.toString()), failure.getMessage());
        assertTrue(failure.getMessage().contains("state checksum"), failure.getMessage());
    }

    @Test
    void aSnapshotCutShortFailsOpening() throws IOException
    {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir))
        {
            fillState(1);
            store.save(100, 3, configuration, 0, configuration(1), state, 0, STATE_LENGTH);
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(FileSnapshotStore.CURRENT), StandardOpenOption.WRITE))
        {
            channel.truncate(1000);
        }
        assertThrows(StorageCorruptionException.class, () -> FileSnapshotStore.open(dir));
    }
}

package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import io.raftlog.storage.StorageCorruptionException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening a log whose tail was damaged behind the store's back, as a torn write, a lost page or a flipped bit leaves
 * it: the bytes from some point in the last documents on are replaced with fuzz input (raw bytes, a Chronicle header
 * with a record after it, a control frame with a valid checksum, a flipped bit), and the store is opened with a
 * committed-index hint from the input. Then:
 * <ul>
 *     <li>opening either succeeds or fails with {@link StorageCorruptionException}: for damage at or below the hint,
 *     or with whole frames after it (then it is no torn tail, and entries the member acknowledged may follow it),
 *     never for a torn tail above the hint, nor at an entry wholly before the damage;</li>
 *     <li>every entry wholly before the damage is kept, byte for byte;</li>
 *     <li>every record the opened log holds passes its checksum, with its own index and the term the log says;</li>
 *     <li>appends continue: an entry appended after the repair is there after the next opening, which repairs
 *     nothing.</li>
 * </ul>
 * The undamaged log (entries 1-12 of term 1, a TRUNCATE from 10, entries 10-16 of term 2) is written once per JVM;
 * each input works on a copy of its files.
 */
class LogRecoveryFuzzTest
{
    private static final long FIRST_TERM_LAST = 12;
    private static final long TRUNCATED_FROM = 10;
    private static final long LAST_INDEX = 16;
    private static final long BLOCK_SIZE = 1 << 20;
    private static final long CHRONICLE_TIMEOUT_MS = 20;
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int META_DATA = 0x4000_0000;
    private static final int CONTROL_TYPES = 5;

    private static final String CHRONICLE_ORPHAN_TRACKING_OFF = "disable.ctl.orphan.tracking";

    // The fixture, built once per JVM.
    private static final Path WORK = Path.of("target", "fuzz-work", "log-recovery");
    private static final Path TEMPLATE = WORK.resolve("template");
    private static final Path COPY = WORK.resolve("copy");
    private static final SetTimeProvider TIME = new SetTimeProvider(1_700_000_000_000_000_000L);
    private static final LogEntryCodec CODEC = new LogEntryCodec();
    private static final UnsafeBuffer PAYLOAD = new UnsafeBuffer(new byte[64]);
    private static final ExpandableArrayBuffer RECORDS = new ExpandableArrayBuffer(4096);
    private static final ExpandableArrayBuffer READ = new ExpandableArrayBuffer(4096);
    private static final byte[][] ORIGINAL = new byte[(int)LAST_INDEX + 1][];
    /** Where each entry's document (Chronicle header included) starts and ends in the cycle file. */
    private static final long[] DOCUMENT_START = new long[(int)LAST_INDEX + 1];
    private static final long[] DOCUMENT_END = new long[(int)LAST_INDEX + 1];
    private static final CRC32C CRC = new CRC32C();
    /**
     * Opening a Chronicle queue allocates about half a megabyte of its own (mappings, tailers, wires), so this target
     * allows eight times the usual budget: still far below anything sized from a length read out of damaged bytes.
     */
    private static final AllocationBudget BUDGET = new AllocationBudget(8 * AllocationBudget.MAX_BYTES_PER_INPUT);
    private static final WarmUp WARM_UP = new WarmUp(LogRecoveryFuzzTest::reopen, 20, 256);
    private static String cycleFileName;
    private static long tailEnd;

    static
    {
        // Chronicle runs here as in production, without its own assertions (the build runs tests with -ea; the fuzz
        // executions turn them off for net.openhft, and this covers a JVM where Chronicle is not loaded yet). With
        // them, it tracks every CleaningThreadLocal it creates, and those of a queue in which a tailer met damaged
        // documents stay tracked, so each later opening costs more and the allocation budget would charge that to
        // whichever input comes later; and an internal check of its write position fails on an append after a
        // tail that reads as a huge metadata document, where the store, unchecked, does what this target asks.
        System.setProperty(CHRONICLE_ORPHAN_TRACKING_OFF, "true");
        LogRecoveryFuzzTest.class.getClassLoader().setPackageAssertionStatus("net.openhft", false);
        writeTemplate();
    }

    @FuzzTest(maxDuration = "15s")
    void aDamagedTailIsCutBackToTheEntriesBeforeItAndAppendsContinue(final byte[] input)
    {
        WARM_UP.once();
        BUDGET.run(input, LogRecoveryFuzzTest::reopen, "opening a damaged log");
    }

    private static void reopen(final FuzzedDataProvider data)
    {
        final long damageAt = DOCUMENT_START[(int)TRUNCATED_FROM] +
            data.consumeLong(0, tailEnd + 64 - DOCUMENT_START[(int)TRUNCATED_FROM]);
        final int mode = data.consumeInt(0, 3);
        final byte[] damage = damage(data, mode);
        final long hint = data.consumeLong(0, LAST_INDEX + 1);
        // a control frame with a valid checksum is indistinguishable from one the store wrote: it may drop entries
        final long intactUpTo = mode == 2 ? 0 : lastEntryBefore(damageAt);
        // whole frames after the damage (an untouched document, or one the input wrote) say it is not a torn tail
        final boolean framesAfter = mode == 1 || mode == 2 || hasDocumentAfter(damageAt + damage.length);
        reopen(damageAt, damage, hint, intactUpTo, framesAfter);
    }

    private static void reopen(
        final long damageAt, final byte[] damage, final long hint, final long intactUpTo, final boolean framesAfter)
    {
        copyTemplate();
        overwrite(COPY.resolve(cycleFileName), damageAt, damage);

        BUDGET.start();
        final long lastIndex;
        try (ChronicleLogStore store = open(hint))
        {
            lastIndex = store.lastIndex();
            assertTrue(lastIndex >= intactUpTo, () -> "entries up to " + intactUpTo + " lie before the damage at " +
                damageAt + ", the log opened ends at " + lastIndex);
            checkRecords(store, intactUpTo);
            appendOne(store, lastIndex + 1, Math.max(2, store.termAt(lastIndex)));
        }
        catch (final StorageCorruptionException ex)
        {
            assertTrue(ex.index() <= hint || framesAfter,
                () -> "refused to open for a torn tail above the commit hint " + hint + ": " + ex);
            assertTrue(ex.index() > intactUpTo, () -> "refused to open for an entry before the damage: " + ex);
            BUDGET.stop();
            return;
        }
        BUDGET.stop();

        try (ChronicleLogStore store = open(lastIndex + 1))
        {
            assertEquals(lastIndex + 1, store.lastIndex(), "the entry appended after the repair is lost");
            assertEquals(0, store.tornTailsRepaired(), "the same damage is repaired twice");
            checkRecords(store, intactUpTo);
        }
    }

    /**
     * @return the bytes written over the log from the damaged position on.
     */
    private static byte[] damage(final FuzzedDataProvider data, final int mode)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        switch (mode)
        {
            case 0:
                return data.consumeBytes(Draw.length(data, 128));

            case 1:
            {
                // a Chronicle header, perhaps still marked incomplete, with an ENTRY frame of an intact record
                final int length = CODEC.encode(RECORDS, 0, Draw.near(data, LAST_INDEX + 1), Draw.near(data, 2), 0,
                    EntryType.APPLICATION, PAYLOAD, 0, data.consumeInt(0, 16));
                bytes.putInt(header(data, 4 + length)).putInt(1);
                bytes.put(RECORDS.byteArray(), 0, data.consumeInt(0, length));
                break;
            }

            case 2:
            {
                // a Chronicle header with a control frame whose checksum is right: TRUNCATE, BASE, VOID or CHECKPOINT
                final int type = data.consumeInt(2, CONTROL_TYPES);
                final int fields = type == 5 ? 28 + 16 * data.consumeInt(0, 2) : type == 3 ? 24 : type == 4 ? 16 : 8;
                final ByteBuffer frame = ByteBuffer.allocate(8 + fields).order(ByteOrder.LITTLE_ENDIAN);
                frame.putInt(0, type);
                for (int at = 8; at + 8 <= 8 + fields; at += 8)
                {
                    frame.putLong(at, Draw.near(data, LAST_INDEX));
                }
                if (type == 5)
                {
                    frame.putInt(8 + 24, (fields - 28) / 16);
                }
                CRC.reset();
                CRC.update(frame.array(), 0, 4);
                CRC.update(frame.array(), 8, fields);
                frame.putInt(4, (int)CRC.getValue());
                bytes.putInt(header(data, frame.capacity())).put(frame.array());
                break;
            }

            default:
            {
                // one flipped bit
                final byte[] one = new byte[1];
                one[0] = (byte)(1 << data.consumeInt(0, 7));
                return one;
            }
        }
        final byte[] result = new byte[bytes.position()];
        bytes.flip().get(result);
        return result;
    }

    private static int header(final FuzzedDataProvider data, final int length)
    {
        switch (data.consumeInt(0, 7))
        {
            case 0: return NOT_COMPLETE | length;
            case 1: return META_DATA | length;
            case 2: return data.consumeInt();
            default: return length;
        }
    }

    /**
     * @return whether an entry's document lies wholly at or after {@code position}, untouched.
     */
    private static boolean hasDocumentAfter(final long position)
    {
        return DOCUMENT_START[(int)LAST_INDEX] >= position;
    }

    /**
     * @return the last entry whose document lies wholly before {@code position} (the entries before the truncated
     * point always do).
     */
    private static long lastEntryBefore(final long position)
    {
        long index = TRUNCATED_FROM - 1;
        while (index < LAST_INDEX && DOCUMENT_END[(int)index + 1] <= position)
        {
            index++;
        }
        return index;
    }

    /**
     * Every record the log holds is intact and where it should be; those up to {@code intactUpTo} are the originals.
     */
    private static void checkRecords(final ChronicleLogStore store, final long intactUpTo)
    {
        for (long index = store.baseIndex() + 1; index <= store.lastIndex(); index++)
        {
            final int length = store.copyRecords(index, 1, READ, 0);
            final long at = index;
            assertTrue(CODEC.isChecksumValid(READ, 0, length), () -> "entry " + at + " fails its checksum");
            assertEquals(index, LogEntryCodec.index(READ, 0), "an entry under another index");
            assertEquals(store.termAt(index), LogEntryCodec.term(READ, 0), "an entry of another term than the log's");
            if (index <= intactUpTo)
            {
                final byte[] bytes = new byte[length];
                READ.getBytes(0, bytes);
                assertArrayEquals(ORIGINAL[(int)index], bytes, () -> "entry " + at + " changed");
            }
        }
    }

    private static void appendOne(final ChronicleLogStore store, final long index, final long term)
    {
        final int length = CODEC.encode(RECORDS, 0, index, term, 0, EntryType.APPLICATION, PAYLOAD, 0, 8);
        store.append(RECORDS, 0, length, 1);
        store.sync();
    }

    private static ChronicleLogStore open(final long hint)
    {
        return open(COPY, hint);
    }

    private static ChronicleLogStore open(final Path directory, final long hint)
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(directory)
            .durability(Durability.PAGE_CACHE)
            .blockSize(BLOCK_SIZE)
            .timeProvider(TIME)
            .timeoutMs(CHRONICLE_TIMEOUT_MS)
            .initialEntries(64)
            .committedIndexHint(hint));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Files
    // ---------------------------------------------------------------------------------------------------------------

    private static void writeTemplate()
    {
        delete(WORK);
        try (ChronicleLogStore store = open(TEMPLATE, 0))
        {
            append(store, 1, FIRST_TERM_LAST, 1);
            store.truncateFrom(TRUNCATED_FROM);
            append(store, TRUNCATED_FROM, LAST_INDEX, 2);
            for (long index = 1; index <= LAST_INDEX; index++)
            {
                final int length = store.copyRecords(index, 1, READ, 0);
                ORIGINAL[(int)index] = new byte[length];
                READ.getBytes(0, ORIGINAL[(int)index]);
            }
        }
        locateDocuments();
    }

    private static void append(final ChronicleLogStore store, final long from, final long to, final long term)
    {
        for (long index = from; index <= to; index++)
        {
            PAYLOAD.putLong(0, index * 31 + term);
            final int length = CODEC.encode(RECORDS, 0, index, term, index, EntryType.APPLICATION, PAYLOAD, 0, 24);
            store.append(RECORDS, 0, length, 1);
        }
        store.sync();
    }

    /**
     * Reads the template with Chronicle directly to find where each live entry's document lies.
     */
    private static void locateDocuments()
    {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(TEMPLATE)
            .rollCycle(ChronicleLogStore.DEFAULT_ROLL_CYCLE).blockSize(BLOCK_SIZE).timeProvider(TIME).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            File file = null;
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    file = tailer.currentFile();
                    final Bytes<?> bytes = dc.wire().bytes();
                    final long start = bytes.readPosition();
                    final long end = start + bytes.readRemaining();
                    tailEnd = end;
                    if (bytes.readRemaining() > 4 + LogEntryCodec.HEADER_LENGTH && bytes.readInt(start) == 1)
                    {
                        final long index = bytes.readLong(start + 4 + 8);
                        DOCUMENT_START[(int)index] = start - 4;
                        DOCUMENT_END[(int)index] = end;
                    }
                }
            }
            cycleFileName = file.getName();
        }
    }

    private static void copyTemplate()
    {
        delete(COPY);
        try (Stream<Path> files = Files.list(TEMPLATE))
        {
            Files.createDirectories(COPY);
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.copy(file, COPY.resolve(file.getFileName()));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void overwrite(final Path file, final long position, final byte[] bytes)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void delete(final Path directory)
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}

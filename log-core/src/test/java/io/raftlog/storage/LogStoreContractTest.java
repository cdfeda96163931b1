package io.raftlog.storage;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.LogStore;
import io.raftlog.sim.SimLogStore;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real store and the simulator's store are two implementations of one contract: the same operations, reopened at
 * the same points, must leave logs that answer every question the same way. The simulator's store is what thousands
 * of simulated runs check the core against, so agreeing with it carries those runs over to the real one.
 * <p>
 * {@code bytesFrom} is the one answer allowed to differ: both count each entry's record and 8 bytes of framing, but
 * the simulator's also counts control frames written between retained entries. The real store's is checked exactly.
 */
class LogStoreContractTest
{
    private static final long HOUR_MS = 3600_000L;

    @TempDir
    Path dir;

    private final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);
    private final Records records = new Records();
    private final ExpandableArrayBuffer realCopy = new ExpandableArrayBuffer(1 << 16);
    private final ExpandableArrayBuffer simCopy = new ExpandableArrayBuffer(1 << 16);
    private ChronicleLogStore real;
    private SimLogStore sim;
    private long maxTerm;
    private int step;
    private long deletedCycleFiles;
    private long reopens;
    private long longestLog;
    private String lastOperation = "open";

    @Test
    void scriptedScenarioLeavesBothStoresAlike()
    {
        openBoth();
        try
        {
            append(1, 10, 1);
            append(11, 20, 2);
            truncate(15);
            append(15, 25, 3);
            reopen();
            compact(12);
            append(26, 30, 3);
            truncate(28);
            reopen();
            reset(40, 5);
            append(41, 45, 6);
            compact(45);
            reopen();
            append(46, 50, 7);
            sync();
            reopen();
        }
        finally
        {
            real.close();
        }
    }

    @Test
    void seededRandomWalkLeavesBothStoresAlike()
    {
        final SplittableRandom random = new SplittableRandom(20_240_601);
        openBoth();
        try
        {
            for (int i = 0; i < 400; i++)
            {
                final int dice = random.nextInt(100);
                final long base = sim.baseIndex();
                final long last = sim.lastIndex();
                if (dice < 45)
                {
                    final long term = random.nextInt(5) == 0 ? maxTerm + 1 + random.nextInt(3) :
                        Math.max(maxTerm, sim.termAt(last));
                    append(last + 1, last + 1 + random.nextInt(20), term);
                }
                else if (dice < 60 && last > base)
                {
                    truncate(base + 1 + random.nextLong(last - base));
                }
                else if (dice < 68 && last > base)
                {
                    compact(base + 1 + random.nextLong(last - base));
                }
                else if (dice < 72)
                {
                    reset(last + random.nextInt(4), Math.max(maxTerm, sim.termAt(last)) + random.nextInt(2));
                }
                else if (dice < 80)
                {
                    if (random.nextInt(3) == 0)
                    {
                        time.advanceMillis(HOUR_MS); // a new cycle file, so compaction deletes old ones
                    }
                    reopen();
                }
                else
                {
                    sync();
                }
            }
            deletedCycleFiles += real.deletedCycleFiles();
            System.out.printf("contract walk: %d steps, %d reopens, %d cycle files deleted, longest log %d entries%n",
                step, reopens, deletedCycleFiles, longestLog);
            assertTrue(deletedCycleFiles > 0, "the walk deleted cycle files");
            assertTrue(reopens > 10, "the walk reopened the store");
        }
        finally
        {
            real.close();
        }
    }

    private void openBoth()
    {
        real = ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir).durability(Durability.PAGE_CACHE)
            .timeProvider(time));
        sim = new SimLogStore(1, 1 << 16, 1 << 10);
        compare();
    }

    private void append(final long from, final long to, final long term)
    {
        lastOperation = "append [" + from + ", " + to + "] term " + term;
        Records.append(real, records, from, to, term);
        Records.append(sim, records, from, to, term);
        maxTerm = Math.max(maxTerm, term);
        compare();
    }

    private void truncate(final long from)
    {
        lastOperation = "truncateFrom " + from;
        real.truncateFrom(from);
        sim.truncateFrom(from);
        compare();
    }

    private void compact(final long to)
    {
        lastOperation = "compactTo " + to;
        real.compactTo(to);
        sim.compactTo(to);
        compare();
    }

    private void reset(final long base, final long term)
    {
        lastOperation = "reset " + base + " term " + term;
        real.reset(base, term);
        sim.reset(base, term);
        maxTerm = Math.max(maxTerm, term);
        compare();
    }

    private void sync()
    {
        lastOperation = "sync";
        assertEquals(sim.sync(), real.sync(), where("sync"));
        compare();
    }

    private void reopen()
    {
        lastOperation = "reopen";
        deletedCycleFiles += real.deletedCycleFiles();
        reopens++;
        real.close();
        real = ChronicleLogStore.open(new ChronicleLogStore.Context().directory(dir).durability(Durability.PAGE_CACHE)
            .timeProvider(time));
        assertEquals(0, real.tornTailsRepaired(), where("nothing to repair"));
        assertEquals(0, real.sealedCycleFiles(), where("nothing to seal"));
        sim.recover();
        compare();
    }

    private String where(final String what)
    {
        return what + " after step " + step + " (" + lastOperation + ")";
    }

    private void compare()
    {
        step++;
        final long base = sim.baseIndex();
        final long last = sim.lastIndex();
        longestLog = Math.max(longestLog, last - base);
        assertEquals(base, real.baseIndex(), where("baseIndex"));
        assertEquals(last, real.lastIndex(), where("lastIndex"));
        for (long index = Math.max(0, base - 2); index <= last + 2; index++)
        {
            assertEquals(sim.termAt(index), real.termAt(index), where("termAt " + index));
        }
        for (long term = 0; term <= maxTerm + 1; term++)
        {
            assertEquals(sim.firstIndexOfTerm(term), real.firstIndexOfTerm(term), where("firstIndexOfTerm " + term));
            assertEquals(sim.lastIndexOfTerm(term), real.lastIndexOfTerm(term), where("lastIndexOfTerm " + term));
        }
        long expectedBytes = 0;
        for (long index = last; index > base; index--)
        {
            expectedBytes += LogEntryCodec.recordLength(Records.payloadLengthOf(index)) + LogFrame.ENTRY_OVERHEAD;
            assertEquals(expectedBytes, real.bytesFrom(index), where("bytesFrom " + index));
            assertTrue(sim.bytesFrom(index) >= expectedBytes, where("simulator's bytesFrom " + index));
            assertEquals(sim.timestampAt(index), real.timestampAt(index), where("timestampAt " + index));
        }
        assertEquals(0, real.bytesFrom(last + 1), where("bytesFrom past the end"));
        for (long index = base + 1; index <= last; index += 1 + (last - base) / 16)
        {
            for (final int maxBytes : new int[] {1, 200, 1 << 16})
            {
                final int realLength = real.copyRecords(index, maxBytes, realCopy, 0);
                final int simLength = sim.copyRecords(index, maxBytes, simCopy, 0);
                assertEquals(simLength, realLength, where("copyRecords(" + index + ", " + maxBytes + ")"));
                for (int i = 0; i < realLength; i++)
                {
                    if (realCopy.getByte(i) != simCopy.getByte(i))
                    {
                        throw new AssertionError(where("copyRecords(" + index + ") byte " + i));
                    }
                }
            }
        }
    }
}

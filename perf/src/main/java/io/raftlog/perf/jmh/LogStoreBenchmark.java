package io.raftlog.perf.jmh;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.LogEntryDecoder;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * The leader's durable write per duty cycle: {@link ChronicleLogStore#append} of a batch of {@code batch} records,
 * then one {@link ChronicleLogStore#sync()}, as the node does once per cycle (group commit). Under
 * {@link Durability#PAGE_CACHE} the sync returns at once; under {@link Durability#FSYNC} it is an
 * {@code msync(MS_SYNC)} of the pages written since the last one. The score is per batch (divide by {@code batch}
 * for an entry).
 * <p>
 * The batch is encoded once; each call only stamps the next indices into it, because the store demands consecutive
 * indices. The checksums are then stale: the store copies records as they are and does not check them on append
 * (a follower's dispatcher checks them before it appends), and nothing reopens the store, so recomputing them
 * would only add the codec's cost, which {@link CodecBenchmark#encodeRecords()} measures.
 * <p>
 * Every iteration gets a fresh store in a fresh directory, deleted after it: under {@code PAGE_CACHE} the store
 * writes hundreds of MB a second, and a trial-long store would fill the disk on a long run. The directory is made
 * under the system property {@code raftlog.perf.dir} (default {@code java.io.tmpdir};
 * {@code -jvmArgsPrepend -Draftlog.perf.dir=/path}): point it at the disk the node would use, since {@code FSYNC}
 * measures that device (on tmpfs an msync costs nothing).
 * <p>
 * Under {@code -prof gc}, JMH counts what the iteration's setup and teardown allocate (opening a Chronicle queue:
 * some hundred KB) in the iteration, so {@code gc.alloc.rate.norm} shows a few B/op for {@code FSYNC}, whose
 * iterations hold only a few thousand calls; the append and sync themselves allocate nothing once warm
 * ({@code BenchmarksRunDirectlyTest} checks the page-cache path on the calling thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    JvmFlags.EXPORT_MISC, JvmFlags.OPEN_NIO, JvmFlags.OPEN_ZIP, JvmFlags.OPEN_REFLECT, JvmFlags.EXPORT_REF,
    JvmFlags.NO_ANALYTICS, JvmFlags.NO_ANNOUNCER, JvmFlags.NO_DISK_MONITOR, JvmFlags.QUIET_CHRONICLE })
public class LogStoreBenchmark
{
    /** Where the stores' directories are made. */
    public static final String DIR_PROPERTY = "raftlog.perf.dir";

    static final long TERM = 1;
    static final long TIMESTAMP = 1_700_000_000_000_000_000L;
    /** Entries the store's index holds before it first grows (16 bytes each, off-heap): a second of appends. */
    static final int INITIAL_ENTRIES = 1 << 22;

    private static final int INDEX_OFFSET = LogEntryDecoder.indexEncodingOffset();

    @Param({ "PAGE_CACHE", "FSYNC" })
    public Durability durability;

    /** Records appended per sync: one duty cycle's batch. */
    @Param({ "16" })
    public int batch;

    /** Bytes of payload per record. */
    @Param({ "32", "256" })
    public int payloadLength;

    private ExpandableArrayBuffer records;
    private int[] recordOffsets;
    private int recordsLength;
    private Path directory;
    private ChronicleLogStore store;

    @Setup(Level.Trial)
    public void encodeBatch()
    {
        final LogEntryCodec codec = new LogEntryCodec();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadLength]);
        records = new ExpandableArrayBuffer(batch * LogEntryCodec.recordLength(payloadLength));
        recordOffsets = new int[batch];
        int position = 0;
        for (int i = 0; i < batch; i++)
        {
            recordOffsets[i] = position;
            position += codec.encode(
                records, position, i + 1, TERM, TIMESTAMP, EntryType.APPLICATION, payload, 0, payloadLength);
        }
        recordsLength = position;
    }

    @Setup(Level.Iteration)
    public void openStore() throws IOException
    {
        final Path parent = Paths.get(System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        Files.createDirectories(parent);
        directory = Files.createTempDirectory(parent, "raftlog-jmh-store-");
        store = ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(directory)
            .durability(durability)
            .initialEntries(INITIAL_ENTRIES));
    }

    @TearDown(Level.Iteration)
    public void closeStore()
    {
        try
        {
            if (store != null)
            {
                store.close();
            }
        }
        finally
        {
            store = null;
            deleteRecursively(directory);
            directory = null;
        }
    }

    /**
     * @return the index the log is durable up to.
     */
    @Benchmark
    public long appendAndSync()
    {
        final ExpandableArrayBuffer records = this.records;
        final int[] recordOffsets = this.recordOffsets;
        final long first = store.lastIndex() + 1;
        for (int i = 0; i < recordOffsets.length; i++)
        {
            records.putLong(recordOffsets[i] + INDEX_OFFSET, first + i, LogEntryDecoder.BYTE_ORDER);
        }
        store.append(records, 0, recordsLength, recordOffsets.length);
        return store.sync();
    }

    ChronicleLogStore store()
    {
        return store;
    }

    static void deleteRecursively(final Path root)
    {
        if (root == null || !Files.exists(root))
        {
            return;
        }
        try
        {
            Files.walkFileTree(root, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException ex) throws IOException
                {
                    if (ex != null)
                    {
                        throw ex;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + root, ex);
        }
    }
}

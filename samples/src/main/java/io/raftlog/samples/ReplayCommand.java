package io.raftlog.samples;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.SessionEntry;
import io.raftlog.node.AeronCounterCommitIndex;
import io.raftlog.storage.CommittedLogReader;
import io.raftlog.storage.EntriesCompactedException;
import io.raftlog.storage.MetaFileCommitIndex;
import io.raftlog.storage.StorageCorruptionException;
import org.agrona.DirectBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code raftlog replay --dir DIR [--from INDEX] [--follow] [--aeron-dir AERON_DIR --member ID]}: prints a node's
 * committed log from its data directory, read-only, beside a running node or after it stopped. The output is the
 * help's description below: exactly one line per committed entry from {@code --from}, in index order, none twice,
 * none left out (only entries compaction deleted before the replay started are passed over; entries it deletes
 * before a lagging replay prints them end the replay with exit status 3, never a silent gap).
 *
 * <h2>The bound</h2>
 * Without {@code --aeron-dir}, the commit index the node recorded in {@code DIR/meta}: its final one after a clean
 * stop; while it runs, one it recorded at most about a second ago (or, after a crash, an older one). With
 * {@code --aeron-dir} and {@code --member}, the node's live commit-index counter, read from its media driver's CnC
 * file ({@link AeronCounterCommitIndex}); when the node stops (its counter is freed, or its driver stops), the
 * recorded commit index again, and the live counter once more when the node comes back. Notes on these changes go
 * to standard error, never to standard output. Without {@code --follow} the bound is read once at the start: the
 * replay prints the log up to it and exits 0.
 *
 * <h2>Output</h2>
 * Whole lines are written, buffered, and flushed whenever the replay has caught up; SIGTERM or SIGINT stops a
 * {@code --follow} replay after the line it is writing, with everything flushed. Nothing is allocated per entry.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
        "Print a node's committed log from its data directory, read-only: exactly one line per committed entry, "
            + "in index order, from --from on, each once (entries compaction deleted before the replay started are "
            + "passed over; if it deletes entries a --follow replay has yet to print, the replay stops, exit 3):",
        "  <index> <term> <payload>",
        "The payload of an application entry, and the client's bytes of a remote client's entry (the session "
            + "header left out), as text when every byte is printable ASCII (0x20-0x7e) and the text does not "
            + "begin with '[' or '0x'; else as 0x and lowercase hex (an empty payload prints nothing after the "
            + "term). Every other committed entry is one line with a marker in brackets:",
        "  <index> <term> [noop]                 a new leader's no-op",
        "  <index> <term> [configuration]        a membership change",
        "  <index> <term> [session-open]         a client session opens; its id is the index",
        "  <index> <term> [session-close <id>]   a client session closes",
        "  <index> <term> [type <code>]          an entry type this version does not know",
        "Bound: the node's live commit-index counter in its media driver (found through DIR/node, which the node "
            + "writes at start, or given with --aeron-dir and --member), and whenever the node is not running the "
            + "commit index it recorded in DIR/meta (about once a second while it runs, its final one after a clean "
            + "stop). Notes go to standard error.",
        "Exit status: 0 done (or stopped by SIGTERM/SIGINT with --follow), 1 a damaged log, 2 bad options or no "
            + "node data in DIR, 3 entries were compacted away before the replay printed them (it fell whole cycle "
            + "files behind the node's compaction): the message names the first one lost and where the log now "
            + "starts; replay again with --from there to go on." })
public final class ReplayCommand implements Callable<Integer>, CommittedLogReader.EntryHandler
{
    private static final int POLL_LIMIT = 1024;
    private static final long IDLE_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int FLUSH_BYTES = 64 * 1024;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] NOOP = marker("[noop]");
    private static final byte[] CONFIGURATION = marker("[configuration]");
    private static final byte[] SESSION_OPEN = marker("[session-open]");
    private static final byte[] SESSION_CLOSE = marker("[session-close ");
    private static final byte[] UNKNOWN_TYPE = marker("[type ");

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR",
        description = "The node's data directory (as given to `node --dir`): DIR/meta and DIR/log.")
    Path dir;

    @Option(names = "--from", defaultValue = "1", paramLabel = "INDEX",
        description = "The first index to print (default: ${DEFAULT-VALUE}).")
    long from;

    @Option(names = "--follow",
        description = "Keep printing entries as they commit, until SIGTERM/SIGINT; the node may stop and start again.")
    boolean follow;

    @Option(names = "--aeron-dir", paramLabel = "AERON_DIR",
        description = "The node's media driver directory (as given to `node --aeron-dir`): follow its live "
            + "commit-index counter there. Needs --member. Without it, DIR/node says where the node runs.")
    Path aeronDir;

    @Option(names = "--member", paramLabel = "ID", defaultValue = "0",
        description = "The node's member id (as given to `node --id`), with --aeron-dir.")
    int member;

    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private OutputStream sink;
    private byte[] lines = new byte[2 * FLUSH_BYTES];
    private int length;
    private volatile boolean running = true;

    ReplayCommand output(final PrintStream out)
    {
        this.out = out;
        return this;
    }

    ReplayCommand errors(final PrintStream err)
    {
        this.err = err;
        return this;
    }

    /**
     * Stops a {@code --follow} replay from another thread (as SIGTERM does); it returns once it has flushed.
     */
    void stop()
    {
        running = false;
    }

    public Integer call()
    {
        if ((aeronDir == null) != (member == 0))
        {
            return usage("--aeron-dir and --member go together (the counter is found by the member id)");
        }
        final Path logDir = dir.resolve(MemberStorage.LOG);
        final Path metaFile = dir.resolve(MemberStorage.META);
        if (!Files.isDirectory(logDir) || !Files.isRegularFile(metaFile))
        {
            err.println("replay: " + dir + " holds no node data (expected " + logDir + " and " + metaFile + ")");
            return 2;
        }
        if (aeronDir == null)
        {
            // the node notes where it publishes its counters: follow the live commit index when it runs
            final java.util.Properties location = MemberStorage.counterLocation(dir);
            if (location != null)
            {
                try
                {
                    member = Integer.parseInt(location.getProperty("member.id").trim());
                    aeronDir = Path.of(location.getProperty("aeron.dir").trim());
                }
                catch (final RuntimeException ex)
                {
                    member = 0;
                    aeronDir = null;
                }
            }
        }
        // SIGTERM/SIGINT: let the loop finish its line, flush and close before the JVM exits
        final CountDownLatch finished = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            running = false;
            try
            {
                finished.await(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "replay-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // whole lines, 64 KiB at a time: System.out's own small buffer passes such writes straight through
        sink = out;
        try (MetaFileCommitIndex recorded = new MetaFileCommitIndex(metaFile);
            AeronCounterCommitIndex counter = aeronDir == null ? null :
                new AeronCounterCommitIndex(aeronDir, member, recorded))
        {
            final CommittedLogReader.CommitIndexSupplier live = counter == null ? recorded : counter;
            if (follow)
            {
                return replay(logDir, live, counter, metaFile);
            }
            final long upTo = live.commitIndex();
            return replay(logDir, () -> upTo, counter, metaFile);
        }
        catch (final StorageCorruptionException ex)
        {
            err.println("replay: " + ex.getMessage());
            return 1;
        }
        catch (final EntriesCompactedException ex)
        {
            flushQuietly();
            err.println("replay: " + ex.getMessage() + (ex.firstRetainedIndex() == EntriesCompactedException.UNKNOWN ?
                "" : " (replay --from " + ex.firstRetainedIndex() + " to go on)"));
            return 3;
        }
        catch (final UncheckedIOException ex)
        {
            // the reader of the output went away (`replay ... | head`): nothing more to say to anyone
            sink = null;
            return 0;
        }
        finally
        {
            try
            {
                flush();
            }
            catch (final UncheckedIOException ignore)
            {
                // as above
            }
            finished.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignore)
            {
                // the JVM is shutting down: the hook is running and waits for the countDown above
            }
        }
    }

    private int replay(
        final Path logDir,
        final CommittedLogReader.CommitIndexSupplier bound,
        final AeronCounterCommitIndex counter,
        final Path metaFile)
    {
        long attachments = -1;
        long detachments = 0;
        try (CommittedLogReader reader = CommittedLogReader.open(logDir, bound))
        {
            reader.seek(Math.max(1, from));
            while (running)
            {
                final int delivered = reader.poll(this, POLL_LIMIT);
                if (counter != null && (counter.attachments() != attachments || counter.detachments() != detachments))
                {
                    flush();
                    note(counter, attachments < 0, metaFile);
                    attachments = counter.attachments();
                    detachments = counter.detachments();
                }
                if (delivered == 0 && reader.isCaughtUp())
                {
                    flush();
                    if (!follow)
                    {
                        break;
                    }
                    LockSupport.parkNanos(IDLE_NS);
                    if (Thread.currentThread().isInterrupted())
                    {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    /**
     * Writes out the lines of the entries delivered before a failure, so they come before its message.
     */
    private void flushQuietly()
    {
        try
        {
            flush();
        }
        catch (final UncheckedIOException ignore)
        {
            // the output is gone: the message still goes to standard error
        }
    }

    private void note(final AeronCounterCommitIndex counter, final boolean first, final Path metaFile)
    {
        if (counter.isAttached())
        {
            err.println("replay: following member " + member + "'s commit-index counter in " + aeronDir +
                " (counter id " + counter.counterId() + ")");
        }
        else
        {
            err.println("replay: " + (first ? "no commit-index counter of member " + member + " in " + aeronDir +
                " (not running?)" : "member " + member + "'s commit-index counter is gone (the node or its media " +
                "driver stopped)") + "; following the commit index recorded in " + metaFile +
                " until it appears");
        }
        err.flush();
    }

    // ------------------------------------------------------------------------------------------------- lines

    public void onEntry(
        final long index,
        final long term,
        final long timestamp,
        final int entryType,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength)
    {
        ensureRoom(128 + 2 * payloadLength); // two longs, separators, "0x" or the longest marker, newline
        putLong(index);
        put((byte)' ');
        putLong(term);
        put((byte)' ');
        if (SessionEntry.carriesApplicationBytes(entryType))
        {
            putPayload(buffer, SessionEntry.clientBytesOffset(entryType, payloadOffset),
                SessionEntry.clientBytesLength(entryType, payloadLength));
        }
        else if (entryType == EntryType.NOOP.value())
        {
            put(NOOP);
        }
        else if (entryType == EntryType.CONFIGURATION.value())
        {
            put(CONFIGURATION);
        }
        else if (entryType == EntryType.SESSION_OPEN.value())
        {
            put(SESSION_OPEN);
        }
        else if (entryType == EntryType.SESSION_CLOSE.value())
        {
            put(SESSION_CLOSE);
            putLong(payloadLength >= SessionEntry.CLOSE_LENGTH ? SessionEntry.sessionId(buffer, payloadOffset) : 0);
            put((byte)']');
        }
        else
        {
            put(UNKNOWN_TYPE);
            putLong(entryType);
            put((byte)']');
        }
        put((byte)'\n');
        if (length >= FLUSH_BYTES)
        {
            writeLines();
        }
    }

    private void putPayload(final DirectBuffer buffer, final int offset, final int length)
    {
        if (isText(buffer, offset, length))
        {
            for (int i = 0; i < length; i++)
            {
                put(buffer.getByte(offset + i));
            }
        }
        else
        {
            put((byte)'0');
            put((byte)'x');
            for (int i = 0; i < length; i++)
            {
                final int b = buffer.getByte(offset + i) & 0xFF;
                put(HEX[b >>> 4]);
                put(HEX[b & 0xF]);
            }
        }
    }

    /**
     * Printable ASCII, and not mistakable for a marker or for hex.
     */
    private static boolean isText(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > 0 && buffer.getByte(offset) == '[' ||
            length > 1 && buffer.getByte(offset) == '0' && buffer.getByte(offset + 1) == 'x')
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b < 0x20 || b > 0x7E)
            {
                return false;
            }
        }
        return true;
    }

    private void putLong(final long value)
    {
        if (value < 0)
        {
            put(marker(Long.toString(value))); // never an index, a term or a type code: no need to be lean
            return;
        }
        long divisor = 1;
        while (value / divisor >= 10)
        {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10)
        {
            put((byte)('0' + (value / divisor) % 10));
        }
    }

    private void put(final byte b)
    {
        lines[length++] = b;
    }

    private void put(final byte[] bytes)
    {
        System.arraycopy(bytes, 0, lines, length, bytes.length);
        length += bytes.length;
    }

    private void ensureRoom(final int bytes)
    {
        if (length + bytes > lines.length)
        {
            writeLines();
            if (bytes > lines.length)
            {
                lines = new byte[bytes]; // a payload larger than any before: grows once
            }
        }
    }

    private void writeLines()
    {
        if (length > 0)
        {
            try
            {
                sink.write(lines, 0, length);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write the replay's output", ex);
            }
            length = 0;
        }
    }

    private void flush()
    {
        if (sink == null)
        {
            return;
        }
        writeLines();
        try
        {
            sink.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the replay's output", ex);
        }
        if (sink instanceof PrintStream && ((PrintStream)sink).checkError())
        {
            // a PrintStream swallows the broken pipe; without this a --follow replay would write into the void
            throw new UncheckedIOException(new IOException("the replay's output is closed"));
        }
    }

    private int usage(final String message)
    {
        if (spec != null)
        {
            throw new ParameterException(spec.commandLine(), message);
        }
        err.println("replay: " + message);
        return 2;
    }

    private static byte[] marker(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}

package io.raftlog.samples;

import io.raftlog.codecs.EntryType;
import io.raftlog.storage.CommittedLogReader;
import org.agrona.DirectBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code raftlog replay --dir DIR [--from INDEX] [--follow]}: prints a node's committed log from its data directory,
 * one line per committed entry, {@code <index> <term> <payload>}, the payload as text when it is printable ASCII,
 * else as hex ({@code -} for a leader's no-op, {@code configuration} for a membership entry). It reads the files
 * read-only, never past the commit index the node last recorded, so it works beside a running node (which records
 * its commit index about once a second) and after it stopped. With {@code --follow} it keeps printing new entries
 * as they commit until interrupted.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = "Print a node's committed log from its data directory: <index> <term> <payload>.")
public final class ReplayCommand implements Callable<Integer>, CommittedLogReader.EntryHandler
{
    @Option(names = "--dir", required = true, description = "The node's data directory (as given to `node --dir`).")
    Path dir;

    @Option(names = "--from", defaultValue = "1", description = "The first index to print (default: ${DEFAULT-VALUE}).")
    long from;

    @Option(names = "--follow", description = "Keep printing entries as they commit, until interrupted.")
    boolean follow;

    private final StringBuilder line = new StringBuilder(256);
    private PrintStream out = System.out;

    ReplayCommand output(final PrintStream out)
    {
        this.out = out;
        return this;
    }

    public Integer call()
    {
        final Path log = dir.resolve(MemberStorage.LOG);
        final Path meta = dir.resolve(MemberStorage.META);
        if (!Files.isDirectory(log) || !Files.exists(meta))
        {
            System.err.println("replay: " + dir + " holds no node data (expected " + log + " and " + meta + ")");
            return 2;
        }
        try (CommittedLogReader reader = CommittedLogReader.openWithRecordedCommitIndex(log, meta))
        {
            reader.seek(Math.max(1, from));
            while (true)
            {
                final int delivered = reader.poll(this, 1024);
                if (delivered == 0)
                {
                    if (!follow)
                    {
                        break;
                    }
                    out.flush();
                    LockSupport.parkNanos(50_000_000L);
                    if (Thread.currentThread().isInterrupted())
                    {
                        break;
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    public void onEntry(
        final long index,
        final long term,
        final long timestamp,
        final int entryType,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength)
    {
        line.setLength(0);
        line.append(index).append(' ').append(term).append(' ');
        if (entryType == EntryType.NOOP.value())
        {
            line.append('-');
        }
        else if (entryType == EntryType.CONFIGURATION.value())
        {
            line.append("configuration");
        }
        else if (isPrintable(buffer, payloadOffset, payloadLength))
        {
            for (int i = 0; i < payloadLength; i++)
            {
                line.append((char)buffer.getByte(payloadOffset + i));
            }
        }
        else
        {
            for (int i = 0; i < payloadLength; i++)
            {
                final int b = buffer.getByte(payloadOffset + i) & 0xFF;
                line.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            }
        }
        out.println(line);
    }

    private static boolean isPrintable(final DirectBuffer buffer, final int offset, final int length)
    {
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
}

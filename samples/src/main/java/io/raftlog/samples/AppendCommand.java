package io.raftlog.samples;

import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogClientException;
import io.raftlog.driver.DriverProfile;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code raftlog append}: a remote client that appends N entries, {@code <prefix><seq>} padded with {@code .} to a
 * fixed size, and prints each acknowledgement as {@code <index> <prefix><seq>}. The client keeps as many appends in
 * flight as its window allows (open loop at a fixed rate with {@code --rate}), and finds the new leader and resends
 * what was not acknowledged when the leader changes; the cluster's session table makes each entry appear once.
 * <p>
 * The client's sequence numbers are the entries' {@code seq}: this command is the only user of its client, so the
 * nth offer is sequence n (checked at each offer). Nothing is allocated per entry: the payload and the output line
 * are formatted into buffers made at the start.
 */
@Command(
    name = "append",
    mixinStandardHelpOptions = true,
    description = {
        "Append N entries to a running cluster as a remote client and print each acknowledgement: one line "
            + "`<index> <prefix><seq>` per entry, seq 1 to N, in the order they are acknowledged.",
        "Entry seq is the ASCII text <prefix><seq> padded with '.' to --size bytes. The client survives leader "
            + "changes: it finds the new leader and resends what was not acknowledged, each entry appended once.",
        "Exit status: 0 when all N are acknowledged; 1 when the client gives up (no leader within --timeout-ms, a "
            + "session the cluster expired, ...), with the reason on standard error; 2 bad options.",
        "Example:",
        "  java -jar raftlog.jar append --members 1=127.0.0.1:20001,2=127.0.0.1:20002,3=127.0.0.1:20003 "
            + "--count 10000 --size 64 --acks acks.txt" })
final class AppendCommand implements Callable<Integer>
{
    /** Longest decimal text of a positive long. */
    private static final int MAX_DIGITS = 19;
    /** How long past the client's own leader search an append waits for any acknowledgement before giving up. */
    private static final long STALL_GRACE_MS = 2_000;
    /** How long a SIGINT/SIGTERM waits for the client's session, its driver and the output to be closed. */
    private static final long SHUTDOWN_WAIT_MS = 5_000;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--count", required = true, paramLabel = "N", description = "Entries to append.")
    long count;

    @Option(names = "--size", required = true, paramLabel = "BYTES",
        description = "Each entry's size: its text padded with '.'; at least the text of the last entry, at most "
            + "what the cluster accepts.")
    int size;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "PER_SEC",
        description = "Offer at this many entries a second, on a fixed schedule whatever the acknowledgements do "
            + "(open loop), as far as the window allows; 0: as fast as the window allows (default).")
    long rate;

    @Option(names = "--prefix", defaultValue = "entry-", paramLabel = "TEXT",
        description = "The text before each entry's seq: printable ASCII, no blank (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--acks", paramLabel = "FILE",
        description = "Write the acknowledgement lines to FILE (replaced) instead of standard output; the summary "
            + "then goes to standard output.")
    Path acksFile;

    @Option(names = "--timeout-ms", defaultValue = "10000", paramLabel = "MS",
        description = "Give up when no leader accepts the client for this long (at the start or after a leader "
            + "change), or when nothing is acknowledged for this long plus " + STALL_GRACE_MS + " ms "
            + "(default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--max-in-flight", defaultValue = "256", paramLabel = "N",
        description = "Appends in flight at most; the cluster's session window may lower it (default: "
            + "${DEFAULT-VALUE}).")
    int maxInFlight;

    private byte[] prefixBytes;
    private UnsafeBuffer payload;
    private char[] line;
    private Writer acks;
    private long nextSeq = 1;
    private long acknowledged;
    private long firstIndex = Long.MAX_VALUE;
    private long lastIndex;
    private long ackOutOfRange;
    private volatile boolean interrupted;

    public Integer call()
    {
        ChronicleDefaults.apply();
        final CommandLine commandLine = spec.commandLine();
        final PrintWriter err = commandLine.getErr();
        final Map<Integer, String> endpoints = client.endpoints(commandLine);
        validate(commandLine);

        final long startNs = System.nanoTime();
        final PrintWriter summary = acksFile != null ? commandLine.getOut() : err;
        Writer fileWriter = null;
        if (acksFile != null)
        {
            try
            {
                fileWriter = Files.newBufferedWriter(acksFile, StandardCharsets.US_ASCII);
            }
            catch (final IOException ex)
            {
                throw new ParameterException(commandLine, "--acks " + acksFile + ": " + ex.getMessage());
            }
        }
        acks = fileWriter != null ? fileWriter : commandLine.getOut();

        // SIGINT/SIGTERM: the loop stops, and the session, the driver (which deletes its directory) and the output
        // are closed before the JVM exits
        final CountDownLatch closed = new CountDownLatch(1);
        final Thread shutdownHook = new Thread(() ->
        {
            interrupted = true;
            try
            {
                closed.await(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "append-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        RaftlogClient raftlog = null;
        String failure;
        try
        {
            try (ClientDriver driver = ClientDriver.launch())
            {
                try
                {
                    raftlog = RaftlogClient.connect(
                        client.context(driver.aeron(), endpoints, timeoutMs).maxInFlight(maxInFlight),
                        this::onCommitted);
                    failure = size > raftlog.maxPayloadLength() ? "--size " + size + " is more than the cluster " +
                        "accepts from a client: " + raftlog.maxPayloadLength() + " bytes" : appendAll(raftlog);
                }
                finally
                {
                    // the session's close (best effort) leaves while the driver still runs
                    CloseHelper.quietClose(raftlog);
                }
            }
            catch (final RaftlogClientException ex)
            {
                failure = ex.getMessage();
            }
            catch (final UncheckedIOException ex)
            {
                failure = "writing the acknowledgements failed: " + ex.getCause().getMessage();
            }
            final String closeFailure = closeOutput(fileWriter);
            return report(failure != null ? failure : closeFailure, raftlog, startNs, err, summary);
        }
        finally
        {
            // after the report: a SIGTERM's shutdown waits for this, so the report is printed
            closed.countDown();
            removeShutdownHook(shutdownHook);
        }
    }

    private int report(
        final String failure, final RaftlogClient raftlog, final long startNs, final PrintWriter err,
        final PrintWriter summary)
    {
        final long elapsedNs = System.nanoTime() - startNs;
        final String why = failure == null && ackOutOfRange > 0 ?
            ackOutOfRange + " acknowledgements of sequences never offered" : failure;
        if (why != null)
        {
            err.printf("append: failed after %,d of %,d acknowledged: %s%s%n", acknowledged, count, why,
                raftlog == null ? "" : " (session " + raftlog.sessionId() + ", " + raftlog.leaderChanges() +
                    " leader changes, " + raftlog.rejections() + " rejections, " + raftlog.resent() + " resent)");
            err.flush();
            return 1;
        }
        summary.printf("append: %,d entries of %d bytes acknowledged in %.2f s (%,.0f/s), indices %d to %d, " +
            "session %d, %d leader changes, %,d resent%n",
            acknowledged, size, elapsedNs / 1e9, acknowledged * 1e9 / Math.max(1, elapsedNs), firstIndex, lastIndex,
            raftlog.sessionId(), raftlog.leaderChanges(), raftlog.resent());
        summary.flush();
        return 0;
    }

    /**
     * @return null, or why the acknowledgements could not be written out.
     */
    private String closeOutput(final Writer fileWriter)
    {
        try
        {
            acks.flush();
            if (fileWriter != null)
            {
                fileWriter.close();
            }
            return null;
        }
        catch (final IOException ex)
        {
            return "writing the acknowledgements failed: " + ex.getMessage();
        }
    }

    private static void removeShutdownHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // the JVM is shutting down: the hook runs, and returns at once since everything is closed
        }
    }

    private void validate(final CommandLine commandLine)
    {
        ClientOptions.requirePositive(commandLine, "--count", count);
        ClientOptions.requirePositive(commandLine, "--size", size);
        ClientOptions.requirePositive(commandLine, "--timeout-ms", timeoutMs);
        ClientOptions.requirePositive(commandLine, "--max-in-flight", maxInFlight);
        if (rate < 0)
        {
            throw new ParameterException(commandLine, "--rate must not be negative: " + rate);
        }
        for (int i = 0; i < prefix.length(); i++)
        {
            final char c = prefix.charAt(i);
            if (c <= ' ' || c > '~')
            {
                throw new ParameterException(commandLine,
                    "--prefix '" + prefix + "': only printable ASCII without blanks");
            }
        }
        if (prefix.startsWith("[") || prefix.startsWith("0x"))
        {
            // replay prints such text as hex, to tell it from its markers
            throw new ParameterException(commandLine, "--prefix '" + prefix + "' must not begin with '[' or '0x'");
        }
        final int longest = prefix.length() + Long.toString(count).length();
        if (size < longest)
        {
            throw new ParameterException(commandLine, "--size " + size + " is too small for the text of entry " +
                count + ": '" + prefix + count + "' is " + longest + " bytes");
        }
        prefixBytes = prefix.getBytes(StandardCharsets.US_ASCII);
        payload = new UnsafeBuffer(new byte[size]);
        payload.setMemory(0, size, (byte)'.');
        payload.putBytes(0, prefixBytes);
        line = new char[MAX_DIGITS + 1 + prefixBytes.length + MAX_DIGITS + 1];
    }

    /**
     * The duty cycle: receive acknowledgements, offer what the schedule and the window allow, idle when neither did
     * anything.
     *
     * @return null when all are acknowledged, else why not.
     */
    private String appendAll(final RaftlogClient raftlog)
    {
        final IdleStrategy idle = DriverProfile.SMALL.newAgentIdleStrategy();
        final long stallTimeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs + STALL_GRACE_MS);
        final long startNs = System.nanoTime();
        final double nsPerEntry = rate == 0 ? 0 : 1e9 / rate;
        long lastProgressNs = startNs;
        long ackedBefore = acknowledged;
        while (acknowledged < count)
        {
            if (interrupted)
            {
                return "interrupted";
            }
            int work = raftlog.poll();
            if (raftlog.isFailed())
            {
                return raftlog.failure();
            }
            final long nowNs = System.nanoTime();
            while (nextSeq <= count && (rate == 0 || nowNs - (startNs + (long)((nextSeq - 1) * nsPerEntry)) >= 0))
            {
                encode(nextSeq);
                final long sequence = raftlog.offer(payload, 0, size);
                if (sequence == RaftlogClient.BACK_PRESSURED)
                {
                    break;
                }
                if (sequence == RaftlogClient.TOO_LARGE)
                {
                    return "entry " + nextSeq + " of " + size + " bytes is too large for the cluster";
                }
                if (sequence == RaftlogClient.CLOSED)
                {
                    return raftlog.failure() != null ? raftlog.failure() : "the client closed";
                }
                if (sequence != nextSeq)
                {
                    return "the client numbered entry " + nextSeq + " as sequence " + sequence;
                }
                nextSeq++;
                work++;
            }
            if (acknowledged != ackedBefore)
            {
                ackedBefore = acknowledged;
                lastProgressNs = nowNs;
            }
            else if (raftlog.inFlight() > 0 && nowNs - lastProgressNs > stallTimeoutNs)
            {
                return "nothing acknowledged for " + TimeUnit.NANOSECONDS.toMillis(nowNs - lastProgressNs) +
                    " ms with " + raftlog.inFlight() + " in flight (last leader: member " + raftlog.leaderId() + ")";
            }
            else if (raftlog.inFlight() == 0)
            {
                lastProgressNs = nowNs; // waiting for the rate's schedule is no stall
            }
            if (work == 0)
            {
                flushAcks();
            }
            idle.idle(work);
        }
        return null;
    }

    private void encode(final long seq)
    {
        payload.setMemory(prefixBytes.length, Math.min(MAX_DIGITS, size - prefixBytes.length), (byte)'.');
        payload.putLongAscii(prefixBytes.length, seq);
    }

    private void onCommitted(final long sequence, final long index)
    {
        if (sequence < 1 || sequence >= nextSeq)
        {
            ackOutOfRange++;
            return;
        }
        acknowledged++;
        firstIndex = Math.min(firstIndex, index);
        lastIndex = Math.max(lastIndex, index);
        int length = putDigits(line, 0, index);
        line[length++] = ' ';
        for (final byte b : prefixBytes)
        {
            line[length++] = (char)b;
        }
        length = putDigits(line, length, sequence);
        line[length++] = '\n';
        try
        {
            acks.write(line, 0, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void flushAcks()
    {
        try
        {
            acks.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the position after the decimal digits of {@code value} (not negative) written at {@code position}.
     */
    static int putDigits(final char[] chars, final int position, final long value)
    {
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10)
        {
            digits++;
        }
        long rest = value;
        for (int i = position + digits - 1; i >= position; i--)
        {
            chars[i] = (char)('0' + (rest % 10));
            rest /= 10;
        }
        return position + digits;
    }
}

package io.raftlog.samples;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import io.raftlog.storage.FileMetaStore;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code replay --follow} that falls whole cycle files behind while the node compacts: the files holding entries it
 * has yet to print are deleted under it. It must stop with exit 3 and say which entries were lost and where the log
 * now starts, never print a gap in silence, never stall, never call it damage. The node's log is written here with
 * its default hourly cycle files and a clock the test moves on an hour at a time.
 */
@Timeout(60)
class ReplayCommandCompactionTest
{
    private static final long HOUR_MS = 3600_000L;
    private static final int PER_HOUR = 20;

    @TempDir
    Path dir;

    private final LogEntryCodec codec = new LogEntryCodec();
    private final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(4096);
    private final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(64);
    private final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);
    private long last;

    @Test
    void aFollowingReplayThatFallsBehindCompactionStopsSayingWhichEntriesWereCompactedAway() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final ReplayCommand command = new ReplayCommand()
            .output(new PrintStream(out, true, StandardCharsets.US_ASCII))
            .errors(new PrintStream(err, true, StandardCharsets.US_ASCII));
        final int[] exit = { -1 };
        final Thread replay;
        try (FileMetaStore meta = FileMetaStore.open(dir.resolve(MemberStorage.META), true, 0, System::nanoTime);
            ChronicleLogStore log = ChronicleLogStore.open(new ChronicleLogStore.Context()
                .directory(dir.resolve(MemberStorage.LOG)).durability(Durability.PAGE_CACHE).timeProvider(time)))
        {
            appendHours(log, 3);
            meta.recordCommitIndex(last);
            replay = new Thread(() ->
                exit[0] = new picocli.CommandLine(command).execute("--dir", dir.toString(), "--follow"));
            replay.start();
            awaitUntil(() -> lines(out) == 60, "the replay prints the 60 committed entries");

            // six more hours of entries, not yet committed as far as the replay knows; then compaction deletes the
            // files of 1..140 and the commit index moves on: the replay is whole files behind
            appendHours(log, 6);
            log.compactTo(150);
            meta.recordCommitIndex(last);
            replay.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertFalse(replay.isAlive(), "the replay stopped by itself");
        assertEquals(3, exit[0], err.toString());
        assertEquals(60, lines(out), "no entry after the gap: " + out);
        final String message = err.toString(StandardCharsets.US_ASCII);
        assertTrue(message.contains("entries from index 61 were compacted away"), message);
        assertTrue(message.contains("replay --from 141"), message);
        assertFalse(message.contains("corrupt"), message);
    }

    private void appendHours(final ChronicleLogStore log, final int hours)
    {
        for (int hour = 0; hour < hours; hour++)
        {
            int length = 0;
            for (int i = 0; i < PER_HOUR; i++)
            {
                final byte[] text = ("entry-" + (++last)).getBytes(StandardCharsets.US_ASCII);
                payload.putBytes(0, text);
                length += codec.encode(batch, length, last, 1, 0, EntryType.APPLICATION, payload, 0, text.length);
            }
            log.append(batch, 0, length, PER_HOUR);
            time.advanceMillis(HOUR_MS);
        }
    }

    private static long lines(final ByteArrayOutputStream out)
    {
        return out.toString(StandardCharsets.US_ASCII).lines().count();
    }

    private static void awaitUntil(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, what + ": not within 20 s");
            Thread.sleep(10);
        }
    }
}

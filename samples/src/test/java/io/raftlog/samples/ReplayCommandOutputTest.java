package io.raftlog.samples;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.SessionEntry;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import io.raftlog.storage.FileMetaStore;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code replay}'s lines for every kind of committed entry: an application entry's bytes and a remote client's bytes
 * (the session header left out) as text or as hex, the other entries as bracketed markers; nothing past the commit
 * index; {@code --from}; {@code --follow} printing entries as they commit; and the options that go together.
 */
@Timeout(60)
class ReplayCommandOutputTest
{
    @TempDir
    Path dir;

    private final LogEntryCodec codec = new LogEntryCodec();
    private final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(4096);
    private final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(256);
    private int batchLength;
    private int batchCount;
    private long nextIndex = 1;

    private void add(final long term, final EntryType type, final byte[] bytes)
    {
        payload.putBytes(0, bytes);
        batchLength += codec.encode(batch, batchLength, nextIndex++, term, 0, type, payload, 0, bytes.length);
        batchCount++;
    }

    private void addSessionAppend(final long term, final long sessionId, final long sequence, final byte[] bytes)
    {
        SessionEntry.encodeAppendHeader(payload, 0, sessionId, sequence);
        payload.putBytes(SessionEntry.APPEND_HEADER_LENGTH, bytes);
        batchLength += codec.encode(batch, batchLength, nextIndex++, term, 0, EntryType.SESSION_APPEND, payload, 0,
            SessionEntry.APPEND_HEADER_LENGTH + bytes.length);
        batchCount++;
    }

    private void flush(final ChronicleLogStore log)
    {
        log.append(batch, 0, batchLength, batchCount);
        batchLength = 0;
        batchCount = 0;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private ChronicleLogStore openLog()
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(dir.resolve(MemberStorage.LOG)).durability(Durability.PAGE_CACHE));
    }

    private List<String> replay(final String... options)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ReplayCommand command = new ReplayCommand().output(new PrintStream(bytes, true, StandardCharsets.US_ASCII));
        final String[] args = new String[options.length + 2];
        args[0] = "--dir";
        args[1] = dir.toString();
        System.arraycopy(options, 0, args, 2, options.length);
        assertEquals(0, new picocli.CommandLine(command).execute(args));
        return bytes.toString(StandardCharsets.US_ASCII).lines().toList();
    }

    @Test
    void printsOneLinePerCommittedEntryWithTheApplicationsBytesAndAMarkerForTheOthers()
    {
        try (FileMetaStore meta = FileMetaStore.open(dir.resolve(MemberStorage.META), true);
            ChronicleLogStore log = openLog())
        {
            add(1, EntryType.NOOP, new byte[0]);
            add(1, EntryType.APPLICATION, ascii("hello world"));
            add(1, EntryType.APPLICATION, new byte[]{ 0, 1, (byte)0xFF, 'a' });
            add(1, EntryType.CONFIGURATION, new byte[]{ 1, 2, 3 });
            add(2, EntryType.NOOP, new byte[0]);
            add(2, EntryType.SESSION_OPEN, new byte[0]);
            addSessionAppend(2, 6, 1, ascii("order 1"));
            addSessionAppend(2, 6, 2, new byte[]{ 10, 13 });
            add(2, EntryType.APPLICATION, ascii("[not a marker]"));
            add(2, EntryType.APPLICATION, ascii("0x41"));
            add(2, EntryType.APPLICATION, new byte[0]);
            payload.putLong(0, 6, SessionEntry.ORDER);
            batchLength += codec.encode(batch, batchLength, nextIndex++, 2, 0, EntryType.SESSION_CLOSE, payload, 0,
                SessionEntry.CLOSE_LENGTH);
            batchCount++;
            add(2, EntryType.APPLICATION, ascii("not committed"));
            flush(log);
            meta.recordCommitIndex(12);
        }

        assertEquals(List.of(
            "1 1 [noop]",
            "2 1 hello world",
            "3 1 0x0001ff61",
            "4 1 [configuration]",
            "5 2 [noop]",
            "6 2 [session-open]",
            "7 2 order 1",
            "8 2 0x0a0d",
            "9 2 0x5b6e6f742061206d61726b65725d",
            "10 2 0x30783431",
            "11 2 ",
            "12 2 [session-close 6]"), replay());
        assertEquals(List.of("11 2 ", "12 2 [session-close 6]"), replay("--from", "11"));
        assertEquals(List.of(), replay("--from", "13"));
    }

    @Test
    void followsTheRecordedCommitIndexUntilStopped() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ReplayCommand command = new ReplayCommand().output(new PrintStream(bytes, true, StandardCharsets.US_ASCII));
        final int[] exit = { -1 };
        try (FileMetaStore meta = FileMetaStore.open(dir.resolve(MemberStorage.META), true, 0, System::nanoTime);
            ChronicleLogStore log = openLog())
        {
            add(1, EntryType.NOOP, new byte[0]);
            add(1, EntryType.APPLICATION, ascii("first"));
            flush(log);
            meta.recordCommitIndex(2);
            final Thread replay = new Thread(() ->
                exit[0] = new picocli.CommandLine(command).execute("--dir", dir.toString(), "--follow"));
            replay.start();
            awaitUntil(() -> bytes.toString(StandardCharsets.US_ASCII).lines().count() == 2);

            add(1, EntryType.APPLICATION, ascii("second"));
            add(1, EntryType.APPLICATION, ascii("third, not yet committed"));
            flush(log);
            meta.recordCommitIndex(3);
            awaitUntil(() -> bytes.toString(StandardCharsets.US_ASCII).lines().count() == 3);

            command.stop();
            replay.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(!replay.isAlive());
        }
        assertEquals(0, exit[0]);
        assertEquals(List.of("1 1 [noop]", "2 1 first", "3 1 second"),
            bytes.toString(StandardCharsets.US_ASCII).lines().toList());
    }

    @Test
    void aeronDirAndMemberGoTogetherAndADirectoryWithoutNodeDataIsRefused()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final picocli.CommandLine cli = RaftlogCli.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true));
        assertEquals(2, cli.execute("replay", "--dir", dir.toString(), "--aeron-dir", dir.toString()));
        assertTrue(err.toString().contains("--aeron-dir and --member go together"), err.toString());
        assertEquals(2, RaftlogCli.commandLine().execute("replay", "--dir", dir.resolve("nothing").toString()));
    }

    private static void awaitUntil(final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "not within 20 s");
            Thread.sleep(10);
        }
    }
}

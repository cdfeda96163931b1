package io.raftlog.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code replay} prints a stopped node's committed log from its files: one line per entry, indices consecutive, the
 * demo's events as text, in the order they were sequenced.
 */
class ReplayCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    void replayPrintsEveryCommittedEntryOfAStoppedNodeInOrder() throws Exception
    {
        assertEquals(0, RaftlogCli.commandLine().execute(
            "demo", "--events", "2000", "--dir", tempDir.toString(), "--keep"));
        final Path demoDirectory;
        try (Stream<Path> children = Files.list(tempDir))
        {
            demoDirectory = children.filter(p -> p.getFileName().toString().startsWith("raftlog-demo-"))
                .findFirst().orElseThrow();
        }

        // the node noted where it ran; that driver is gone, so the replay falls back to the recorded commit index
        final java.util.Properties location = MemberStorage.counterLocation(demoDirectory.resolve("node-2"));
        assertEquals("2", location.getProperty("member.id"));
        assertTrue(location.getProperty("aeron.dir").length() > 0);

        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream notes = new ByteArrayOutputStream();
        final ReplayCommand replay = new ReplayCommand().output(new PrintStream(bytes, true, StandardCharsets.US_ASCII))
            .errors(new PrintStream(notes, true, StandardCharsets.US_ASCII));
        replay.dir = demoDirectory.resolve("node-2");
        replay.from = 1;
        assertEquals(0, replay.call());
        assertTrue(notes.toString(StandardCharsets.US_ASCII).contains("no commit-index counter of member 2"),
            notes.toString(StandardCharsets.US_ASCII));

        final List<String> lines = bytes.toString(StandardCharsets.US_ASCII).lines().toList();
        assertTrue(lines.size() >= 4_000, "every committed entry: " + lines.size());
        long previousEvent = 0;
        int events = 0;
        for (int i = 0; i < lines.size(); i++)
        {
            final String[] fields = lines.get(i).split(" ", 3);
            assertEquals(i + 1, Long.parseLong(fields[0]), "consecutive indices");
            if (fields[2].startsWith("event-"))
            {
                final long event = Long.parseLong(fields[2].substring(6).trim().replaceAll("[^0-9].*", ""));
                assertTrue(event > previousEvent, "events in sequence order: " + lines.get(i));
                previousEvent = event;
                events++;
            }
            else
            {
                assertEquals("[noop]", fields[2], "only events and leader no-ops: " + lines.get(i));
            }
        }
        assertEquals(4_000, events, "each acknowledged event once");
    }
}

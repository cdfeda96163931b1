package io.raftlog.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo, in this JVM, through the command line as {@code java -jar raftlog.jar demo} would run it, but returning
 * the exit code instead of exiting.
 */
class DemoCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    void theDemoTellsItsStoryChecksEverythingAndLeavesNothingBehind() throws Exception
    {
        final StringWriter out = new StringWriter();
        final int exitCode = RaftlogCli.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(out, true))
            .execute("demo", "--events", "5000", "--dir", tempDir.toString());
        final String story = out.toString();
        System.out.print(story);

        assertEquals(0, exitCode, story);
        assertTrue(story.contains("elected leader in term 1"), story);
        assertTrue(story.contains("killing the leader"), story);
        assertTrue(story.contains("restarts from its data directory"), story);
        assertTrue(story.contains("caught up"), story);
        assertTrue(story.contains("replaying the committed log of node 1"), story);
        assertTrue(story.contains("events acknowledged   10,000"), story);
        assertTrue(story.contains("all checks held"), story);
        assertTrue(!story.contains("FAILED"), story);
        try (Stream<Path> left = Files.list(tempDir))
        {
            assertEquals(0, left.count(), "the demo's data directory is deleted");
        }
    }

    @Test
    void durabilityFsyncWorksToo() throws Exception
    {
        final StringWriter out = new StringWriter();
        final int exitCode = RaftlogCli.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(out, true))
            .execute("demo", "--events", "2000", "--durability", "fsync", "--dir", tempDir.toString());
        assertEquals(0, exitCode, out.toString());
        assertTrue(out.toString().contains("durability            fsync"), out.toString());
    }
}

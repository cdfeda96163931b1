package io.raftlog.samples;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code raftlog node --generate}: the payload it offers and its options. The generation itself runs in
 * {@link ShadedJarFailoverTest}, across three processes.
 */
class EventGeneratorTest
{
    @TempDir
    Path tempDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void aGeneratedEventIsGenIndexPaddedWithSpaces()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[EventGenerator.LENGTH + 2]);
        buffer.putByte(EventGenerator.LENGTH, (byte)'x');
        assertEquals(EventGenerator.LENGTH, EventGenerator.encode(buffer, 0, 123_456));
        assertEquals(String.format("%-32s", "gen-123456"), buffer.getStringWithoutLengthAscii(0, EventGenerator.LENGTH));
        assertEquals('x', buffer.getByte(EventGenerator.LENGTH), "nothing written past the payload");
        EventGenerator.encode(buffer, 0, 7);
        assertEquals(String.format("%-32s", "gen-7"), buffer.getStringWithoutLengthAscii(0, EventGenerator.LENGTH));
    }

    @Test
    void helpDescribesTheOptions()
    {
        assertEquals(0, run("node", "--help"));
        final String help = out.toString();
        assertTrue(help.contains("--generate=N"), help);
        assertTrue(help.contains("--generate-rate=PER_SEC"), help);
        assertTrue(help.contains("--status-interval-ms=MS"), help);
        assertTrue(help.contains("status id=1 role=LEADER"), help);
    }

    @Test
    void negativeValuesAreUsageErrors()
    {
        for (final String option : new String[] { "--generate", "--generate-rate", "--status-interval-ms" })
        {
            err.getBuffer().setLength(0);
            assertEquals(2, run("node", "--id", "1", "--members", "1=127.0.0.1:20001",
                "--dir", tempDir.resolve("node-1").toString(), option, "-1"));
            assertTrue(err.toString().contains("must not be negative"), err.toString());
        }
        assertFalse(Files.exists(tempDir.resolve("node-1")), "nothing started");
    }

    private int run(final String... args)
    {
        return RaftlogCli.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    }
}

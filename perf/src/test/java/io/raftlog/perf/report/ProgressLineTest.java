package io.raftlog.perf.report;

import io.raftlog.perf.Progress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProgressLineTest
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private String printed()
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void advanceMs(final long ms)
    {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void onATerminalTheLineIsRewrittenInPlace()
    {
        final ProgressLine progress = new ProgressLine(out, true, 40, now::get);
        final Progress asProgress = progress;
        asProgress.update("warming up 1/5 s");
        advanceMs(200);
        progress.update("warm 2 s");
        advanceMs(200);
        progress.update("measuring\n3/30 s");
        progress.close();

        assertEquals(
            "\rwarming up 1/5 s" +
                "\rwarm 2 s        " + // spaces over the rest of the longer line before
                "\rmeasuring 3/30 s" +
                System.lineSeparator(),
            printed());
    }

    @Test
    void onATerminalUpdatesInQuickSuccessionAreHeldBackAndTheLatestShownAtTheEnd()
    {
        final ProgressLine progress = new ProgressLine(out, true, 40, now::get);
        progress.update("a 1");
        advanceMs(10);
        progress.update("a 2");
        advanceMs(10);
        progress.update("a 3");
        assertEquals("\ra 1", printed());
        advanceMs(100);
        progress.update("a 4");
        assertEquals("\ra 1\ra 4", printed());
        advanceMs(10);
        progress.update("a 5");
        progress.close();
        assertEquals("\ra 1\ra 4\ra 5" + System.lineSeparator(), printed());
    }

    @Test
    void onATerminalALongLineIsCutToTheWidth()
    {
        final ProgressLine progress = new ProgressLine(out, true, 12, now::get);
        progress.update("0123456789abcdef");
        assertEquals("\r012345678...", printed());
    }

    @Test
    void onATerminalAMessageGoesAboveTheProgressLine()
    {
        final ProgressLine progress = new ProgressLine(out, true, 40, now::get);
        progress.update("run 1");
        progress.println("done: p99 45 us");
        assertEquals("\rrun 1\r     \rdone: p99 45 us" + System.lineSeparator() + "\rrun 1", printed());
    }

    @Test
    void elsewhereAnUpdateIsALineOfItsOwnEveryFewSeconds()
    {
        final ProgressLine progress = new ProgressLine(out, false, 40, now::get);
        final String nl = System.lineSeparator();
        progress.update("step 1");
        advanceMs(1_000);
        progress.update("step 2");
        advanceMs(1_000);
        progress.update("step 3");
        assertEquals("step 1" + nl, printed());
        advanceMs(3_000);
        progress.update("step 4");
        assertEquals("step 1" + nl + "step 4" + nl, printed());
        advanceMs(1_000);
        progress.update("step 5");
        progress.close();
        assertEquals("step 1" + nl + "step 4" + nl + "step 5" + nl, printed());
        assertFalse(printed().contains("\r"));
    }

    @Test
    void closingWithNothingShownPrintsNothing()
    {
        new ProgressLine(out, true, 40, now::get).close();
        new ProgressLine(out, false, 40, now::get).close();
        assertEquals("", printed());
    }

    @Test
    void widthMustLeaveRoom()
    {
        assertThrows(IllegalArgumentException.class, () -> new ProgressLine(out, true, 5, now::get));
    }
}

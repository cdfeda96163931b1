package io.raftlog.perf.report;

import io.raftlog.perf.Progress;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The one progress line of a run. On a terminal the line is rewritten in place (carriage return), at most every
 * {@link #TERMINAL_INTERVAL_NS}, and cut to the terminal's width so that it never wraps; elsewhere (a file, a pipe,
 * CI) an update is printed as a line of its own, the first at once and then at most one per {@link
 * #PLAIN_INTERVAL_NS}. Thread-safe: the measuring threads may call {@link #update(String)}.
 *
 * <pre>{@code
 * try (ProgressLine progress = ProgressLine.forStdout())
 * {
 *     result = system.run(workload, progress);
 * }
 * }</pre>
 */
public final class ProgressLine implements Progress, AutoCloseable
{
    public static final long TERMINAL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    public static final long PLAIN_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    public static final int DEFAULT_WIDTH = 79;

    private final PrintStream out;
    private final boolean terminal;
    private final int width;
    private final long intervalNs;
    private final LongSupplier nanoClock;

    private boolean anyPrinted;
    private long lastPrintedNs;
    /**
     * The line now on the terminal; null where none.
     */
    private String shownLine;
    private String pending;

    /**
     * @param out       where the line goes.
     * @param terminal  whether {@code out} is a terminal: rewrite the line in place.
     * @param width     the most characters of a line on the terminal.
     * @param nanoClock {@link System#nanoTime()} but in a test.
     */
    public ProgressLine(final PrintStream out, final boolean terminal, final int width, final LongSupplier nanoClock)
    {
        if (width < 10)
        {
            throw new IllegalArgumentException("width too small: " + width);
        }
        this.out = out;
        this.terminal = terminal;
        this.width = width;
        this.intervalNs = terminal ? TERMINAL_INTERVAL_NS : PLAIN_INTERVAL_NS;
        this.nanoClock = nanoClock;
    }

    public ProgressLine(final PrintStream out, final boolean terminal)
    {
        this(out, terminal, terminalWidth(), System::nanoTime);
    }

    /**
     * @return a progress line on {@code System.out}, rewritten in place where the JVM has a console (stdin and
     * stdout are a terminal).
     */
    public static ProgressLine forStdout()
    {
        return new ProgressLine(System.out, System.console() != null);
    }

    /**
     * @return the {@code COLUMNS} of the environment less one where exported, else {@link #DEFAULT_WIDTH}.
     */
    static int terminalWidth()
    {
        final String columns = System.getenv("COLUMNS");
        if (columns != null)
        {
            try
            {
                final int value = Integer.parseInt(columns.trim());
                if (value > 10)
                {
                    return value - 1;
                }
            }
            catch (final NumberFormatException ignore)
            {
                // the default
            }
        }
        return DEFAULT_WIDTH;
    }

    public boolean isTerminal()
    {
        return terminal;
    }

    @Override
    public synchronized void update(final String status)
    {
        final String line = oneLine(status);
        final long now = nanoClock.getAsLong();
        if (anyPrinted && now - lastPrintedNs < intervalNs)
        {
            pending = line;
            return;
        }
        print(line, now);
    }

    /**
     * Prints a message on a line of its own; on the terminal above the progress line, which stays.
     */
    public synchronized void println(final String message)
    {
        if (terminal && shownLine != null)
        {
            final String latest = pending != null ? pending : shownLine;
            out.print('\r' + " ".repeat(shownLine.length()) + '\r');
            out.println(message);
            shownLine = null;
            print(latest, nanoClock.getAsLong());
        }
        else
        {
            out.println(message);
            out.flush();
        }
    }

    /**
     * Prints the latest status if it was held back, and ends the line on the terminal; later output starts on a
     * line of its own.
     */
    @Override
    public synchronized void close()
    {
        if (pending != null)
        {
            print(pending, nanoClock.getAsLong());
        }
        if (terminal && shownLine != null)
        {
            out.println();
            shownLine = null;
        }
        out.flush();
    }

    private void print(final String line, final long now)
    {
        if (terminal)
        {
            final String shown = line.length() > width ? line.substring(0, width - 3) + "..." : line;
            // spaces over what is left of a longer line before
            final int clear = shownLine == null ? 0 : Math.max(0, shownLine.length() - shown.length());
            out.print('\r' + shown + " ".repeat(clear));
            shownLine = shown;
        }
        else
        {
            out.println(line);
        }
        out.flush();
        anyPrinted = true;
        lastPrintedNs = now;
        pending = null;
    }

    private static String oneLine(final String status)
    {
        if (status == null)
        {
            return "";
        }
        return status.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}

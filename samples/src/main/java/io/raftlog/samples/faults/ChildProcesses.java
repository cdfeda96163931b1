package io.raftlog.samples.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starting and stopping the processes a fault run is made of (nodes, relays, clients, replays), the same way for
 * all: output and errors appended to a file of the process's own, and a stop that waits, then kills.
 */
final class ChildProcesses
{
    private ChildProcesses()
    {
    }

    /**
     * @param what the process, for the message when it cannot start.
     * @throws IllegalStateException when it cannot start.
     */
    static Process start(final List<String> command, final Path output, final String what)
    {
        try
        {
            return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(what + " could not start: " + ex.getMessage(), ex);
        }
    }

    /**
     * Waits up to {@code graceSeconds} for a process already told to stop (SIGTERM) to end, then kills it (SIGKILL)
     * and waits as long again.
     */
    static void awaitEnd(final Process process, final long graceSeconds)
    {
        try
        {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(graceSeconds, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

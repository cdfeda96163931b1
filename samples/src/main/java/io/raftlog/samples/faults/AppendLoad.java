package io.raftlog.samples.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The client load of a fault run: {@code append} processes (the remote client, in this process's namespace), one at a
 * time at a fixed rate, each with entries of its own prefix, each writing every acknowledgement to a file. When one
 * gives up (no leader for its whole timeout) the next starts with a new session; {@link #stop} ends the current one
 * with SIGTERM, which lets it write out what was acknowledged.
 */
final class AppendLoad
{
    private static final long CLIENT_TIMEOUT_MS = 20_000;

    private final Path directory;
    private final String members;
    private final String responseHost;
    private final int ratePerSec;
    private final List<Path> ackFiles = new ArrayList<>();
    private Process current;
    private int runs;

    AppendLoad(final Path directory, final String members, final String responseHost, final int ratePerSec)
    {
        this.directory = directory;
        this.members = members;
        this.responseHost = responseHost;
        this.ratePerSec = ratePerSec;
    }

    /**
     * Starts a client when none runs; call it now and then.
     */
    void keepRunning(final long secondsLeft)
    {
        if (current != null && current.isAlive())
        {
            return;
        }
        final int run = ++runs;
        final Path acks = directory.resolve("acks-" + run + ".txt");
        ackFiles.add(acks);
        final List<String> command = new ArrayList<>(NodeProcesses.javaCommand());
        command.addAll(List.of("append", "--members", members, "--response-host", responseHost,
            "--count", Long.toString(Math.max(1, ratePerSec * (secondsLeft + 60))), "--size", "24",
            "--rate", Integer.toString(ratePerSec), "--prefix", "r" + run + "-", "--acks", acks.toString(),
            "--timeout-ms", Long.toString(CLIENT_TIMEOUT_MS)));
        current = ChildProcesses.start(command, directory.resolve("append-" + run + ".out"), "the client");
    }

    int runs()
    {
        return runs;
    }

    void stop()
    {
        if (current != null && current.isAlive())
        {
            current.destroy();
            ChildProcesses.awaitEnd(current, 30);
        }
    }

    /**
     * @return every acknowledged entry's text and the index it was acknowledged at, over all the clients' runs.
     */
    Map<String, Long> acknowledged()
    {
        final Map<String, Long> acks = new HashMap<>();
        for (final Path file : ackFiles)
        {
            if (!Files.exists(file))
            {
                continue;
            }
            try
            {
                for (final String line : Files.readAllLines(file))
                {
                    final int space = line.indexOf(' ');
                    if (space > 0)
                    {
                        acks.put(line.substring(space + 1).trim(), Long.parseLong(line.substring(0, space)));
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("reading " + file + ": " + ex.getMessage(), ex);
            }
        }
        return acks;
    }
}

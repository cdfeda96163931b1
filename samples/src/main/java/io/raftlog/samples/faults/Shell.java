package io.raftlog.samples.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system commands that set up and break the test network ({@code ip}, {@code nft}, {@code kill}), each to
 * completion within a bound.
 */
final class Shell
{
    private static final long TIMEOUT_SECONDS = 30;

    private Shell()
    {
    }

    /**
     * @throws IllegalStateException naming the command and what it printed when it fails.
     */
    static String run(final List<String> command)
    {
        final Outcome outcome = attempt(command);
        if (outcome.exitCode != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + ": exit " + outcome.exitCode + ": " +
                outcome.output.trim());
        }
        return outcome.output;
    }

    /**
     * @return what the command printed and its exit code; -1 when it could not run at all.
     */
    static Outcome attempt(final List<String> command)
    {
        Path output = null;
        try
        {
            // the output goes to a file, not a pipe: a command that hangs without closing its output must not hang
            // the reader past the time limit
            output = Files.createTempFile("raftlog-shell-", ".out");
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Outcome(-1, "timed out after " + TIMEOUT_SECONDS + " s");
            }
            return new Outcome(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            return new Outcome(-1, ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Outcome(-1, "interrupted");
        }
        finally
        {
            deleteQuietly(output);
        }
    }

    private static void deleteQuietly(final Path file)
    {
        if (file != null)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignore)
            {
                // a temporary file left in the temporary directory
            }
        }
    }

    record Outcome(int exitCode, String output)
    {
    }
}

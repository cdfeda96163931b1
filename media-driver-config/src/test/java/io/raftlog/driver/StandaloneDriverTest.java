package io.raftlog.driver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandaloneDriverTest
{
    @Test
    void aBadProfileIsRejectedNamingTheOptionAndTheValidProfiles()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> StandaloneDriver.parse(new String[]{ "--profile", "fast", "--aeron-dir", "/tmp/unused" }));

        final String message = ex.getMessage();
        assertTrue(message.startsWith("--profile fast"), message);
        assertTrue(message.contains("not a driver profile"), message);
        assertTrue(message.contains("valid profiles: small, low-latency, throughput"), message);
    }

    @Test
    void everyOptionIsParsedInBothSpellings()
    {
        final DriverSettings settings = StandaloneDriver.parse(new String[]{
            "--profile", "throughput", "--aeron-dir=/tmp/raftlog-unused", "--mtu", "8k",
            "--term-length=16m", "--initial-window", "4m", "--largest-message", "1m" });

        assertSame(DriverProfile.THROUGHPUT, settings.profile());
        assertEquals("/tmp/raftlog-unused", settings.aeronDirectoryName());
        assertEquals(8192, settings.mtuLength());
        assertEquals(16 * 1024 * 1024, settings.publicationTermBufferLength());
        assertEquals(4 * 1024 * 1024, settings.initialWindowLength());
        assertEquals(1024 * 1024, settings.largestMessageBytes());
        assertFalse(settings.isConcluded());
    }

    @Test
    void theAeronDirectoryIsRequired()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> StandaloneDriver.parse(new String[]{ "--profile", "small" }));

        assertTrue(ex.getMessage().contains("--aeron-dir is required"), ex.getMessage());
    }

    @Test
    void anUnknownOptionOrAMissingValueIsRejectedNamingTheOption()
    {
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> StandaloneDriver.parse(new String[]{ "--aeron-dir", "/tmp/unused", "--turbo", "on" }));
        assertTrue(unknown.getMessage().startsWith("--turbo is not an option"), unknown.getMessage());

        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> StandaloneDriver.parse(new String[]{ "--mtu", "--aeron-dir", "/tmp/unused" }));
        assertTrue(missing.getMessage().startsWith("--mtu needs a value"), missing.getMessage());
    }

    @Test
    void aSizeThatIsNotANumberIsRejectedNamingTheOptionAndTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> StandaloneDriver.parse(new String[]{ "--aeron-dir", "/tmp/unused", "--term-length", "big" }));

        assertTrue(ex.getMessage().startsWith("--term-length big: publicationTermBufferLength=big"), ex.getMessage());
    }

    @Test
    void aParsedButInvalidSizeIsRejectedOnConcludeNamingTheSetting()
    {
        final DriverSettings settings =
            StandaloneDriver.parse(new String[]{ "--aeron-dir", "/tmp/unused", "--mtu", "1000" });

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, settings::conclude);
        assertTrue(ex.getMessage().startsWith("mtuLength=1000"), ex.getMessage());
    }

    @Test
    @Timeout(60)
    void aStandaloneDriverPrintsWhereItRunsAndStopsCleanlyOnSigterm(@TempDir final Path temp)
        throws IOException, InterruptedException
    {
        final File aeronDir = temp.resolve("aeron").toFile();
        final File output = temp.resolve("driver.out").toFile();

        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(moduleFlagsOfThisJvm());
        command.add("-Xmx128m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(StandaloneDriver.class.getName());
        command.add("--profile");
        command.add("small");
        command.add("--aeron-dir");
        command.add(aeronDir.getAbsolutePath());
        command.add("--mtu");
        command.add("4096");

        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output)
            .start();
        try
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!read(output).contains("raftlog media driver running"))
            {
                assertTrue(process.isAlive(), "the driver exited early:\n" + read(output));
                assertTrue(System.nanoTime() - deadlineNs < 0, "no start line in 30 s:\n" + read(output));
                Thread.sleep(20);
            }

            final String started = read(output);
            assertTrue(started.contains("running in " + aeronDir.getAbsolutePath()), started);
            assertTrue(started.contains("profile=small"), started);
            assertTrue(started.contains("mtuLength=4096"), started);
            assertTrue(new File(aeronDir, "cnc.dat").exists());

            process.destroy(); // SIGTERM

            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGTERM:\n" + read(output));
            final String all = read(output);
            assertEquals(128 + 15, process.exitValue(), all);
            assertTrue(all.contains("raftlog media driver stopping"), all);
            assertFalse(aeronDir.exists(), "the driver deletes its directory when it stops:\n" + all);
        }
        finally
        {
            if (process.isAlive())
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> moduleFlagsOfThisJvm()
    {
        final List<String> flags = new ArrayList<>();
        final List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < args.size(); i++)
        {
            final String arg = args.get(i);
            if (arg.startsWith("--add-exports") || arg.startsWith("--add-opens"))
            {
                flags.add(arg);
                if (!arg.contains("=") && i + 1 < args.size())
                {
                    flags.add(args.get(++i));
                }
            }
        }
        return flags;
    }

    private static String read(final File file) throws IOException
    {
        return file.exists() ? Files.readString(file.toPath(), StandardCharsets.UTF_8) : "";
    }
}

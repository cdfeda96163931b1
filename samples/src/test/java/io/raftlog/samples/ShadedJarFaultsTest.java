package io.raftlog.samples;

import io.raftlog.samples.JarProcesses.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A bounded run of the fault harness, {@code faults --nodes 3 --duration 20}: node processes in network namespaces
 * (or on loopback where they cannot be made), each behind a UDP relay, under kills, pauses, partitions, loss and
 * slow-network periods (the relays' delay, reordering and duplication), with appends and key-value clients; nothing
 * acknowledged is lost or duplicated, the logs agree, the history is linearizable, and nothing the run made is left
 * behind.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarFaultsTest
{
    private static final Pattern SUMMARY = Pattern.compile("faults: (\\d+) cycles, (\\d+) kills, (\\d+) pauses, " +
        "(\\d+) partitions, acked=(\\d+) lost=(\\d+) duplicated=(\\d+) divergent=(\\d+) linearizable=(yes|no)");
    private static final Pattern NETWORK = Pattern.compile("network: (\\d+) loss periods, (\\d+) slow periods " +
        "\\(delay/jitter/duplication by relay\\), relays forwarded=(\\d+) duplicated=(\\d+)");

    @TempDir
    Path tempDir;

    private JarProcesses processes;

    @BeforeEach
    void jar() throws IOException
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        final Path jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
        processes = new JarProcesses(jar, tempDir);
    }

    @AfterEach
    void stopEverything() throws Exception
    {
        if (processes != null)
        {
            processes.close();
        }
    }

    @Test
    @Timeout(300)
    void aBoundedFaultRunLosesNothingAndLeavesNothingBehind() throws Exception
    {
        final Result result = processes.run(280, "faults", "--nodes", "3", "--duration", "20", "--seed", "7",
            "--dir", tempDir.resolve("run").toString());
        System.out.println(result.out());
        assertEquals(0, result.exitCode(), result.toString());
        final Matcher summary = SUMMARY.matcher(result.out());
        assertTrue(summary.find(), result.toString());
        assertTrue(Long.parseLong(summary.group(1)) >= 3, "fault cycles ran");
        assertTrue(Long.parseLong(summary.group(5)) > 100, "appends were acknowledged");
        assertEquals("0", summary.group(6), "lost");
        assertEquals("0", summary.group(7), "duplicated");
        assertEquals("0", summary.group(8), "divergent");
        assertEquals("yes", summary.group(9), "linearizable");
        final Matcher network = NETWORK.matcher(result.out());
        assertTrue(network.find(), result.toString());
        assertTrue(Long.parseLong(network.group(3)) > 0, "the relays carried the nodes' traffic");
        final String namespaces = namespaces();
        assertFalse(namespaces.contains("rlf"), "namespaces left behind: " + namespaces);
    }

    /**
     * @return {@code ip netns list}, or an empty string where there is no {@code ip}.
     */
    private static String namespaces() throws InterruptedException
    {
        try
        {
            final Process process = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return process.waitFor() == 0 ? output : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}

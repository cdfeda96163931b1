package io.raftlog.samples;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The executable jar as built: its manifest, and {@code java -jar target/raftlog.jar} run as a user would, with no
 * JVM flag at all. Runs in the package phase, after the shade plugin (see the pom); skipped in the test phase.
 */
class ShadedJarTest
{
    @TempDir
    Path tempDir;

    private Path jar;

    @BeforeEach
    void jar()
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
    }

    @Test
    void theManifestNamesTheMainClassAndOpensWhatAgronaAndChronicleNeed() throws IOException
    {
        try (JarFile file = new JarFile(jar.toFile()))
        {
            final Attributes manifest = file.getManifest().getMainAttributes();
            assertEquals(System.getProperty("raftlog.jar.mainClass"), manifest.getValue("Main-Class"));
            assertEquals(RaftlogCli.class.getName(), manifest.getValue("Main-Class"));
            assertEquals(System.getProperty("raftlog.jar.addOpens"), manifest.getValue("Add-Opens"));
            assertEquals(System.getProperty("raftlog.jar.addExports"), manifest.getValue("Add-Exports"));
            assertTrue(manifest.getValue("Add-Opens").contains("java.base/sun.nio.ch"));
            assertTrue(manifest.getValue("Add-Opens").contains("java.base/java.lang.reflect"));
            assertTrue(manifest.getValue("Add-Opens").contains("java.base/java.util.zip"));
            assertTrue(manifest.getValue("Add-Exports").contains("java.base/jdk.internal.misc"));
            assertTrue(manifest.getValue("Add-Exports").contains("java.base/jdk.internal.ref"));
            final List<String> signatures = Collections.list(file.entries()).stream()
                .map(entry -> entry.getName())
                .filter(name -> name.startsWith("META-INF/") &&
                    (name.endsWith(".SF") || name.endsWith(".RSA") || name.endsWith(".DSA") || name.endsWith(".EC")))
                .toList();
            assertEquals(List.of(), signatures, "no signature files of the original jars");
            assertTrue(file.getEntry("io/raftlog/node/RaftNode.class") != null);
            assertTrue(file.getEntry("io/aeron/driver/MediaDriver.class") != null);
            assertTrue(file.getEntry("net/openhft/chronicle/queue/ChronicleQueue.class") != null);
            assertTrue(file.getEntry("net/openhft/chronicle/analytics/Analytics.class") == null, "no analytics");
        }
    }

    @Test
    @Timeout(180)
    void javaDashJarRunsTheDemoWithoutAnyJvmFlag() throws Exception
    {
        final Process process = java("demo", "--events", "3000", "--dir", tempDir.toString())
            .redirectOutput(tempDir.resolve("demo.out").toFile())
            .redirectError(tempDir.resolve("demo.err").toFile())
            .start();
        assertTrue(process.waitFor(150, TimeUnit.SECONDS), "the demo finished");
        final String out = Files.readString(tempDir.resolve("demo.out"), StandardCharsets.UTF_8);
        final String err = Files.readString(tempDir.resolve("demo.err"), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out + err);
        assertTrue(out.contains("all checks held"), out);
        assertFalse(err.contains("WARNING"), "no JVM or library warning: " + err);
        assertFalse(err.contains("SLF4J"), "SLF4J has its binding: " + err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    @Timeout(180)
    void threeNodeProcessesElectALeaderAndStopCleanlyOnSigterm() throws Exception
    {
        final String members = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort() + ",2=127.0.0.1:" +
            NodeCommandTest.freeUdpPort() + ",3=127.0.0.1:" + NodeCommandTest.freeUdpPort();
        final List<Process> nodes = new ArrayList<>();
        try
        {
            for (int id = 1; id <= 3; id++)
            {
                nodes.add(java("node", "--id", Integer.toString(id), "--members", members,
                    "--dir", tempDir.resolve("node-" + id).toString(), "--bootstrap")
                    .redirectErrorStream(true)
                    .redirectOutput(tempDir.resolve("node-" + id + ".out").toFile())
                    .start());
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!anyOutputContains("LEADER in term"))
            {
                assertTrue(System.nanoTime() < deadlineNs, "a leader within 90 s: " + outputs());
                Thread.sleep(50);
            }
            for (final Process node : nodes)
            {
                node.destroy(); // SIGTERM
            }
            for (int id = 1; id <= 3; id++)
            {
                final Process node = nodes.get(id - 1);
                assertTrue(node.waitFor(30, TimeUnit.SECONDS), "node " + id + " stopped on SIGTERM");
                final String out = output(id);
                assertTrue(out.contains("node " + id + ": stopped"), out);
                assertEquals(143, node.exitValue(), "exit status of a JVM ended by SIGTERM: " + out);
                assertFalse(out.contains("Exception"), out);
            }
        }
        finally
        {
            for (final Process node : nodes)
            {
                node.destroyForcibly();
            }
        }
    }

    private ProcessBuilder java(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        // exactly what a user types: no options slipped in through the environment either
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        return builder;
    }

    private boolean anyOutputContains(final String text) throws IOException
    {
        for (int id = 1; id <= 3; id++)
        {
            if (output(id).contains(text))
            {
                return true;
            }
        }
        return false;
    }

    private String outputs() throws IOException
    {
        return output(1) + output(2) + output(3);
    }

    private String output(final int id) throws IOException
    {
        final Path file = tempDir.resolve("node-" + id + ".out");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}

package io.raftlog.samples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the storage-fault tests on real processes share: a {@link StorageFaultCluster} of node processes started from
 * the built jar, in a directory of the test's own, every process stopped after the test. Like {@link ShadedJarTest},
 * such a test runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
abstract class StorageFaultScenario
{
    @TempDir
    Path tempDir;

    StorageFaultCluster cluster;

    @BeforeEach
    void clusterFromTheBuiltJar() throws IOException
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        final Path jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
        cluster = new StorageFaultCluster(jar, tempDir);
    }

    @AfterEach
    void stopEverything() throws Exception
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }
}

package io.raftlog.samples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real member whose data directory is on a device that fills up: an 8 MiB tmpfs mounted on member 3's directory
 * (Linux, and root to mount it; skipped otherwise: {@code ChronicleLogStoreFullDiskTest} then still shows the
 * store's side with its claims limited). Entries of 1,000 bytes go in until it is full: member 3 stops by itself,
 * exit 4, saying the device is full and its log intact; the other two go on, and every append is acknowledged. The
 * tmpfs then grows (space returns), member 3 is started again with the same command, recovers its log with nothing
 * torn, and catches up; every member's committed log is the same.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarFullDiskTest
{
    private static final int FULL = 3;
    private static final int SIZE = 1000;

    @TempDir
    Path tempDir;

    private StorageFaultCluster cluster;
    private Path mount;

    @BeforeEach
    void jar() throws Exception
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        final Path jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
        cluster = new StorageFaultCluster(jar, tempDir);
        final Path directory = Files.createDirectories(cluster.nodeDirectory(FULL));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", directory.toString()),
            "cannot mount a tmpfs here (needs Linux and root): ChronicleLogStoreFullDiskTest covers the store");
        mount = directory;
    }

    @AfterEach
    void stopEverything() throws Exception
    {
        if (cluster != null)
        {
            cluster.close();
        }
        if (mount != null)
        {
            run("umount", mount.toString());
        }
    }

    @Test
    @Timeout(420)
    void aMemberWhoseDeviceFillsStopsWithItsLogIntactAndCatchesUpOnceThereIsRoom() throws Exception
    {
        final long startNs = System.nanoTime();
        cluster.startAll();

        // 1. entries until member 3's device is full: it stops, the others acknowledge every one
        long acked = 0;
        for (int round = 0; round < 6 && cluster.nodes[FULL].process.isAlive(); round++)
        {
            acked = cluster.append(3000, cluster.members, SIZE);
        }
        assertEquals(NodeCommand.EXIT_DEVICE_FULL, StorageFaultCluster.awaitExit(cluster.nodes[FULL], 60));
        final String stopped = cluster.nodes[FULL].output();
        assertTrue(stopped.contains("no room on the device of " + mount.resolve(MemberStorage.LOG)), stopped);
        assertTrue(stopped.contains("the log is intact"), stopped);
        assertFalse(stopped.contains("InternalError"), stopped);
        final String others = cluster.membersBut(FULL);
        acked = cluster.append(500, others, SIZE);
        final long fullMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        // 2. space returns; the same command starts it again
        assertTrue(run("mount", "-o", "remount,size=64m", mount.toString()), "the tmpfs grows");
        final long restartNs = System.nanoTime();
        cluster.nodes[FULL] = cluster.processes.startNode(FULL, cluster.members);
        final long commit = cluster.awaitSameCommit(acked, 120, cluster.members, 1, 2, 3);
        final long catchUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNs);
        final String restarted = cluster.nodes[FULL].output();
        assertTrue(restarted.contains("(restarting from it)"), restarted);
        assertFalse(restarted.contains("was torn"), "nothing half written: " + restarted);

        // 3. the same committed log everywhere, with every acknowledged entry
        final long entries = cluster.stopAllAndCompareLogs(1, 2, 3);

        System.out.printf("full disk: member %d's 8 MiB device filled after %d ms, it stopped with exit 4; the " +
            "others went on to %,d; grown to 64 MiB, member %d restarted and caught up to commit %,d in %d ms; " +
            "%,d entries the same on all three; %d ms in all; what it said:%n%s", FULL, fullMs, acked, FULL, commit,
            catchUpMs, entries, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), stopped);
    }

    private static boolean run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return false;
        }
        return process.exitValue() == 0;
    }
}

package io.raftlog.samples;

import io.raftlog.samples.JarProcesses.Node;
import io.raftlog.samples.JarProcesses.Result;
import io.raftlog.samples.JarProcesses.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The replicated key-value store against three node processes started from {@code raftlog.jar} with
 * {@code --state-machine kv}: put, get (ReadIndex and lease), compare-and-set that swaps and one that does not,
 * delete; a member stopped while the others write and snapshot comes back by InstallSnapshot, and a read served by
 * it after the leader moved there sees every write.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarKvTest
{
    @TempDir
    Path tempDir;

    private JarProcesses processes;
    private String members;
    private final Node[] nodes = new Node[4];

    @BeforeEach
    void jar() throws IOException
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        final Path jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
        processes = new JarProcesses(jar, tempDir);
        members = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort() + ",2=127.0.0.1:" + NodeCommandTest.freeUdpPort() +
            ",3=127.0.0.1:" + NodeCommandTest.freeUdpPort();
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
    void putGetCasAndDeleteAgainstThreeNodeProcesses() throws Exception
    {
        for (int id = 1; id <= 3; id++)
        {
            nodes[id] = startKvNode(id);
        }
        JarProcesses.awaitLeaderOutput(nodes, 60);
        processes.awaitLeader(members, 60);

        assertOk(kv("put", "x", "3"), "ok ");
        assertEquals("3", kv("get", "x").out().trim());
        assertEquals("3", kv("get", "--lease", "x").out().trim(), "a lease read, where the leader holds one");

        assertOk(kv("cas", "x", "3", "4"), "swapped ");
        final Result lost = kv("cas", "x", "3", "5");
        assertEquals(3, lost.exitCode(), lost.toString());
        assertTrue(lost.out().matches("(?s)not swapped \\d+: the current value is 4\\s*"), lost.toString());
        assertEquals("4", kv("get", "x").out().trim());

        assertOk(kv("cas", "--expect-absent", "y", "-", "first"), "swapped ");
        assertOk(kv("delete", "x"), "ok ");
        final Result absent = kv("get", "x");
        assertEquals(3, absent.exitCode(), absent.toString());
        assertTrue(absent.err().contains("x is absent"), absent.toString());

        // member 3 misses writes while the others snapshot every 20 entries and compact all but 5 behind it
        nodes[3].stop();
        for (int i = 0; i < 6; i++)
        {
            assertOk(kv("put", "k" + i, "v" + i), "ok ");
        }
        final Result bulk = processes.run(120, "append", "--members", members, "--count", "200", "--size", "16");
        assertEquals(0, bulk.exitCode(), bulk.toString());
        nodes[3] = startKvNode(3);
        JarProcesses.awaitUntil(60, "member 3 caught up", () -> caughtUp(3));

        // member 3 leads and answers from the state it was sent
        final Status leader = processes.awaitLeader(members, 30);
        if (leader.id() != 3)
        {
            final Result transfer = processes.run(60, "transfer-leader", "--members", members, "--to", "3");
            assertEquals(0, transfer.exitCode(), transfer.toString());
        }
        JarProcesses.awaitUntil(30, "member 3 leads", () -> leaderIs(3));
        assertEquals("v5", kv("get", "k5").out().trim());
        assertEquals("first", kv("get", "y").out().trim());
        assertTrue(nodes[3].output().contains("node 3: installed the leader's snapshot at index"),
            "member 3 was brought up by InstallSnapshot:\n" + nodes[3].output());
    }

    private Node startKvNode(final int id) throws IOException
    {
        return processes.startNode(id, members, "--state-machine", "kv", "--snapshot-every", "20",
            "--snapshot-retain", "5", "--lease-reads");
    }

    private Result kv(final String... args) throws Exception
    {
        final String[] command = new String[args.length + 3];
        command[0] = "kv";
        command[1] = "--members";
        command[2] = members;
        System.arraycopy(args, 0, command, 3, args.length);
        return processes.run(60, command);
    }

    private static void assertOk(final Result result, final String prefix)
    {
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.out().startsWith(prefix), result.toString());
    }

    private boolean caughtUp(final int id)
    {
        try
        {
            final Status leader = JarProcesses.leaderOf(processes.status(members));
            for (final Status status : processes.status(members))
            {
                if (status.id() == id && leader != null && status.commit() >= leader.commit() - 1)
                {
                    return true;
                }
            }
            return false;
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private boolean leaderIs(final int id)
    {
        try
        {
            final Status leader = JarProcesses.leaderOf(processes.status(members));
            return leader != null && leader.id() == id;
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }
}

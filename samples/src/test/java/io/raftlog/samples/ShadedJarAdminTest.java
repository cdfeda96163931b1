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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The operator commands against node processes started from {@code raftlog.jar}: {@code status} of three members,
 * {@code transfer-leader} to another, {@code add-member} of a fourth started with {@code --join} (promoted to voter
 * once caught up), {@code remove-member} of one of the first three, and an {@code append} that commits in the new
 * configuration; refusals exit 1 with the leader's reason.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarAdminTest
{
    private static final Pattern ADDED = Pattern.compile("member 4 \\(127\\.0\\.0\\.1:\\d+\\) added at index (\\d+), " +
        "committed");
    private static final Pattern REMOVED = Pattern.compile("member (\\d) removed at index (\\d+), committed");

    @TempDir
    Path tempDir;

    private JarProcesses processes;
    private String members;
    private String endpoint4;
    private final Node[] nodes = new Node[5];

    @BeforeEach
    void jar() throws IOException
    {
        assumeTrue(Boolean.getBoolean("raftlog.jar.check"), "runs in the package phase, once the jar is built");
        final Path jar = Path.of(System.getProperty("raftlog.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " was built");
        processes = new JarProcesses(jar, tempDir);
        members = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort() + ",2=127.0.0.1:" + NodeCommandTest.freeUdpPort() +
            ",3=127.0.0.1:" + NodeCommandTest.freeUdpPort();
        endpoint4 = "127.0.0.1:" + NodeCommandTest.freeUdpPort();
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
    @Timeout(240)
    void statusTransferLeaderAddMemberAndRemoveMember() throws Exception
    {
        final long startNs = System.nanoTime();
        for (int id = 1; id <= 3; id++)
        {
            nodes[id] = processes.startNode(id, members);
        }
        JarProcesses.awaitLeaderOutput(nodes, 60);
        final Status first = processes.awaitLeader(members, 60);

        // status: one line per member, exit 0
        final Result status = processes.run(60, "status", "--members", members);
        assertEquals(0, status.exitCode(), status.toString());
        final String[] lines = status.out().trim().split("\n");
        assertEquals(3, lines.length, status.toString());
        for (int i = 0; i < 3; i++)
        {
            assertTrue(JarProcesses.STATUS.matcher(lines[i]).matches(), lines[i]);
            assertTrue(lines[i].startsWith("member=" + (i + 1) + " role="), lines[i]);
        }

        // transfer-leader to another member: exit 0 once it leads
        final int target = first.id() % 3 + 1;
        final Result transfer = processes.run(60, "transfer-leader", "--members", members, "--to",
            Integer.toString(target));
        assertEquals(0, transfer.exitCode(), transfer + outputs());
        assertTrue(transfer.out().contains("transfer-leader: member " + target + " leads in term "),
            transfer.toString());
        final Status second = processes.awaitLeader(members, 30);
        assertEquals(target, second.id(), "the leader after the transfer");
        assertTrue(second.term() > first.term(), "a later term");
        final long transferredMs = millisSince(startNs);

        // ... and to a member that does not exist: refused, exit 1
        final Result unknownTransfer = processes.run(60, "transfer-leader", "--members", members, "--to", "9",
            "--timeout-ms", "5000");
        assertEquals(1, unknownTransfer.exitCode(), unknownTransfer.toString());
        assertTrue(unknownTransfer.err().contains("refused"), unknownTransfer.toString());

        // add-member: a fourth node started with --join is added, committed, then promoted to voter
        final String members4 = members + ",4=" + endpoint4;
        nodes[4] = processes.startNode(4, members4, "--join");
        final Result add = processes.run(60, "add-member", "--members", members, "--id", "4", "--endpoint",
            endpoint4, "--timeout-ms", "20000");
        assertEquals(0, add.exitCode(), add + outputs());
        final Matcher added = ADDED.matcher(add.out());
        assertTrue(added.find(), add.toString());
        final long addIndex = Long.parseLong(added.group(1));
        JarProcesses.awaitUntil(60, "member 4 a voter at commit >= " + addIndex, () ->
        {
            for (final Status s : processes.uncheckedStatus(members4))
            {
                if (s.id() == 4)
                {
                    return s.voter() && s.commit() >= addIndex && s.leader() != 0;
                }
            }
            return false;
        });
        final long addedMs = millisSince(startNs);

        // remove-member: one of the first three that does not lead
        final Status leader = processes.awaitLeader(members4, 30);
        final int removed = leader.id() == 1 ? 2 : 1;
        final Result remove = processes.run(60, "remove-member", "--members", members4, "--id",
            Integer.toString(removed), "--timeout-ms", "20000");
        assertEquals(0, remove.exitCode(), remove + outputs());
        final Matcher removal = REMOVED.matcher(remove.out());
        assertTrue(removal.find(), remove.toString());
        assertEquals(removed, Integer.parseInt(removal.group(1)));
        final long removeIndex = Long.parseLong(removal.group(2));

        // ... and a member that is none: refused, exit 1
        final Result unknownRemove = processes.run(60, "remove-member", "--members", members4, "--id", "9",
            "--timeout-ms", "5000");
        assertEquals(1, unknownRemove.exitCode(), unknownRemove.toString());
        assertTrue(unknownRemove.err().contains("refused"), unknownRemove.toString());

        // the new configuration (member 4 and the two others) commits a client's entries
        final Result append = processes.run(60, "append", "--members", members4, "--count", "200", "--size", "32",
            "--prefix", "after-", "--timeout-ms", "20000");
        assertEquals(0, append.exitCode(), append + outputs());
        assertEquals(200, append.out().trim().split("\n").length, append.toString());
        final List<Status> after = processes.status(members4);
        final Status last = JarProcesses.leaderOf(after);
        assertTrue(last != null && last.id() != removed, "a leader other than the removed member: " + after);
        assertTrue(last.commit() > removeIndex + 200, "committed after the removal: " + after);
        for (final Status s : after)
        {
            if (s.id() != removed)
            {
                assertTrue(s.voter(), "member " + s.id() + " votes: " + after);
            }
        }

        System.out.printf("operator commands across processes: transfer-leader %d -> %d after %d ms; member 4 " +
            "added at index %d and a voter after %d ms; member %d removed at index %d; %d ms in all%n",
            first.id(), target, transferredMs, addIndex, addedMs, removed, removeIndex, millisSince(startNs));
    }

    private String outputs()
    {
        final StringBuilder all = new StringBuilder();
        for (int id = 1; id <= 4; id++)
        {
            if (nodes[id] != null)
            {
                all.append("\n--- node ").append(id).append(":\n").append(nodes[id].output());
            }
        }
        return all.toString();
    }

    private static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }
}

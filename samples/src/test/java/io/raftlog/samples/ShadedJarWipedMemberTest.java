package io.raftlog.samples;

import io.raftlog.samples.JarProcesses.Node;
import io.raftlog.samples.JarProcesses.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member whose data directory was wiped (a disk replaced, a directory deleted by mistake) and that is started again
 * with the command it always ran with. An empty directory is also what a new member starts from, but this one voted
 * and acknowledged entries: coming back as the voter it was, with term 0 and an empty log, it could vote twice in a
 * term and help elect a leader without entries a majority held only with it. So a start on an empty directory
 * without {@code --bootstrap} (a founding member's first start) or {@code --join} (a new member) is refused, exit 3,
 * with the way back; nothing is created in the directory. The way back, as printed, makes it a new member that
 * catches up as a learner and is promoted; the cluster's committed log is the same everywhere. And a restart with
 * {@code --bootstrap} on a directory that holds state is refused too (exit 2), so a command line that kept it cannot
 * re-found a member once it has state.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarWipedMemberTest extends StorageFaultScenario
{
    @Test
    @Timeout(360)
    void aWipedMemberDoesNotComeBackAsAVoterAndRejoinsAsANewMember() throws Exception
    {
        final long startNs = System.nanoTime();
        cluster.startAll();
        final long acked = cluster.append(1000);
        final int member = cluster.follower();
        cluster.awaitSameCommit(acked, 60, cluster.members, 1, 2, 3);

        // a restart that keeps --bootstrap is refused once the member has state
        cluster.nodes[member].stop();
        final Node again = cluster.processes.startNodeAsGiven(member, cluster.members, "--bootstrap");
        assertEquals(2, StorageFaultCluster.awaitExit(again, 60), again.output());
        assertTrue(again.output().contains("already holds this member's state"), again.output());

        // 1. its directory is wiped; started as it always was, it refuses
        cluster.nodes[member] = cluster.processes.startNode(member, cluster.members);
        cluster.awaitSameCommit(acked, 60, cluster.members, 1, 2, 3);
        cluster.nodes[member].kill();
        final Path directory = cluster.nodeDirectory(member);
        deleteRecursively(directory);
        final Node wiped = cluster.processes.startNodeAsGiven(member, cluster.members);
        cluster.nodes[member] = wiped;
        assertEquals(NodeCommand.EXIT_STORAGE, StorageFaultCluster.awaitExit(wiped, 60), wiped.output());
        final String refusal = wiped.output();
        assertTrue(refusal.contains(directory + " holds no member state"), refusal);
        assertTrue(refusal.contains("--bootstrap"), refusal);
        final String others = cluster.membersBut(member);
        assertTrue(refusal.contains("raftlog remove-member --members " + others + " --id " + member), refusal);
        assertTrue(refusal.contains("--join --dir " + directory), refusal);
        assertTrue(refusal.contains("raftlog add-member --members " + others + " --id " + member + " --endpoint " +
            cluster.endpoint(member)), refusal);
        assertFalse(Files.exists(directory.resolve(MemberStorage.META)), "nothing created in the directory");
        assertFalse(Files.exists(directory.resolve(MemberStorage.LOG)), "nothing created in the directory");

        // 2. the others go on
        final long ackedWithout = cluster.append(300, others);

        // 3. the way back, as printed
        final Result remove = cluster.processes.run(60, "remove-member", "--members", others, "--id",
            Integer.toString(member), "--timeout-ms", "20000");
        assertEquals(0, remove.exitCode(), remove + cluster.outputs());
        cluster.nodes[member] = cluster.processes.startNode(member, cluster.members, "--join");
        final Result add = cluster.processes.run(60, "add-member", "--members", others, "--id",
            Integer.toString(member), "--endpoint", cluster.endpoint(member), "--timeout-ms", "30000");
        assertEquals(0, add.exitCode(), add + cluster.outputs());
        final long commit = cluster.awaitSameCommit(ackedWithout, 90, cluster.members, 1, 2, 3);
        JarProcesses.awaitUntil(60, "member " + member + " a voter again", () ->
            cluster.processes.uncheckedStatus(cluster.members).stream().anyMatch(s -> s.id() == member && s.voter()));
        final long ackedAfter = cluster.append(200);
        cluster.awaitSameCommit(ackedAfter, 60, cluster.members, 1, 2, 3);
        final long entries = cluster.stopAllAndCompareLogs(1, 2, 3);

        System.out.printf("wiped member %d: refused (exit 3) on its empty directory; removed, rejoined with --join, " +
            "added, caught up to commit %,d and a voter; %,d entries the same on all three; %d ms in all; what it " +
            "said:%n%s", member, commit, entries, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), refusal);
    }

    private static void deleteRecursively(final Path directory) throws IOException
    {
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path ->
            {
                try
                {
                    Files.delete(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }
}

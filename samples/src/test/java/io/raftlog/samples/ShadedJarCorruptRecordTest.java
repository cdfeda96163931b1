package io.raftlog.samples;

import io.raftlog.samples.JarProcesses.Result;
import io.raftlog.samples.StorageFaultCluster.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flipped bit inside a committed record of a real member's log, not its tail: a follower is stopped, one bit of
 * the payload of an entry in the middle of its log is flipped, and it is started again. The record's CRC32C catches
 * it; entries after it are whole, so it is not a torn tail, and this member may have acknowledged it and them:
 * cutting them back could lose committed entries. So the node refuses to start, exit 3, naming the file, the index
 * and the way back; nothing is cut, and the cluster goes on without it. Then the way back, as printed:
 * {@code remove-member}, the directory moved aside, {@code node --join} on an empty one, {@code add-member}; it
 * catches up, is promoted, and every member's committed log is the same.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarCorruptRecordTest extends StorageFaultScenario
{
    @Test
    @Timeout(360)
    void aFlippedBitInACommittedRecordStopsTheMemberNamingFileAndIndexAndItRejoinsAsANewMember() throws Exception
    {
        final long startNs = System.nanoTime();
        cluster.startAll();
        final long acked = cluster.append(2000);
        final int follower = cluster.follower();
        cluster.awaitSameCommit(acked, 60, cluster.members, 1, 2, 3);
        cluster.nodes[follower].stop();

        // 1. one bit of a committed entry in the middle of its log
        final long damagedIndex = acked / 2;
        final Document damaged = cluster.entryDocument(follower, damagedIndex);
        StorageFaultCluster.flipBit(damaged.file(), damaged.recordPosition() + 40, 3);
        final byte[] before = Files.readAllBytes(damaged.file().toPath());

        // 2. it refuses to start: exit 3, the file, the index, the way back; nothing cut
        cluster.nodes[follower] = cluster.processes.startNode(follower, cluster.members);
        assertEquals(NodeCommand.EXIT_STORAGE, StorageFaultCluster.awaitExit(cluster.nodes[follower], 90));
        final String refusal = cluster.nodes[follower].output();
        assertTrue(refusal.contains("cannot start: corrupt storage in " + damaged.file()), refusal);
        assertTrue(refusal.contains("at index " + damagedIndex + ":"), refusal);
        assertTrue(refusal.contains("checksum"), refusal);
        assertTrue(refusal.contains("raftlog remove-member --members " + cluster.membersBut(follower) + " --id " +
            follower), refusal);
        assertTrue(refusal.contains("--join"), refusal);
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(damaged.file().toPath())),
            "the damaged file is left as it was found");

        // 3. the other two go on
        final String others = cluster.membersBut(follower);
        final long ackedWithout = cluster.append(300, others);

        // 4. the way back, as printed
        final Result remove = cluster.processes.run(60, "remove-member", "--members", others, "--id",
            Integer.toString(follower), "--timeout-ms", "20000");
        assertEquals(0, remove.exitCode(), remove + cluster.outputs());
        final Path directory = cluster.nodeDirectory(follower);
        Files.move(directory, tempDir.resolve("node-" + follower + "-damaged"));
        cluster.nodes[follower] = cluster.processes.startNode(follower, cluster.members, "--join");
        final Result add = cluster.processes.run(60, "add-member", "--members", others, "--id",
            Integer.toString(follower), "--endpoint", cluster.endpoint(follower), "--timeout-ms", "30000");
        assertEquals(0, add.exitCode(), add + cluster.outputs());
        final long rejoinNs = System.nanoTime();
        final long commit = cluster.awaitSameCommit(ackedWithout, 90, cluster.members, 1, 2, 3);
        JarProcesses.awaitUntil(60, "member " + follower + " a voter again", () ->
            cluster.processes.uncheckedStatus(cluster.members).stream()
                .anyMatch(s -> s.id() == follower && s.voter()));
        final long rejoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rejoinNs);
        final long ackedAfter = cluster.append(200);

        // 5. the same committed log everywhere, with every acknowledged entry
        cluster.awaitSameCommit(ackedAfter, 60, cluster.members, 1, 2, 3);
        final long entries = cluster.stopAllAndCompareLogs(1, 2, 3);

        System.out.printf("corrupt record: member %d refused to start (exit 3) on a flipped bit in entry %,d of " +
            "%s; the others went on to %,d; removed, rejoined with --join, added: caught up to commit %,d and a " +
            "voter in %d ms; %,d entries the same on all three; %d ms in all; what it said:%n%s", follower,
            damagedIndex, damaged.file().getName(), ackedWithout, commit, rejoinMs, entries,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), refusal);
    }
}

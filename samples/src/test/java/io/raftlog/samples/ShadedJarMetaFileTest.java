package io.raftlog.samples;

import io.raftlog.samples.JarProcesses.Node;
import io.raftlog.samples.JarProcesses.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real member's metadata file (term and vote) damaged, missing, or older than its log: each time the node refuses
 * to start (exit 3) naming the file, rather than start over at an older term, or at term 0, with a vote forgotten
 * (it could vote twice in one term). One damaged slot of the two is not such a case: every term and vote is in
 * both, so the node repairs it from the other, says so, and catches up. A missing file beside a log is told apart
 * from a new member: the directory holds state, so the file was lost, not never written.
 * <ol>
 *     <li>both slots damaged: refused;</li>
 *     <li>the file deleted, the log left: refused ("missing");</li>
 *     <li>an older copy of the file put back after the member led in a later term (a restored backup): refused, the
 *     file's term is below the log's;</li>
 *     <li>the file as it was, one slot damaged: the node starts, repairs it and catches up; every member's committed
 *     log is the same.</li>
 * </ol>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarMetaFileTest extends StorageFaultScenario
{
    /** {@code FileMetaStore}: two 4 KiB slots, the term at offset 16 of each. */
    private static final int SLOT_SIZE = 4096;
    private static final int TERM_OFFSET = 16;

    @Test
    @Timeout(360)
    void aDamagedMissingOrOlderMetadataFileStopsTheMemberAndOneDamagedSlotIsRepaired() throws Exception
    {
        final long startNs = System.nanoTime();
        cluster.startAll();
        cluster.append(500);
        final int member = cluster.follower();
        final Path meta = cluster.nodeDirectory(member).resolve(MemberStorage.META);
        final Path saved = tempDir.resolve("meta-saved");

        // an old copy of its metadata file, taken before it leads in a later term
        cluster.nodes[member].stop();
        Files.copy(meta, saved);
        cluster.nodes[member] = cluster.processes.startNode(member, cluster.members);
        final Result transfer = cluster.processes.run(60, "transfer-leader", "--members", cluster.members, "--to",
            Integer.toString(member));
        assertEquals(0, transfer.exitCode(), transfer + cluster.outputs());
        final long acked = cluster.append(300);
        cluster.awaitSameCommit(acked, 60, cluster.members, 1, 2, 3);
        cluster.nodes[member].stop();
        final Path current = tempDir.resolve("meta-current");
        Files.copy(meta, current);

        // 1. both slots damaged
        StorageFaultCluster.flipBit(meta.toFile(), TERM_OFFSET, 0);
        StorageFaultCluster.flipBit(meta.toFile(), SLOT_SIZE + TERM_OFFSET, 0);
        String refusal = refused(member);
        assertTrue(refusal.contains("corrupt storage in " + meta + ": neither slot holds an intact record"), refusal);

        // 2. missing, beside a log
        Files.delete(meta);
        refusal = refused(member);
        assertTrue(refusal.contains("corrupt storage in " + meta + ": the metadata file (term and vote) is missing"),
            refusal);
        assertTrue(!Files.exists(meta), "no new metadata file was made");

        // 3. the older copy, behind the term the member led in
        Files.copy(saved, meta);
        refusal = refused(member);
        assertTrue(refusal.contains("corrupt storage in " + meta + ": the metadata file says term "), refusal);
        assertTrue(refusal.contains("but the log or snapshot holds entries of term"), refusal);

        // 4. the file as it was, one slot damaged: repaired from the other, and the member catches up
        Files.copy(current, meta, StandardCopyOption.REPLACE_EXISTING);
        StorageFaultCluster.flipBit(meta.toFile(), TERM_OFFSET, 0);
        cluster.nodes[member] = cluster.processes.startNode(member, cluster.members);
        final long ackedAfter = cluster.append(200);
        final long commit = cluster.awaitSameCommit(ackedAfter, 90, cluster.members, 1, 2, 3);
        final String output = cluster.nodes[member].output();
        assertTrue(output.contains("slot 0 of the metadata file " + meta + " was damaged"), output);
        final long entries = cluster.stopAllAndCompareLogs(1, 2, 3);

        System.out.printf("metadata file of member %d: both slots damaged, missing, and an older copy (term behind " +
            "the log) each refused with exit 3; one slot damaged repaired, caught up to commit %,d; %,d entries " +
            "the same on all three; %d ms in all; the older copy's refusal:%n%s", member, commit, entries,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), refusal);
    }

    /**
     * Starts the member as before and expects it to refuse: exit 3, the way back printed.
     *
     * @return what it said.
     */
    private String refused(final int member) throws Exception
    {
        final Node node = cluster.processes.startNode(member, cluster.members);
        cluster.nodes[member] = node;
        assertEquals(NodeCommand.EXIT_STORAGE, StorageFaultCluster.awaitExit(node, 90), node.output());
        final String output = node.output();
        assertTrue(output.contains("node " + member + ": cannot start: "), output);
        assertTrue(output.contains("raftlog remove-member"), output);
        return output;
    }
}

package io.raftlog.samples;

import io.raftlog.samples.StorageFaultCluster.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A torn tail on a real member: a follower is killed with SIGKILL, the last record of its log is cut at a random
 * offset (what a crash in the middle of the write leaves: the seed is printed, {@code -Draftlog.tornTail.seed} replays
 * it), and it starts again from its directory. It starts, says it cut the torn record back (a record still being
 * written was never acknowledged), catches up from the leader, and every member's committed log is the same and
 * holds every acknowledged entry. {@code ChronicleLogStoreDamageTest} cuts the last record at every offset.
 * <p>
 * Like {@link ShadedJarTest}, it runs once the jar is built and skips itself without {@code raftlog.jar.check}.
 */
class ShadedJarTornTailTest extends StorageFaultScenario
{
    @Test
    @Timeout(300)
    void aFollowerWhoseLastRecordWasTornStartsCutsItBackAndCatchesUp() throws Exception
    {
        final long startNs = System.nanoTime();
        final long seed = Long.getLong("raftlog.tornTail.seed", System.nanoTime());
        final Random random = new Random(seed);
        cluster.startAll();
        cluster.append(2000);

        // 1. kill -9 a follower; the others go on without it
        final int follower = cluster.follower();
        cluster.nodes[follower].kill();
        final long committedWithout = cluster.append(500);

        // 2. tear the last record of its log: the file ends somewhere inside it
        final Document last = cluster.lastEntryDocument(follower);
        // a cut file reads back as zeros past its end (Chronicle maps it again), so a cut that removes only zeros
        // at the record's end leaves it as it was: the cut removes at least its last byte that is not zero
        final int tornBytes = StorageFaultCluster.lastNonZeroOffset(last.file(), last.headerPosition(),
            (int)(last.end() - last.headerPosition())) + 1;
        final long cutAt = last.headerPosition() + random.nextInt(tornBytes);
        StorageFaultCluster.truncate(last.file(), cutAt);

        // 3. it starts from its directory, without that record, and catches up
        final long restartNs = System.nanoTime();
        cluster.nodes[follower] = cluster.processes.startNode(follower, cluster.members);
        final long commit = cluster.awaitSameCommit(committedWithout, 90, cluster.members, 1, 2, 3);
        final long catchUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNs);
        final String output = cluster.nodes[follower].output();
        final String cut = "cut at " + (cutAt - last.headerPosition()) + " of " + (last.end() - last.headerPosition()) +
            " bytes (seed " + seed + ")\n" + output;
        assertTrue(output.contains("(restarting from it)"), cut);
        assertFalse(output.contains("cannot start"), cut);
        assertTrue(output.contains("its log holds entries 1 to " + (last.index() - 1) + " "), "the torn record is " +
            "gone, those before it are there: " + cut);
        final boolean reported = output.contains("the log's last record (index " + last.index() + ") was torn");
        // a cut inside Chronicle's own document header leaves no document at all: the log just ends before it
        assertTrue(reported || cutAt - last.headerPosition() < 4 + 4, "a damaged record is reported: " + cut);

        // 4. the cluster's committed entries are all there, on every member
        final long entries = cluster.stopAllAndCompareLogs(1, 2, 3);
        assertTrue(entries >= commit, entries + " entries in each log, commit " + commit);

        System.out.printf("torn tail (seed %d): member %d's last record, index %d (%d bytes from file position %d), " +
            "cut at %d; restarted, caught up to commit %,d in %d ms; %,d entries the same on all three; %d ms in " +
            "all%n", seed, follower, last.index(), last.end() - last.headerPosition(), last.headerPosition(),
            cutAt - last.headerPosition(), commit, catchUpMs, entries,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }
}

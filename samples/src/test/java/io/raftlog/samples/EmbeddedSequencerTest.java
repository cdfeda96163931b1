package io.raftlog.samples;

import io.raftlog.core.RaftListener;
import io.raftlog.driver.DriverProfile;
import io.raftlog.node.RaftNode;
import io.raftlog.storage.CommittedLogReader;
import io.raftlog.storage.Durability;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded sequencer sample: two producer threads hand events to the application, which sequences them through
 * a three-member cluster in its nodes' duty cycles; the committed log holds every event once, each producer's in
 * the order it published them.
 */
class EmbeddedSequencerTest
{
    private static final int PRODUCERS = 2;
    private static final int EVENTS_PER_PRODUCER = 10_000;

    @TempDir
    Path tempDir;

    private final LocalMember[] members = new LocalMember[4];

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(members);
    }

    @Test
    void producersEventsAreSequencedOnceEachInTheirOrder() throws Exception
    {
        final EmbeddedSequencer sequencer = new EmbeddedSequencer(1 << 20);
        final Map<Integer, String> endpoints = new TreeMap<>();
        for (int id = 1; id <= 3; id++)
        {
            try (DatagramSocket socket = new DatagramSocket(0))
            {
                endpoints.put(id, "127.0.0.1:" + socket.getLocalPort());
            }
        }
        // the test thread drives all three nodes: a stall of it (a loaded CI machine, a GC) longer than the election
        // timeout lets a follower campaign, and events offered to a deposed leader are lost by design (see the
        // sample's Javadoc); so a timeout far above any stall, and the term checked below
        final RaftSettings settings = new RaftSettings();
        settings.electionTimeoutMs = 3_000;
        final RaftNode[] nodes = new RaftNode[4];
        for (int id = 1; id <= 3; id++)
        {
            members[id] = new LocalMember(id, endpoints, tempDir.resolve("node-" + id), Durability.PAGE_CACHE,
                DriverProfile.SMALL, null, false, settings, RaftListener.NO_OP).application(sequencer);
            nodes[id] = members[id].start(id);
            nodes[id].onStart();
        }

        final Thread[] producers = new Thread[PRODUCERS];
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int producer = p;
            producers[p] = new Thread(() ->
            {
                final UnsafeBuffer event = new UnsafeBuffer(new byte[32]);
                for (int seq = 1; seq <= EVENTS_PER_PRODUCER; seq++)
                {
                    final int length = event.putStringWithoutLengthAscii(0, "p" + producer + "-" + seq);
                    while (!sequencer.publish(event, 0, length))
                    {
                        java.util.concurrent.locks.LockSupport.parkNanos(100_000); // full: let the log catch up
                    }
                }
            }, "producer-" + p);
            producers[p].start();
        }

        final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long firstTerm = 0;
        while (sequencer.sequenced() < PRODUCERS * EVENTS_PER_PRODUCER || !allCommitted(nodes, sequencer.lastIndex()))
        {
            assertTrue(System.nanoTime() < deadline, "timed out at " + sequencer.sequenced() + " sequenced");
            int work = 0;
            for (int id = 1; id <= 3; id++)
            {
                work += nodes[id].doWork();
            }
            idle.idle(work);
            if (firstTerm == 0 && sequencer.sequenced() > 0)
            {
                firstTerm = leaderTerm(nodes);
            }
        }
        for (final Thread producer : producers)
        {
            producer.join();
        }

        // a later election (unlikely with this timeout) loses the events offered to the deposed leader but not
        // committed, by design: then each producer's events are still in order and once each, but some may be missing
        final boolean oneLeader = firstTerm == leaderTerm(nodes);
        final long commit = nodes[1].core().commitIndex();
        final int[] next = {1, 1};
        final long[] count = new long[1];
        try (CommittedLogReader reader = CommittedLogReader.open(tempDir.resolve("node-1").resolve("log"), () -> commit))
        {
            final byte[] bytes = new byte[64];
            while (reader.poll((index, term, timestamp, type, buffer, offset, length) ->
            {
                if (type != io.raftlog.codecs.EntryType.APPLICATION.value())
                {
                    return;
                }
                buffer.getBytes(offset, bytes, 0, length);
                final String event = new String(bytes, 0, length, StandardCharsets.US_ASCII);
                final int producer = event.charAt(1) - '0';
                final int seq = Integer.parseInt(event.substring(3));
                if (oneLeader)
                {
                    assertEquals("p" + producer + "-" + next[producer], event, "each producer's events once, in order");
                }
                else
                {
                    assertTrue(seq >= next[producer], event + " after p" + producer + "-" + (next[producer] - 1));
                }
                next[producer] = seq + 1;
                count[0]++;
            }, 1024) > 0)
            {
                // read on
            }
        }
        if (oneLeader)
        {
            assertEquals(PRODUCERS * EVENTS_PER_PRODUCER, count[0]);
            assertArrayEquals(new int[]{EVENTS_PER_PRODUCER + 1, EVENTS_PER_PRODUCER + 1}, next);
        }
    }

    private static long leaderTerm(final RaftNode[] nodes)
    {
        for (int id = 1; id <= 3; id++)
        {
            if (nodes[id].core().role() == io.raftlog.core.Role.LEADER)
            {
                return nodes[id].core().currentTerm();
            }
        }
        return 0;
    }

    private static boolean allCommitted(final RaftNode[] nodes, final long index)
    {
        for (int id = 1; id <= 3; id++)
        {
            if (nodes[id].core().commitIndex() < index)
            {
                return false;
            }
        }
        return true;
    }
}

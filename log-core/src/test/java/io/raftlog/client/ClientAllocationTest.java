package io.raftlog.client;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The remote-client path allocates nothing per entry once warm: not on any node's agent thread (client port,
 * session tables, core, transport, storage, acknowledgements), and not on the client's thread.
 */
class ClientAllocationTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path tempDir;

    private ThreadedCluster cluster;
    private RaftlogClient client;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, cluster);
    }

    @Test
    void clientAppendsAllocateNothingPerEntryOnTheNodesOrTheClient() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        cluster = new ThreadedCluster(tempDir, context -> { });
        cluster.startAll();
        client = RaftlogClient.connect(new ClientContext().aeron(cluster.aeron).members(cluster.endpoints)
            .responseTimeoutNs(2 * SECOND).noLeaderTimeoutNs(20 * SECOND), (sequence, index) -> { });
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[100]);

        append(payload, 30_000); // warm up: JIT, pools, buffers at their sizes

        final long[] nodeThreads = new long[4];
        final long[] before = new long[4];
        for (int id = 1; id <= 3; id++)
        {
            nodeThreads[id] = cluster.threadId(id);
            before[id] = threads.getThreadAllocatedBytes(nodeThreads[id]);
        }
        final long clientThread = Thread.currentThread().getId();
        final long leaderChanges = client.leaderChanges();
        final long acknowledgedBefore = client.acknowledged();
        final long clientBefore = threads.getThreadAllocatedBytes(clientThread);
        append(payload, 30_000);
        final long clientAllocated = threads.getThreadAllocatedBytes(clientThread) - clientBefore;
        final long entries = client.acknowledged() - acknowledgedBefore;
        final StringBuilder report = new StringBuilder();
        long nodesAllocated = 0;
        for (int id = 1; id <= 3; id++)
        {
            final long allocated = threads.getThreadAllocatedBytes(nodeThreads[id]) - before[id];
            nodesAllocated += allocated;
            report.append(" node ").append(id).append(": ").append(allocated).append(" B");
        }

        assertEquals(leaderChanges, client.leaderChanges(), "steady state: the same leader while measuring");
        System.out.printf("client path allocation: %d entries;%s; client thread %d B; %.4f B/entry on the nodes%n",
            entries, report, clientAllocated, (double)nodesAllocated / entries);
        assertEquals(30_000, entries);
        // Allocating anything per entry would show as 8 bytes or more per entry on some thread. What is left, a few
        // hundred bytes over tens of thousands of entries, is one-off (as in RaftNodeInJvmTest): buffers reaching
        // their final size and the JIT recompiling code that had eliminated an allocation.
        assertTrue((double)nodesAllocated / entries < 0.1, "bytes allocated on the node agents' threads:" + report);
        assertTrue((double)clientAllocated / entries < 0.1, "bytes allocated on the client's thread: " +
            clientAllocated);
    }

    private void append(final UnsafeBuffer payload, final int count)
    {
        final long target = client.acknowledged() + count;
        final long deadline = System.nanoTime() + 60 * SECOND;
        int offered = 0;
        while (client.acknowledged() < target)
        {
            if (System.nanoTime() > deadline || client.isFailed())
            {
                throw new AssertionError("acknowledged " + client.acknowledged() + " of " + target);
            }
            while (offered < count && client.offer(payload, 0, 100) > 0)
            {
                offered++;
            }
            if (client.poll() == 0)
            {
                LockSupport.parkNanos(20_000);
            }
        }
    }
}

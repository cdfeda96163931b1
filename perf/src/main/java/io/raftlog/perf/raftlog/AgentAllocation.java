package io.raftlog.perf.raftlog;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by a set of threads between {@link #start()} and {@link #stop()}: the agent threads of a measured
 * cluster, whose duty cycles should allocate nothing per entry.
 */
final class AgentAllocation
{
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final long[] threadIds;
    private final long[] before;
    private long allocated;

    AgentAllocation(final long... threadIds)
    {
        this.threadIds = threadIds.clone();
        this.before = new long[threadIds.length];
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    void start()
    {
        for (int i = 0; i < threadIds.length; i++)
        {
            before[i] = threads.getThreadAllocatedBytes(threadIds[i]);
        }
    }

    void stop()
    {
        allocated = 0;
        for (int i = 0; i < threadIds.length; i++)
        {
            allocated += Math.max(0, threads.getThreadAllocatedBytes(threadIds[i]) - before[i]);
        }
    }

    long allocatedBytes()
    {
        return allocated;
    }
}

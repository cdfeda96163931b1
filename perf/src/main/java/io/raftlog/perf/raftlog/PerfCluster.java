package io.raftlog.perf.raftlog;

import io.raftlog.perf.Workload;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A raftlog cluster for one measurement: {@code workload.nodes()} members on loopback, each with an
 * {@link OpenLoopSequencer} that offers the load while its member leads, all in a temporary directory deleted at
 * close.
 */
final class PerfCluster implements MeasuredCluster, AutoCloseable
{
    final Map<Integer, String> endpoints = new LinkedHashMap<>();
    final PerfMember[] members;
    final OpenLoopSequencer[] sequencers;
    private final Path directory;
    private boolean closed;

    /**
     * @param embeddedRate the rate the members' sequencers offer at while leading: the workload's for an embedded
     *                     run, -1 for none (the load comes from a remote client).
     */
    PerfCluster(final Workload workload, final int embeddedRate) throws IOException
    {
        directory = Files.createTempDirectory("raftlog-perf-");
        final int n = workload.nodes();
        final int[] ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = i + 1;
            try (DatagramSocket socket = new DatagramSocket(0))
            {
                endpoints.put(i + 1, "127.0.0.1:" + socket.getLocalPort());
            }
        }
        members = new PerfMember[n];
        sequencers = new OpenLoopSequencer[n];
        try
        {
            for (int i = 0; i < n; i++)
            {
                sequencers[i] = new OpenLoopSequencer(Math.max(0, embeddedRate), workload.payloadBytes());
                members[i] = new PerfMember(ids[i], ids, endpoints, directory.resolve("node-" + ids[i]),
                    workload.durability(), workload.idleStrategy(), workload.payloadBytes(),
                    embeddedRate >= 0 ? sequencers[i] : node -> 0, sequencers[i]);
            }
            for (final PerfMember member : members)
            {
                member.start();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * @return the index (0-based) of the member that leads, waiting up to {@code timeoutSec}.
     */
    public int awaitLeader(final int timeoutSec)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSec);
        while (System.nanoTime() < deadline)
        {
            for (int i = 0; i < sequencers.length; i++)
            {
                if (sequencers[i].isLeader())
                {
                    return i;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new IllegalStateException("no leader within " + timeoutSec + " s");
    }

    public long[] agentThreadIds()
    {
        final long[] ids = new long[members.length];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = members[i].threadId();
        }
        return ids;
    }

    public void phase(final int phase)
    {
        for (final OpenLoopSequencer sequencer : sequencers)
        {
            sequencer.phase(phase);
        }
    }

    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (members != null)
        {
            CloseHelper.quietCloseAll(members);
        }
        IoUtil.delete(directory.toFile(), true);
    }
}

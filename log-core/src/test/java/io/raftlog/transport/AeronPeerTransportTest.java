package io.raftlog.transport;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.protocol.PeerMessageEncoder;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import io.raftlog.sim.SimSnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real cores talking over Aeron UDP on loopback, driven from the test thread: a leader is elected and entries
 * replicate, including batches larger than one Aeron frame (sent by offer and reassembled). Storage is the
 * simulator's in-memory store, so this checks only the transport.
 */
class AeronPeerTransportTest
{
    @TempDir
    Path tempDir;

    private MediaDriver driver;
    private Aeron aeron;
    private final AeronPeerTransport[] transports = new AeronPeerTransport[4];

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(transports);
        CloseHelper.closeAll(aeron, driver);
    }

    @Test
    void threeCoresElectALeaderAndReplicateOverLoopbackUdp() throws Exception
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));

        final Map<Integer, String> endpoints = new HashMap<>();
        for (int id = 1; id <= 3; id++)
        {
            endpoints.put(id, "127.0.0.1:" + freeUdpPort());
        }
        final RaftCore[] cores = new RaftCore[4];
        final SimLogStore[] logs = new SimLogStore[4];
        for (int id = 1; id <= 3; id++)
        {
            transports[id] = new AeronPeerTransport(aeron, id, endpoints, "");
            logs[id] = new SimLogStore(id, 8 << 20, 1 << 16);
            cores[id] = new RaftCore(
                new RaftConfig().selfId(id).memberIds(1, 2, 3).randomSeed(id)
                    .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
                    .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                    .maxPayloadBytes(4096).maxBatchBytes(32 * 1024),
                logs[id], new SimMetaStore(), new SimSnapshotStore(), new PeerMessageEncoder(transports[id]),
                RaftListener.NO_OP);
            transports[id].dispatcher(new PeerMessageDispatcher(cores[id]));
            cores[id].start(System.nanoTime());
        }

        final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4096]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long offered = 0;
        long target = 0;
        int leader = 0;
        while (System.nanoTime() < deadline)
        {
            int work = 0;
            final long now = System.nanoTime();
            for (int id = 1; id <= 3; id++)
            {
                work += transports[id].poll(16);
                if (cores[id].role() == Role.LEADER)
                {
                    leader = id;
                    // batches of a few 4 KiB entries: each AppendEntries is several Aeron frames
                    for (int i = 0; i < 4 && offered < 200; i++)
                    {
                        payload.putLong(0, offered + 1);
                        final long index = cores[id].offer(payload, 0, 4096);
                        if (index > 0)
                        {
                            offered++;
                            target = index;
                        }
                    }
                }
                work += cores[id].tick(now);
                work += cores[id].flush();
                final long durable = logs[id].sync();
                cores[id].onLogDurable(durable, logs[id].termAt(durable));
                work += cores[id].flush();
            }
            if (offered == 200 && leader != 0 && allCommitted(cores, target))
            {
                break;
            }
            idle.idle(work);
        }
        assertTrue(leader != 0, "a leader was elected");
        assertEquals(200, offered);
        assertTrue(allCommitted(cores, target), "every member committed " + target);
        for (int id = 1; id <= 3; id++)
        {
            assertEquals(logs[leader].prefixHash(target), logs[id].prefixHash(target), "member " + id + "'s log");
        }
    }

    private static boolean allCommitted(final RaftCore[] cores, final long index)
    {
        for (int id = 1; id <= 3; id++)
        {
            if (cores[id].commitIndex() < index)
            {
                return false;
            }
        }
        return true;
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}

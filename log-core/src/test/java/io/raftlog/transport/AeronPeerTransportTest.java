package io.raftlog.transport;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.DurableLogStore;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.protocol.PeerMessageEncoder;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import io.raftlog.sim.SimSnapshotStore;
import io.raftlog.storage.StorageFullException;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        final SimLogStore[] logs = new SimLogStore[4];
        final RaftCore[] cores = startCluster(logs, 0);

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

    /**
     * A storage failure in a follower's append happens inside Aeron's poll, in the fragment handler; Aeron catches
     * what a handler throws, logs it and moves on. The transport must let it out of {@link AeronPeerTransport#poll}
     * instead, so that the node can stop (fail-stop) rather than run on with a core part-way through an append.
     */
    @Test
    void aStorageFailureInAFollowersAppendComesOutOfPollInsteadOfBeingSwallowedByAeron() throws Exception
    {
        final SimLogStore[] logs = new SimLogStore[4];
        final RaftCore[] cores = startCluster(logs, 3);
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        StorageFullException thrown = null;
        while (thrown == null && System.nanoTime() < deadline)
        {
            int work = 0;
            final long now = System.nanoTime();
            for (int id = 1; id <= 3; id++)
            {
                try
                {
                    work += transports[id].poll(16);
                }
                catch (final StorageFullException ex)
                {
                    assertEquals(3, id, "only member 3's device is full");
                    thrown = ex;
                    break;
                }
                if (cores[id].role() == Role.LEADER)
                {
                    cores[id].offer(payload, 0, payload.capacity());
                }
                work += cores[id].tick(now);
                work += cores[id].flush();
                final long durable = logs[id].sync();
                cores[id].onLogDurable(durable, logs[id].termAt(durable));
                work += cores[id].flush();
            }
            idle.idle(work);
        }
        assertNotNull(thrown, "member 3's failed append came out of poll");
    }

    /**
     * Three cores on loopback, each with the simulator's in-memory store; member {@code fullMember}'s store (if any)
     * fails every append of an application entry as a full device does, and that member is a learner.
     */
    private RaftCore[] startCluster(final SimLogStore[] logs, final int fullMember) throws Exception
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
        for (int id = 1; id <= 3; id++)
        {
            transports[id] = new AeronPeerTransport(aeron, id, endpoints, "");
            logs[id] = new SimLogStore(id, 8 << 20, 1 << 16);
            final DurableLogStore store = id == fullMember ? deviceFull(logs[id]) : logs[id];
            cores[id] = new RaftCore(
                // a member whose device is full is a learner: it never leads, so its appends all come from a leader
                (fullMember == 0 ? new RaftConfig().memberIds(1, 2, 3) :
                    new RaftConfig().memberIds(1, 2).learnerIds(fullMember)).selfId(id).randomSeed(id)
                    .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
                    .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                    .maxPayloadBytes(4096).maxBatchBytes(32 * 1024),
                store, new SimMetaStore(), new SimSnapshotStore(), new PeerMessageEncoder(transports[id]),
                RaftListener.NO_OP);
            transports[id].dispatcher(new PeerMessageDispatcher(cores[id]));
            cores[id].start(System.nanoTime());
        }
        return cores;
    }

    /**
     * @return {@code log}, but an append that holds an application entry fails as on a full device.
     */
    private DurableLogStore deviceFull(final SimLogStore log)
    {
        return (DurableLogStore)Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{DurableLogStore.class}, (proxy, method, args) ->
            {
                if ("append".equals(method.getName()) && holdsApplicationEntry((DirectBuffer)args[0], (int)args[1],
                    (int)args[3]))
                {
                    throw new StorageFullException(tempDir, 4096, "a full device, for the test", null);
                }
                try
                {
                    return method.invoke(log, args);
                }
                catch (final InvocationTargetException ex)
                {
                    throw ex.getCause();
                }
            });
    }

    private static boolean holdsApplicationEntry(final DirectBuffer records, final int offset, final int count)
    {
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            if (LogEntryCodec.entryTypeCode(records, position) == EntryType.APPLICATION.value())
            {
                return true;
            }
            position += LogEntryCodec.recordLength(records, position);
        }
        return false;
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

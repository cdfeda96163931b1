package io.raftlog.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftlog.core.OfferResult;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.Role;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Node agents on loopback UDP sharing one embedded media driver, all driven by the test's thread as a composite
 * agent would drive them (backoff idle: no busy spin). What every in-JVM node harness shares; each says how its
 * members are started and with which stores.
 */
public abstract class DrivenNodes implements AutoCloseable
{
    public final RaftNode[] nodes;
    /** Every member id's endpoint, from 1 to the largest id. */
    public final Map<Integer, String> endpoints = new HashMap<>();
    public final MediaDriver driver;
    public final Aeron aeron;
    private final int maxId;
    private final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);
    private long payloadsOffered;

    protected DrivenNodes(final Path directory, final int maxId) throws Exception
    {
        this.maxId = maxId;
        this.nodes = new RaftNode[maxId + 1];
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        for (int id = 1; id <= maxId; id++)
        {
            endpoints.put(id, "127.0.0.1:" + freeUdpPort());
        }
    }

    /**
     * The settings every harness's members run with: a 300 ms election timeout, heartbeats every 50 ms, entries up
     * to 1 KiB in batches up to 64 KiB.
     */
    public static RaftConfig raftConfig(final int id, final int... voters)
    {
        return new RaftConfig().selfId(id).memberIds(voters).randomSeed(System.nanoTime() + id)
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .maxPayloadBytes(1024).maxBatchBytes(64 * 1024);
    }

    /**
     * @return the running member that leads, other than {@code excluded}, once there is one.
     */
    public int awaitLeader(final int excluded)
    {
        final int[] leader = new int[1];
        runUntil(() ->
        {
            leader[0] = leaderOtherThan(excluded);
            return leader[0] != 0;
        }, 30);
        return leader[0];
    }

    /**
     * Offers {@code count} APPLICATION entries, each different (see {@link #writePayload}), at the leader and runs
     * until every running member has committed them. Where an election moves the leadership mid-way (a starved
     * machine), it follows the new leader. The loop allocates nothing, so allocation tests can measure around it.
     *
     * @return the index of the last one.
     */
    public long offerAndAwaitCommit(final int initialLeader, final int count)
    {
        return offerAndAwaitCommit(initialLeader, count, null);
    }

    /**
     * @param members the members to wait for, or null for every running member.
     */
    public long offerAndAwaitCommit(final int initialLeader, final int count, final int[] members)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long last = 0;
        int offered = 0;
        int leader = initialLeader;
        while (offered < count || !(members == null ? allCommitted(last) : allCommitted(last, members)))
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out with " + offered + " of " + count + " offered");
            }
            while (offered < count)
            {
                final int length = writePayload(payload, payloadsOffered);
                final long index = nodes[leader].offer(payload, 0, length);
                if (index == OfferResult.NOT_LEADER)
                {
                    final int current = leaderOtherThan(0);
                    leader = current != 0 ? current : leader;
                    break;
                }
                if (index < 0)
                {
                    break;
                }
                payloadsOffered++;
                last = index;
                offered++;
            }
            runOnce();
        }
        return last;
    }

    /**
     * Writes the payload of the {@code sequence}-th entry offered: 64 bytes that start with the sequence.
     *
     * @return its length.
     */
    protected int writePayload(final UnsafeBuffer payload, final long sequence)
    {
        payload.putLong(0, sequence);
        return 64;
    }

    public boolean allCommitted(final long index)
    {
        for (int id = 1; id <= maxId; id++)
        {
            if (nodes[id] != null && nodes[id].core().commitIndex() < index)
            {
                return false;
            }
        }
        return true;
    }

    public boolean allCommitted(final long index, final int[] members)
    {
        for (final int id : members)
        {
            if (nodes[id].core().commitIndex() < index)
            {
                return false;
            }
        }
        return true;
    }

    public void runUntil(final BooleanSupplier condition, final int timeoutSeconds)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutSeconds + " s" + whatWentWrong());
            }
            runOnce();
        }
    }

    public void runFor(final long millis)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end)
        {
            runOnce();
        }
    }

    /**
     * One duty cycle of every running member, then the idle strategy's pause if none had work.
     */
    public void runOnce()
    {
        idle.idle(doWork());
    }

    /**
     * One duty cycle of every running member.
     */
    public int doWork()
    {
        int work = 0;
        for (int id = 1; id <= maxId; id++)
        {
            if (nodes[id] != null)
            {
                work += nodes[id].doWork();
            }
        }
        return work;
    }

    /**
     * @return what a timed-out wait adds to its message (errors the harness collected), or an empty string.
     */
    protected String whatWentWrong()
    {
        return "";
    }

    public void close()
    {
        CloseHelper.closeAll(nodes);
        CloseHelper.closeAll(aeron, driver);
    }

    public static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private int leaderOtherThan(final int excluded)
    {
        for (int id = 1; id <= maxId; id++)
        {
            if (id != excluded && nodes[id] != null && nodes[id].core().role() == Role.LEADER)
            {
                return id;
            }
        }
        return 0;
    }
}

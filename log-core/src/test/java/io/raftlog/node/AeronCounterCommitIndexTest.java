package io.raftlog.node;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commit-index counter of a node, found by type id and member key in the CnC file of a driver that several
 * nodes share, read through a read-only mapping (no Aeron client): it follows the value, never goes back, notices a
 * counter freed or its id reused, answers from the fallback meanwhile, and follows a restarted node's new counter.
 */
@Timeout(60)
class AeronCounterCommitIndexTest
{
    @TempDir
    Path tempDir;

    private MediaDriver driver;
    private Aeron aeron;
    private final NodeCounters[] nodes = new NodeCounters[4];
    private final long[] recorded = new long[1];
    private AeronCounterCommitIndex bound;

    @BeforeEach
    void start()
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .counterFreeToReuseTimeoutNs(0) // a freed counter id is reused by the next allocation
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        for (int id = 1; id <= 3; id++)
        {
            nodes[id] = new NodeCounters(aeron, id);
        }
    }

    @AfterEach
    void stop()
    {
        CloseHelper.closeAll(bound);
        CloseHelper.closeAll(nodes);
        CloseHelper.closeAll(aeron, driver);
    }

    private AeronCounterCommitIndex open(final int memberId)
    {
        bound = new AeronCounterCommitIndex(Path.of(driver.aeronDirectoryName()), memberId, () -> recorded[0],
            AeronCounterCommitIndex.DEFAULT_DRIVER_TIMEOUT_MS, 0, System::currentTimeMillis);
        return bound;
    }

    @Test
    void everyCounterOfANodeCarriesItsMemberIdAsKeyAndKeepsItsLabel()
    {
        final CountersReader counters = aeron.countersReader();
        final Map<Integer, Integer> perMember = new HashMap<>();
        counters.forEach((CountersReader.MetaData)(id, typeId, keyBuffer, label) ->
        {
            if (typeId >= NodeCounters.ROLE_TYPE_ID && typeId <= NodeCounters.LAST_INDEX_TYPE_ID)
            {
                final int member = keyBuffer.getInt(NodeCounters.MEMBER_ID_KEY_OFFSET);
                perMember.merge(member, 1, Integer::sum);
                assertTrue(label.startsWith("raftlog ") && label.endsWith(" member=" + member), label);
                if (typeId == NodeCounters.COMMIT_INDEX_TYPE_ID)
                {
                    assertEquals("raftlog commit index member=" + member, label);
                }
            }
        });
        assertEquals(Map.of(1, 8, 2, 8, 3, 8), perMember, "eight counters per member, keyed by its id");
    }

    @Test
    void findsItsMembersCounterAmongThoseOfOtherNodesOnTheDriverAndFollowsItWithoutGoingBack()
    {
        nodes[1].commitIndex().setOrdered(10);
        nodes[2].commitIndex().setOrdered(20);
        nodes[3].commitIndex().setOrdered(30);
        final AeronCounterCommitIndex bound = open(2);
        assertTrue(bound.isAttached());
        assertEquals(nodes[2].commitIndex().id(), bound.counterId());
        assertEquals(nodes[2].commitIndex().registrationId(), bound.registrationId());
        assertEquals(20, bound.commitIndex());

        nodes[2].commitIndex().setOrdered(25);
        assertEquals(25, bound.commitIndex());
        nodes[2].commitIndex().setOrdered(5);
        assertEquals(25, bound.commitIndex(), "never goes back");
        assertEquals(5, bound.counterValue());
        assertEquals(1, bound.attachments());
        assertEquals(0, bound.detachments());
    }

    @Test
    void aMemberWithoutACounterIsBoundedByTheFallbackUntilItsCounterAppears()
    {
        recorded[0] = 7;
        final AeronCounterCommitIndex bound = open(4);
        assertFalse(bound.isAttached());
        assertEquals(7, bound.commitIndex());
        recorded[0] = 9;
        assertEquals(9, bound.commitIndex(), "the fallback is read again while detached");

        final NodeCounters member4 = new NodeCounters(aeron, 4);
        try
        {
            member4.commitIndex().setOrdered(12);
            awaitUntil(() -> attachedAfterPoll(bound));
            assertEquals(12, bound.commitIndex());
        }
        finally
        {
            member4.close();
        }
    }

    @Test
    void aFreedCounterIsNoticedAndItsIdReusedByAnotherCounterIsNotMistakenForIt()
    {
        nodes[2].commitIndex().setOrdered(40);
        final AeronCounterCommitIndex bound = open(2);
        assertEquals(40, bound.commitIndex());
        final int counterId = bound.counterId();

        recorded[0] = 35; // the node recorded less than its last counter value: a crash
        nodes[2].close();
        nodes[2] = null;
        awaitUntil(() -> aeron.countersReader().getCounterState(counterId) == CountersReader.RECORD_RECLAIMED);
        assertEquals(40, bound.commitIndex(), "never below what the counter showed");
        assertFalse(bound.isAttached());
        assertEquals(1, bound.detachments());

        // the freed ids go to the next counters allocated: here of the same type, without the member's key
        final List<Counter> others = new ArrayList<>();
        try
        {
            Counter other;
            do
            {
                other = aeron.addCounter(NodeCounters.COMMIT_INDEX_TYPE_ID, "another node's commit index");
                other.setOrdered(1_000_000);
                others.add(other);
            }
            while (other.id() != counterId && others.size() < 8);
            assertEquals(counterId, other.id(), "the id is reused");
            recorded[0] = 45;
            assertEquals(45, bound.commitIndex(), "not the reused counter's value: the fallback's");
            assertFalse(bound.isAttached());
        }
        finally
        {
            CloseHelper.closeAll(others);
        }
    }

    @Test
    void aRestartedNodesNewCounterIsFollowedAgain()
    {
        nodes[2].commitIndex().setOrdered(40);
        final AeronCounterCommitIndex bound = open(2);
        assertEquals(40, bound.commitIndex());
        final long firstRegistration = bound.registrationId();

        nodes[2].close();
        nodes[2] = null;
        awaitUntil(() -> !attachedAfterPoll(bound));
        recorded[0] = 42; // recorded on close

        nodes[2] = new NodeCounters(aeron, 2); // counts from 0 again, the core's commit index not yet known
        awaitUntil(() -> attachedAfterPoll(bound));
        assertNotEquals(firstRegistration, bound.registrationId());
        assertEquals(2, bound.attachments());
        assertEquals(42, bound.commitIndex(), "a new counter at 0 does not take the bound back");
        nodes[2].commitIndex().setOrdered(50);
        assertEquals(50, bound.commitIndex());
    }

    @Test
    void pollingWhileAttachedAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final AeronCounterCommitIndex bound = open(3);
        final Counter counter = nodes[3].commitIndex();
        long sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            counter.setOrdered(i);
            sum += bound.commitIndex();
        }
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 100_000; i < 1_100_000; i++)
        {
            counter.setOrdered(i);
            sum += bound.commitIndex();
        }
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(sum > 0);
        assertTrue(bound.isAttached());
        assertEquals(1_099_999, bound.commitIndex());
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 1,000,000 polls");
    }

    static boolean attachedAfterPoll(final AeronCounterCommitIndex bound)
    {
        bound.commitIndex();
        return bound.isAttached();
    }

    static void awaitUntil(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("condition not met within 20 s");
            }
            sleepMillis(5);
        }
    }

    static void sleepMillis(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }
}

package io.raftlog.statemachine;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.SessionEntry;
import io.raftlog.session.SessionTable;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.CommittedLogReader;
import io.raftlog.storage.Durability;
import io.raftlog.storage.FileSnapshotStore;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine's runner over a Chronicle log written by the test (standing in for the node's agent): it
 * restores from a snapshot installed from the leader before it applies an entry after it, whichever way the log
 * dropped the entries the snapshot covers; it stops rather than apply across a gap no snapshot covers; and when the
 * node does not take its results it waits, dropping none.
 */
@Timeout(120)
class StateMachineRunnerTest
{
    private static final RollCycle ROLL_CYCLE = TestRollCycles.TEST_SECONDLY;
    private static final long BLOCK_SIZE = 1 << 20;
    private static final int PAYLOAD_LENGTH = 24;
    private static final long TERM = 1;

    @TempDir
    Path tempDir;

    private final SetTimeProvider time = new SetTimeProvider(1_700_000_000_000_000_000L);
    private final LogEntryCodec codec = new LogEntryCodec();
    private final ExpandableArrayBuffer records = new ExpandableArrayBuffer(1 << 16);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer configuration = new UnsafeBuffer(new byte[8]);
    private final long[] commit = new long[1];
    private ChronicleLogStore log;
    private FileSnapshotStore snapshotStore;
    private final RestoreHandoff restores = new RestoreHandoff();
    private StateMachineRunner runner;
    private HashingStateMachine machine;

    @AfterEach
    void close()
    {
        if (runner != null)
        {
            runner.onClose();
        }
        CloseHelper.closeAll(log, snapshotStore);
    }

    @Test
    void aSnapshotInstalledByResettingTheLogIsRestoredBeforeTheEntriesAfterIt()
    {
        final HashingStateMachine reference = new HashingStateMachine();
        final SnapshotAt snapshot = referenceSnapshot(200, 300, reference);

        openFollower(0);
        append(1, 100);
        commit[0] = 40;
        runUntil(() -> runner.appliedIndex() == 40);

        // the leader's snapshot at 200 replaces this member's log (it did not hold entry 200): RESET
        installSnapshot(snapshot);
        log.reset(200, TERM);
        append(201, 300);
        commit[0] = 300;
        runUntil(() -> runner.appliedIndex() == 300);

        assertEquals(1, machine.restores(), "restored once, from the snapshot at 200");
        assertEquals(200, machine.restoredIndex());
        assertEquals(reference.count(), machine.count(), "1..40 applied, then 1..200 replaced by the snapshot");
        assertEquals(reference.hash(), machine.hash());
        assertEquals(300, machine.count());
        assertNull(runner.failure());
    }

    @Test
    void aSnapshotInstalledByCompactingTheLogWhileTheStateMachineLaggedLeavesTheSameState()
    {
        final HashingStateMachine reference = new HashingStateMachine();
        final SnapshotAt snapshot = referenceSnapshot(200, 300, reference);

        openFollower(0);
        append(1, 100);
        commit[0] = 40;
        runUntil(() -> runner.appliedIndex() == 40);
        time.advanceMillis(1_000);
        append(101, 200);
        time.advanceMillis(1_000);
        append(201, 300);

        // the member's log held entry 200: the install keeps what follows it and deletes the cycle files before it,
        // entries 41..200 with them, which the state machine had not read yet
        installSnapshot(snapshot);
        log.compactTo(200);
        commit[0] = 300;
        runUntil(() -> runner.appliedIndex() == 300);

        assertEquals(1, machine.restores(), "the snapshot stands for the entries deleted before they were read");
        assertEquals(200, machine.restoredIndex());
        assertEquals(reference.count(), machine.count(), "each entry once: 1..40 and 201..300 from the log");
        assertEquals(reference.hash(), machine.hash());
        assertNull(runner.failure());
    }

    @Test
    void aGapInTheLogThatNoSnapshotCoversStopsTheStateMachine()
    {
        openFollower(0);
        append(1, 50);
        time.advanceMillis(1_000);
        append(51, 100);
        log.compactTo(60); // the cycle file of 1..50 is deleted, and no snapshot is handed over
        commit[0] = 100;

        final AgentTerminationException stopped = assertThrows(AgentTerminationException.class, () ->
        {
            for (int i = 0; i < 100; i++)
            {
                runner.doWork();
            }
        });
        assertNotNull(runner.failure(), stopped.toString());
        assertEquals(0, runner.appliedIndex(), "nothing applied across the gap");
        assertEquals(0, machine.count());
    }

    @Test
    void aFullResultQueueMakesTheStateMachineWaitAndNoResultIsDropped() throws Exception
    {
        final int appends = 40_000;
        final ResultQueue results = openFollower(8);
        long index = appendSessionOpen();
        final long session = index;
        for (int sequence = 1; sequence <= appends; sequence++)
        {
            index = appendSessionAppend(index + 1, session, sequence);
        }
        commit[0] = index;
        final long last = index;

        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final AgentRunner thread = new AgentRunner(new SleepingMillisIdleStrategy(1), errors::add, null, runner);
        final StateMachineRunner waiting = runner;
        runner = null; // the thread closes it
        AgentRunner.startOnThread(thread);
        try
        {
            awaitTrue(() -> waiting.resultsFullWaits() > 0);
            final long stalledAt = waiting.appliedIndex();
            Thread.sleep(50);
            assertEquals(stalledAt, waiting.appliedIndex(), "the state machine waits for room for its result");
            assertTrue(stalledAt < last);

            final RecordedResults recorded = new RecordedResults();
            awaitTrue(() ->
            {
                results.drain(recorded, 1_000);
                return recorded.appends.size() == appends;
            });
            for (int sequence = 1; sequence <= appends; sequence++)
            {
                final long[] result = recorded.appends.get(sequence - 1);
                assertEquals(session, result[0]);
                assertEquals(sequence, result[1], "in order, none dropped");
                assertEquals(session + sequence, result[2]);
                assertEquals(sequence, result[3]);
            }
            awaitTrue(() -> waiting.appliedIndex() == last);
            assertTrue(errors.isEmpty(), errors.toString());
        }
        finally
        {
            waiting.requestClose();
            thread.close();
        }
    }

    /**
     * Runs a reference runner over a log of {@code last} entries: it snapshots at {@code snapshotIndex}, and its
     * state machine ends as of {@code last}.
     */
    private SnapshotAt referenceSnapshot(final long snapshotIndex, final long last, final HashingStateMachine reference)
    {
        final Path dir = tempDir.resolve("reference");
        final long[] bound = new long[1];
        final SnapshotHandoff handoff = new SnapshotHandoff(1024);
        try (ChronicleLogStore referenceLog = openLog(dir))
        {
            final ChronicleLogStore followerLog = log;
            log = referenceLog;
            append(1, last);
            log = followerLog;
            final StateMachineRunner referenceRunner = new StateMachineRunner(
                "reference", reference, () -> CommittedLogReader.open(dir, () -> bound[0], ROLL_CYCLE, BLOCK_SIZE, 64),
                new SessionTable(16, 16, TimeUnit.MINUTES.toNanos(5)), new ResultQueue(64), new QueryQueue(64),
                handoff, new RestoreHandoff(), snapshotIndex);
            try
            {
                bound[0] = snapshotIndex;
                drive(referenceRunner, () -> handoff.isReady());
                assertEquals(snapshotIndex, handoff.index());
                final byte[] state = new byte[handoff.length()];
                handoff.state().getBytes(0, state);
                handoff.release();
                bound[0] = last;
                drive(referenceRunner, () -> referenceRunner.appliedIndex() == last);
                return new SnapshotAt(snapshotIndex, new UnsafeBuffer(state));
            }
            finally
            {
                referenceRunner.onClose();
            }
        }
    }

    private ResultQueue openFollower(final int maxResultLength)
    {
        final Path dir = tempDir.resolve("follower");
        log = openLog(dir.resolve("log"));
        snapshotStore = FileSnapshotStore.open(dir.resolve("snapshots"));
        machine = new HashingStateMachine();
        final ResultQueue results = new ResultQueue(Math.max(8, maxResultLength));
        runner = new StateMachineRunner(
            "follower", machine, () -> CommittedLogReader.open(dir.resolve("log"), () -> commit[0], ROLL_CYCLE,
            BLOCK_SIZE, 64), new SessionTable(16, 16, TimeUnit.MINUTES.toNanos(5)), results, new QueryQueue(64),
            new SnapshotHandoff(1024), restores, 0);
        return results;
    }

    /**
     * What the node's agent does when the core installs a snapshot: the store makes it current, the runner is
     * handed a copy, and only then does the log change and the commit index move past it.
     */
    private void installSnapshot(final SnapshotAt snapshot)
    {
        snapshotStore.save(snapshot.index, TERM, configuration, 0, configuration.capacity(), snapshot.state, 0,
            snapshot.state.capacity());
        restores.offer(snapshotStore);
    }

    private ChronicleLogStore openLog(final Path dir)
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(dir)
            .durability(Durability.PAGE_CACHE)
            .rollCycle(ROLL_CYCLE)
            .blockSize(BLOCK_SIZE)
            .timeProvider(time));
    }

    private void append(final long from, final long to)
    {
        long index = from;
        while (index <= to)
        {
            int length = 0;
            int count = 0;
            for (; count < 16 && index <= to; count++, index++)
            {
                payload.putLong(0, index);
                payload.putLong(8, index * 31);
                payload.putLong(16, ~index);
                length += codec.encode(records, length, index, TERM, timestampOf(index), EntryType.APPLICATION,
                    payload, 0, PAYLOAD_LENGTH);
            }
            log.append(records, 0, length, count);
        }
    }

    private long appendSessionOpen()
    {
        final long index = log.lastIndex() + 1;
        final int length = codec.encode(records, 0, index, TERM, timestampOf(index), EntryType.SESSION_OPEN,
            payload, 0, 0);
        log.append(records, 0, length, 1);
        return index;
    }

    private long appendSessionAppend(final long index, final long session, final long sequence)
    {
        SessionEntry.encodeAppendHeader(payload, 0, session, sequence);
        payload.putLong(SessionEntry.APPEND_HEADER_LENGTH, sequence);
        final int length = codec.encode(records, 0, index, TERM, timestampOf(index), EntryType.SESSION_APPEND,
            payload, 0, SessionEntry.APPEND_HEADER_LENGTH + 8);
        log.append(records, 0, length, 1);
        return index;
    }

    private static long timestampOf(final long index)
    {
        return 1_000_000L * index;
    }

    private void runUntil(final BooleanSupplier condition)
    {
        drive(runner, condition);
    }

    private static void drive(final StateMachineRunner runner, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out at applied index " + runner.appliedIndex());
            }
            if (runner.doWork() == 0)
            {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    private static void awaitTrue(final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out");
            }
            Thread.sleep(1);
        }
    }

    private static final class SnapshotAt
    {
        final long index;
        final DirectBuffer state;

        SnapshotAt(final long index, final DirectBuffer state)
        {
            this.index = index;
            this.state = state;
        }
    }
}

package io.raftlog.node;

import io.raftlog.core.RaftCore;
import io.raftlog.core.SnapshotStore;
import io.raftlog.session.SessionTable;
import io.raftlog.statemachine.AppliedResults;
import io.raftlog.statemachine.QueryQueue;
import io.raftlog.statemachine.RestoreHandoff;
import io.raftlog.statemachine.ResultQueue;
import io.raftlog.statemachine.SnapshotHandoff;
import io.raftlog.statemachine.StateMachineRunner;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.CommittedLogReader;
import net.openhft.chronicle.queue.RollCycle;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's side of its state machine: starts the {@link StateMachineRunner} on its own thread and, each duty cycle
 * on the agent thread, publishes the commit index that bounds what the runner reads, hands the runner's results to
 * {@link AppliedResults}, and saves the snapshot the runner wrote (then compacts the log behind it). Everything
 * crossing threads goes through the preallocated hand-offs; nothing here allocates per entry.
 */
final class StateMachineLink implements AutoCloseable
{
    /** Results handed to the application per duty cycle at most: the cycle stays short however many are queued. */
    static final int RESULTS_PER_CYCLE = 1024;

    private final AtomicLong commitBound = new AtomicLong();
    private final ResultQueue results;
    private final QueryQueue queries;
    private final SnapshotHandoff snapshots = new SnapshotHandoff(64 * 1024);
    private final RestoreHandoff restores = new RestoreHandoff();
    private final StateMachineRunner runner;
    private final AgentRunner agentRunner;
    private final AppliedResults appliedResults;
    private final LogCompaction compaction;
    private final SnapshotStore snapshotStore;

    /**
     * @param appliedResults where results go: the application's, after the remote clients' sessions when the client
     *                       port is on.
     */
    StateMachineLink(final NodeContext context, final LogCompaction compaction, final AppliedResults appliedResults)
    {
        this.compaction = compaction;
        this.appliedResults = appliedResults;
        this.snapshotStore = context.snapshotStore();
        this.results = new ResultQueue(context.stateMachineMaxResultBytes());
        this.queries = new QueryQueue(context.raftConfig().maxPayloadBytes());
        final ChronicleLogStore log = (ChronicleLogStore)context.logStore();
        final Path directory = log.directory();
        final RollCycle rollCycle = log.rollCycle();
        final long blockSize = log.blockSize();
        final CommittedLogReader.CommitIndexSupplier bound = commitBound::get;
        final StateMachineRunner runner = new StateMachineRunner(
            "raftlog-state-machine-" + context.memberId(),
            context.stateMachine(),
            () -> CommittedLogReader.open(
                directory, bound, rollCycle, blockSize, CommittedLogReader.DEFAULT_SCAN_BUDGET),
            new SessionTable(
                context.maxClientSessions(), context.clientSessionWindow(), context.clientSessionIdleTimeoutNs()),
            results,
            queries,
            snapshots,
            restores,
            context.snapshotEveryEntries());
        this.runner = runner;
        final ErrorHandler errorHandler = context.stateMachineErrorHandler();
        this.agentRunner = new AgentRunner(
            context.stateMachineIdleStrategy(),
            throwable ->
            {
                // a wait for the agent cut short by closing is how the runner stops, not a failure
                if (!(runner.isClosing() && runner.failure() == null && throwable instanceof AgentTerminationException))
                {
                    errorHandler.onError(throwable);
                }
            },
            null,
            runner);
    }

    /**
     * Agent thread, before the core starts: the runner restores from the member's snapshot, then starts applying.
     */
    void start()
    {
        restores.offer(snapshotStore);
        AgentRunner.startOnThread(agentRunner);
    }

    /**
     * Agent thread: a snapshot from the leader replaced this member's state; the runner restores from it before it
     * reads entries after it (it is handed over before the commit index passes it).
     */
    void onSnapshotInstalled()
    {
        restores.offer(snapshotStore);
    }

    /**
     * Agent thread, once per duty cycle.
     */
    int doWork(final RaftCore core)
    {
        int work = results.drain(appliedResults, RESULTS_PER_CYCLE);
        if (snapshots.isReady())
        {
            final DirectBuffer state = snapshots.state();
            compaction.snapshotAndCompact(core, snapshots.index(), state, snapshots.length());
            snapshots.release();
            work++;
        }
        commitBound.lazySet(core.commitIndex());
        return work;
    }

    /**
     * Agent thread.
     *
     * @return false when the query queue is full.
     */
    boolean submitQuery(
        final long readId, final long readIndex, final DirectBuffer query, final int offset, final int length)
    {
        return queries.submit(readId, readIndex, query, offset, length);
    }

    long appliedIndex()
    {
        return runner.appliedIndex();
    }

    StateMachineRunner runner()
    {
        return runner;
    }

    Thread thread()
    {
        return agentRunner.thread();
    }

    public void close()
    {
        runner.requestClose();
        CloseHelper.close(agentRunner);
    }
}

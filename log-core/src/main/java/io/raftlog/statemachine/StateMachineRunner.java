package io.raftlog.statemachine;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.SessionEntry;
import io.raftlog.session.SessionTable;
import io.raftlog.storage.CommittedLogReader;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Applies the committed log to a {@link StateMachine} on a thread of its own, so that however slow the state machine
 * is, the node's agent keeps heartbeating and replicating: the agent only publishes its commit index and drains
 * what this thread hands back.
 * <p>
 * Each duty cycle: restore from a snapshot the agent handed over (at start, or installed from the leader), apply
 * the next committed entries (read with a {@link CommittedLogReader} of the node's log directory, bounded by the
 * commit index the agent publishes; Chronicle Queue lets it read next to the agent's appender), run the queries
 * whose read index is applied, and write a snapshot when {@code snapshotEveryEntries} entries were applied since the
 * last and the agent has saved the last.
 * <p>
 * After a restore the reader is opened afresh at the entry after the snapshot: installing a snapshot drops the log
 * it covers (a RESET, or a compaction that deletes whole cycle files, possibly ones this reader had yet to read), and
 * a reader that was part-way through that log may take the deleted files for damage. A fresh one starts from the
 * files that remain. That costs an allocation or two, once per restore.
 * <p>
 * The client sessions are part of the replicated state: this thread keeps its own {@link SessionTable}, applying
 * every entry to it with the same rules as the session service's committed table on the agent thread, so a
 * SESSION_APPEND reaches the state machine only when the table admits it (a client's retry already in the log is
 * never applied twice), and a snapshot as of index X holds the table and the state machine's state both exactly as
 * of X ({@link SnapshotLayout}).
 * <p>
 * Hand-offs to the agent are bounded and preallocated ({@link ResultQueue}, {@link QueryQueue},
 * {@link SnapshotHandoff}); when the result queue is full this thread waits (sleeping) rather than drop a result.
 * Nothing is allocated per entry once warm. A state machine that throws stops this thread ({@link #failure()}): its
 * state may be half-changed, and going on would apply the next entry to it.
 */
public final class StateMachineRunner implements Agent
{
    /** Entries applied per duty cycle at most, so restores, queries and snapshots get their turn. */
    public static final int APPLY_LIMIT = 256;
    /** Queries run per duty cycle at most. */
    public static final int QUERY_LIMIT = 64;

    private static final int APPLICATION = EntryType.APPLICATION.value();

    private final String roleName;
    private final StateMachine stateMachine;
    private final Supplier<CommittedLogReader> readers;
    private final SessionTable sessions;
    private final ResultQueue results;
    private final QueryQueue queries;
    private final SnapshotHandoff snapshots;
    private final RestoreHandoff restores;
    private final long snapshotEveryEntries;
    private final ExpandableArrayBuffer result;
    private final ExpandableArrayBuffer state;
    private final IdleStrategy resultsFullIdle = new BackoffIdleStrategy(1, 1, 10_000, 1_000_000);
    private final CommittedLogReader.EntryHandler entryHandler = this::onEntry;
    private final QueryQueue.QueryExecutor queryExecutor = this::onQuery;
    private final AtomicLong publishedAppliedIndex = new AtomicLong();

    private long appliedIndex;
    private long lastSnapshotIndex;
    private CommittedLogReader reader;
    private boolean readerPolled;
    private boolean readerStale;
    private boolean inHandler;
    private volatile boolean closing;
    private volatile long snapshotsWritten;
    private volatile long restoreCount;
    private volatile long resultsFullWaits;
    private volatile Throwable failure;

    /**
     * @param readers              opens a reader of the committed log, bounded by the node's commit index (once
     *                             here, again after each restore); this runner owns what it opens (and closes it).
     * @param sessions             an empty table, configured as every member's session tables are.
     * @param snapshotEveryEntries write a snapshot when this many entries were applied since the last; 0 never.
     */
    public StateMachineRunner(
        final String roleName,
        final StateMachine stateMachine,
        final Supplier<CommittedLogReader> readers,
        final SessionTable sessions,
        final ResultQueue results,
        final QueryQueue queries,
        final SnapshotHandoff snapshots,
        final RestoreHandoff restores,
        final long snapshotEveryEntries)
    {
        if (snapshotEveryEntries < 0)
        {
            throw new IllegalArgumentException("snapshotEveryEntries must not be negative: " + snapshotEveryEntries);
        }
        this.roleName = roleName;
        this.stateMachine = stateMachine;
        this.readers = readers;
        this.sessions = sessions;
        this.results = results;
        this.queries = queries;
        this.snapshots = snapshots;
        this.restores = restores;
        this.snapshotEveryEntries = snapshotEveryEntries;
        this.result = new ExpandableArrayBuffer(Math.max(64, results.maxResultLength()));
        this.state = new ExpandableArrayBuffer(4096);
        this.reader = readers.get();
    }

    public String roleName()
    {
        return roleName;
    }

    /**
     * @return the index of the last entry applied (any thread): the state machine's state is as of this index.
     */
    public long appliedIndex()
    {
        return publishedAppliedIndex.get();
    }

    /**
     * @return snapshots written and handed to the node (any thread).
     */
    public long snapshotsWritten()
    {
        return snapshotsWritten;
    }

    /**
     * @return how many times the state was restored from a snapshot (any thread).
     */
    public long restores()
    {
        return restoreCount;
    }

    /**
     * @return how many times a result waited for room in the queue to the node (any thread).
     */
    public long resultsFullWaits()
    {
        return resultsFullWaits;
    }

    /**
     * @return what stopped this runner (the state machine threw, or the log was unreadable), or null (any thread).
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * Any thread, before the runner's thread is stopped: a wait for room in the result queue gives up.
     */
    public void requestClose()
    {
        closing = true;
    }

    /**
     * @return true once {@link #requestClose()} was called (any thread).
     */
    public boolean isClosing()
    {
        return closing;
    }

    public int doWork()
    {
        try
        {
            int work = restorePending();
            reopenReaderIfStale();
            work += applyCommitted();
            reopenReaderIfStale();
            work += queries.run(queryExecutor, appliedIndex, QUERY_LIMIT);
            if (snapshotEveryEntries > 0 &&
                appliedIndex - lastSnapshotIndex >= snapshotEveryEntries &&
                snapshots.isFree())
            {
                writeSnapshot();
                work++;
            }
            return work;
        }
        catch (final AgentTerminationException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | Error ex)
        {
            failure = ex;
            throw new AgentTerminationException("state machine of " + roleName + " stopped at " + appliedIndex, ex);
        }
    }

    public void onClose()
    {
        if (reader != null)
        {
            reader.close();
            reader = null;
        }
    }

    private int applyCommitted()
    {
        inHandler = false;
        readerPolled = true;
        try
        {
            return reader.poll(entryHandler, APPLY_LIMIT);
        }
        catch (final RuntimeException ex)
        {
            if (inHandler || restorePending() == 0)
            {
                throw ex; // the state machine's or the session rules', or the log is not what it says
            }
            // the log dropped entries the reader had yet to read (a snapshot install deleted their cycle files while
            // this thread lagged): the snapshot covering them was handed over before the commit index passed them
            return 1;
        }
    }

    private void reopenReaderIfStale()
    {
        if (readerStale)
        {
            readerStale = false;
            if (readerPolled)
            {
                final CommittedLogReader stale = reader;
                reader = null;
                stale.close();
                reader = readers.get();
                readerPolled = false;
            }
            reader.seek(appliedIndex + 1);
        }
    }

    private void onEntry(
        final long index,
        final long term,
        final long timestampNs,
        final int entryType,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength)
    {
        inHandler = true;
        if (index != appliedIndex + 1)
        {
            // the log was reset to a snapshot installed from the leader: the agent handed it over before it let
            // the commit index (and so this reader) past it
            restorePending();
            if (index <= appliedIndex)
            {
                inHandler = false;
                return; // covered by the snapshot restored
            }
            if (index != appliedIndex + 1)
            {
                throw new IllegalStateException("entry " + index + " follows " + appliedIndex + " in " +
                    reader.directory() + " with no snapshot to cover the gap");
            }
        }
        final int outcome = sessions.apply(index, timestampNs, entryType, buffer, payloadOffset, payloadLength);
        if (entryType == APPLICATION)
        {
            // offered by an embedded application: no remote client waits for the result
            stateMachine.apply(index, timestampNs, buffer, payloadOffset, payloadLength, result);
        }
        else if (outcome == SessionTable.APPENDED)
        {
            final int length = stateMachine.apply(
                index,
                timestampNs,
                buffer,
                payloadOffset + SessionEntry.APPEND_HEADER_LENGTH,
                payloadLength - SessionEntry.APPEND_HEADER_LENGTH,
                result);
            final long sessionId = SessionEntry.sessionId(buffer, payloadOffset);
            final long sequence = SessionEntry.sequence(buffer, payloadOffset);
            while (!results.offerAppendResult(sessionId, sequence, index, result, length))
            {
                awaitNode();
            }
            resultsFullIdle.reset();
        }
        appliedIndex = index;
        publishedAppliedIndex.lazySet(index);
        inHandler = false;
    }

    private void onQuery(final long readId, final DirectBuffer query, final int offset, final int length)
    {
        final int resultLength = stateMachine.query(query, offset, length, result);
        while (!results.offerQueryResult(readId, result, resultLength))
        {
            awaitNode();
        }
        resultsFullIdle.reset();
    }

    private void awaitNode()
    {
        if (closing || Thread.currentThread().isInterrupted())
        {
            throw new AgentTerminationException(roleName + " closed while a result waited for the node");
        }
        resultsFullWaits++; // this thread alone writes it
        resultsFullIdle.idle();
    }

    /**
     * @return 1 when the state was replaced by a snapshot beyond it, else 0.
     */
    private int restorePending()
    {
        final RestoreHandoff.Snapshot snapshot = restores.take();
        if (snapshot == null || snapshot.index() <= appliedIndex)
        {
            // nothing newer: the entries applied up to here are the committed entries the snapshot was made of
            return 0;
        }
        final long index = snapshot.index();
        final DirectBuffer bytes = snapshot.state();
        final int length = snapshot.length();
        final int tableLength = SnapshotLayout.sessionTableLength(bytes, length);
        SnapshotLayout.restoreSessions(sessions, bytes, SnapshotLayout.HEADER_LENGTH, tableLength, index);
        final int stateOffset = SnapshotLayout.stateOffset(length, tableLength);
        stateMachine.restore(index, bytes, stateOffset, (int)SnapshotLayout.stateLength(length, tableLength));
        appliedIndex = index;
        lastSnapshotIndex = index;
        publishedAppliedIndex.lazySet(index);
        readerStale = true;
        restoreCount++; // this thread alone writes it
        return 1;
    }

    private void writeSnapshot()
    {
        final MutableDirectBuffer out = snapshots.buffer();
        final int stateOffset = SnapshotLayout.writeSessions(sessions, out);
        final int stateLength = stateMachine.snapshot(state);
        out.putBytes(stateOffset, state, 0, stateLength);
        snapshots.publish(appliedIndex, stateOffset + stateLength);
        lastSnapshotIndex = appliedIndex;
        snapshotsWritten++; // this thread alone writes it
    }
}

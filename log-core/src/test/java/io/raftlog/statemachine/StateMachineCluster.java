package io.raftlog.statemachine;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.SessionEntry;
import io.raftlog.node.DrivenNodes;
import io.raftlog.node.NodeContext;
import io.raftlog.node.RaftNode;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import io.raftlog.storage.FileMetaStore;
import io.raftlog.storage.FileSnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Three real nodes with state machines on loopback UDP, their logs in Chronicle Queue and their term, vote and
 * snapshots in files, one embedded media driver. The node agents are driven by the test's thread, as a composite
 * agent would drive them (backoff idle: no busy spin); each node runs its state machine on a thread of its own.
 */
final class StateMachineCluster extends DrivenNodes
{
    static final int MEMBERS = 3;
    static final int PAYLOAD_LENGTH = 64;

    final HashingStateMachine[] machines = new HashingStateMachine[MEMBERS + 1];
    final ChronicleLogStore[] logs = new ChronicleLogStore[MEMBERS + 1];
    final FileMetaStore[] metas = new FileMetaStore[MEMBERS + 1];
    final FileSnapshotStore[] snapshots = new FileSnapshotStore[MEMBERS + 1];
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Path directory;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);

    StateMachineCluster(final Path directory) throws Exception
    {
        super(directory, MEMBERS);
        this.directory = directory;
    }

    /**
     * Starts member {@code id} from its files (new ones the first time) with a fresh, empty state machine.
     */
    RaftNode start(final int id, final HashingStateMachine machine, final Consumer<NodeContext> customize)
    {
        final Path dir = memberDirectory(id);
        metas[id] = FileMetaStore.open(dir.resolve("meta"), true);
        snapshots[id] = FileSnapshotStore.open(dir.resolve("snapshots"));
        logs[id] = ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(dir.resolve("log"))
            .durability(Durability.PAGE_CACHE)
            .initialEntries(1 << 20)
            .committedIndexHint(metas[id].lastRecordedCommitIndex()));
        machines[id] = machine;
        final NodeContext context = new NodeContext()
            .memberId(id)
            .endpoints(endpoints)
            .raftConfig(raftConfig(id, 1, 2, 3))
            .aeron(aeron)
            .logStore(logs[id])
            .metaStore(metas[id])
            .snapshotStore(snapshots[id])
            .stateMachine(machine)
            .stateMachineIdleStrategy(new BackoffIdleStrategy(1, 1, 10_000, 1_000_000))
            .stateMachineErrorHandler(errors::add);
        customize.accept(context);
        nodes[id] = new RaftNode(context);
        nodes[id].onStart();
        return nodes[id];
    }

    /**
     * The member's process is gone: its agent and state machine stop, its files stay as they are.
     */
    void stop(final int id)
    {
        CloseHelper.close(nodes[id]);
        CloseHelper.closeAll(logs[id], metas[id], snapshots[id]);
        nodes[id] = null;
        logs[id] = null;
        metas[id] = null;
        snapshots[id] = null;
    }

    /**
     * The stopped member's disk is replaced by an empty one.
     */
    void wipe(final int id)
    {
        if (nodes[id] != null)
        {
            throw new IllegalStateException("member " + id + " is running");
        }
        IoUtil.delete(memberDirectory(id).toFile(), false);
    }

    Path memberDirectory(final int id)
    {
        return directory.resolve("node-" + id);
    }

    /**
     * Each entry different: the sequence and its complement.
     */
    @Override
    protected int writePayload(final UnsafeBuffer payload, final long sequence)
    {
        payload.putLong(0, sequence);
        payload.putLong(8, ~sequence);
        return PAYLOAD_LENGTH;
    }

    /**
     * Opens a session at the leader as a remote client's request would (a SESSION_OPEN entry), and waits until it
     * is committed everywhere.
     *
     * @return the session id: the entry's index.
     */
    long openSession(final int leader)
    {
        final long index = nodes[leader].core().offer(EntryType.SESSION_OPEN, payload, 0, 0);
        if (index <= 0)
        {
            throw new AssertionError("SESSION_OPEN refused: " + index);
        }
        runUntil(() -> allCommitted(index), 30);
        return index;
    }

    /**
     * Appends a SESSION_APPEND entry for {@code sessionId} and {@code sequence} at the leader, straight into the
     * log (a retry is appended too: the state machine's side must refuse it), and waits until it is committed
     * everywhere.
     *
     * @return its index.
     */
    long appendSessionEntry(final int leader, final long sessionId, final long sequence)
    {
        SessionEntry.encodeAppendHeader(payload, 0, sessionId, sequence);
        payload.putLong(SessionEntry.APPEND_HEADER_LENGTH, sequence * 31);
        final long index = nodes[leader].core().offer(
            EntryType.SESSION_APPEND, payload, 0, SessionEntry.APPEND_HEADER_LENGTH + 8);
        if (index <= 0)
        {
            throw new AssertionError("SESSION_APPEND refused: " + index);
        }
        runUntil(() -> allCommitted(index), 30);
        return index;
    }

    /**
     * Offers {@code count} SESSION_APPEND entries of the session, sequences from {@code firstSequence} on, at the
     * leader and runs until every live member has committed them. Allocates nothing.
     *
     * @return the index of the last one.
     */
    long offerSessionEntriesAndAwaitCommit(
        final int leader, final long sessionId, final long firstSequence, final int count)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long last = 0;
        int offered = 0;
        while (offered < count || !allCommitted(last))
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out with " + offered + " of " + count + " offered");
            }
            while (offered < count)
            {
                final long sequence = firstSequence + offered;
                SessionEntry.encodeAppendHeader(payload, 0, sessionId, sequence);
                payload.putLong(SessionEntry.APPEND_HEADER_LENGTH, sequence * 31);
                final long index = nodes[leader].core().offer(
                    EntryType.SESSION_APPEND, payload, 0, SessionEntry.APPEND_HEADER_LENGTH + PAYLOAD_LENGTH);
                if (index < 0)
                {
                    break;
                }
                last = index;
                offered++;
            }
            runOnce();
        }
        return last;
    }

    boolean allApplied(final long index)
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            if (nodes[id] != null && nodes[id].appliedIndex() < index)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs until every live member's state machine has applied what its leader committed.
     */
    void awaitAllApplied(final int leader)
    {
        runUntil(() -> allApplied(nodes[leader].core().commitIndex()), 120);
    }

    @Override
    protected String whatWentWrong()
    {
        return "; errors: " + errors;
    }

    @Override
    public void close()
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            if (nodes[id] != null)
            {
                stop(id);
            }
        }
        super.close();
    }
}

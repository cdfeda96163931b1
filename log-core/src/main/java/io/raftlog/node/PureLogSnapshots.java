package io.raftlog.node;

import io.raftlog.core.RaftCore;
import io.raftlog.session.ClientSessionService;
import io.raftlog.session.SessionTable;
import io.raftlog.statemachine.SnapshotLayout;
import org.agrona.ExpandableArrayBuffer;

/**
 * Snapshots of a node without a state machine, when {@code snapshotEveryEntries} asks for them: the replicated state
 * is then the client session table alone, which the session service keeps on the agent thread as of the commit
 * index, so the snapshot is taken here, in {@link SnapshotLayout} with an empty state machine part.
 */
final class PureLogSnapshots
{
    private final long everyEntries;
    private final LogCompaction compaction;
    private final ClientSessionService sessions;
    private final ExpandableArrayBuffer buffer;
    private long lastSnapshotIndex;

    /**
     * @param sessions the session service, or null when the node serves no client.
     */
    PureLogSnapshots(final long everyEntries, final LogCompaction compaction, final ClientSessionService sessions)
    {
        this.everyEntries = everyEntries;
        this.compaction = compaction;
        this.sessions = sessions;
        this.buffer = new ExpandableArrayBuffer(SnapshotLayout.HEADER_LENGTH +
            (sessions == null ? 0 : sessions.committedTable().maxEncodedLength()));
    }

    void start(final long snapshotIndex)
    {
        lastSnapshotIndex = snapshotIndex;
    }

    int doWork(final RaftCore core)
    {
        // the session service applies every committed entry as the core reports it: its table is as of the commit
        final SessionTable table = sessions == null ? null : sessions.committedTable();
        final long index = table == null ? core.commitIndex() : table.appliedIndex();
        if (index - lastSnapshotIndex < everyEntries)
        {
            return 0;
        }
        compaction.snapshotAndCompact(core, index, buffer, SnapshotLayout.writeSessions(table, buffer));
        lastSnapshotIndex = index;
        return 1;
    }
}

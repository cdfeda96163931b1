package io.raftlog.fuzz;

import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.session.ClientSessionService;
import io.raftlog.session.QueryExecutor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Map;

/**
 * One member as the client port sees it: a {@link PeerNode} (a real core over in-memory stores) with the real
 * {@link ClientSessionService} in front, wired as the node wires them (the core's events go to the sessions first),
 * a {@link RecordingResponders} for the paths back, and, when asked for, a state machine that takes queries into a
 * small queue and answers them when told to.
 */
final class ClientNode implements RaftListener, QueryExecutor
{
    static final int MAX_PAYLOAD_BYTES = 256;
    static final int MAX_SESSIONS = 4;
    static final int WINDOW = 4;
    static final long IDLE_TIMEOUT_NS = 1_000 * PeerNode.MS;
    static final int QUERY_QUEUE = 4;

    final PeerNode peer;
    final RaftCore core;
    final RecordingResponders responders = new RecordingResponders();
    final ClientSessionService sessions;
    final long[] queuedReadIds = new long[QUERY_QUEUE];
    int queuedQueries;
    long queriesSubmitted;

    private final UnsafeBuffer result = new UnsafeBuffer(new byte[64]);

    ClientNode(final int state, final boolean stateMachine)
    {
        peer = new PeerNode(state, true, false, this);
        core = peer.core;
        sessions = new ClientSessionService(core, peer.log, peer.snapshots, responders,
            Map.of(2, "127.0.0.1:20002", 3, "127.0.0.1:20003"),
            MAX_PAYLOAD_BYTES, MAX_SESSIONS, WINDOW, IDLE_TIMEOUT_NS);
        if (stateMachine)
        {
            sessions.stateMachine(this, () -> peer.nowNs);
        }
        sessions.start();
        sessions.onRoleChange(core.role());
        sessions.onCommit(core.commitIndex());
    }

    /**
     * The followers acknowledge everything the leader has, durably: its entries commit.
     */
    void acknowledgeAll()
    {
        peer.sync();
        for (final int id : peer.memberIds)
        {
            if (id != PeerNode.SELF)
            {
                core.onAppendResponse(core.currentTerm(), id, true, peer.log.lastIndex(), 0, 0, peer.log.lastIndex(),
                    0, Long.MAX_VALUE >> 1, peer.nowNs);
            }
        }
        core.flush();
    }

    /**
     * The state machine answers the oldest query it holds.
     */
    void answerQuery(final int length)
    {
        if (queuedQueries > 0)
        {
            final long readId = queuedReadIds[0];
            System.arraycopy(queuedReadIds, 1, queuedReadIds, 0, --queuedQueries);
            sessions.onQueryResult(readId, result, 0, Math.min(length, result.capacity()));
        }
    }

    public boolean submit(
        final long readId, final long readIndex, final DirectBuffer query, final int offset, final int length)
    {
        if (queuedQueries == QUERY_QUEUE)
        {
            return false;
        }
        queuedReadIds[queuedQueries++] = readId;
        queriesSubmitted++;
        return true;
    }

    // The core's events, to the sessions once they exist (the core starts, and may be elected, before they do).

    public void onCommit(final long commitIndex)
    {
        if (sessions != null)
        {
            sessions.onCommit(commitIndex);
        }
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        if (sessions != null)
        {
            sessions.onRoleChange(role);
        }
    }

    public void onSnapshotInstalled(final long index, final long term)
    {
        if (sessions != null)
        {
            sessions.onSnapshotInstalled();
        }
    }

    public void onReadIndex(final long requestId, final long readIndex)
    {
        if (sessions != null)
        {
            sessions.onReadIndex(requestId, readIndex);
        }
    }
}

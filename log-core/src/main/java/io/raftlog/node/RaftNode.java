package io.raftlog.node;

import io.raftlog.core.DurableLogStore;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.session.ClientSessionService;
import io.raftlog.session.PendingClientQueries;
import io.raftlog.statemachine.AppliedResults;
import io.raftlog.statemachine.StateMachineRunner;
import io.raftlog.storage.StorageCorruptionException;
import io.raftlog.storage.StorageFullException;
import io.raftlog.transport.AeronClientPort;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.protocol.PeerMessageEncoder;
import io.raftlog.transport.AeronPeerTransport;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

import java.io.UncheckedIOException;

/**
 * One member as a single-threaded duty-cycle agent (run it with Agrona's {@code AgentRunner}, or several in a
 * {@code CompositeAgent} in tests). Each {@link #doWork()}: poll the peers' messages into the core, run the embedded
 * application (which may offer entries), let the core act
 * on the time, flush (append this cycle's batch and send it), make the log durable once (group commit) and tell the
 * core, flush again for what durability now allows, and publish the counters. No locks, no queues, no allocation in
 * steady state; the core holds every Raft rule.
 * <p>
 * With a {@link io.raftlog.statemachine.StateMachine} ({@link NodeContext#stateMachine}) the committed log is applied
 * on a thread of the state machine's own, which this node starts and stops: at the end of each duty cycle the agent
 * publishes its commit index to it, hands its results on and saves the snapshots it writes, all through bounded,
 * preallocated hand-offs, so a slow state machine never delays the agent.
 */
public final class RaftNode implements Agent, AutoCloseable
{
    /** A batch's message header and framing beyond its entries' bytes, with room to spare. */
    private static final int MESSAGE_HEADROOM_BYTES = 1024;

    private final NodeContext context;
    private final RaftCore core;
    private final AeronPeerTransport transport;
    private final PeerMessageDispatcher dispatcher;
    private final PeerMessageEncoder encoder;
    private final DurableLogStore log;
    private final NodeCounters counters;
    private final int fragmentLimit;
    private final EmbeddedApplication application;
    private final PeerEndpoints peerEndpoints;
    private final AeronClientPort clientPort;
    private final ClientSessionService sessions;
    private final LogCompaction compaction;
    private final StateMachineLink stateMachine;
    private final PureLogSnapshots pureLogSnapshots;
    private long lastDurableReported = -1;
    private long lastNowNs;

    public RaftNode(final NodeContext context)
    {
        context.conclude();
        this.context = context;
        this.log = context.logStore();
        this.transport = new AeronPeerTransport(
            context.aeron(), context.memberId(), context.endpoints(), context.channelParams(),
            context.raftConfig().maxBatchBytes() + MESSAGE_HEADROOM_BYTES, context.bindEndpoint());
        this.encoder = new PeerMessageEncoder(transport);
        final SessionsThenApplication listener =
            new SessionsThenApplication(context.listener());
        this.core = new RaftCore(
            context.raftConfig(), log, context.metaStore(), context.snapshotStore(), encoder, listener);
        this.dispatcher = new PeerMessageDispatcher(core, transport);
        transport.dispatcher(dispatcher);
        this.peerEndpoints = new PeerEndpoints(context.memberId(), context.endpoints(), transport, log);
        this.counters = new NodeCounters(context.aeron(), context.memberId());
        this.fragmentLimit = context.fragmentLimit();
        this.application = context.application();
        if (context.clientPortEnabled())
        {
            // the client stream shares the peer port
            this.clientPort = new AeronClientPort(
                context.aeron(), context.bindEndpoint(), context.channelParams(),
                context.maxClientResponders(), context.raftConfig().maxPayloadBytes() + MESSAGE_HEADROOM_BYTES);
            this.sessions = new ClientSessionService(
                core, log, context.snapshotStore(), clientPort, context.endpoints(),
                context.raftConfig().maxPayloadBytes(), context.maxClientSessions(), context.clientSessionWindow(),
                context.clientSessionIdleTimeoutNs());
            clientPort.service(sessions);
        }
        else
        {
            this.clientPort = null;
            this.sessions = null;
        }
        listener.sessions = sessions;
        this.compaction = new LogCompaction(context.snapshotRetainEntries());
        if (context.stateMachine() != null)
        {
            this.stateMachine = new StateMachineLink(context, compaction, sessions == null ?
                context.appliedResults() : new SessionsThenApplicationResults(sessions, context.appliedResults()));
            if (sessions != null)
            {
                // remote clients' appends are answered once applied, with the result; their queries run here
                sessions.stateMachine(this::submitQuery, context.clock()::nanoTime);
            }
            this.pureLogSnapshots = null;
        }
        else
        {
            this.stateMachine = null;
            this.pureLogSnapshots = context.snapshotEveryEntries() > 0 ?
                new PureLogSnapshots(context.snapshotEveryEntries(), compaction, sessions) : null;
        }
        listener.stateMachine = stateMachine;
    }

    public String roleName()
    {
        return "raftlog-node-" + context.memberId();
    }

    public void onStart()
    {
        if (sessions != null)
        {
            sessions.start();
        }
        if (stateMachine != null)
        {
            stateMachine.start();
        }
        if (pureLogSnapshots != null)
        {
            pureLogSnapshots.start(context.snapshotStore().lastIncludedIndex());
        }
        lastNowNs = context.clock().nanoTime();
        core.start(lastNowNs);
        counters.update(core, 0);
    }

    /**
     * One duty cycle.
     *
     * @throws AgentTerminationException with the cause when storage fails (a full device, damage found, an I/O
     *                                   error, a fault in a memory-mapped file): the node stops rather than go on.
     */
    public int doWork()
    {
        try
        {
            return dutyCycle();
        }
        catch (final StorageFullException | StorageCorruptionException | UncheckedIOException | InternalError ex)
        {
            // fail-stop: the core may be part-way through a change it could not store, and a member that acts on
            // what is not on disk could acknowledge it; stopped, it restarts from what is
            throw new AgentTerminationException(ex);
        }
    }

    private int dutyCycle()
    {
        // never backwards: entries carry this time, and session expiry compares entries' timestamps
        final long nowNs = Math.max(lastNowNs, context.clock().nanoTime());
        lastNowNs = nowNs;
        int work = transport.poll(fragmentLimit);
        if (clientPort != null)
        {
            work += clientPort.poll(nowNs, fragmentLimit);
            work += sessions.expireQueries(nowNs);
        }
        work += application.doWork(this);
        work += core.tick(nowNs);
        work += core.flush();
        final long durable = log.sync();
        if (durable != lastDurableReported)
        {
            lastDurableReported = durable;
            core.onLogDurable(durable, log.termAt(durable));
            work += core.flush();
        }
        work += peerEndpoints.update(core);
        counters.update(core, dropped());
        if (stateMachine != null)
        {
            work += stateMachine.doWork(core);
        }
        else if (pureLogSnapshots != null)
        {
            work += pureLogSnapshots.doWork(core);
        }
        return work;
    }

    /**
     * Offers an entry: only from this agent's thread (an {@link EmbeddedApplication} runs in the same duty cycle).
     * The entry joins this cycle's batch.
     *
     * @return the index it will have if it commits, or a negative {@link io.raftlog.core.OfferResult}:
     * NOT_LEADER ({@link #leaderId()} names the leader this member knows of, or 0), BACK_PRESSURED (try in a later
     * cycle), TOO_LARGE, TRANSFERRING.
     */
    public long offer(final DirectBuffer payload, final int offset, final int length)
    {
        return core.offer(payload, offset, length);
    }

    /**
     * Queues a read against the state machine, to run on its thread once it has applied {@code readIndex} (from the
     * core's ReadIndex, so the read is linearizable), after every query submitted before it. Its result goes to
     * {@link NodeContext#appliedResults}' {@code onQueryResult(readId, ...)}. Only from this agent's thread. With the
     * client port on, remote clients' queries share the queue: an application's read ids must be below
     * {@link io.raftlog.session.PendingClientQueries#READ_ID_FLAG} (2^62).
     *
     * @param readIndex an index this member has committed or will commit.
     * @return false when the queue is full: submit it again in a later duty cycle.
     * @throws IllegalStateException when the node has no state machine.
     * @throws IllegalArgumentException when the query is longer than the largest payload.
     */
    public boolean submitQuery(
        final long readId, final long readIndex, final DirectBuffer query, final int offset, final int length)
    {
        if (stateMachine == null)
        {
            throw new IllegalStateException("no state machine: NodeContext.stateMachine is not set");
        }
        return stateMachine.submitQuery(readId, readIndex, query, offset, length);
    }

    /**
     * @return the index of the last entry the state machine applied (any thread); without a state machine the
     * commit index, as the session service applies committed entries on this thread as they commit.
     */
    public long appliedIndex()
    {
        return stateMachine != null ? stateMachine.appliedIndex() : core.commitIndex();
    }

    /**
     * @return the state machine's runner (its counters, its failure), or null without a state machine.
     */
    public StateMachineRunner stateMachineRunner()
    {
        return stateMachine == null ? null : stateMachine.runner();
    }

    /**
     * @return the state machine's thread once started, else null.
     */
    public Thread stateMachineThread()
    {
        return stateMachine == null ? null : stateMachine.thread();
    }

    /**
     * @return snapshots this node saved of its own state (not those installed from the leader).
     */
    public long snapshotsTaken()
    {
        return compaction.snapshotsTaken();
    }

    /**
     * @return the leader this member knows of in its current term, or 0: where a NOT_LEADER offer should go.
     */
    public int leaderId()
    {
        return core.leaderId();
    }

    /**
     * @return the core, for the node's own thread and for tests.
     */
    public RaftCore core()
    {
        return core;
    }

    public AeronPeerTransport transport()
    {
        return transport;
    }

    public NodeCounters counters()
    {
        return counters;
    }

    public PeerMessageDispatcher dispatcher()
    {
        return dispatcher;
    }

    /**
     * @return the remote clients' sessions, or null when the client port is disabled.
     */
    public ClientSessionService sessions()
    {
        return sessions;
    }

    public AeronClientPort clientPort()
    {
        return clientPort;
    }

    private long dropped()
    {
        return core.droppedMessages() + dispatcher.messagesRejected();
    }

    public void onClose()
    {
        close();
    }

    public void close()
    {
        // the state machine's thread first: it reads the log, which the caller closes after the node
        CloseHelper.closeAll(stateMachine, clientPort, transport, counters);
    }

    /**
     * @return whether a read id is a remote client's (the sessions mark theirs), not the application's.
     */
    private static boolean isSessionRead(final ClientSessionService sessions, final long readId)
    {
        return sessions != null && (readId & PendingClientQueries.READ_ID_FLAG) != 0;
    }

    /**
     * The core's events go to the client sessions first (they apply committed entries and answer clients), then to
     * the state machine (an installed snapshot is handed to its thread), then to the application's listener.
     */
    private static final class SessionsThenApplication implements RaftListener
    {
        private final RaftListener application;
        private ClientSessionService sessions;
        private StateMachineLink stateMachine;

        SessionsThenApplication(final RaftListener application)
        {
            this.application = application;
        }

        public void onCommit(final long commitIndex)
        {
            if (sessions != null)
            {
                sessions.onCommit(commitIndex);
            }
            application.onCommit(commitIndex);
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
        {
            if (sessions != null)
            {
                sessions.onRoleChange(role);
            }
            application.onRoleChange(role, term, leaderId);
        }

        public void onSnapshotInstalled(final long index, final long term)
        {
            if (sessions != null)
            {
                sessions.onSnapshotInstalled();
            }
            if (stateMachine != null)
            {
                stateMachine.onSnapshotInstalled();
            }
            application.onSnapshotInstalled(index, term);
        }

        public void onReadIndex(final long requestId, final long readIndex)
        {
            if (isSessionRead(sessions, requestId))
            {
                sessions.onReadIndex(requestId, readIndex);
            }
            else
            {
                application.onReadIndex(requestId, readIndex);
            }
        }
    }

    /**
     * The state machine's results go to the remote clients' sessions first (they answer the clients that wait), then
     * to the application's {@link AppliedResults}.
     */
    private static final class SessionsThenApplicationResults implements AppliedResults
    {
        private final ClientSessionService sessions;
        private final AppliedResults application;

        SessionsThenApplicationResults(final ClientSessionService sessions, final AppliedResults application)
        {
            this.sessions = sessions;
            this.application = application;
        }

        public void onAppendResult(
            final long sessionId,
            final long sequence,
            final long index,
            final DirectBuffer result,
            final int offset,
            final int length)
        {
            sessions.onAppendResult(sessionId, sequence, index, result, offset, length);
            application.onAppendResult(sessionId, sequence, index, result, offset, length);
        }

        public void onQueryResult(final long readId, final DirectBuffer result, final int offset, final int length)
        {
            if (isSessionRead(sessions, readId))
            {
                sessions.onQueryResult(readId, result, offset, length);
            }
            else
            {
                application.onQueryResult(readId, result, offset, length);
            }
        }
    }
}

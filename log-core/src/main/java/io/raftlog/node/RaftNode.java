package io.raftlog.node;

import io.raftlog.core.DurableLogStore;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.session.ClientSessionService;
import io.raftlog.transport.AeronClientPort;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.protocol.PeerMessageEncoder;
import io.raftlog.transport.AeronPeerTransport;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;

/**
 * One member as a single-threaded duty-cycle agent (run it with Agrona's {@code AgentRunner}, or several in a
 * {@code CompositeAgent} in tests). Each {@link #doWork()}: poll the peers' messages into the core, run the embedded
 * application (which may offer entries), let the core act
 * on the time, flush (append this cycle's batch and send it), make the log durable once (group commit) and tell the
 * core, flush again for what durability now allows, and publish the counters. No locks, no queues, no allocation in
 * steady state; the core holds every Raft rule.
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
    private long lastDurableReported = -1;
    private long lastNowNs;

    public RaftNode(final NodeContext context)
    {
        context.conclude();
        this.context = context;
        this.log = context.logStore();
        this.transport = new AeronPeerTransport(
            context.aeron(), context.memberId(), context.endpoints(), context.channelParams(),
            context.raftConfig().maxBatchBytes() + MESSAGE_HEADROOM_BYTES);
        this.encoder = new PeerMessageEncoder(transport);
        final SessionsThenApplication listener = new SessionsThenApplication(context.listener());
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
            this.clientPort = new AeronClientPort(
                context.aeron(), context.endpoints().get(context.memberId()), context.channelParams(),
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
        lastNowNs = context.clock().nanoTime();
        core.start(lastNowNs);
        counters.update(core, 0);
    }

    public int doWork()
    {
        // never backwards: entries carry this time, and session expiry compares entries' timestamps
        final long nowNs = Math.max(lastNowNs, context.clock().nanoTime());
        lastNowNs = nowNs;
        int work = transport.poll(fragmentLimit);
        if (clientPort != null)
        {
            work += clientPort.poll(nowNs, fragmentLimit);
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
        CloseHelper.closeAll(clientPort, transport, counters);
    }

    /**
     * The core's events go to the client sessions first (they apply committed entries and answer clients), then to
     * the application's listener.
     */
    private static final class SessionsThenApplication implements RaftListener
    {
        private final RaftListener application;
        private ClientSessionService sessions;

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
            application.onSnapshotInstalled(index, term);
        }
    }
}

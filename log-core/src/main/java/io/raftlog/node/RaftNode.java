package io.raftlog.node;

import io.raftlog.core.DurableLogStore;
import io.raftlog.core.RaftCore;
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
    private final NodeContext context;
    private final RaftCore core;
    private final AeronPeerTransport transport;
    private final PeerMessageDispatcher dispatcher;
    private final PeerMessageEncoder encoder;
    private final DurableLogStore log;
    private final NodeCounters counters;
    private final int fragmentLimit;
    private final EmbeddedApplication application;
    private long lastDurableReported = -1;

    public RaftNode(final NodeContext context)
    {
        context.conclude();
        this.context = context;
        this.log = context.logStore();
        this.transport = new AeronPeerTransport(
            context.aeron(), context.memberId(), context.endpoints(), context.channelParams());
        this.encoder = new PeerMessageEncoder(transport);
        this.core = new RaftCore(
            context.raftConfig(), log, context.metaStore(), context.snapshotStore(), encoder, context.listener());
        this.dispatcher = new PeerMessageDispatcher(core, transport);
        transport.dispatcher(dispatcher);
        this.counters = new NodeCounters(context.aeron(), context.memberId());
        this.fragmentLimit = context.fragmentLimit();
        this.application = context.application();
    }

    public String roleName()
    {
        return "raftlog-node-" + context.memberId();
    }

    public void onStart()
    {
        core.start(context.clock().nanoTime());
        counters.update(core, 0);
    }

    public int doWork()
    {
        final long nowNs = context.clock().nanoTime();
        int work = transport.poll(fragmentLimit);
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
        CloseHelper.closeAll(transport, counters);
    }
}

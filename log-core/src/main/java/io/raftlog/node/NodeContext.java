package io.raftlog.node;

import io.raftlog.core.DurableLogStore;
import io.aeron.Aeron;
import io.raftlog.core.MetaStore;
import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftListener;
import io.raftlog.core.SnapshotStore;
import io.raftlog.statemachine.AppliedResults;
import io.raftlog.statemachine.StateMachine;
import io.raftlog.storage.ChronicleLogStore;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a {@link RaftNode} needs, set once and checked by {@link #conclude()}, which fills defaults and names
 * the first bad setting, so a misconfigured node fails before it starts.
 */
public final class NodeContext
{
    /** {@link #snapshotEveryEntries} with a state machine, unless set: a snapshot per 100,000 entries applied. */
    public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 100_000;
    /** {@link #snapshotRetainEntries} unless set. */
    public static final long DEFAULT_SNAPSHOT_RETAIN_ENTRIES = 10_000;
    private static final long UNSET = -1;
    /** Results travel through a preallocated ring that holds at least eight of the largest. */
    private static final int MAX_RESULT_BYTES = 16 << 20;

    private int memberId;
    private Map<Integer, String> endpoints;
    private RaftConfig raftConfig;
    private Aeron aeron;
    private DurableLogStore logStore;
    private MetaStore metaStore;
    private SnapshotStore snapshotStore;
    private RaftListener listener = RaftListener.NO_OP;
    private EmbeddedApplication application = EmbeddedApplication.NONE;
    private EpochNanoClock clock;
    private String channelParams = "";
    private String peerListenEndpoint;
    private int fragmentLimit = 64;
    private boolean clientPortEnabled = true;
    private int maxClientSessions = 256;
    private int clientSessionWindow = 256;
    private long clientSessionIdleTimeoutNs = 300_000_000_000L;
    private int maxClientResponders = 256;
    private StateMachine stateMachine;
    private AppliedResults appliedResults = AppliedResults.NO_OP;
    private IdleStrategy stateMachineIdleStrategy;
    private ErrorHandler stateMachineErrorHandler;
    private int stateMachineMaxResultBytes;
    private long snapshotEveryEntries = UNSET;
    private long snapshotRetainEntries = DEFAULT_SNAPSHOT_RETAIN_ENTRIES;
    private boolean concluded;

    public NodeContext memberId(final int memberId)
    {
        this.memberId = memberId;
        return this;
    }

    public int memberId()
    {
        return memberId;
    }

    /**
     * @param endpoints each member's {@code host:port} for peer traffic, this member included.
     */
    public NodeContext endpoints(final Map<Integer, String> endpoints)
    {
        this.endpoints = new HashMap<>(endpoints);
        return this;
    }

    public Map<Integer, String> endpoints()
    {
        return endpoints;
    }

    /**
     * Where this member binds its endpoint, when that is not its endpoint in {@link #endpoints} (the one the others
     * send to): behind a relay or a NAT that forwards that endpoint here. The client stream shares the peer port, so
     * it binds here too. Null or empty (the default): its endpoint in {@link #endpoints}.
     */
    public NodeContext peerListenEndpoint(final String peerListenEndpoint)
    {
        this.peerListenEndpoint = peerListenEndpoint;
        return this;
    }

    /**
     * @return where this member binds its endpoint, or null for its endpoint in {@link #endpoints}.
     */
    public String peerListenEndpoint()
    {
        return peerListenEndpoint;
    }

    /**
     * @return where this member's peer and client streams bind: {@link #peerListenEndpoint} if set, else its
     * endpoint in {@link #endpoints}.
     */
    public String bindEndpoint()
    {
        return peerListenEndpoint != null ? peerListenEndpoint : endpoints.get(memberId);
    }

    public NodeContext raftConfig(final RaftConfig raftConfig)
    {
        this.raftConfig = raftConfig;
        return this;
    }

    public RaftConfig raftConfig()
    {
        return raftConfig;
    }

    public NodeContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public NodeContext logStore(final DurableLogStore logStore)
    {
        this.logStore = logStore;
        return this;
    }

    public DurableLogStore logStore()
    {
        return logStore;
    }

    public NodeContext metaStore(final MetaStore metaStore)
    {
        this.metaStore = metaStore;
        return this;
    }

    public MetaStore metaStore()
    {
        return metaStore;
    }

    public NodeContext snapshotStore(final SnapshotStore snapshotStore)
    {
        this.snapshotStore = snapshotStore;
        return this;
    }

    public SnapshotStore snapshotStore()
    {
        return snapshotStore;
    }

    public NodeContext listener(final RaftListener listener)
    {
        this.listener = listener;
        return this;
    }

    public RaftListener listener()
    {
        return listener;
    }

    /**
     * An application run in each duty cycle on the node's thread, before the cycle's batch is flushed.
     */
    public NodeContext application(final EmbeddedApplication application)
    {
        this.application = application;
        return this;
    }

    public EmbeddedApplication application()
    {
        return application;
    }

    /**
     * The node's clock: it drives timeouts and stamps entries, so a wall clock (epoch) lets retention by age and
     * readers make sense of entry timestamps. It is read every duty cycle, so it must not allocate (Agrona's
     * {@code SystemEpochNanoClock} creates an {@code Instant} per call; the default is {@code OffsetEpochNanoClock}).
     */
    public NodeContext clock(final EpochNanoClock clock)
    {
        this.clock = clock;
        return this;
    }

    public EpochNanoClock clock()
    {
        return clock;
    }

    /**
     * Extra Aeron channel parameters for peer traffic, e.g. {@code mtu=8192}.
     */
    public NodeContext channelParams(final String channelParams)
    {
        this.channelParams = channelParams;
        return this;
    }

    public String channelParams()
    {
        return channelParams;
    }

    public NodeContext fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /**
     * Whether the node serves remote clients on its endpoint's client stream (default true).
     */
    public NodeContext clientPortEnabled(final boolean clientPortEnabled)
    {
        this.clientPortEnabled = clientPortEnabled;
        return this;
    }

    public boolean clientPortEnabled()
    {
        return clientPortEnabled;
    }

    /**
     * Client sessions the cluster keeps open at once (default 256). Part of the replicated state: every member of
     * a cluster must use the same value.
     */
    public NodeContext maxClientSessions(final int maxClientSessions)
    {
        this.maxClientSessions = maxClientSessions;
        return this;
    }

    public int maxClientSessions()
    {
        return maxClientSessions;
    }

    /**
     * Appends a client may have in flight, the sequences remembered per session (a power of two, default 256).
     * Part of the replicated state: the same on every member.
     */
    public NodeContext clientSessionWindow(final int clientSessionWindow)
    {
        this.clientSessionWindow = clientSessionWindow;
        return this;
    }

    public int clientSessionWindow()
    {
        return clientSessionWindow;
    }

    /**
     * A session idle for longer than this (measured by the leader's timestamps in the log) expires (default five
     * minutes). Part of the replicated state: the same on every member.
     */
    public NodeContext clientSessionIdleTimeoutNs(final long clientSessionIdleTimeoutNs)
    {
        this.clientSessionIdleTimeoutNs = clientSessionIdleTimeoutNs;
        return this;
    }

    public long clientSessionIdleTimeoutNs()
    {
        return clientSessionIdleTimeoutNs;
    }

    /**
     * Response paths to clients this member keeps open at once (default 256); the one idle longest is reused.
     */
    public NodeContext maxClientResponders(final int maxClientResponders)
    {
        this.maxClientResponders = maxClientResponders;
        return this;
    }

    public int maxClientResponders()
    {
        return maxClientResponders;
    }

    /**
     * The application's replicated state (optional): the node applies the committed log to it on a thread of its
     * own, restores it from snapshots and snapshots it (see {@link #snapshotEveryEntries}). Without one the node is
     * a pure log, as it always was. Needs the log in a {@link ChronicleLogStore}: the state machine's thread reads
     * the committed log with a {@code CommittedLogReader} of its directory.
     */
    public NodeContext stateMachine(final StateMachine stateMachine)
    {
        this.stateMachine = stateMachine;
        return this;
    }

    public StateMachine stateMachine()
    {
        return stateMachine;
    }

    /**
     * Where the state machine's results go, on the node's agent thread (default: discarded).
     */
    public NodeContext appliedResults(final AppliedResults appliedResults)
    {
        this.appliedResults = appliedResults;
        return this;
    }

    public AppliedResults appliedResults()
    {
        return appliedResults;
    }

    /**
     * How the state machine's thread waits when there is nothing to apply (default: a {@link BackoffIdleStrategy}
     * that spins briefly, yields, then parks up to a millisecond).
     */
    public NodeContext stateMachineIdleStrategy(final IdleStrategy stateMachineIdleStrategy)
    {
        this.stateMachineIdleStrategy = stateMachineIdleStrategy;
        return this;
    }

    public IdleStrategy stateMachineIdleStrategy()
    {
        return stateMachineIdleStrategy;
    }

    /**
     * Told what stopped the state machine's thread (default: printed to standard error). The node goes on
     * replicating; {@link RaftNode#appliedIndex()} stops moving.
     */
    public NodeContext stateMachineErrorHandler(final ErrorHandler stateMachineErrorHandler)
    {
        this.stateMachineErrorHandler = stateMachineErrorHandler;
        return this;
    }

    public ErrorHandler stateMachineErrorHandler()
    {
        return stateMachineErrorHandler;
    }

    /**
     * The longest result the state machine may return for an entry or a query (0 or unset: the largest payload).
     */
    public NodeContext stateMachineMaxResultBytes(final int stateMachineMaxResultBytes)
    {
        this.stateMachineMaxResultBytes = stateMachineMaxResultBytes;
        return this;
    }

    public int stateMachineMaxResultBytes()
    {
        return stateMachineMaxResultBytes;
    }

    /**
     * Take a snapshot when this many entries were applied since the last one, then compact the log behind it
     * (keeping {@link #snapshotRetainEntries}); 0 never. Default: {@link #DEFAULT_SNAPSHOT_EVERY_ENTRIES} with a
     * state machine (its snapshot is what lets the log be dropped), 0 without one (a pure log is the product:
     * replay readers may want all of it; when set, the snapshot holds the client session table alone).
     */
    public NodeContext snapshotEveryEntries(final long snapshotEveryEntries)
    {
        this.snapshotEveryEntries = snapshotEveryEntries;
        return this;
    }

    public long snapshotEveryEntries()
    {
        return snapshotEveryEntries;
    }

    /**
     * Entries kept in the log behind a snapshot when compacting (default {@link #DEFAULT_SNAPSHOT_RETAIN_ENTRIES}):
     * a follower that far behind catches up from the log rather than by a snapshot transfer.
     */
    public NodeContext snapshotRetainEntries(final long snapshotRetainEntries)
    {
        this.snapshotRetainEntries = snapshotRetainEntries;
        return this;
    }

    public long snapshotRetainEntries()
    {
        return snapshotRetainEntries;
    }

    /**
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public NodeContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (raftConfig == null)
        {
            throw new IllegalArgumentException("raftConfig: required");
        }
        raftConfig.conclude();
        if (memberId <= 0 || memberId != raftConfig.selfId())
        {
            throw new IllegalArgumentException("memberId: " + memberId + " must be positive and equal " +
                "raftConfig.selfId " + raftConfig.selfId());
        }
        if (endpoints == null)
        {
            throw new IllegalArgumentException("endpoints: required");
        }
        for (final int id : raftConfig.memberIds())
        {
            if (!endpoints.containsKey(id))
            {
                throw new IllegalArgumentException("endpoints: no endpoint for member " + id + " of " +
                    Arrays.toString(raftConfig.memberIds()));
            }
        }
        if (peerListenEndpoint != null && peerListenEndpoint.isBlank())
        {
            peerListenEndpoint = null;
        }
        if (peerListenEndpoint != null && peerListenEndpoint.lastIndexOf(':') <= 0)
        {
            throw new IllegalArgumentException("peerListenEndpoint: '" + peerListenEndpoint + "' is not host:port");
        }
        if (aeron == null)
        {
            throw new IllegalArgumentException("aeron: required");
        }
        if (logStore == null)
        {
            throw new IllegalArgumentException("logStore: required");
        }
        if (metaStore == null)
        {
            throw new IllegalArgumentException("metaStore: required");
        }
        if (snapshotStore == null)
        {
            throw new IllegalArgumentException("snapshotStore: required");
        }
        if (application == null)
        {
            throw new IllegalArgumentException("application: null; leave it unset for none");
        }
        if (fragmentLimit <= 0)
        {
            throw new IllegalArgumentException("fragmentLimit: must be positive");
        }
        if (maxClientSessions < 1)
        {
            throw new IllegalArgumentException("maxClientSessions: must be positive");
        }
        if (clientSessionWindow < 1 || Integer.bitCount(clientSessionWindow) != 1)
        {
            throw new IllegalArgumentException("clientSessionWindow: must be a power of two");
        }
        if (clientSessionIdleTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("clientSessionIdleTimeoutNs: must be positive");
        }
        if (maxClientResponders < 1 || maxClientResponders > 65535)
        {
            throw new IllegalArgumentException("maxClientResponders: must be in 1..65535");
        }
        if (snapshotEveryEntries == UNSET)
        {
            snapshotEveryEntries = stateMachine != null ? DEFAULT_SNAPSHOT_EVERY_ENTRIES : 0;
        }
        if (snapshotEveryEntries < 0)
        {
            throw new IllegalArgumentException("snapshotEveryEntries: must not be negative (0 for never)");
        }
        if (snapshotRetainEntries < 0)
        {
            throw new IllegalArgumentException("snapshotRetainEntries: must not be negative");
        }
        if (appliedResults == null)
        {
            throw new IllegalArgumentException("appliedResults: null; leave it unset to discard results");
        }
        if (stateMachine != null)
        {
            if (!(logStore instanceof ChronicleLogStore))
            {
                throw new IllegalArgumentException("stateMachine: needs logStore to be a ChronicleLogStore (the " +
                    "state machine's thread reads the committed log from its directory), not " +
                    logStore.getClass().getName());
            }
            if (stateMachineMaxResultBytes == 0)
            {
                stateMachineMaxResultBytes = raftConfig.maxPayloadBytes();
            }
            if (stateMachineMaxResultBytes < 0 || stateMachineMaxResultBytes > MAX_RESULT_BYTES)
            {
                throw new IllegalArgumentException("stateMachineMaxResultBytes: must be in 1.." + MAX_RESULT_BYTES +
                    " (0 for the largest payload)");
            }
            if (stateMachineIdleStrategy == null)
            {
                stateMachineIdleStrategy = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
            }
            if (stateMachineErrorHandler == null)
            {
                stateMachineErrorHandler = Throwable::printStackTrace;
            }
        }
        if (clock == null)
        {
            // epoch time from System.nanoTime plus an offset sampled rarely: no Instant allocated per duty cycle
            clock = new OffsetEpochNanoClock();
        }
        concluded = true;
        return this;
    }
}

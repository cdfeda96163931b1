package io.raftlog.sim;

import io.raftlog.core.RaftConfig;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.protocol.PeerMessageDispatcher;
import io.raftlog.protocol.PeerMessageEncoder;
import io.raftlog.protocol.PeerOutbox;
import org.agrona.MutableDirectBuffer;

/**
 * One simulated member: a real {@link RaftCore} over a simulated disk, talking SBE through the simulated network.
 * Its disk and metadata outlive crashes; the core does not.
 */
public final class SimNode implements PeerOutbox, RaftListener
{
    final int id;
    final SimLogStore store;
    final SimMetaStore meta = new SimMetaStore();
    final SimSnapshotStore snapshots = new SimSnapshotStore();
    private final org.agrona.ExpandableArrayBuffer stateBuffer = new org.agrona.ExpandableArrayBuffer(1024);
    private final SimCluster cluster;
    private RaftCore core;
    private PeerMessageEncoder encoder;
    private PeerMessageDispatcher dispatcher;
    private SimEvent claim;
    private boolean alive;
    private long incarnation;
    boolean syncInFlight;
    private long messagesSentBefore;
    private long entryBytesSentBefore;
    private long electionsBefore;
    /** With a key-value workload: this member's copy of the replicated state, and reads waiting for it. */
    private SimKvMachine kv;
    private KvObserver kvObserver;
    private final java.util.ArrayList<long[]> waitingReads = new java.util.ArrayList<>();
    /** Read indexes this member was given (its own reads and, forwarded, its followers'), across restarts. */
    long readsConfirmed;
    /** This member's clock runs at this rate of the simulation's (clock drift). */
    private double clockRate = 1.0;
    private long clockBaseLocalNs;
    private long clockBaseSimulationNs;

    /**
     * What a key-value workload hears from a member: the result of each command it applies, and its reads.
     */
    interface KvObserver
    {
        void onApplied(SimNode node, long index, long opId, int result);

        /** The member has applied up to the read's index: its state now may answer the read. */
        void onReadReady(SimNode node, long requestId);

        void onReadRefused(SimNode node, long requestId, long reason);
    }

    SimNode(final int id, final SimCluster cluster, final int streamBytes, final int entries)
    {
        this.id = id;
        this.cluster = cluster;
        this.store = new SimLogStore(id, streamBytes, entries);
    }

    void start(final RaftConfig config, final long nowNs)
    {
        incarnation++;
        alive = true;
        syncInFlight = false;
        encoder = new PeerMessageEncoder(this);
        core = new RaftCore(config, store, meta, snapshots, encoder, this);
        dispatcher = new PeerMessageDispatcher(core);
        if (cluster.options().unsafeSkipMembershipChangeFix)
        {
            io.raftlog.core.CoreTestAccess.disableCommitInTermBeforeMembershipChange(core);
        }
        if (kv != null)
        {
            // the state is rebuilt from the snapshot, then from the log as it commits again
            if (snapshots.lastIncludedIndex() > 0)
            {
                kv.restore(snapshots.lastIncludedIndex(), snapshots.state(), 8);
            }
            else
            {
                kv.clear();
            }
        }
        core.start(localNs(nowNs));
    }

    /**
     * Gives this member a copy of the key-value state, applied from the committed log.
     */
    void kv(final KvObserver observer)
    {
        this.kv = new SimKvMachine();
        this.kvObserver = observer;
    }

    SimKvMachine kv()
    {
        return kv;
    }

    /**
     * From {@code simulationNs} on, this member's clock runs at {@code clockRate} of the simulation's (it never jumps).
     */
    void clockRate(final double clockRate, final long simulationNs)
    {
        clockBaseLocalNs = localNs(simulationNs);
        clockBaseSimulationNs = simulationNs;
        this.clockRate = clockRate;
    }

    /**
     * @return the time on this member's own clock.
     */
    long localNs(final long simulationNs)
    {
        return clockBaseLocalNs + (long)((simulationNs - clockBaseSimulationNs) * clockRate);
    }

    /**
     * A read waits here until this member has applied up to its read index.
     */
    void awaitApplied(final long requestId, final long readIndex)
    {
        if (kv.appliedIndex() >= readIndex)
        {
            kvObserver.onReadReady(this, requestId);
        }
        else
        {
            waitingReads.add(new long[]{requestId, readIndex});
        }
    }

    void crash()
    {
        if (encoder != null)
        {
            messagesSentBefore += encoder.messagesSent();
            entryBytesSentBefore += encoder.entryBytesSent();
            electionsBefore += core.electionsStarted();
        }
        alive = false;
        incarnation++;
        waitingReads.clear();
        snapshots.crash();
        core = null;
        encoder = null;
        dispatcher = null;
    }

    public int id()
    {
        return id;
    }

    public boolean isAlive()
    {
        return alive;
    }

    long incarnation()
    {
        return incarnation;
    }

    public RaftCore core()
    {
        return core;
    }

    public SimLogStore store()
    {
        return store;
    }

    public SimMetaStore meta()
    {
        return meta;
    }

    public SimSnapshotStore snapshots()
    {
        return snapshots;
    }

    /**
     * The simulated application's snapshot policy: its state is the prefix hash of the log it applied, padded to
     * the configured size with bytes derived from it, so a snapshot received in chunks can be verified.
     */
    void maybeSnapshot(final SimOptions options)
    {
        if (options.snapshotEveryEntries <= 0)
        {
            return;
        }
        final long commit = core.commitIndex();
        if (commit - snapshots.lastIncludedIndex() < options.snapshotEveryEntries || commit > store.lastIndex())
        {
            return;
        }
        final long hash = store.prefixHash(commit);
        final int length;
        if (kv != null)
        {
            if (kv.appliedIndex() != commit)
            {
                return;
            }
            stateBuffer.putLong(0, hash);
            length = 8 + kv.encodeState(stateBuffer, 8);
        }
        else
        {
            length = writeState(stateBuffer, hash, options.snapshotStateBytes);
        }
        if (core.takeSnapshot(commit, stateBuffer, 0, length))
        {
            final long compactTo = commit - options.retainEntries;
            if (compactTo > store.baseIndex())
            {
                core.compactLog(compactTo);
            }
        }
    }

    static int writeState(final org.agrona.MutableDirectBuffer buffer, final long hash, final int size)
    {
        final int length = Math.max(8, size);
        buffer.putLong(0, hash);
        for (int i = 8; i < length; i++)
        {
            buffer.putByte(i, (byte)((hash >>> ((i & 7) << 3)) ^ i));
        }
        return length;
    }

    static long readState(final org.agrona.DirectBuffer buffer, final long length)
    {
        final long hash = buffer.getLong(0);
        for (int i = 8; i < length; i++)
        {
            if (buffer.getByte(i) != (byte)((hash >>> ((i & 7) << 3)) ^ i))
            {
                throw new IllegalStateException("snapshot state corrupt at byte " + i);
            }
        }
        return hash;
    }

    PeerMessageDispatcher dispatcher()
    {
        return dispatcher;
    }

    /**
     * @return every peer message this member has sent, across restarts.
     */
    public long messagesSent()
    {
        return messagesSentBefore + (encoder == null ? 0 : encoder.messagesSent());
    }

    /**
     * @return elections this member started, across restarts.
     */
    public long electionsStarted()
    {
        return electionsBefore + (core == null ? 0 : core.electionsStarted());
    }

    public long entryBytesSent()
    {
        return entryBytesSentBefore + (encoder == null ? 0 : encoder.entryBytesSent());
    }

    public boolean isLeader()
    {
        return alive && core.role() == Role.LEADER;
    }

    // PeerOutbox

    public boolean tryClaim(final int memberId, final int length)
    {
        if (memberId < 1 || memberId > cluster.size())
        {
            return false;
        }
        claim = cluster.queue().acquire();
        claim.type = SimEvent.DELIVER;
        claim.from = id;
        claim.to = memberId;
        claim.length = length;
        claim.payload.checkLimit(length);
        return true;
    }

    public MutableDirectBuffer buffer()
    {
        return claim.payload;
    }

    public int offset()
    {
        return 0;
    }

    public boolean commit()
    {
        final SimEvent message = claim;
        claim = null;
        cluster.network().send(message, cluster.nowNs());
        return true;
    }

    // RaftListener

    public void onCommit(final long commitIndex)
    {
        if (kv != null)
        {
            applyCommitted(commitIndex);
        }
        cluster.onCommit(this, commitIndex);
    }

    public void onReadIndex(final long requestId, final long readIndex)
    {
        if (readIndex >= 0)
        {
            readsConfirmed++;
        }
        if (kv == null)
        {
            return;
        }
        if (readIndex < 0)
        {
            kvObserver.onReadRefused(this, requestId, readIndex);
            return;
        }
        awaitApplied(requestId, readIndex);
    }

    private void applyCommitted(final long commitIndex)
    {
        while (kv.appliedIndex() < commitIndex)
        {
            final long index = kv.appliedIndex() + 1;
            if (store.entryTypeAt(index) == io.raftlog.codecs.EntryType.APPLICATION.value())
            {
                final int result = kv.apply(index, store.payloadAt(index));
                if (result != SimKvMachine.NOT_A_COMMAND)
                {
                    kvObserver.onApplied(this, index, store.payloadIdAt(index), result);
                }
            }
            else
            {
                kv.skip(index);
            }
        }
        for (int i = 0; i < waitingReads.size(); )
        {
            final long[] read = waitingReads.get(i);
            if (read[1] <= kv.appliedIndex())
            {
                waitingReads.remove(i);
                kvObserver.onReadReady(this, read[0]);
            }
            else
            {
                i++;
            }
        }
    }

    public void onSnapshotInstalled(final long index, final long term)
    {
        // a pure log's snapshot holds no state: only its index, term and membership, which the log checks cover; the
        // simulation then takes the prefix hash at its base from the committed log
        final long hash;
        if (kv != null)
        {
            hash = snapshots.state().getLong(0);
            kv.restore(index, snapshots.state(), 8);
        }
        else
        {
            hash = snapshots.length() == 0 ?
                (cluster.checker() == null ? 0 : cluster.checker().committedPrefixAt(index)) :
                readState(snapshots.state(), snapshots.length());
        }
        if (store.baseIndex() == index && store.lastIndex() == index)
        {
            store.basePrefixHash(hash); // the log was replaced: the snapshot says what it held
        }
        cluster.onSnapshotInstalled(this, index, hash);
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        if (role == Role.LEADER)
        {
            cluster.onLeader(this, term);
        }
    }
}

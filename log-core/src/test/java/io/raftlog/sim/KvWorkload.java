package io.raftlog.sim;

import io.raftlog.core.RaftCore;
import io.raftlog.core.Role;
import io.raftlog.check.KvHistory;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Concurrent clients of the replicated key-value state, each with one operation at a time, recording every
 * invocation and response in a {@link KvHistory} for the linearizability check.
 * <ul>
 *   <li>Writes (put, delete, compare-and-set) go to the leader as log entries; the client is answered by that member
 *   when it applies the entry, with the compare-and-set's outcome. A client that hears nothing within a second
 *   gives up: the write's outcome is unknown (it may still take effect, later, or never).</li>
 *   <li>Reads go to any live member and are served from its own state once it has applied up to a read index that
 *   the leader confirmed (ReadIndex), or at once from a leader's lease, or, to show that the check catches it,
 *   straight from the member's state without either ({@link ReadPath#UNSAFE_LOCAL}).</li>
 * </ul>
 */
final class KvWorkload implements SimNode.KvObserver
{
    enum ReadPath
    {
        READ_INDEX,
        LEASE,
        /** Broken on purpose: any member answers from its own state at once. */
        UNSAFE_LOCAL,
        /** Broken on purpose: a member that believes it leads answers from its own state at once (no ReadIndex). */
        UNSAFE_LEADER_LOCAL
    }

    private static final long GIVE_UP_NS = 1_000_000_000L;

    private final SimCluster cluster;
    private final KvHistory history = new KvHistory();
    private final SplittableRandom random;
    private final ReadPath readPath;
    private final int keys;
    private final Client[] clients;
    private final Map<Long, Client> writesByOpId = new HashMap<>();
    private final Map<Long, Client> readsByRequestId = new HashMap<>();
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[SimKvMachine.COMMAND_LENGTH]);
    private long nextValue = 1;
    private long nextRequestId = 1;
    private boolean running = true;
    private long writesAcknowledged;
    private long readsAnswered;
    private long leaseReads;
    private final java.util.List<String> violations = new java.util.ArrayList<>();

    KvWorkload(final SimCluster cluster, final int clientCount, final int keys, final ReadPath readPath)
    {
        this.cluster = cluster;
        this.random = cluster.random().split();
        this.readPath = readPath;
        this.keys = keys;
        this.clients = new Client[clientCount];
        for (int i = 0; i < clientCount; i++)
        {
            clients[i] = new Client(i + 1);
        }
        for (int id = 1; id <= cluster.size(); id++)
        {
            cluster.node(id).kv(this);
        }
    }

    void start(final long atNs)
    {
        for (final Client client : clients)
        {
            cluster.schedule(client, atNs + random.nextLong(10_000_000L));
        }
        if (readPath == ReadPath.LEASE)
        {
            cluster.schedule(leaseProbe, atNs);
        }
    }

    /**
     * Asks every leader for a lease read every millisecond, as a client might at any instant, and checks that none
     * is granted once a leader of a later term has been elected: the lease's own safety, independent of whether a
     * stale read happened to be observed.
     */
    private final SimActor leaseProbe = new SimActor()
    {
        public void onTimer(final long nowNs)
        {
            for (int id = 1; id <= cluster.size(); id++)
            {
                final SimNode member = cluster.node(id);
                if (member.isAlive() && !cluster.isPaused(id) && member.core().role() == Role.LEADER &&
                    member.core().leaseReadIndex(member.localNs(nowNs)) >= 0)
                {
                    checkLease(id, member.core(), nowNs);
                }
            }
            if (running)
            {
                cluster.schedule(this, nowNs + 1_000_000L);
            }
        }
    };

    private void checkLease(final int id, final RaftCore core, final long nowNs)
    {
        if (cluster.highestLeaderTerm() > core.currentTerm() && violations.size() < 5)
        {
            violations.add("member " + id + " held a lease in term " + core.currentTerm() + " at " + nowNs / 1_000_000 +
                " ms, after a leader of term " + cluster.highestLeaderTerm() + " was elected");
        }
    }

    /**
     * No new operations; those under way end as unknown (writes) or are withdrawn (reads: they observed nothing).
     */
    void stop()
    {
        running = false;
        for (final Client client : clients)
        {
            client.giveUp();
        }
    }

    KvHistory history()
    {
        return history;
    }

    long writesAcknowledged()
    {
        return writesAcknowledged;
    }

    long readsAnswered()
    {
        return readsAnswered;
    }

    long leaseReads()
    {
        return leaseReads;
    }

    /**
     * @return lease reads granted by a leader after a leader of a later term had been elected: a lease that outlived
     * its leadership (whatever the history shows).
     */
    java.util.List<String> violations()
    {
        return violations;
    }

    // SimNode.KvObserver

    public void onApplied(final SimNode node, final long index, final long opId, final int result)
    {
        final Client client = writesByOpId.get(opId);
        if (client != null && client.node == node.id)
        {
            // the member the client asked answers it as soon as it applies the entry
            client.completeWrite(result);
        }
    }

    public void onReadReady(final SimNode node, final long requestId)
    {
        final Client client = readsByRequestId.get(requestId);
        if (client != null)
        {
            client.completeRead(node);
        }
    }

    public void onReadRefused(final SimNode node, final long requestId, final long reason)
    {
        final Client client = readsByRequestId.remove(requestId);
        if (client != null)
        {
            client.withdrawRead();
        }
    }

    private static String text(final long value)
    {
        return value == 0 ? null : Long.toString(value);
    }

    private final class Client implements SimActor
    {
        private final int id;
        private int historyId = -1;
        private boolean isRead;
        private long opId;
        private long requestId;
        private int node;
        private int key;
        private long deadlineNs;
        private int opsStarted;

        Client(final int id)
        {
            this.id = id;
        }

        public void onTimer(final long nowNs)
        {
            if (historyId >= 0 && nowNs >= deadlineNs)
            {
                giveUp();
            }
            if (running && historyId < 0)
            {
                begin(nowNs);
            }
            if (running)
            {
                cluster.schedule(this, nowNs + 1_000_000L + random.nextLong(20_000_000L));
            }
        }

        private void begin(final long nowNs)
        {
            key = random.nextInt(keys);
            deadlineNs = nowNs + GIVE_UP_NS;
            opsStarted++;
            if (random.nextInt(100) < 50)
            {
                beginRead(nowNs);
            }
            else
            {
                beginWrite(nowNs);
            }
        }

        private void beginWrite(final long nowNs)
        {
            final int leader = cluster.leader();
            if (leader == 0 || cluster.isPaused(leader))
            {
                return; // a paused leader answers nothing: the client waits for another
            }
            final String keyText = Integer.toString(key);
            final long value = nextValue++;
            opId = ((long)id << 40) | opsStarted;
            final int choice = random.nextInt(10);
            if (choice < 5)
            {
                historyId = history.invokePut(id, keyText, text(value), nowNs);
                SimKvMachine.encode(command, opId, SimKvMachine.PUT, key, value, 0);
            }
            else if (choice < 7)
            {
                historyId = history.invokeDelete(id, keyText, nowNs);
                SimKvMachine.encode(command, opId, SimKvMachine.DELETE, key, 0, 0);
            }
            else
            {
                // expect what some member holds now: often right, sometimes stale
                final SimNode any = cluster.node(1 + random.nextInt(cluster.size()));
                final long expected = any.isAlive() ? any.kv().get(key) : 0;
                historyId = history.invokeCas(id, keyText, text(expected), text(value), nowNs);
                SimKvMachine.encode(command, opId, SimKvMachine.CAS, key, value, expected);
            }
            isRead = false;
            node = leader;
            final long index = cluster.offer(leader, command, 0, SimKvMachine.COMMAND_LENGTH);
            if (index <= 0)
            {
                history.fail(historyId); // refused before it was appended: it never takes effect
                historyId = -1;
                return;
            }
            writesByOpId.put(opId, this);
        }

        private void beginRead(final long nowNs)
        {
            node = 1 + random.nextInt(cluster.size());
            final SimNode member = cluster.node(node);
            if (!member.isAlive() || cluster.isPaused(node))
            {
                return;
            }
            isRead = true;
            historyId = history.invokeGet(id, Integer.toString(key), nowNs);
            requestId = nextRequestId++;
            readsByRequestId.put(requestId, this);
            final RaftCore core = member.core();
            switch (readPath)
            {
                case UNSAFE_LOCAL:
                    completeRead(member);
                    return;

                case UNSAFE_LEADER_LOCAL:
                    if (core.role() == Role.LEADER)
                    {
                        completeRead(member);
                    }
                    else
                    {
                        readsByRequestId.remove(requestId);
                        withdrawRead(); // a follower refuses; the client would ask the leader
                    }
                    return;

                case LEASE:
                    if (core.role() == Role.LEADER)
                    {
                        final long readIndex = core.leaseReadIndex(member.localNs(nowNs));
                        if (readIndex >= 0)
                        {
                            checkLease(node, core, nowNs);
                            leaseReads++;
                            member.awaitApplied(requestId, readIndex);
                            return;
                        }
                    }
                    readIndex(member, core);
                    return;

                default:
                    readIndex(member, core);
            }
        }

        private void readIndex(final SimNode member, final RaftCore core)
        {
            if (core.readIndex(requestId) < 0)
            {
                readsByRequestId.remove(requestId);
                withdrawRead();
                return;
            }
            cluster.endCycle(member); // the duty cycle's flush starts the read round
        }

        void completeWrite(final int result)
        {
            writesByOpId.remove(opId);
            if (history.operation(historyId).kind() == io.raftlog.check.KvOperation.Kind.CAS)
            {
                history.okCas(historyId, result == 1, cluster.nowNs());
            }
            else
            {
                history.ok(historyId, cluster.nowNs());
            }
            writesAcknowledged++;
            historyId = -1;
        }

        void completeRead(final SimNode member)
        {
            readsByRequestId.remove(requestId);
            history.okGet(historyId, text(member.kv().get(key)), cluster.nowNs());
            readsAnswered++;
            historyId = -1;
        }

        void withdrawRead()
        {
            // a read that was refused or never answered observed nothing: it leaves the history
            history.fail(historyId);
            historyId = -1;
        }

        void giveUp()
        {
            if (historyId < 0)
            {
                return;
            }
            if (isRead)
            {
                readsByRequestId.remove(requestId);
                withdrawRead();
            }
            else
            {
                writesByOpId.remove(opId);
                history.unknown(historyId);
                historyId = -1;
            }
        }
    }
}

package io.raftlog.node;

import io.raftlog.core.OfferResult;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import io.raftlog.sim.SimSnapshotStore;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Node agents on loopback UDP with one embedded media driver, driven by the test's thread (so the test calls into a
 * core from the agents' thread, between duty cycles), where each member is started with its own view of the cluster:
 * the endpoints it is told and the members of its bootstrap configuration. For membership tests; in-memory stores.
 */
final class MembershipNodes extends DrivenNodes
{
    static final int MAX_ID = 5;

    final SimLogStore[] logs = new SimLogStore[MAX_ID + 1];

    MembershipNodes(final Path directory) throws Exception
    {
        super(directory, MAX_ID);
    }

    /**
     * @param voters   the voters of its bootstrap configuration.
     * @param learners the learners of its bootstrap configuration (a joining member names itself).
     * @param known    the members whose endpoints it is told at startup (itself is always told).
     */
    RaftNode start(final int id, final int[] voters, final int[] learners, final int... known)
    {
        final Map<Integer, String> told = new HashMap<>();
        told.put(id, endpoints.get(id));
        for (final int other : known)
        {
            told.put(other, endpoints.get(other));
        }
        logs[id] = new SimLogStore(id, 8 << 20, 1 << 16);
        nodes[id] = new RaftNode(new NodeContext()
            .memberId(id)
            .endpoints(told)
            .raftConfig(raftConfig(id, voters).learnerIds(learners))
            .aeron(aeron)
            .logStore(logs[id])
            .metaStore(new SimMetaStore())
            .snapshotStore(new SimSnapshotStore()));
        nodes[id].onStart();
        return nodes[id];
    }

    static int[] ids(final int... ids)
    {
        return ids;
    }

    int awaitLeader()
    {
        return awaitLeader(0);
    }

    /**
     * Calls a membership change on the leader's core until it is taken (the leader may first have to commit an entry
     * of its term, or finish the change before).
     *
     * @return the index of the configuration entry.
     */
    long change(final LongSupplier change)
    {
        final long[] index = new long[1];
        runUntil(() ->
        {
            index[0] = change.getAsLong();
            if (index[0] == OfferResult.INVALID_CHANGE || index[0] == OfferResult.TOO_LARGE)
            {
                throw new AssertionError("change refused: " + index[0]);
            }
            return index[0] > 0;
        }, 20);
        return index[0];
    }

    /**
     * The member's process is gone: its agent stops without a word to anyone.
     */
    void stop(final int id)
    {
        CloseHelper.close(nodes[id]);
        nodes[id] = null;
    }
}

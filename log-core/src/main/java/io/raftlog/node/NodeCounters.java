package io.raftlog.node;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.raftlog.core.RaftCore;
import org.agrona.CloseHelper;

/**
 * A node's state as Aeron counters, so Aeron's {@code AeronStat} shows a live node from outside its process. Type
 * ids start at 1000 (below is Aeron's own range). Updated once per duty cycle with ordered writes: no allocation.
 */
public final class NodeCounters implements AutoCloseable
{
    public static final int ROLE_TYPE_ID = 1000;
    public static final int TERM_TYPE_ID = 1001;
    public static final int LEADER_TYPE_ID = 1002;
    public static final int COMMIT_INDEX_TYPE_ID = 1003;
    public static final int DURABLE_INDEX_TYPE_ID = 1004;
    public static final int ELECTIONS_TYPE_ID = 1005;
    public static final int DROPPED_MESSAGES_TYPE_ID = 1006;
    public static final int LAST_INDEX_TYPE_ID = 1007;

    private final Counter role;
    private final Counter term;
    private final Counter leader;
    private final Counter commitIndex;
    private final Counter durableIndex;
    private final Counter elections;
    private final Counter droppedMessages;
    private final Counter lastIndex;

    public NodeCounters(final Aeron aeron, final int memberId)
    {
        final String suffix = " member=" + memberId;
        role = aeron.addCounter(ROLE_TYPE_ID, "raftlog role (0 follower, 1 pre-candidate, 2 candidate, 3 leader)" + suffix);
        term = aeron.addCounter(TERM_TYPE_ID, "raftlog term" + suffix);
        leader = aeron.addCounter(LEADER_TYPE_ID, "raftlog leader id" + suffix);
        commitIndex = aeron.addCounter(COMMIT_INDEX_TYPE_ID, "raftlog commit index" + suffix);
        durableIndex = aeron.addCounter(DURABLE_INDEX_TYPE_ID, "raftlog durable index" + suffix);
        elections = aeron.addCounter(ELECTIONS_TYPE_ID, "raftlog elections started" + suffix);
        droppedMessages = aeron.addCounter(DROPPED_MESSAGES_TYPE_ID, "raftlog dropped messages" + suffix);
        lastIndex = aeron.addCounter(LAST_INDEX_TYPE_ID, "raftlog last index" + suffix);
    }

    /**
     * @param dropped messages dropped by the core and by the adapters in front of it.
     */
    public void update(final RaftCore core, final long dropped)
    {
        role.setOrdered(core.role().code());
        term.setOrdered(core.currentTerm());
        leader.setOrdered(core.leaderId());
        commitIndex.setOrdered(core.commitIndex());
        durableIndex.setOrdered(core.durableIndex());
        elections.setOrdered(core.electionsStarted());
        droppedMessages.setOrdered(dropped);
        lastIndex.setOrdered(core.lastIndex());
    }

    /**
     * @return the commit index counter, which readers in other processes follow to stay within the committed log.
     */
    public Counter commitIndex()
    {
        return commitIndex;
    }

    public void close()
    {
        CloseHelper.closeAll(role, term, leader, commitIndex, durableIndex, elections, droppedMessages, lastIndex);
    }
}

package io.raftlog.node;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.raftlog.core.RaftCore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A node's state as Aeron counters, so Aeron's {@code AeronStat} shows a live node from outside its process, and so a
 * committed-log reader in another process can follow the commit index ({@link AeronCounterCommitIndex}). Type ids
 * start at 1000 (below is Aeron's own range). Updated once per duty cycle with ordered writes: no allocation.
 *
 * <h2>Key</h2>
 * Every counter carries a key that names the member, so a reader finds a given member's counter by type id and key
 * among the counters of every client of the driver (several nodes may share one driver, as in the tests):
 * <pre>
 *   0                   4
 *   +-------------------+
 *   | member id (int32) |   native byte order, like Aeron's own counter keys
 *   +-------------------+
 * </pre>
 * The labels are for people ({@code AeronStat}); programs use type id and key. Two nodes with the same member id
 * (of two clusters) must not share a driver: a reader could not tell their counters apart.
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

    /** Where the member id is in every counter's key. */
    public static final int MEMBER_ID_KEY_OFFSET = 0;
    /** The length of every counter's key. */
    public static final int KEY_LENGTH = Integer.BYTES;

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
        final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
        key.putInt(MEMBER_ID_KEY_OFFSET, memberId);
        final UnsafeBuffer label = new UnsafeBuffer(new byte[256]);
        Counter role = null;
        Counter term = null;
        Counter leader = null;
        Counter commitIndex = null;
        Counter durableIndex = null;
        Counter elections = null;
        Counter droppedMessages = null;
        try
        {
            role = add(aeron, ROLE_TYPE_ID, key, label,
                "raftlog role (0 follower, 1 pre-candidate, 2 candidate, 3 leader)" + suffix);
            term = add(aeron, TERM_TYPE_ID, key, label, "raftlog term" + suffix);
            leader = add(aeron, LEADER_TYPE_ID, key, label, "raftlog leader id" + suffix);
            commitIndex = add(aeron, COMMIT_INDEX_TYPE_ID, key, label, "raftlog commit index" + suffix);
            durableIndex = add(aeron, DURABLE_INDEX_TYPE_ID, key, label, "raftlog durable index" + suffix);
            elections = add(aeron, ELECTIONS_TYPE_ID, key, label, "raftlog elections started" + suffix);
            droppedMessages = add(aeron, DROPPED_MESSAGES_TYPE_ID, key, label, "raftlog dropped messages" + suffix);
            this.lastIndex = add(aeron, LAST_INDEX_TYPE_ID, key, label, "raftlog last index" + suffix);
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietCloseAll(role, term, leader, commitIndex, durableIndex, elections, droppedMessages);
            throw ex;
        }
        this.role = role;
        this.term = term;
        this.leader = leader;
        this.commitIndex = commitIndex;
        this.durableIndex = durableIndex;
        this.elections = elections;
        this.droppedMessages = droppedMessages;
    }

    private static Counter add(
        final Aeron aeron, final int typeId, final UnsafeBuffer key, final UnsafeBuffer label, final String text)
    {
        final int labelLength = label.putStringWithoutLengthAscii(0, text);
        return aeron.addCounter(typeId, key, 0, KEY_LENGTH, label, 0, labelLength);
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

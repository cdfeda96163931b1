package io.raftlog.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Where a member keeps its latest snapshot: the index and term it covers, the membership as of that index, and
 * the application's state (empty for a pure log, whose snapshot is just the log's starting point). The leader reads
 * it in chunks to bring up a follower whose next entries it no longer has (InstallSnapshot, dissertation 5.3); a
 * follower receives one in chunks and makes it current only when whole and durable.
 */
public interface SnapshotStore
{
    /**
     * @return the last index the current snapshot covers, 0 when there is none.
     */
    long lastIncludedIndex();

    long lastIncludedTerm();

    /**
     * Copies the snapshot's configuration (a MembershipConfiguration message) into {@code dst}.
     *
     * @return its length.
     */
    int readConfiguration(MutableDirectBuffer dst, int offset);

    /**
     * @return the length of the application's state in the current snapshot.
     */
    long length();

    /**
     * Copies up to {@code length} bytes of the application's state from {@code position}.
     *
     * @return the bytes copied.
     */
    int read(long position, MutableDirectBuffer dst, int offset, int length);

    /**
     * Makes a snapshot of this member's own state current, durably, before returning.
     */
    void save(
        long index,
        long term,
        DirectBuffer configuration,
        int configurationOffset,
        int configurationLength,
        DirectBuffer state,
        int stateOffset,
        int stateLength);

    /**
     * Starts receiving a snapshot from the leader; a transfer already under way is abandoned.
     */
    void beginReceive(long index, long term, long length);

    void receiveChunk(long position, DirectBuffer chunk, int offset, int length);

    /**
     * The last chunk arrived: makes the received snapshot current, durably, before returning.
     */
    void completeReceive(DirectBuffer configuration, int offset, int length);
}

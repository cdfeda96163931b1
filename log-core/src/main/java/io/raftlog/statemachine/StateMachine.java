package io.raftlog.statemachine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The application's replicated state: a deterministic function of the committed log, built by applying its entries
 * in order (the replicated state machine of the Raft paper, section 2).
 *
 * <h2>Thread</h2>
 * Every method is called on the node's state-machine thread ({@link StateMachineRunner}, started and stopped by the
 * node), one call at a time, never on the node's agent thread: a slow state machine delays only its own results,
 * never a heartbeat, a vote or replication. Nothing else touches the state machine while the node runs, so it needs
 * no locks; whoever reads its state from another thread must publish it (volatile, or a query).
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>{@link #apply} sees each committed entry that carries application data (an APPLICATION entry's whole payload; a
 * SESSION_APPEND entry's client bytes, after the 16-byte session header, only when the session table admits it: a
 * client's retry that is already in the log is never applied twice), in log order, exactly once per lifetime of the
 * state. After a restart the state is first {@link #restore}d from the member's last snapshot, then the log after it
 * is applied; when the member installs a snapshot from the leader, the state is restored from it before any entry
 * after it is applied.</li>
 * <li>{@link #query} runs only once every entry up to the read's index is applied, in the order queries were
 * submitted.</li>
 * <li>{@link #snapshot} is asked between two entries: what it writes must be the whole state as of the last entry
 * applied, and {@link #restore} of those bytes must rebuild exactly that state.</li>
 * </ul>
 * The same state machine instance must not be given to two nodes, nor to a node started again: each start begins
 * from an empty state.
 * <p>
 * Implementations should not allocate per entry: the node proves its own path allocation-free per entry, and that
 * is worth keeping.
 */
public interface StateMachine
{
    /**
     * Applies one committed entry.
     *
     * @param index       the entry's Raft index.
     * @param timestampNs the time the leader stamped on the entry (epoch nanoseconds): the same on every member, so
     *                    the only clock a deterministic state machine may read.
     * @param buffer      holds the application's bytes; valid only during the call.
     * @param offset      where they start in {@code buffer}.
     * @param length      how many there are.
     * @param result      where to write a result for the client that appended the entry, from offset 0 (expandable,
     *                    up to the node's {@code stateMachineMaxResultBytes}).
     * @return the length of the result written, 0 for none. The result of a SESSION_APPEND entry goes back to the
     * remote client that appended it (see {@link AppliedResults#onAppendResult}); an APPLICATION entry's is
     * discarded (nobody remote waits for it).
     */
    int apply(long index, long timestampNs, DirectBuffer buffer, int offset, int length, MutableDirectBuffer result);

    /**
     * Reads the current state without changing it: called only once the state has applied at least the read's
     * index, so a read whose index came from the leader's ReadIndex (dissertation 6.4) is linearizable.
     *
     * @return the length of the result written into {@code result} from offset 0 (expandable).
     */
    int query(DirectBuffer query, int offset, int length, MutableDirectBuffer result);

    /**
     * Writes the whole state as of the last entry applied, from offset 0 of {@code out} (an expandable buffer:
     * write as much as needed). Entries after it are applied once this returns; the node saves the bytes later.
     *
     * @return the length written.
     */
    int snapshot(MutableDirectBuffer out);

    /**
     * Replaces the whole state with the one {@link #snapshot} wrote as of {@code index} (length 0: the empty state,
     * as of a snapshot that holds no application state). Entries after {@code index} are applied next.
     */
    void restore(long index, DirectBuffer state, int offset, int length);
}

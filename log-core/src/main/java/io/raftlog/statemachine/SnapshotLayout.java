package io.raftlog.statemachine;

import io.raftlog.session.SessionTable;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The application state a node's snapshot holds (beside the term and configuration the snapshot store keeps): the
 * client session table and the state machine's state, both as of the snapshot's index.
 * <pre>
 *   0 session table length L (int32, little-endian) | 4 session table (SessionTable.encode), L bytes |
 *   4 + L state machine state, to the end
 * </pre>
 * L = 0: no session is recorded (a node without client sessions), the table is empty as of the snapshot's index.
 * A state machine part of length 0 is the empty state (a pure log's snapshot). A snapshot of no bytes at all (the
 * core's {@code compactPureLog} writes those) means both empty.
 */
public final class SnapshotLayout
{
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int SESSION_TABLE_LENGTH_OFFSET = 0;
    public static final int HEADER_LENGTH = 4;

    private SnapshotLayout()
    {
    }

    /**
     * @param header         at least the first {@link #HEADER_LENGTH} bytes of the snapshot, unless it is empty.
     * @param snapshotLength the whole snapshot's length.
     * @return the session table's length, 0 for an empty snapshot.
     * @throws IllegalArgumentException when the snapshot is not in this layout.
     */
    public static int sessionTableLength(final DirectBuffer header, final long snapshotLength)
    {
        if (snapshotLength == 0)
        {
            return 0;
        }
        if (snapshotLength < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("a snapshot of " + snapshotLength + " bytes has no session header");
        }
        final int length = header.getInt(SESSION_TABLE_LENGTH_OFFSET, ORDER);
        if (length < 0 || length > snapshotLength - HEADER_LENGTH)
        {
            throw new IllegalArgumentException(
                "session table of " + length + " bytes in a snapshot of " + snapshotLength);
        }
        return length;
    }

    /**
     * @return where the state machine's state starts in a snapshot of {@code snapshotLength} bytes whose session
     * table has {@code sessionTableLength} bytes.
     */
    public static int stateOffset(final long snapshotLength, final int sessionTableLength)
    {
        return snapshotLength == 0 ? 0 : HEADER_LENGTH + sessionTableLength;
    }

    /**
     * @return the state machine's part of a snapshot of {@code snapshotLength} bytes.
     */
    public static long stateLength(final long snapshotLength, final int sessionTableLength)
    {
        return snapshotLength == 0 ? 0 : snapshotLength - HEADER_LENGTH - sessionTableLength;
    }

    /**
     * Writes the session part at the start of a snapshot: {@code table}, or none (an empty table) when null.
     *
     * @return its length: where the state machine's state goes.
     */
    public static int writeSessions(final SessionTable table, final MutableDirectBuffer snapshot)
    {
        final int tableLength = table == null ? 0 : table.encode(snapshot, HEADER_LENGTH);
        snapshot.putInt(SESSION_TABLE_LENGTH_OFFSET, tableLength, ORDER);
        return HEADER_LENGTH + tableLength;
    }

    /**
     * Makes {@code table} the session table of the snapshot at {@code index}: the one in its session part
     * ({@code tableLength} bytes at {@code offset} of {@code bytes}), or an empty one when it has none.
     *
     * @throws IllegalStateException when the table in the snapshot is not as of its index.
     */
    public static void restoreSessions(
        final SessionTable table, final DirectBuffer bytes, final int offset, final int tableLength, final long index)
    {
        if (tableLength == 0)
        {
            table.reset(index);
            return;
        }
        table.decode(bytes, offset, tableLength);
        if (table.appliedIndex() != index)
        {
            throw new IllegalStateException(
                "the snapshot at " + index + " holds a session table as of " + table.appliedIndex());
        }
    }
}

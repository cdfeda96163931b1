package io.raftlog.session;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.SessionEntry;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;

import java.nio.ByteOrder;

/**
 * The client sessions as the log defines them: which sessions are open, the last sequence each has appended and
 * the index of each of its recent sequences. It is a pure function of the entries applied to it, in log order, so
 * every member that applies the same prefix holds the same table: that is what makes a client's retry safe after a
 * leader change or a restart (dissertation 6.3). Time comes only from the entries' timestamps, never from a clock:
 * a session expires when an entry stamped more than the idle timeout after its last activity is applied.
 * <p>
 * Capacity is fixed at construction: {@code maxSessions} sessions, each remembering the indices of its last
 * {@code window} sequences, which bounds how many appends a client may have in flight. Nothing allocates after
 * construction.
 */
public final class SessionTable
{
    /** Results of {@link #apply} and {@link #check}. */
    public static final int APPENDED = 1;
    public static final int OPENED = 2;
    public static final int CLOSED = 3;
    public static final int NOT_A_SESSION_ENTRY = 4;
    /** {@link #check}: the sequence is the session's next one. */
    public static final int NEXT = 5;
    /** {@link #check}: the sequence was appended already; {@link #indexOf} says where. */
    public static final int DUPLICATE = 6;
    public static final int UNKNOWN_SESSION = -1;
    public static final int SESSION_EXPIRED = -2;
    public static final int OUT_OF_SEQUENCE = -3;
    public static final int SEQUENCE_TOO_OLD = -4;
    public static final int TOO_MANY_SESSIONS = -5;
    public static final int MALFORMED = -6;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long FREE = 0;
    private static final int SNAPSHOT_MAGIC = 0x5e55_1017;

    private final int maxSessions;
    private final int window;
    private final int windowMask;
    private final long idleTimeoutNs;
    private final long[] sessionIds;
    private final long[] lastSequences;
    private final long[] lastActivityNs;
    private final long[] indices;
    private final Long2LongHashMap slotBySessionId;
    private long clockNs;
    private long appliedIndex;
    private int sessionCount;

    /**
     * @param window sequences remembered per session: a power of two, at least a client's appends in flight.
     */
    public SessionTable(final int maxSessions, final int window, final long idleTimeoutNs)
    {
        if (maxSessions < 1)
        {
            throw new IllegalArgumentException("maxSessions must be positive: " + maxSessions);
        }
        if (window < 1 || Integer.bitCount(window) != 1)
        {
            throw new IllegalArgumentException("window must be a power of two: " + window);
        }
        if (idleTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("idleTimeoutNs must be positive: " + idleTimeoutNs);
        }
        this.maxSessions = maxSessions;
        this.window = window;
        this.windowMask = window - 1;
        this.idleTimeoutNs = idleTimeoutNs;
        this.sessionIds = new long[maxSessions];
        this.lastSequences = new long[maxSessions];
        this.lastActivityNs = new long[maxSessions];
        this.indices = new long[maxSessions * window];
        this.slotBySessionId = new Long2LongHashMap(maxSessions * 2, 0.5f, -1);
    }

    public int maxSessions()
    {
        return maxSessions;
    }

    public int window()
    {
        return window;
    }

    public long idleTimeoutNs()
    {
        return idleTimeoutNs;
    }

    /**
     * @return the index of the last entry applied.
     */
    public long appliedIndex()
    {
        return appliedIndex;
    }

    /**
     * @return the latest timestamp among the entries applied: the table's notion of now.
     */
    public long clockNs()
    {
        return clockNs;
    }

    public int sessionCount()
    {
        return sessionCount;
    }

    /**
     * Applies the entry at {@code index}, which follows {@link #appliedIndex()}: the committed table applies every
     * entry in turn; the leader's table applies only the session entries it stages (the core's own no-ops and
     * configurations carry no session change, and their timestamps are no later than the leader's next ones).
     * Entries of other types only move the table's clock.
     *
     * @return OPENED, APPENDED, CLOSED or NOT_A_SESSION_ENTRY when the entry took effect; otherwise the negative
     * reason it did not (the entry then changes nothing but the clock, identically on every member).
     */
    public int apply(
        final long index,
        final long timestampNs,
        final int entryType,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength)
    {
        if (index <= appliedIndex)
        {
            throw new IllegalStateException("entry " + index + " applied after " + appliedIndex);
        }
        appliedIndex = index;
        clockNs = Math.max(clockNs, timestampNs);

        if (entryType == EntryType.SESSION_APPEND.value())
        {
            if (payloadLength < SessionEntry.APPEND_HEADER_LENGTH)
            {
                return MALFORMED;
            }
            final long sessionId = SessionEntry.sessionId(buffer, payloadOffset);
            final long sequence = SessionEntry.sequence(buffer, payloadOffset);
            final int slot = (int)slotBySessionId.get(sessionId);
            final int result = checkAt(slot, sequence, clockNs);
            if (result != NEXT)
            {
                if (result == SESSION_EXPIRED)
                {
                    remove(sessionId);
                }
                return result;
            }
            lastSequences[slot] = sequence;
            lastActivityNs[slot] = clockNs;
            indices[slot * window + (int)(sequence & windowMask)] = index;
            return APPENDED;
        }
        if (entryType == EntryType.SESSION_OPEN.value())
        {
            return open(index);
        }
        if (entryType == EntryType.SESSION_CLOSE.value())
        {
            if (payloadLength < SessionEntry.CLOSE_LENGTH)
            {
                return MALFORMED;
            }
            return remove(SessionEntry.sessionId(buffer, payloadOffset)) ? CLOSED : UNKNOWN_SESSION;
        }
        return NOT_A_SESSION_ENTRY;
    }

    /**
     * What appending {@code sequence} for {@code sessionId} at time {@code nowNs} would do, without changing
     * anything: the leader asks before it appends, with the timestamp the entry will carry, and so appends only
     * entries that take effect.
     *
     * @return NEXT, DUPLICATE, or a negative reason: UNKNOWN_SESSION, SESSION_EXPIRED, OUT_OF_SEQUENCE (a gap),
     * SEQUENCE_TOO_OLD (appended, but older than the window remembers).
     */
    public int check(final long sessionId, final long sequence, final long nowNs)
    {
        return checkAt((int)slotBySessionId.get(sessionId), sequence, nowNs);
    }

    private int checkAt(final int slot, final long sequence, final long nowNs)
    {
        if (slot < 0)
        {
            return UNKNOWN_SESSION;
        }
        if (isExpired(slot, Math.max(clockNs, nowNs)))
        {
            return SESSION_EXPIRED;
        }
        final long last = lastSequences[slot];
        if (sequence == last + 1)
        {
            return NEXT;
        }
        if (sequence > last || sequence < 1)
        {
            return OUT_OF_SEQUENCE;
        }
        return sequence > last - window ? DUPLICATE : SEQUENCE_TOO_OLD;
    }

    /**
     * @return whether a session may be opened at {@code nowNs}: a free slot, or one whose session has expired.
     */
    public boolean canOpen(final long nowNs)
    {
        if (sessionCount < maxSessions)
        {
            return true;
        }
        final long now = Math.max(clockNs, nowNs);
        for (int slot = 0; slot < maxSessions; slot++)
        {
            if (isExpired(slot, now))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether the session is open (and not expired as of the table's clock).
     */
    public boolean isOpen(final long sessionId)
    {
        final int slot = (int)slotBySessionId.get(sessionId);
        return slot >= 0 && !isExpired(slot, clockNs);
    }

    /**
     * @return the state of a session at {@code nowNs}: 0 when open, else UNKNOWN_SESSION or SESSION_EXPIRED.
     */
    public int sessionState(final long sessionId, final long nowNs)
    {
        final int slot = (int)slotBySessionId.get(sessionId);
        if (slot < 0)
        {
            return UNKNOWN_SESSION;
        }
        return isExpired(slot, Math.max(clockNs, nowNs)) ? SESSION_EXPIRED : 0;
    }

    /**
     * @return the last sequence the session appended, or -1 when the session is not in the table.
     */
    public long lastSequence(final long sessionId)
    {
        final int slot = (int)slotBySessionId.get(sessionId);
        return slot < 0 ? -1 : lastSequences[slot];
    }

    /**
     * @return the index at which the session appended {@code sequence}, or 0 when the table does not know it
     * (not appended yet, or older than the window).
     */
    public long indexOf(final long sessionId, final long sequence)
    {
        final int slot = (int)slotBySessionId.get(sessionId);
        if (slot < 0)
        {
            return 0;
        }
        final long last = lastSequences[slot];
        if (sequence < 1 || sequence > last || sequence <= last - window)
        {
            return 0;
        }
        return indices[slot * window + (int)(sequence & windowMask)];
    }

    /**
     * Makes this table a copy of {@code other} (same capacity): the leader's view of its whole log starts as the
     * committed table.
     */
    public void copyFrom(final SessionTable other)
    {
        if (other.maxSessions != maxSessions || other.window != window)
        {
            throw new IllegalArgumentException("tables of different capacity");
        }
        System.arraycopy(other.sessionIds, 0, sessionIds, 0, maxSessions);
        System.arraycopy(other.lastSequences, 0, lastSequences, 0, maxSessions);
        System.arraycopy(other.lastActivityNs, 0, lastActivityNs, 0, maxSessions);
        System.arraycopy(other.indices, 0, indices, 0, indices.length);
        slotBySessionId.clear();
        for (int slot = 0; slot < maxSessions; slot++)
        {
            if (sessionIds[slot] != FREE)
            {
                slotBySessionId.put(sessionIds[slot], slot);
            }
        }
        clockNs = other.clockNs;
        appliedIndex = other.appliedIndex;
        sessionCount = other.sessionCount;
    }

    /**
     * Empties the table: its state is that of the empty log, or of a snapshot at {@code index} with no session.
     */
    public void reset(final long index)
    {
        java.util.Arrays.fill(sessionIds, FREE);
        java.util.Arrays.fill(lastSequences, 0);
        java.util.Arrays.fill(lastActivityNs, 0);
        java.util.Arrays.fill(indices, 0);
        slotBySessionId.clear();
        clockNs = 0;
        appliedIndex = index;
        sessionCount = 0;
    }

    /**
     * @return the bytes {@link #encode} needs at most.
     */
    public int maxEncodedLength()
    {
        return 32 + maxSessions * (24 + window * 8);
    }

    /**
     * Writes the table as of {@link #appliedIndex()}, for a snapshot.
     *
     * @return the bytes written.
     */
    public int encode(final MutableDirectBuffer buffer, final int offset)
    {
        int position = offset;
        buffer.putInt(position, SNAPSHOT_MAGIC, ORDER);
        buffer.putInt(position + 4, sessionCount, ORDER);
        buffer.putLong(position + 8, appliedIndex, ORDER);
        buffer.putLong(position + 16, clockNs, ORDER);
        buffer.putInt(position + 24, window, ORDER);
        position += 32;
        for (int slot = 0; slot < maxSessions; slot++)
        {
            if (sessionIds[slot] == FREE)
            {
                continue;
            }
            final long last = lastSequences[slot];
            buffer.putLong(position, sessionIds[slot], ORDER);
            buffer.putLong(position + 8, last, ORDER);
            buffer.putLong(position + 16, lastActivityNs[slot], ORDER);
            position += 24;
            for (long sequence = Math.max(1, last - window + 1); sequence <= last; sequence++)
            {
                buffer.putLong(position, indices[slot * window + (int)(sequence & windowMask)], ORDER);
                position += 8;
            }
        }
        return position - offset;
    }

    /**
     * Replaces the table with one {@link #encode} wrote (by a table of any window size; sequences beyond this
     * table's window are forgotten).
     *
     * @throws IllegalArgumentException when the bytes are not a table, or hold more sessions than fit.
     */
    public void decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 32 || buffer.getInt(offset, ORDER) != SNAPSHOT_MAGIC)
        {
            throw new IllegalArgumentException("not a session table");
        }
        final int count = buffer.getInt(offset + 4, ORDER);
        final int encodedWindow = buffer.getInt(offset + 24, ORDER);
        if (count < 0 || count > maxSessions || encodedWindow < 1)
        {
            throw new IllegalArgumentException("a session table of " + count + " sessions; " + maxSessions + " fit");
        }
        reset(buffer.getLong(offset + 8, ORDER));
        clockNs = buffer.getLong(offset + 16, ORDER);
        int position = offset + 32;
        final int end = offset + length;
        for (int slot = 0; slot < count; slot++)
        {
            if (position + 24 > end)
            {
                throw new IllegalArgumentException("a truncated session table");
            }
            final long sessionId = buffer.getLong(position, ORDER);
            final long last = buffer.getLong(position + 8, ORDER);
            sessionIds[slot] = sessionId;
            lastSequences[slot] = last;
            lastActivityNs[slot] = buffer.getLong(position + 16, ORDER);
            slotBySessionId.put(sessionId, slot);
            position += 24;
            final long first = Math.max(1, last - encodedWindow + 1);
            if (position + (last - first + 1) * 8 > end)
            {
                throw new IllegalArgumentException("a truncated session table");
            }
            for (long sequence = first; sequence <= last; sequence++)
            {
                if (sequence > last - window)
                {
                    indices[slot * window + (int)(sequence & windowMask)] = buffer.getLong(position, ORDER);
                }
                position += 8;
            }
        }
        sessionCount = count;
    }

    private int open(final long index)
    {
        int free = -1;
        for (int slot = 0; slot < maxSessions && free < 0; slot++)
        {
            if (sessionIds[slot] == FREE)
            {
                free = slot;
            }
        }
        if (free < 0)
        {
            expireIdleSessions();
            for (int slot = 0; slot < maxSessions && free < 0; slot++)
            {
                if (sessionIds[slot] == FREE)
                {
                    free = slot;
                }
            }
            if (free < 0)
            {
                return TOO_MANY_SESSIONS;
            }
        }
        sessionIds[free] = index;
        lastSequences[free] = 0;
        lastActivityNs[free] = clockNs;
        slotBySessionId.put(index, free);
        sessionCount++;
        return OPENED;
    }

    private void expireIdleSessions()
    {
        for (int slot = 0; slot < maxSessions; slot++)
        {
            if (sessionIds[slot] != FREE && isExpired(slot, clockNs))
            {
                remove(sessionIds[slot]);
            }
        }
    }

    private boolean isExpired(final int slot, final long nowNs)
    {
        return sessionIds[slot] != FREE && nowNs - lastActivityNs[slot] > idleTimeoutNs;
    }

    private boolean remove(final long sessionId)
    {
        final long slot = slotBySessionId.remove(sessionId);
        if (slot < 0)
        {
            return false;
        }
        final int s = (int)slot;
        sessionIds[s] = FREE;
        lastSequences[s] = 0;
        lastActivityNs[s] = 0;
        sessionCount--;
        return true;
    }
}

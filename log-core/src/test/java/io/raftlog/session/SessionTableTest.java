package io.raftlog.session;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.SessionEntry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTableTest
{
    private static final long TIMEOUT = 1_000;
    private final UnsafeBuffer entry = new UnsafeBuffer(new byte[64]);
    private final SessionTable table = new SessionTable(4, 8, TIMEOUT);

    private int open(final SessionTable t, final long index, final long timestamp)
    {
        return t.apply(index, timestamp, EntryType.SESSION_OPEN.value(), entry, 0, 0);
    }

    private int append(final SessionTable t, final long index, final long timestamp, final long session, final long seq)
    {
        SessionEntry.encodeAppendHeader(entry, 0, session, seq);
        entry.putLong(16, seq * 31);
        return t.apply(index, timestamp, EntryType.SESSION_APPEND.value(), entry, 0, 24);
    }

    private int close(final SessionTable t, final long index, final long timestamp, final long session)
    {
        entry.putLong(0, session, SessionEntry.ORDER);
        return t.apply(index, timestamp, EntryType.SESSION_CLOSE.value(), entry, 0, 8);
    }

    @Test
    void aSessionIsNamedByTheIndexOfTheEntryThatOpenedIt()
    {
        assertEquals(SessionTable.OPENED, open(table, 1, 10));
        assertTrue(table.isOpen(1));
        assertEquals(0, table.lastSequence(1));
        assertEquals(SessionTable.UNKNOWN_SESSION, table.check(2, 1, 10));
    }

    @Test
    void sequencesTakeEffectInOrderAndOnlyOnce()
    {
        open(table, 1, 10);
        assertEquals(SessionTable.NEXT, table.check(1, 1, 11));
        assertEquals(SessionTable.APPENDED, append(table, 2, 11, 1, 1));
        assertEquals(SessionTable.APPENDED, append(table, 3, 12, 1, 2));
        assertEquals(SessionTable.DUPLICATE, table.check(1, 1, 13));
        assertEquals(SessionTable.DUPLICATE, append(table, 4, 13, 1, 2), "a retry changes nothing");
        assertEquals(SessionTable.OUT_OF_SEQUENCE, table.check(1, 4, 13), "a gap is refused");
        assertEquals(SessionTable.OUT_OF_SEQUENCE, table.check(1, 0, 13));
        assertEquals(2, table.indexOf(1, 1));
        assertEquals(3, table.indexOf(1, 2));
        assertEquals(0, table.indexOf(1, 3), "not appended yet");
        assertEquals(2, table.lastSequence(1));
    }

    @Test
    void theIndicesOfTheLastWindowOfSequencesAreRemembered()
    {
        open(table, 1, 10);
        for (int seq = 1; seq <= 20; seq++)
        {
            append(table, 1 + seq, 10 + seq, 1, seq);
        }
        assertEquals(21, table.indexOf(1, 20));
        assertEquals(14, table.indexOf(1, 13), "the oldest of a window of 8");
        assertEquals(SessionTable.DUPLICATE, table.check(1, 13, 40));
        assertEquals(0, table.indexOf(1, 12));
        assertEquals(SessionTable.SEQUENCE_TOO_OLD, table.check(1, 12, 40));
    }

    @Test
    void aSessionIdleLongerThanTheTimeoutByTheEntriesTimestampsExpires()
    {
        open(table, 1, 0);
        append(table, 2, 500, 1, 1);
        assertEquals(SessionTable.NEXT, table.check(1, 2, 1_500), "idle exactly the timeout: still open");
        assertEquals(SessionTable.SESSION_EXPIRED, table.check(1, 2, 1_501));
        assertEquals(SessionTable.SESSION_EXPIRED, append(table, 3, 1_501, 1, 2));
        assertEquals(SessionTable.UNKNOWN_SESSION, table.check(1, 2, 1_501), "an expired session is gone");
    }

    @Test
    void timeNeverGoesBackwardsEvenIfANewLeadersClockIsBehind()
    {
        open(table, 1, 5_000);
        append(table, 2, 3_000, 1, 1);
        assertEquals(5_000, table.clockNs());
        assertEquals(SessionTable.SESSION_EXPIRED, table.check(1, 2, 6_001),
            "activity is measured from the table's clock, not the stale timestamp");
    }

    @Test
    void whenFullAnOpenReclaimsExpiredSessionsElseFails()
    {
        for (int i = 1; i <= 4; i++)
        {
            open(table, i, 100);
        }
        assertFalse(table.canOpen(200));
        assertEquals(SessionTable.TOO_MANY_SESSIONS, open(table, 5, 200));
        append(table, 6, 600, 2, 1);
        assertTrue(table.canOpen(1_101), "sessions 1, 3 and 4 idle since 100");
        assertEquals(SessionTable.OPENED, open(table, 7, 1_101));
        assertTrue(table.isOpen(2));
        assertTrue(table.isOpen(7));
        assertFalse(table.isOpen(1));
        assertEquals(2, table.sessionCount());
    }

    @Test
    void aClosedSessionIsForgotten()
    {
        open(table, 1, 10);
        assertEquals(SessionTable.CLOSED, close(table, 2, 11, 1));
        assertEquals(SessionTable.UNKNOWN_SESSION, table.check(1, 1, 12));
        assertEquals(SessionTable.UNKNOWN_SESSION, close(table, 3, 12, 1));
    }

    @Test
    void otherEntriesOnlyMoveTheClock()
    {
        assertEquals(SessionTable.NOT_A_SESSION_ENTRY,
            table.apply(1, 77, EntryType.APPLICATION.value(), entry, 0, 10));
        assertEquals(77, table.clockNs());
        assertEquals(1, table.appliedIndex());
        assertThrows(IllegalStateException.class,
            () -> table.apply(1, 78, EntryType.NOOP.value(), entry, 0, 0), "an index applied twice");
    }

    @Test
    void malformedSessionEntriesTakeNoEffect()
    {
        open(table, 1, 10);
        assertEquals(SessionTable.MALFORMED, table.apply(2, 11, EntryType.SESSION_APPEND.value(), entry, 0, 15));
        assertEquals(SessionTable.MALFORMED, table.apply(3, 11, EntryType.SESSION_CLOSE.value(), entry, 0, 7));
        assertTrue(table.isOpen(1));
    }

    @Test
    void aTableAppliedFromTheSameEntriesIsTheSameOnEveryMemberAndSurvivesASnapshot()
    {
        final SessionTable other = new SessionTable(4, 8, TIMEOUT);
        long index = 0;
        for (final SessionTable t : new SessionTable[]{table, other})
        {
            index = 0;
            open(t, ++index, 1);
            open(t, ++index, 2);
            for (int seq = 1; seq <= 11; seq++)
            {
                append(t, ++index, 2 + seq, 1, seq);
                append(t, ++index, 2 + seq, 2, seq);
            }
            close(t, ++index, 50, 2);
        }
        final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[table.maxEncodedLength()]);
        final int length = table.encode(snapshot, 0);
        final UnsafeBuffer otherSnapshot = new UnsafeBuffer(new byte[other.maxEncodedLength()]);
        assertEquals(length, other.encode(otherSnapshot, 0));
        assertEquals(0, compare(snapshot, otherSnapshot, length), "the two members' snapshots differ at byte (1-based)");

        final SessionTable restored = new SessionTable(4, 8, TIMEOUT);
        restored.decode(snapshot, 0, length);
        assertEquals(index, restored.appliedIndex());
        assertEquals(table.clockNs(), restored.clockNs());
        assertEquals(11, restored.lastSequence(1));
        assertEquals(-1, restored.lastSequence(2));
        for (int seq = 4; seq <= 11; seq++)
        {
            assertEquals(table.indexOf(1, seq), restored.indexOf(1, seq));
        }
        assertEquals(SessionTable.NEXT, restored.check(1, 12, 60));
        assertEquals(SessionTable.DUPLICATE, restored.check(1, 11, 60));

        final SessionTable copy = new SessionTable(4, 8, TIMEOUT);
        copy.copyFrom(restored);
        assertEquals(table.indexOf(1, 9), copy.indexOf(1, 9));
        assertEquals(SessionTable.NEXT, copy.check(1, 12, 60));
    }

    @Test
    void aDamagedSnapshotIsRefused()
    {
        open(table, 1, 1);
        append(table, 2, 2, 1, 1);
        final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[table.maxEncodedLength()]);
        final int length = table.encode(snapshot, 0);
        assertThrows(IllegalArgumentException.class, () -> table.decode(snapshot, 0, length - 1));
        snapshot.putInt(0, 1234);
        assertThrows(IllegalArgumentException.class, () -> table.decode(snapshot, 0, length));
    }

    private static int compare(final UnsafeBuffer a, final UnsafeBuffer b, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (a.getByte(i) != b.getByte(i))
            {
                return i + 1;
            }
        }
        return 0;
    }
}

package io.raftlog.samples;

import io.raftlog.core.LogStore;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLedgerTest
{
    @Test
    void theLeaderAcknowledgesWhatItCommitsAndTheLatencyIsRecorded()
    {
        final EventLedger ledger = new EventLedger(16);
        ledger.offered(2, 1, 1, 1_000); // index 1 is the leader's no-op
        ledger.offered(3, 1, 1, 1_000);
        ledger.offered(4, 1, 1, 2_000);
        assertEquals(3, ledger.inFlight());

        assertEquals(2, ledger.onLeaderCommit(1, 1, 3, 11_000));
        assertEquals(2, ledger.lastAckedSeq());
        assertEquals(2, ledger.indexOf(1));
        assertEquals(3, ledger.indexOf(2));
        assertEquals(0, ledger.indexOf(3));
        assertEquals(2, ledger.commitLatencyNs().getTotalCount());
        assertEquals(1, ledger.inFlight());
        assertNull(ledger.violation());
    }

    @Test
    void afterALeaderDiesWhatTheNewLeaderHoldsIsAcknowledgedAndTheRestIsSentAgain()
    {
        final EventLedger ledger = new EventLedger(16);
        for (long index = 2; index <= 5; index++)
        {
            ledger.offered(index, 1, 1, 0); // events 1 to 4
        }
        ledger.onLeaderCommit(1, 1, 2, 10); // event 1 acknowledged, then member 1 dies

        // member 2's log: indices 1 to 4 of term 1, its own no-op at 5 in term 2, committed
        final LogStore newLeaderLog = new TermsOnly(0, 1, 1, 1, 1, 2);
        assertArrayEquals(new long[] { 2, 1 }, ledger.settleWith(newLeaderLog, 5));
        assertEquals(3, ledger.lastAckedSeq());
        assertEquals(4, ledger.indexOf(3));
        assertEquals(4, ledger.nextSeq(), "event 4 is sent again");
        assertEquals(1, ledger.resent());
        assertEquals(2, ledger.ackedBySuccessor());
        assertEquals(0, ledger.inFlight());

        ledger.offered(6, 2, 2, 100);
        assertEquals(1, ledger.onLeaderCommit(2, 2, 6, 200));
        assertEquals(6, ledger.indexOf(4));
        assertEquals(4, ledger.lastAckedSeq());
        assertNull(ledger.violation());
    }

    @Test
    void aCommitByALeaderTheEventWasNotOfferedToIsAViolation()
    {
        final EventLedger ledger = new EventLedger(16);
        ledger.offered(2, 1, 1, 0);
        ledger.onLeaderCommit(3, 2, 2, 10);
        assertNotNull(ledger.violation());
        assertTrue(ledger.violation().contains("offered to member 1 in term 1"), ledger.violation());
    }

    @Test
    void theLedgerGrows()
    {
        final EventLedger ledger = new EventLedger(1);
        for (long index = 1; index <= 5_000; index++)
        {
            ledger.offered(index, 1, 1, 0);
        }
        assertEquals(5_000, ledger.onLeaderCommit(1, 1, 5_000, 1));
        assertEquals(5_000, ledger.indexOf(5_000));
    }

    /**
     * A log of which only the terms matter.
     */
    private static final class TermsOnly implements LogStore
    {
        private final long[] terms;

        TermsOnly(final long... terms)
        {
            this.terms = terms;
        }

        public long baseIndex()
        {
            return 0;
        }

        public long lastIndex()
        {
            return terms.length - 1;
        }

        public long termAt(final long index)
        {
            return index >= 0 && index < terms.length ? terms[(int)index] : -1;
        }

        public long firstIndexOfTerm(final long term)
        {
            throw new UnsupportedOperationException();
        }

        public long lastIndexOfTerm(final long term)
        {
            throw new UnsupportedOperationException();
        }

        public void append(final DirectBuffer records, final int offset, final int length, final int count)
        {
            throw new UnsupportedOperationException();
        }

        public void truncateFrom(final long index)
        {
            throw new UnsupportedOperationException();
        }

        public void compactTo(final long index)
        {
            throw new UnsupportedOperationException();
        }

        public void reset(final long baseIndex, final long baseTerm)
        {
            throw new UnsupportedOperationException();
        }

        public int copyRecords(
            final long fromIndex, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset)
        {
            throw new UnsupportedOperationException();
        }

        public long timestampAt(final long index)
        {
            throw new UnsupportedOperationException();
        }

        public long bytesFrom(final long index)
        {
            throw new UnsupportedOperationException();
        }
    }
}

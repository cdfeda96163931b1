package io.raftlog.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * TermHistory answers termAt and the first and last index of a term from the runs of equal terms, which is what
 * the fast back-up of a diverging follower needs (paper section 5.3).
 */
class TermHistoryTest
{
    /**
     * Builds a history of consecutive entries from index {@code baseIndex + 1} with the given terms.
     */
    private static TermHistory history(final long baseIndex, final long baseTerm, final long... terms)
    {
        final TermHistory history = new TermHistory();
        history.reset(baseIndex, baseTerm);
        long index = baseIndex;
        for (final long term : terms)
        {
            history.append(++index, term);
        }
        return history;
    }

    /** Log 1..8 with terms 1 1 1 2 2 4 4 4: three runs, a term (3) skipped. */
    private static TermHistory sample()
    {
        return history(0, 0, 1, 1, 1, 2, 2, 4, 4, 4);
    }

    @ParameterizedTest(name = "termAt({0}) = {1}")
    @CsvSource({
        "0, 0",   // the empty prefix has term 0
        "1, 1",
        "3, 1",   // last entry of the first run
        "4, 2",   // first entry of the second run
        "5, 2",
        "6, 4",
        "8, 4",   // the last entry
        "9, -1",  // past the end
        "-1, -1", // before the base
    })
    void termAtIsTheTermOfTheRunHoldingTheIndex(final long index, final long expectedTerm)
    {
        assertEquals(expectedTerm, sample().termAt(index));
    }

    @ParameterizedTest(name = "term {0}: first {1}, last {2}")
    @CsvSource({
        "1, 1, 3",
        "2, 4, 5",
        "4, 6, 8",
        "3, 0, 0", // a term the log skips: none
        "5, 0, 0", // a term after the last: none
        "0, 0, 0", // the base term owns no entry
    })
    void firstAndLastIndexOfATermBoundItsRun(final long term, final long first, final long last)
    {
        final TermHistory history = sample();
        assertEquals(first, history.firstIndexOfTerm(term), "first");
        assertEquals(last, history.lastIndexOfTerm(term), "last");
    }

    @Test
    void anEmptyHistoryHasOnlyItsBase()
    {
        final TermHistory history = history(0, 0);
        assertEquals(0, history.lastIndex());
        assertEquals(0, history.lastTerm());
        assertEquals(0, history.termAt(0));
        assertEquals(-1, history.termAt(1));
        assertEquals(0, history.firstIndexOfTerm(1));
        assertEquals(0, history.lastIndexOfTerm(1));
    }

    @ParameterizedTest(name = "truncateFrom({0}): last index {1}, last term {2}")
    @CsvSource({
        "9, 8, 4", // past the end: nothing to drop
        "8, 7, 4", // inside the last run
        "6, 5, 2", // at the start of a run: the whole run goes
        "5, 4, 2", // inside a middle run: the later runs go, the run is cut
        "4, 3, 1", // at a run boundary
        "2, 1, 1",
        "1, 0, 0", // everything: back to the base
    })
    void truncationDropsEveryRunStartingAtOrAfterTheIndexAndCutsTheOneAcrossIt(
        final long from, final long lastIndex, final long lastTerm)
    {
        final TermHistory history = sample();
        history.truncateFrom(from);
        assertEquals(lastIndex, history.lastIndex(), "lastIndex");
        assertEquals(lastTerm, history.lastTerm(), "lastTerm");
        assertEquals(lastTerm, history.termAt(lastIndex), "termAt(lastIndex)");
        assertEquals(-1, history.termAt(lastIndex + 1), "nothing after the cut");
    }

    @Test
    void truncationAcrossTermBoundariesForgetsTheDroppedTerms()
    {
        final TermHistory history = sample();
        history.truncateFrom(5);
        assertEquals(0, history.firstIndexOfTerm(4), "term 4 is gone");
        assertEquals(0, history.lastIndexOfTerm(4), "term 4 is gone");
        assertEquals(4, history.firstIndexOfTerm(2));
        assertEquals(4, history.lastIndexOfTerm(2), "the cut run ends at the cut");
    }

    @Test
    void appendingAfterATruncationStartsFromTheCut()
    {
        final TermHistory history = sample();
        history.truncateFrom(5);
        history.append(5, 2); // the cut run continues
        history.append(6, 5); // a new term
        assertEquals(6, history.lastIndex());
        assertEquals(2, history.termAt(5));
        assertEquals(5, history.termAt(6));
        assertEquals(4, history.firstIndexOfTerm(2));
        assertEquals(5, history.lastIndexOfTerm(2));
        assertEquals(6, history.firstIndexOfTerm(5));
        assertEquals(0, history.firstIndexOfTerm(4));
    }

    @Test
    void aTruncationAtOrBelowTheBaseIsRefused()
    {
        final TermHistory history = history(10, 3, 3, 4);
        assertThrows(IllegalStateException.class, () -> history.truncateFrom(10));
        assertThrows(IllegalStateException.class, () -> history.truncateFrom(5));
        assertEquals(12, history.lastIndex(), "unchanged");
    }

    @Test
    void resetStartsAnEmptyLogAfterTheBaseIndexWithTheBaseTerm()
    {
        final TermHistory history = sample();
        history.reset(100, 7);
        assertEquals(100, history.lastIndex());
        assertEquals(7, history.lastTerm());
        assertEquals(7, history.termAt(100), "the base entry keeps its term");
        assertEquals(-1, history.termAt(99), "before the base is unknown");
        assertEquals(-1, history.termAt(101));
        assertEquals(0, history.firstIndexOfTerm(1), "the old runs are forgotten");

        history.append(101, 7); // the base term may continue
        history.append(102, 8);
        assertEquals(7, history.termAt(101));
        assertEquals(8, history.termAt(102));
        assertEquals(101, history.firstIndexOfTerm(7), "the run of the base term starts after the base");
        assertEquals(101, history.lastIndexOfTerm(7));
    }

    @ParameterizedTest(name = "append({0}) after 8 is refused")
    @CsvSource({"8", "10", "1", "0"})
    void aNonConsecutiveAppendIsRefused(final long index)
    {
        final TermHistory history = sample();
        assertThrows(IllegalStateException.class, () -> history.append(index, 4));
        assertEquals(8, history.lastIndex(), "unchanged");
    }

    @Test
    void aDecreasingTermIsRefused()
    {
        final TermHistory history = sample();
        assertThrows(IllegalStateException.class, () -> history.append(9, 3));
        assertEquals(8, history.lastIndex(), "unchanged");

        final TermHistory fromBase = history(5, 6);
        assertThrows(IllegalStateException.class, () -> fromBase.append(6, 5), "below the base term");
    }

    @Test
    void manyTermsGrowTheRunsBeyondTheirInitialCapacity()
    {
        final TermHistory history = new TermHistory();
        history.reset(0, 0);
        for (long term = 1; term <= 100; term++)
        {
            history.append(2 * term - 1, term);
            history.append(2 * term, term);
        }
        for (long term = 1; term <= 100; term++)
        {
            assertEquals(2 * term - 1, history.firstIndexOfTerm(term));
            assertEquals(2 * term, history.lastIndexOfTerm(term));
            assertEquals(term, history.termAt(2 * term));
        }
    }
}

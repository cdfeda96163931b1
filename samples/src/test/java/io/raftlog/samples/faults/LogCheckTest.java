package io.raftlog.samples.faults;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fault run's verdict on the logs, on logs made up to show each way it fails.
 */
class LogCheckTest
{
    private static final Map<Long, String> LOG = Map.of(1L, "1 [noop]", 2L, "1 r1-1", 3L, "1 r1-2", 4L, "2 [noop]");

    @Test
    void identicalLogsHoldingEveryAcknowledgedEntryPass()
    {
        final LogCheck check = LogCheck.judge(List.of(LOG, LOG, LOG), Map.of("r1-1", 2L, "r1-2", 3L));
        assertEquals(2, check.acknowledged);
        assertEquals(0, check.lost + check.duplicated + check.divergent, check.examples.toString());
    }

    @Test
    void anAcknowledgedEntryOnOnlyAMinorityIsLost()
    {
        final Map<Long, String> without = Map.of(1L, "1 [noop]", 2L, "1 r1-1");
        final LogCheck check = LogCheck.judge(List.of(LOG, without, without), Map.of("r1-1", 2L, "r1-2", 3L));
        assertEquals(1, check.lost, check.examples.toString());
    }

    @Test
    void anAcknowledgedEntryAtAnotherIndexIsLost()
    {
        final LogCheck check = LogCheck.judge(List.of(LOG, LOG, LOG), Map.of("r1-1", 3L));
        assertEquals(1, check.lost);
    }

    @Test
    void anEntryAtTwoIndicesIsDuplicated()
    {
        final Map<Long, String> twice = Map.of(1L, "1 [noop]", 2L, "1 r1-1", 3L, "1 r1-1");
        final LogCheck check = LogCheck.judge(List.of(twice, twice, twice), Map.of("r1-1", 2L));
        assertEquals(3, check.duplicated);
    }

    @Test
    void twoNodesWithDifferentEntriesAtAnIndexDiverge()
    {
        final Map<Long, String> other = Map.of(1L, "1 [noop]", 2L, "1 r1-1", 3L, "2 r2-1");
        final LogCheck check = LogCheck.judge(List.of(LOG, other, LOG), Map.of());
        assertEquals(1, check.divergent);
    }

    @Test
    void theClientsPaddingIsNotPartOfTheEntry()
    {
        assertEquals("r1-1", LogCheck.entryText("r1-1........"));
    }
}

package io.raftlog.core;

import io.raftlog.core.CoreHarness.AppendEntries;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.raftlog.core.CoreHarness.HEARTBEAT_NS;
import static io.raftlog.core.CoreHarness.member;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A follower that comes back without entries it acknowledged: under page-cache durability a power loss may take the
 * unflushed tail of its log, and a torn last record is cut back when it starts. Its acknowledgement no longer holds;
 * the leader must fall back to what it holds, or it would take every refusal at or below the old match for a stale
 * one and never send the lost entries again: the member would never catch up.
 */
class LostAcknowledgedEntriesTest
{
    @Test
    void aFollowerWhoseLogEndsBelowWhatItAcknowledgedIsProbedFromWhatItHolds()
    {
        final CoreHarness h = member(1).members(1, 2, 3).start().electAndReplicate();
        final long term = h.core.currentTerm();
        for (int i = 0; i < 5; i++)
        {
            h.offer(16);
        }
        h.flush().sync();
        final long last = h.log.lastIndex();
        h.ack(term, 2, last);
        h.ack(term, 3, last);
        assertEquals(last, h.core.commitIndex());
        assertEquals(last, h.core.matchIndexOf(2));

        // member 2 restarts with its last two entries gone, and refuses the heartbeat checked at its old match
        h.after(HEARTBEAT_NS).flush();
        h.sent.clear();
        h.reject(term, 2, last, last - 1, 0, last - 2);
        h.flush();

        final AppendEntries probe = h.only(AppendEntries.class, 2);
        assertEquals(last - 2, probe.prevLogIndex(), "probed from the end of what it holds");
        assertEquals(List.of(last - 1, last), probe.entryIndices(), "the lost entries sent again");
        assertEquals(last - 2, h.core.matchIndexOf(2));
        assertEquals(last, h.core.commitIndex(), "the commit index never goes back");

        h.ack(term, 2, last);
        assertEquals(last, h.core.matchIndexOf(2), "caught up again");
    }

    @Test
    void aRefusalAtOrBelowTheMatchFromAFollowerThatStillHoldsItIsStale()
    {
        final CoreHarness h = member(1).members(1, 2, 3).start().electAndReplicate();
        final long term = h.core.currentTerm();
        for (int i = 0; i < 5; i++)
        {
            h.offer(16);
        }
        h.flush().sync();
        final long last = h.log.lastIndex();
        h.ack(term, 2, last);
        h.sent.clear();

        h.reject(term, 2, last - 1, last - 1, 0, last); // reordered: its log still reaches the match
        h.flush();
        h.assertNothingSent();
        assertEquals(last, h.core.matchIndexOf(2));
    }
}

package io.raftlog.sim;

import io.raftlog.core.RaftCore;
import io.raftlog.core.RetentionPolicy;
import org.junit.jupiter.api.Test;

import static io.raftlog.sim.RaftScenario.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compacting a pure log: the log's starting point is persistent, retention never drops what a consumer still needs
 * or what is not committed, and a member that falls behind the leader's start is brought up by a snapshot of just
 * that starting point.
 */
class LogCompactionTest
{
    @Test
    void aPureLogIsCompactedByPolicyNeverPastAConsumerAndItsStartSurvivesARestart()
    {
        final RaftScenario s = new RaftScenario(3, 4001);
        final int leader = s.checkOneLeader();
        for (int i = 1; i <= 100; i++)
        {
            s.start(leader, i);
            s.sleep(MS);
        }
        s.sleep(200 * MS);
        final RaftCore core = s.cluster().node(leader).core();
        final long commit = core.commitIndex();
        assertTrue(commit >= 101);

        // a consumer still needs entry 40: nothing from 40 on may go, whatever the policy says
        assertEquals(39, core.compactPureLog(RetentionPolicy.byEntries(10), 40, s.cluster().nowNs()));
        // with the consumer done, the policy keeps the newest 10 committed entries
        final long base = core.compactPureLog(RetentionPolicy.byEntries(10), Long.MAX_VALUE, s.cluster().nowNs());
        assertEquals(s.cluster().node(leader).store().lastIndex() - 10, base);
        assertEquals(base, s.cluster().node(leader).snapshots().lastIncludedIndex(), "the start is recorded");
        assertEquals(0, s.cluster().node(leader).snapshots().length(), "a pure log's snapshot holds no state");

        // the start survives a restart; the commit index starts there
        s.crash(leader);
        s.restart(leader);
        assertEquals(base, s.cluster().node(leader).store().baseIndex());
        assertEquals(base, s.cluster().node(leader).core().commitIndex());
        s.one(1000, 3, true);
        s.finish();
    }

    @Test
    void aMemberBehindTheLeadersStartIsBroughtUpByTheStartingPoint()
    {
        final RaftScenario s = new RaftScenario(3, 4002);
        final int leader = s.checkOneLeader();
        final int behind = 1 + leader % 3;
        s.disconnect(behind);
        for (int i = 1; i <= 50; i++)
        {
            s.one(i, 2, true);
        }
        final int current = s.checkOneLeader();
        final long base = s.cluster().node(current).core()
            .compactPureLog(RetentionPolicy.byEntries(5), Long.MAX_VALUE, s.cluster().nowNs());
        assertTrue(base > 40);
        s.connect(behind);
        s.one(51, 3, true);
        assertEquals(1, s.cluster().node(behind).snapshots().installs());
        assertEquals(base, s.cluster().node(behind).store().baseIndex(), "its log now starts where the leader's does");
        s.finish();
    }
}

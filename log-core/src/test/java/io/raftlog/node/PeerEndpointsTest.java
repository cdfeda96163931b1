package io.raftlog.node;

import io.raftlog.core.Configuration;
import io.raftlog.transport.PeerLinks;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reconcile rules of {@link PeerEndpoints}, against a recording {@link PeerLinks}: no Aeron, no core. The
 * configurations are built as the core builds them (the bootstrap one carries no endpoints; added members carry
 * theirs).
 */
class PeerEndpointsTest
{
    private static final Map<Integer, String> STARTUP = Map.of(1, "h:1", 2, "h:2", 3, "h:3");

    private final RecordingLinks links = new RecordingLinks();
    private final PeerEndpoints tracker = new PeerEndpoints(1, STARTUP, links, null);

    private static Configuration bootstrap()
    {
        return new Configuration().put(1, true, true, false, null).put(2, true, true, false, null)
            .put(3, true, true, false, null);
    }

    @Test
    void theBootstrapConfigurationUsesTheStartupEndpointsAndOpensNothingNew()
    {
        assertEquals(0, tracker.update(bootstrap(), 0, 0, 0));
        assertEquals(List.of(), links.calls);
        assertTrue(tracker.isOpen(2) && tracker.isOpen(3));
        assertFalse(tracker.isOpen(1), "never a link to itself");
        assertEquals(0, tracker.membersWithoutEndpoint());
    }

    @Test
    void aMemberAddedWithAnEndpointGetsALinkWhenItsEntryTakesEffectUncommitted()
    {
        tracker.update(bootstrap(), 0, 0, 0);
        assertEquals(1, tracker.update(bootstrap().put(4, false, false, true, "h:4"), 7, 2, 6));
        assertEquals(List.of("open 4 h:4"), links.calls);
        assertTrue(tracker.isOpen(4));
    }

    @Test
    void nothingIsDoneWhileTheConfigurationInEffectStaysTheSame()
    {
        final Configuration added = bootstrap().put(4, false, false, true, "h:4");
        tracker.update(added, 7, 2, 6);
        final long reconciles = tracker.reconciles();
        for (long commit = 7; commit < 100; commit++)
        {
            assertEquals(0, tracker.update(added, 7, 2, commit));
        }
        assertEquals(reconciles, tracker.reconciles());
        assertEquals(List.of("open 4 h:4"), links.calls);
    }

    @Test
    void aConfigurationReplacedAtTheSameIndexByAnotherTermIsSeen()
    {
        // a deposed leader's entry at 7 (adding 4) is dropped and the new leader's entry at 7 (adding 5) replaces it
        // within one duty cycle: the index alone would not show the change
        tracker.update(bootstrap().put(4, false, false, true, "h:4"), 7, 2, 6);
        tracker.update(bootstrap().put(5, false, false, true, "h:5"), 7, 3, 6);
        assertEquals(List.of("open 4 h:4", "open 5 h:5"), links.calls);
        assertTrue(tracker.isRetiring(4), "4 is out of the configuration in effect, not yet for good");

        tracker.update(bootstrap().put(5, false, false, true, "h:5"), 7, 3, 7);
        assertEquals(List.of("open 4 h:4", "open 5 h:5", "close 4"), links.calls);
    }

    @Test
    void everyMemberOfAJointConfigurationHasALink()
    {
        final Configuration joint = bootstrap().put(4, false, true, false, "h:4").put(5, false, true, false, "h:5")
            .setVotes(2, true, false, false).joint(true);
        tracker.update(joint, 9, 2, 8);
        assertEquals(List.of("open 4 h:4", "open 5 h:5"), links.calls);
        assertTrue(tracker.isOpen(2), "voting only in the old configuration still needs its link");

        // C_new commits only later; member 2 leaves with it, and its link closes once C_new is committed
        final Configuration next = new Configuration().copyFrom(joint).finishJoint();
        tracker.update(next, 10, 2, 9);
        assertTrue(tracker.isRetiring(2));
        assertEquals(2, links.calls.size());
        tracker.update(next, 10, 2, 10);
        assertEquals(List.of("open 4 h:4", "open 5 h:5", "close 2"), links.calls);
    }

    @Test
    void aRemovedMembersLinkClosesOnlyOnceTheRemovalIsCommittedHere()
    {
        tracker.update(bootstrap(), 0, 0, 0);
        final Configuration removed = bootstrap().remove(3);
        tracker.update(removed, 12, 2, 11);
        assertTrue(tracker.isRetiring(3));
        assertTrue(tracker.isOpen(3));
        assertEquals(0, tracker.update(removed, 12, 2, 11));
        assertEquals(List.of(), links.calls);

        assertEquals(1, tracker.update(removed, 12, 2, 12));
        assertEquals(List.of("close 3"), links.calls);
        assertFalse(tracker.isOpen(3));
        assertFalse(tracker.isRetiring(3));
    }

    @Test
    void aRemovalDroppedBeforeItCommitsKeepsTheLink()
    {
        tracker.update(bootstrap(), 0, 0, 0);
        tracker.update(bootstrap().remove(3), 12, 2, 11);
        assertTrue(tracker.isRetiring(3));

        // the uncommitted removal is dropped with a conflicting suffix: the bootstrap configuration is back
        tracker.update(bootstrap(), 0, 0, 11);
        assertFalse(tracker.isRetiring(3));
        tracker.update(bootstrap(), 0, 0, 50);
        assertEquals(List.of(), links.calls);
        assertTrue(tracker.isOpen(3));
    }

    @Test
    void aLaterChangeBeforeTheRemovalCommitsDefersTheCloseToTheLaterOne()
    {
        tracker.update(bootstrap(), 0, 0, 0);
        tracker.update(bootstrap().remove(3), 12, 2, 11);
        final Configuration later = bootstrap().remove(3).put(4, false, false, true, "h:4");
        tracker.update(later, 15, 3, 12);
        assertTrue(tracker.isRetiring(3), "only the configuration in effect, at 15, says where the cluster is");
        tracker.update(later, 15, 3, 15);
        assertEquals(List.of("open 4 h:4", "close 3"), links.calls);
    }

    @Test
    void anEndpointInTheConfigurationWinsOverTheOneGivenAtStartup()
    {
        tracker.update(bootstrap().put(3, true, true, false, "h:33"), 4, 1, 3);
        assertEquals(List.of("open 3 h:33"), links.calls);
    }

    @Test
    void aRemovedMemberAddedAgainWithoutEndpointIsReachedAtItsStartupEndpoint()
    {
        tracker.update(bootstrap(), 0, 0, 0);
        tracker.update(bootstrap().remove(3), 5, 1, 5);
        tracker.update(bootstrap().remove(3).put(3, false, false, true, null), 8, 1, 7);
        assertEquals(List.of("close 3", "open 3 h:3"), links.calls);
    }

    @Test
    void aStartupEndpointOfAMemberTheConfigurationNeverHadIsKept()
    {
        final PeerEndpoints withSpare = new PeerEndpoints(
            1, Map.of(1, "h:1", 2, "h:2", 3, "h:3", 9, "h:9"), links, null);
        withSpare.update(bootstrap(), 0, 0, 0);
        withSpare.update(bootstrap().put(4, false, false, true, "h:4"), 3, 1, 3);
        assertEquals(List.of("open 4 h:4"), links.calls);
        assertTrue(withSpare.isOpen(9));
        assertFalse(withSpare.isRetiring(9));
    }

    @Test
    void aMemberWithNoEndpointAnywhereIsCountedUnreachable()
    {
        tracker.update(bootstrap().put(6, false, false, true, null), 3, 1, 2);
        assertEquals(List.of(), links.calls);
        assertEquals(1, tracker.membersWithoutEndpoint());

        tracker.update(bootstrap().put(6, false, false, true, "h:6"), 4, 1, 3);
        assertEquals(List.of("open 6 h:6"), links.calls);
        assertEquals(0, tracker.membersWithoutEndpoint());
    }

    @Test
    void thisMembersOwnEntryNeverOpensALink()
    {
        tracker.update(bootstrap().put(1, true, true, false, "h:11"), 3, 1, 2);
        assertEquals(List.of(), links.calls);
    }

    @Test
    void aRemovalOfThisMemberKeepsItsLinksToTheOthers()
    {
        tracker.update(bootstrap(), 0, 0, 0);
        tracker.update(bootstrap().remove(1), 6, 2, 6);
        assertEquals(List.of(), links.calls);
        assertTrue(tracker.isOpen(2) && tracker.isOpen(3));
    }

    @Test
    void anUnchangedConfigurationCostsNoAllocation()
    {
        final Configuration configuration = bootstrap().put(4, false, false, true, "h:4");
        tracker.update(configuration, 7, 2, 7);
        for (int i = 0; i < 100_000; i++)
        {
            tracker.update(configuration, 7, 2, 7 + i);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        int work = 0;
        for (int i = 0; i < 1_000_000; i++)
        {
            work += tracker.update(configuration, 7, 2, 7 + i);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(0, work);
        assertTrue(allocated < 1024, "bytes allocated by a million unchanged updates: " + allocated);
    }

    private static final class RecordingLinks implements PeerLinks
    {
        final List<String> calls = new ArrayList<>();

        public void openPeer(final int memberId, final String endpoint)
        {
            calls.add("open " + memberId + " " + endpoint);
        }

        public void closePeer(final int memberId)
        {
            calls.add("close " + memberId);
        }
    }
}

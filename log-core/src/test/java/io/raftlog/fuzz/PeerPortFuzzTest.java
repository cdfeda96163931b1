package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.raftlog.core.RaftCore;
import io.raftlog.core.Role;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever arrives on the peer port, a member neither stops nor breaks its own invariants: no exception leaves
 * {@link io.raftlog.protocol.PeerMessageDispatcher#onMessage}, the term and the commit index never go back, the
 * commit index stays within the log, the term and vote are on disk before they are acted on, and an entry once
 * committed here never changes. A malicious or corrupt peer may make this member step down, vote, lose an election
 * or drop its uncommitted tail; it must never crash it or rewrite what it committed.
 * <p>
 * An input picks a starting state and a few steps: peer messages (well-formed ones with fields drawn around the
 * member's state, bent framing, or raw bytes), ticks, storage completions, flushes and client offers. Each input
 * starts from a freshly built member, so every finding replays on its own.
 */
class PeerPortFuzzTest
{
    private static final int MAX_STEPS = 12;
    private static final int CAPACITY = 16 * 1024;
    private static final int MAX_TRACKED_INDEX = 4096;

    // The fixture, built once per JVM and reused by every input; the member itself is rebuilt per input.
    private static final UnsafeBuffer BUFFER = new UnsafeBuffer(new byte[CAPACITY]);
    private static final PeerMessages MESSAGES = new PeerMessages();
    private static final PeerMessages.Pivot PIVOT = new PeerMessages.Pivot();
    private static final int[] COMMITTED_CHECKSUMS = new int[MAX_TRACKED_INDEX + 1];
    private static final AllocationBudget BUDGET = new AllocationBudget(AllocationBudget.MAX_BYTES_PER_INPUT);
    private static final WarmUp WARM_UP = new WarmUp(PeerPortFuzzTest::deliver, 300, 1024);

    @FuzzTest(maxDuration = "15s")
    void aPeerMessageNeverCrashesTheMemberNorRewritesWhatItCommitted(final byte[] input)
    {
        WARM_UP.once();
        BUDGET.run(input, PeerPortFuzzTest::deliver, "the peer port");
    }

    private static void deliver(final FuzzedDataProvider data)
    {
        final PeerNode node = new PeerNode(
            data.consumeInt(0, PeerNode.STATES - 1), data.consumeBoolean(), data.consumeBoolean());
        final Invariants invariants = new Invariants(node);

        BUDGET.start();
        for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++)
        {
            step(data, node);
            invariants.check();
        }
        node.core.flush();
        invariants.check();
        BUDGET.stop();
    }

    private static void step(final FuzzedDataProvider data, final PeerNode node)
    {
        final RaftCore core = node.core;
        switch (data.consumeInt(0, 9))
        {
            case 0:
            {
                final byte[] bytes = data.consumeBytes(Draw.length(data, 512));
                BUFFER.putBytes(0, bytes);
                node.dispatcher.onMessage(BUFFER, 0, bytes.length);
                break;
            }

            case 1:
                node.tick(node.nowNs + data.consumeLong(0, 300 * PeerNode.MS));
                break;

            case 2:
                node.sync();
                break;

            case 3:
                core.flush();
                break;

            case 4:
                if (data.consumeBoolean())
                {
                    node.offer(data.consumeInt(0, 64));
                }
                else
                {
                    core.readIndex(data.consumeLong());
                }
                break;

            default:
            {
                PIVOT.term = core.currentTerm();
                PIVOT.lastIndex = node.log.lastIndex();
                PIVOT.lastTerm = node.log.termAt(PIVOT.lastIndex);
                PIVOT.commitIndex = core.commitIndex();
                PIVOT.memberIds = node.memberIds;
                final int length = MESSAGES.write(data, BUFFER, 0, PIVOT);
                node.dispatcher.onMessage(BUFFER, 0, WireDamage.bend(data, BUFFER, 0, length, CAPACITY));
                break;
            }
        }
    }

    /**
     * What must hold after every step, whatever the peers said.
     */
    private static final class Invariants
    {
        private final PeerNode node;
        private long term;
        private long commitIndex;
        private long trackedUpTo;

        Invariants(final PeerNode node)
        {
            this.node = node;
            this.term = node.core.currentTerm();
            this.trackedUpTo = node.log.baseIndex();
        }

        void check()
        {
            final RaftCore core = node.core;
            final long lastIndex = node.log.lastIndex();
            assertTrue(core.currentTerm() >= term, () -> "term went back from " + term + " to " + core.currentTerm());
            assertTrue(core.commitIndex() >= commitIndex,
                () -> "commit index went back from " + commitIndex + " to " + core.commitIndex());
            term = core.currentTerm();
            commitIndex = core.commitIndex();

            assertTrue(commitIndex <= lastIndex, () -> "commit index " + commitIndex + " beyond the log " + lastIndex);
            assertTrue(node.log.baseIndex() <= commitIndex, "the log starts after the commit index");
            assertTrue(core.durableIndex() <= lastIndex, "durable index beyond the log");
            assertEquals(term, node.meta.currentTerm(), "the term acted on is not the term on disk");
            assertEquals(core.votedFor(), node.meta.votedFor(), "the vote acted on is not the vote on disk");
            assertEquals(core.role() == Role.LEADER, core.leaderId() == PeerNode.SELF, "leader id and role disagree");
            checkCommittedEntriesStay(lastIndex);
        }

        /**
         * Paper figure 3, state machine safety, as one member sees it: an entry at or below the commit index keeps
         * its checksum for as long as the log holds it (a snapshot may replace it, never another entry).
         */
        private void checkCommittedEntriesStay(final long lastIndex)
        {
            final long base = node.log.baseIndex();
            final long trackedLimit = Math.min(commitIndex, MAX_TRACKED_INDEX);
            for (long index = Math.max(base, 0) + 1; index <= Math.min(trackedUpTo, lastIndex); index++)
            {
                final long at = index;
                assertEquals(COMMITTED_CHECKSUMS[(int)index], node.log.checksumAt(index),
                    () -> "committed entry " + at + " changed");
            }
            if (trackedUpTo > Math.max(lastIndex, base) && trackedUpTo <= MAX_TRACKED_INDEX)
            {
                throw new AssertionError("committed entries up to " + trackedUpTo + " left a log ending at " +
                    lastIndex + " (base " + base + ")");
            }
            for (long index = Math.max(trackedUpTo, base) + 1; index <= trackedLimit; index++)
            {
                COMMITTED_CHECKSUMS[(int)index] = node.log.checksumAt(index);
            }
            trackedUpTo = Math.max(trackedUpTo, trackedLimit);
        }
    }
}

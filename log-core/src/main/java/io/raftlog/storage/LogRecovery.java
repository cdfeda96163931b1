package io.raftlog.storage;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.util.NavigableSet;

/**
 * The scan that rebuilds a {@link LogIndex} from the queue at start, reading every document from the first cycle
 * file in order.
 * <ul>
 *     <li>The first document of each cycle file must be its CHECKPOINT: the first one read sets the state (its
 *     entries lie in cycle files deleted by compaction, their documents unknown); later ones must agree with the
 *     frames read before them, or documents were lost at the end of the previous file.</li>
 *     <li>ENTRY, TRUNCATE, BASE and VOID frames are applied as the writes applied them, each checked first
 *     ({@link FrameApplier}, shared with the committed-log reader).</li>
 *     <li>At the first frame that fails, the scan stops believing the stream and notes where ({@link #damaged()}).
 *     It reads on to find a VOID frame naming that document (written when an earlier opening cut this same damage
 *     back): from there on the stream is believed again.</li>
 *     <li>Reading on, it also notes whether whole frames follow the damage ({@link #intactFramesAfter()}). A crash
 *     tears only what was being written when it struck, the end of the stream; so damage with whole frames after
 *     it is a record that changed after it was written (a flipped bit, a bad sector), inside the log, and its
 *     entries may have been acknowledged. The one whole frame a crash can leave after a torn tail is the
 *     CHECKPOINT that an interrupted earlier repair wrote before its VOID: it states the log as cut back, and is not
 *     counted.</li>
 *     <li>Where Chronicle cannot read on inside a file, the scan goes on at the next file, if any (see
 *     {@link #moveToNextCycleFile}).</li>
 * </ul>
 */
final class LogRecovery
{
    private final LogIndex log;
    private final RollCycle rollCycle;
    private final long maxFrameLength;
    private final FrameApplier applier;

    private boolean damaged;
    private long badQueueIndex = -1;
    private long badIndex;
    private String badReason;
    private File badFile;
    private long badHeaderPosition = -1;
    private File lastFile;
    private long lastDocumentEnd = -1;
    private long badLastIndex;
    private long intactFramesAfter;
    private long firstIntactQueueIndexAfter = -1;
    private long highestIndexAfter;
    private int lastCycleRead = Integer.MIN_VALUE;
    private long lastHeaderPosition = -1;

    LogRecovery(final LogIndex log, final RollCycle rollCycle, final long maxFrameLength)
    {
        this.log = log;
        this.rollCycle = rollCycle;
        this.maxFrameLength = maxFrameLength;
        this.applier = new FrameApplier(log, FrameApplier.Guard.NONE);
    }

    /**
     * @return true if the scan ended at a damaged frame not yet cut back by a VOID frame.
     */
    boolean damaged()
    {
        return damaged;
    }

    /**
     * @return the queue index of the first damaged document.
     */
    long badQueueIndex()
    {
        return badQueueIndex;
    }

    /**
     * @return the first Raft index the scan could not vouch for: the last good one plus one.
     */
    long badIndex()
    {
        return badIndex;
    }

    String badReason()
    {
        return badReason;
    }

    /**
     * @return the cycle file holding the first damaged document.
     */
    File badFile()
    {
        return badFile;
    }

    /**
     * @return how many whole frames follow the damage (not counting a CHECKPOINT that states the log as cut back):
     * more than none means the damage is inside the log, not a torn tail.
     */
    long intactFramesAfter()
    {
        return intactFramesAfter;
    }

    /**
     * @return the queue index of the first whole frame after the damage, or -1.
     */
    long firstIntactQueueIndexAfter()
    {
        return firstIntactQueueIndexAfter;
    }

    /**
     * @return the highest Raft index of a whole ENTRY after the damage, or 0: how far the log reached.
     */
    long highestIndexAfter()
    {
        return highestIndexAfter;
    }

    /**
     * @return the file position of the first damaged document's Chronicle header.
     */
    long badHeaderPosition()
    {
        return badHeaderPosition;
    }

    /**
     * @return the cycle file of the last document read, or null.
     */
    File lastFile()
    {
        return lastFile;
    }

    /**
     * @return the file position just past the last document read, or -1.
     */
    long lastDocumentEnd()
    {
        return lastDocumentEnd;
    }

    /**
     * @return the cycle of the last document read, or {@link Integer#MIN_VALUE} if none.
     */
    int lastCycleRead()
    {
        return lastCycleRead;
    }

    /**
     * @return the file position of the last document's Chronicle header.
     */
    long lastHeaderPosition()
    {
        return lastHeaderPosition;
    }

    void scan(final SingleChronicleQueue queue)
    {
        log.reset(0, 0);
        int cycle = Integer.MIN_VALUE;
        boolean first = true;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.singleThreadedCheckDisabled(true);
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        if (moveToNextCycleFile(queue, tailer))
                        {
                            continue;
                        }
                        break;
                    }
                    final long queueIndex = dc.index();
                    final int docCycle = rollCycle.toCycle(queueIndex);
                    final boolean cycleStart = docCycle != cycle;
                    cycle = docCycle;
                    lastCycleRead = docCycle;
                    final Bytes<?> bytes = dc.wire().bytes();
                    final long frameLength = bytes.readRemaining();
                    lastHeaderPosition = bytes.readPosition() - 4;
                    lastDocumentEnd = bytes.readPosition() + frameLength;
                    if (cycleStart)
                    {
                        lastFile = tailer.currentFile();
                    }
                    if (frameLength < LogFrame.TYPE_LENGTH || frameLength > maxFrameLength)
                    {
                        noteDamage(queueIndex, "frame of " + frameLength + " bytes", tailer);
                        continue;
                    }
                    applier.view.wrap(
                        bytes.addressForRead(bytes.readPosition(), (int)frameLength), (int)frameLength);
                    if (damaged)
                    {
                        if (applier.isVoidFor(badQueueIndex))
                        {
                            damaged = false;
                            intactFramesAfter = 0;
                            firstIntactQueueIndexAfter = -1;
                            highestIndexAfter = 0;
                            applier.applyVoid();
                        }
                        else
                        {
                            noteWholeFrameAfterDamage(queueIndex, cycleStart);
                        }
                        continue;
                    }
                    final String problem = cycleStart ? applier.applyCheckpoint(first) : applier.applyFrame(queueIndex);
                    first = false;
                    if (problem != null)
                    {
                        noteDamage(queueIndex, problem, tailer);
                    }
                }
            }
        }
    }

    private void noteWholeFrameAfterDamage(final long queueIndex, final boolean cycleStart)
    {
        if (!applier.isIntact())
        {
            return;
        }
        final boolean checkpoint = applier.view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) == LogFrame.CHECKPOINT;
        if (checkpoint && cycleStart && applier.frame.field(2) == badLastIndex &&
            applier.frame.field(0) == log.baseIndex())
        {
            return; // the log as an interrupted repair cut it back, written before its VOID
        }
        if (firstIntactQueueIndexAfter < 0)
        {
            firstIntactQueueIndexAfter = queueIndex;
        }
        intactFramesAfter++;
        highestIndexAfter = Math.max(highestIndexAfter, checkpoint ? applier.frame.field(2) : applier.entryIndex());
    }

    /**
     * Chronicle's tailer stops inside a cycle file at a header it cannot read (lost, torn, or a damaged length that
     * lands inside another document) and does not move on while the file's write position lies beyond it. When a
     * later file exists the scan goes on there, as the appends after an earlier opening sealed this file did: its
     * CHECKPOINT then says whether documents were lost, and a VOID frame that cut this damage back lies there too.
     *
     * @return true when the tailer now stands at the start of a later cycle file.
     */
    private static boolean moveToNextCycleFile(final SingleChronicleQueue queue, final ExcerptTailer tailer)
    {
        final int stuckCycle = tailer.cycle();
        final int lastCycle = queue.lastCycle();
        if (lastCycle <= stuckCycle)
        {
            return false;
        }
        final NavigableSet<Long> later = queue.listCyclesBetween(stuckCycle + 1, lastCycle);
        return !later.isEmpty() && tailer.moveToCycle(later.first().intValue());
    }

    private void noteDamage(final long queueIndex, final String problem, final ExcerptTailer tailer)
    {
        if (!damaged)
        {
            damaged = true;
            badQueueIndex = queueIndex;
            badLastIndex = log.lastIndex();
            badIndex = log.lastIndex() + 1;
            badReason = problem + " (queue index 0x" + Long.toHexString(queueIndex) + ")";
            badFile = tailer.currentFile();
            badHeaderPosition = lastHeaderPosition;
        }
    }
}

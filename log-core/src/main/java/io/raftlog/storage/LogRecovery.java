package io.raftlog.storage;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;

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
 *     It reads on only to find a VOID frame naming that document (written when an earlier opening cut this same
 *     damage back): from there on the stream is believed again.</li>
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
                            applier.applyVoid();
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

    private void noteDamage(final long queueIndex, final String problem, final ExcerptTailer tailer)
    {
        if (!damaged)
        {
            damaged = true;
            badQueueIndex = queueIndex;
            badIndex = log.lastIndex() + 1;
            badReason = problem + " (queue index 0x" + Long.toHexString(queueIndex) + ")";
            badFile = tailer.currentFile();
        }
    }
}

package io.raftlog.storage;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.TermHistory;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;

/**
 * The scan that rebuilds a {@link LogIndex} from the queue at start, reading every document from the first cycle
 * file in order.
 * <ul>
 *     <li>The first document of each cycle file must be its CHECKPOINT: the first one read sets the state (its
 *     entries lie in cycle files deleted by compaction, their documents unknown); later ones must agree with the
 *     frames read before them, or documents were lost at the end of the previous file.</li>
 *     <li>ENTRY, TRUNCATE, BASE and VOID frames are applied as the writes applied them, each checked first: an
 *     entry's CRC32C, length and index; a control frame's CRC32C and fit.</li>
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
    private final LogFrame frame = new LogFrame();
    private final LogEntryCodec codec = new LogEntryCodec();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

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
                    view.wrap(bytes.addressForRead(bytes.readPosition(), (int)frameLength), (int)frameLength);
                    if (damaged)
                    {
                        if (isVoidFor(badQueueIndex))
                        {
                            damaged = false;
                            applyVoid();
                        }
                        continue;
                    }
                    final String problem = cycleStart ? applyCheckpoint(first) : applyFrame(queueIndex);
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

    private boolean isVoidFor(final long queueIndex)
    {
        return view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) == LogFrame.VOID &&
            frame.loadControl(view, 0, view.capacity()) &&
            frame.field(0) == queueIndex;
    }

    /**
     * A VOID frame restores the log as it was cut back: everything after its last kept index goes.
     */
    private String applyVoid()
    {
        final long lastKept = frame.field(1);
        if (lastKept < log.baseIndex())
        {
            return "VOID keeps up to " + lastKept + ", below the base " + log.baseIndex();
        }
        if (lastKept < log.lastIndex())
        {
            log.truncateFrom(lastKept + 1);
        }
        return null;
    }

    private String applyCheckpoint(final boolean first)
    {
        if (view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) != LogFrame.CHECKPOINT ||
            !frame.loadControl(view, 0, view.capacity()))
        {
            return "cycle file does not start with an intact CHECKPOINT frame";
        }
        final long base = frame.field(0);
        final long baseTerm = frame.field(1);
        final long last = frame.field(2);
        final int runs = frame.checkpointRuns();
        return first ? startFromCheckpoint(base, baseTerm, last, runs) : checkCheckpoint(base, baseTerm, last, runs);
    }

    private String startFromCheckpoint(final long base, final long baseTerm, final long last, final int runs)
    {
        if (base < 0 || last < base || (runs == 0) != (last == base))
        {
            return "CHECKPOINT base " + base + " last " + last + " with " + runs + " term runs";
        }
        log.reset(base, baseTerm);
        for (int run = 0; run < runs; run++)
        {
            final long start = frame.checkpointRunStart(run);
            final long end = run + 1 < runs ? frame.checkpointRunStart(run + 1) - 1 : last;
            final long term = frame.checkpointRunTerm(run);
            if (start != log.lastIndex() + 1 || end < start || term < log.lastTerm())
            {
                return "CHECKPOINT term run " + run + " [" + start + ", " + end + "] of term " + term;
            }
            for (long index = start; index <= end; index++)
            {
                log.appendUnknown(index, term);
            }
        }
        return null;
    }

    private String checkCheckpoint(final long base, final long baseTerm, final long last, final int runs)
    {
        final TermHistory terms = log.terms();
        if (base != log.baseIndex() || baseTerm != terms.termAt(base) || last != log.lastIndex())
        {
            return "CHECKPOINT says base " + base + " (term " + baseTerm + ") last " + last + ", the frames before " +
                "it end at base " + log.baseIndex() + " (term " + terms.termAt(log.baseIndex()) + ") last " +
                log.lastIndex() + ": documents were lost at the end of the previous cycle file";
        }
        long index = base + 1;
        for (int run = 0; run < runs; run++)
        {
            final long term = terms.termAt(index);
            if (frame.checkpointRunStart(run) != index || frame.checkpointRunTerm(run) != term)
            {
                return "CHECKPOINT term run " + run + " disagrees with the frames before it";
            }
            index = terms.lastIndexOfTerm(term) + 1;
        }
        return index == last + 1 ? null : "CHECKPOINT term runs end before the last index";
    }

    private String applyFrame(final long queueIndex)
    {
        final int frameLength = view.capacity();
        final int type = view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER);
        if (type == LogFrame.ENTRY)
        {
            return applyEntry(queueIndex, frameLength - LogFrame.TYPE_LENGTH);
        }
        if (!frame.loadControl(view, 0, frameLength))
        {
            return "torn or corrupt frame of type " + type + " and " + frameLength + " bytes";
        }
        switch (type)
        {
            case LogFrame.TRUNCATE:
            {
                final long from = frame.field(0);
                if (from <= log.baseIndex() || from > log.lastIndex() + 1)
                {
                    return "TRUNCATE from " + from + " outside (" + log.baseIndex() + ", " + (log.lastIndex() + 1) +
                        "]";
                }
                log.truncateFrom(from);
                return null;
            }
            case LogFrame.BASE:
            {
                final long index = frame.field(0);
                final long term = frame.field(1);
                final long kind = frame.field(2);
                if (kind == LogFrame.RESET)
                {
                    log.reset(index, term);
                    return null;
                }
                if (kind == LogFrame.COMPACT && index >= log.baseIndex() && index <= log.lastIndex() &&
                    log.terms().termAt(index) == term)
                {
                    log.compactTo(index);
                    return null;
                }
                return "BASE kind " + kind + " at " + index + " (term " + term + ") does not fit the log (" +
                    log.baseIndex() + ", " + log.lastIndex() + "]";
            }
            case LogFrame.VOID:
                return applyVoid();
            default:
                return "CHECKPOINT frame inside a cycle file";
        }
    }

    private String applyEntry(final long queueIndex, final int recordLength)
    {
        if (recordLength < LogEntryCodec.HEADER_LENGTH)
        {
            return "ENTRY of " + recordLength + " bytes, shorter than a record header";
        }
        final int storedLength = LogEntryCodec.recordLength(view, LogFrame.TYPE_LENGTH);
        if (storedLength != recordLength)
        {
            return "ENTRY record length " + storedLength + " disagrees with its frame of " + recordLength;
        }
        if (!codec.isChecksumValid(view, LogFrame.TYPE_LENGTH, recordLength))
        {
            return "ENTRY checksum mismatch (torn or corrupt record)";
        }
        final long index = LogEntryCodec.index(view, LogFrame.TYPE_LENGTH);
        final long term = LogEntryCodec.term(view, LogFrame.TYPE_LENGTH);
        if (index != log.lastIndex() + 1)
        {
            return "ENTRY of index " + index + " where " + (log.lastIndex() + 1) + " was expected";
        }
        if (term < log.lastTerm())
        {
            return "ENTRY of term " + term + " after term " + log.lastTerm();
        }
        log.append(index, term, queueIndex, recordLength);
        return null;
    }
}

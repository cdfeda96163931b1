package io.raftlog.storage;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.TermHistory;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Applies the queue's frames to a {@link LogIndex} as the writes applied them, each checked first: an entry's
 * CRC32C, length and index; a control frame's CRC32C and fit; a cycle file's CHECKPOINT against the frames before
 * it. Recovery at start and the committed-log reader both read the log through this one set of rules.
 * <p>
 * The caller wraps {@link #view} around each document's bytes, then asks for it to be applied; a problem comes
 * back as text (null when the frame applied), never as an exception.
 */
final class FrameApplier
{
    /**
     * Told before the log loses entries, so a reader can refuse to lose what it already delivered.
     */
    interface Guard
    {
        Guard NONE = new Guard()
        {
            public void beforeDrop(final long fromIndex)
            {
            }

            public void beforeReset(final long baseIndex)
            {
            }
        };

        /**
         * Entries from {@code fromIndex} on are about to be dropped (TRUNCATE, VOID).
         */
        void beforeDrop(long fromIndex);

        /**
         * The log is about to be emptied and restarted after {@code baseIndex} (BASE RESET).
         */
        void beforeReset(long baseIndex);
    }

    final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    final LogFrame frame = new LogFrame();
    private final LogEntryCodec codec = new LogEntryCodec();
    private final LogIndex log;
    private final Guard guard;

    FrameApplier(final LogIndex log, final Guard guard)
    {
        this.log = log;
        this.guard = guard;
    }

    /**
     * @return whether the frame in {@link #view} is an intact VOID frame that cuts back the damaged document at
     * {@code queueIndex}.
     */
    boolean isVoidFor(final long queueIndex)
    {
        return isControl(LogFrame.VOID) && frame.field(0) == queueIndex;
    }

    /**
     * @return whether the frame in {@link #view} is an intact control frame of {@code type} (then in {@link #frame}).
     */
    boolean isControl(final int type)
    {
        return view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) == type &&
            frame.loadControl(view, 0, view.capacity());
    }

    /**
     * @return whether the frame in {@link #view} is whole: an ENTRY whose record fills it and passes its CRC32C, or
     * an intact control frame (then in {@link #frame}). Says nothing of whether it follows from the frames before.
     */
    boolean isIntact()
    {
        final int frameLength = view.capacity();
        if (frameLength < LogFrame.TYPE_LENGTH)
        {
            return false;
        }
        if (view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) != LogFrame.ENTRY)
        {
            return frame.loadControl(view, 0, frameLength);
        }
        final int recordLength = frameLength - LogFrame.TYPE_LENGTH;
        return recordLength >= LogEntryCodec.HEADER_LENGTH &&
            LogEntryCodec.recordLength(view, LogFrame.TYPE_LENGTH) == recordLength &&
            codec.isChecksumValid(view, LogFrame.TYPE_LENGTH, recordLength);
    }

    /**
     * @return the Raft index of the ENTRY in {@link #view}, or 0 if it is not an entry (call after {@link #isIntact}).
     */
    long entryIndex()
    {
        return view.getInt(LogFrame.TYPE_OFFSET, LogFrame.ORDER) == LogFrame.ENTRY ?
            LogEntryCodec.index(view, LogFrame.TYPE_LENGTH) : 0;
    }

    /**
     * A VOID frame restores the log as it was cut back: everything after its last kept index goes.
     */
    String applyVoid()
    {
        final long lastKept = frame.field(1);
        if (lastKept < log.baseIndex())
        {
            return "VOID keeps up to " + lastKept + ", below the base " + log.baseIndex();
        }
        if (lastKept < log.lastIndex())
        {
            drop(lastKept + 1);
        }
        return null;
    }

    /**
     * The first document of a cycle file: the first one read sets the state (its entries lie in cycle files deleted
     * by compaction, their documents unknown); a later one must agree with the frames read before it, or documents
     * were lost at the end of the previous file.
     */
    String applyCheckpoint(final boolean first)
    {
        if (!isControl(LogFrame.CHECKPOINT))
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

    /**
     * Applies an ENTRY, TRUNCATE, BASE or VOID frame (a CHECKPOINT belongs only at the start of a cycle file).
     */
    String applyFrame(final long queueIndex)
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
                if (from <= log.lastIndex())
                {
                    drop(from);
                }
                return null;
            }
            case LogFrame.BASE:
            {
                final long index = frame.field(0);
                final long term = frame.field(1);
                final long kind = frame.field(2);
                if (kind == LogFrame.RESET)
                {
                    guard.beforeReset(index);
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

    private void drop(final long fromIndex)
    {
        guard.beforeDrop(fromIndex);
        log.truncateFrom(fromIndex);
    }
}

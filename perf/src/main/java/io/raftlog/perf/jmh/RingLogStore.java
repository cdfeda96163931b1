package io.raftlog.perf.jmh;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.DurableLogStore;
import io.raftlog.core.TermHistory;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An in-memory log for benchmarking the core, bounded so it can take appends forever: it keeps the terms of the
 * whole log ({@link TermHistory}: one run per term) but the bytes of only the last {@code retainedEntries} records,
 * in a ring. Everything written is durable at once (as under page-cache durability), so {@link #sync()} only answers
 * the last index. Asking for a record that has left the ring fails loudly: a benchmark whose followers keep up never
 * does. Allocates nothing after construction (unless the term history grows, once per new term).
 * <p>
 * A record never wraps: one that does not fit before the end of the ring starts again at 0. The ring holds
 * {@code retainedEntries + 2} records of the largest size, so the last {@code retainedEntries} are always intact.
 */
final class RingLogStore implements DurableLogStore
{
    private final TermHistory terms = new TermHistory();
    private final UnsafeBuffer ring;
    private final int mask;
    private final int maxRecordLength;
    private final int[] positions;
    private final int[] lengths;
    /** Bytes of the log before each retained entry, for {@link #bytesFrom(long)}. */
    private final long[] bytesBefore;
    private int writePosition;
    private long totalBytes;
    private long baseIndex;
    private long lastIndex;

    /**
     * @param retainedEntries how many of the latest records stay readable; rounded up to a power of two.
     * @param maxPayloadLength the largest payload a record may carry.
     */
    RingLogStore(final int retainedEntries, final int maxPayloadLength)
    {
        final int slots = Integer.highestOneBit(Math.max(1, retainedEntries - 1)) << 1;
        this.mask = slots - 1;
        this.maxRecordLength = LogEntryCodec.recordLength(maxPayloadLength);
        this.ring = new UnsafeBuffer(new byte[(slots + 2) * maxRecordLength]);
        this.positions = new int[slots];
        this.lengths = new int[slots];
        this.bytesBefore = new long[slots];
        terms.reset(0, 0);
    }

    public long baseIndex()
    {
        return baseIndex;
    }

    public long lastIndex()
    {
        return lastIndex;
    }

    public long termAt(final long index)
    {
        return terms.termAt(index);
    }

    public long firstIndexOfTerm(final long term)
    {
        return terms.firstIndexOfTerm(term);
    }

    public long lastIndexOfTerm(final long term)
    {
        return terms.lastIndexOfTerm(term);
    }

    public long timestampAt(final long index)
    {
        return LogEntryCodec.timestamp(ring, positions[slot(index)]);
    }

    public long bytesFrom(final long index)
    {
        return index > lastIndex ? 0 : totalBytes - bytesBefore[slot(index)];
    }

    public void append(final DirectBuffer records, final int offset, final int length, final int count)
    {
        final int end = offset + length;
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            final int recordLength = LogEntryCodec.recordLength(records, position);
            final long index = LogEntryCodec.index(records, position);
            if (index != lastIndex + 1 || recordLength > maxRecordLength || recordLength > end - position)
            {
                throw new IllegalStateException("bad record " + index + " of " + recordLength + " bytes after " +
                    lastIndex);
            }
            if (writePosition + recordLength > ring.capacity())
            {
                writePosition = 0;
            }
            final int slot = (int)(index & mask);
            ring.putBytes(writePosition, records, position, recordLength);
            positions[slot] = writePosition;
            lengths[slot] = recordLength;
            bytesBefore[slot] = totalBytes;
            terms.append(index, LogEntryCodec.term(records, position));
            writePosition += recordLength;
            totalBytes += recordLength;
            lastIndex = index;
            position += recordLength;
        }
        if (position != end)
        {
            throw new IllegalStateException("records do not fill " + length + " bytes");
        }
    }

    public void truncateFrom(final long index)
    {
        if (index > lastIndex)
        {
            return;
        }
        final int slot = slot(index);
        writePosition = positions[slot];
        totalBytes = bytesBefore[slot];
        terms.truncateFrom(index);
        lastIndex = index - 1;
    }

    public void compactTo(final long index)
    {
        if (index > baseIndex)
        {
            terms.compactTo(index);
            baseIndex = index;
        }
    }

    public void reset(final long baseIndex, final long baseTerm)
    {
        terms.reset(baseIndex, baseTerm);
        this.baseIndex = baseIndex;
        this.lastIndex = baseIndex;
        writePosition = 0;
    }

    public int copyRecords(final long fromIndex, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset)
    {
        int copied = 0;
        for (long index = fromIndex; index <= lastIndex; index++)
        {
            final int slot = slot(index);
            final int recordLength = lengths[slot];
            if (copied > 0 && copied + recordLength > maxBytes)
            {
                break;
            }
            dst.putBytes(dstOffset + copied, ring, positions[slot], recordLength);
            copied += recordLength;
        }
        return copied;
    }

    public long sync()
    {
        return lastIndex;
    }

    private int slot(final long index)
    {
        if (index <= baseIndex || index > lastIndex || index <= lastIndex - (mask + 1))
        {
            throw new IllegalStateException("entry " + index + " not retained: (" +
                Math.max(baseIndex, lastIndex - (mask + 1)) + ", " + lastIndex + "]");
        }
        return (int)(index & mask);
    }
}

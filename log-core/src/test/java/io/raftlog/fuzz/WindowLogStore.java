package io.raftlog.fuzz;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.DurableLogStore;
import io.raftlog.core.TermHistory;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * An in-memory log for fuzzing the core: it keeps the records it is given, indexed from its base as
 * {@link io.raftlog.storage.ChronicleLogStore} indexes them (slot = index - origin), so any index a peer may name,
 * up to {@code Long.MAX_VALUE}, costs memory only for the entries actually held. The simulator's log indexes by the
 * absolute Raft index, which suits simulated clusters but not an index of 2<sup>40</sup> taken from the wire.
 * <p>
 * It refuses a call that breaks the {@link io.raftlog.core.LogStore} contract as the real store does, with an
 * {@link IllegalStateException}: the core must never make one, whatever its peers say.
 */
final class WindowLogStore implements DurableLogStore
{
    private final ExpandableArrayBuffer records = new ExpandableArrayBuffer(16 * 1024);
    private final TermHistory terms = new TermHistory();
    private int[] positions = new int[64];
    private long origin = 1;
    private long baseIndex;
    private long lastIndex;
    private int writePosition;

    WindowLogStore()
    {
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
        return LogEntryCodec.timestamp(records, positionOf(index));
    }

    public long bytesFrom(final long index)
    {
        return index > lastIndex ? 0 : writePosition - positionOf(index);
    }

    public void append(final DirectBuffer src, final int offset, final int length, final int count)
    {
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            final int recordLength = LogEntryCodec.recordLength(src, position);
            final long index = LogEntryCodec.index(src, position);
            if (index != lastIndex + 1)
            {
                throw new IllegalStateException("append of " + index + " after " + lastIndex);
            }
            terms.append(index, LogEntryCodec.term(src, position));
            final int slot = slotOf(index);
            if (slot == positions.length)
            {
                positions = Arrays.copyOf(positions, 2 * slot);
            }
            positions[slot] = writePosition;
            records.putBytes(writePosition, src, position, recordLength);
            writePosition += recordLength;
            lastIndex = index;
            position += recordLength;
        }
        if (position != offset + length)
        {
            throw new IllegalStateException("records do not fill " + length + " bytes");
        }
    }

    public void truncateFrom(final long index)
    {
        if (index <= baseIndex)
        {
            throw new IllegalStateException("truncate at " + index + " at or below the base " + baseIndex);
        }
        if (index > lastIndex)
        {
            return;
        }
        writePosition = positionOf(index);
        terms.truncateFrom(index);
        lastIndex = index - 1;
    }

    public void compactTo(final long index)
    {
        if (index <= baseIndex)
        {
            return;
        }
        if (index > lastIndex)
        {
            throw new IllegalStateException("compact to " + index + " beyond " + lastIndex);
        }
        terms.compactTo(index);
        baseIndex = index;
    }

    public void reset(final long baseIndex, final long baseTerm)
    {
        terms.reset(baseIndex, baseTerm);
        this.baseIndex = baseIndex;
        lastIndex = baseIndex;
        origin = baseIndex + 1;
        writePosition = 0;
    }

    public int copyRecords(final long fromIndex, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset)
    {
        if (fromIndex <= baseIndex || fromIndex > lastIndex)
        {
            throw new IllegalStateException(
                "copy from " + fromIndex + " outside (" + baseIndex + ", " + lastIndex + "]");
        }
        int copied = 0;
        for (long index = fromIndex; index <= lastIndex; index++)
        {
            final int position = positionOf(index);
            final int recordLength = LogEntryCodec.recordLength(records, position);
            if (copied > 0 && copied + recordLength > maxBytes)
            {
                break;
            }
            dst.putBytes(dstOffset + copied, records, position, recordLength);
            copied += recordLength;
        }
        return copied;
    }

    public long sync()
    {
        return lastIndex;
    }

    /**
     * @return the checksum stored in the record at {@code index}, for the "committed entries never change" check.
     */
    int checksumAt(final long index)
    {
        return LogEntryCodec.storedChecksum(records, positionOf(index));
    }

    private int positionOf(final long index)
    {
        if (index <= baseIndex || index > lastIndex)
        {
            throw new IllegalStateException(
                "index " + index + " not in the log (" + baseIndex + ", " + lastIndex + "]");
        }
        return positions[slotOf(index)];
    }

    private int slotOf(final long index)
    {
        return (int)(index - origin);
    }
}

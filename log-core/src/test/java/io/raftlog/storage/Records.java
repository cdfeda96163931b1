package io.raftlog.storage;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.LogStore;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Builds batches of log entry records the way the core stages them (heap) or an Aeron receive buffer holds them
 * (off-heap), with payloads derived from index and term so a test can tell which version of an entry it reads.
 */
final class Records
{
    final LogEntryCodec codec = new LogEntryCodec();
    final MutableDirectBuffer batch;
    final UnsafeBuffer payload = new UnsafeBuffer(new byte[1 << 16]);
    int length;
    int count;

    Records(final boolean offHeap, final int capacity)
    {
        batch = offHeap ? new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)) : new ExpandableArrayBuffer(capacity);
    }

    Records()
    {
        this(false, 1 << 16);
    }

    /**
     * Starts a new batch.
     */
    Records clear()
    {
        length = 0;
        count = 0;
        return this;
    }

    /**
     * Adds a record whose payload of {@code payloadLength} bytes is derived from index and term.
     */
    Records add(final long index, final long term, final int payloadLength)
    {
        fillPayload(index, term, payloadLength);
        length += codec.encode(batch, length, index, term, timestampOf(index), EntryType.APPLICATION, payload, 0,
            payloadLength);
        count++;
        return this;
    }

    /**
     * Appends entries {@code from..to} of {@code term} to the store, in batches of up to 16.
     */
    static void append(final LogStore store, final Records records, final long from, final long to, final long term)
    {
        long index = from;
        while (index <= to)
        {
            records.clear();
            for (int i = 0; i < 16 && index <= to; i++, index++)
            {
                records.add(index, term, payloadLengthOf(index));
            }
            store.append(records.batch, 0, records.length, records.count);
        }
    }

    static long timestampOf(final long index)
    {
        return 1_000_000L * index;
    }

    static int payloadLengthOf(final long index)
    {
        return (int)(index * 7 % 97);
    }

    void fillPayload(final long index, final long term, final int payloadLength)
    {
        for (int i = 0; i < payloadLength; i++)
        {
            payload.putByte(i, (byte)(index * 31 + term * 17 + i));
        }
    }

    /**
     * Checks that {@code buffer} at {@code offset} holds the record of {@code index} in {@code term}.
     *
     * @return the record's length.
     */
    int check(final MutableDirectBuffer buffer, final int offset, final long index, final long term)
    {
        final int recordLength = LogEntryCodec.recordLength(buffer, offset);
        if (!codec.isChecksumValid(buffer, offset, recordLength))
        {
            throw new AssertionError("record " + index + ": bad checksum");
        }
        if (LogEntryCodec.index(buffer, offset) != index || LogEntryCodec.term(buffer, offset) != term)
        {
            throw new AssertionError("expected record " + index + " of term " + term + ", found " +
                LogEntryCodec.index(buffer, offset) + " of term " + LogEntryCodec.term(buffer, offset));
        }
        final int payloadLength = LogEntryCodec.payloadLength(buffer, offset);
        fillPayload(index, term, payloadLength);
        for (int i = 0; i < payloadLength; i++)
        {
            if (buffer.getByte(LogEntryCodec.payloadOffset(offset) + i) != payload.getByte(i))
            {
                throw new AssertionError("record " + index + ": payload differs at byte " + i);
            }
        }
        return recordLength;
    }
}

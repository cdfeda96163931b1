package io.raftlog.core;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * The leader's batch: everything offered in one duty cycle, encoded as log records in one preallocated buffer, then
 * appended to the log in one call. The records stay in the buffer after the append, as the last batch, because an
 * up-to-date follower needs exactly those bytes and they need not be read back from the log.
 */
final class EntryBatch
{
    private final ExpandableArrayBuffer buffer;
    private final int capacity;
    private final LogEntryCodec codec = new LogEntryCodec();
    private long firstIndex;
    private int staged;
    private int bytes;
    private int appended;

    EntryBatch(final int capacity)
    {
        this.capacity = capacity;
        this.buffer = new ExpandableArrayBuffer(capacity);
    }

    /**
     * @return the entries staged and not yet appended to the log.
     */
    int staged()
    {
        return staged;
    }

    /**
     * @return whether one more record of {@code payloadLength} bytes fits this cycle's batch.
     */
    boolean fits(final int payloadLength)
    {
        return (staged == 0 ? 0 : bytes) + LogEntryCodec.recordLength(payloadLength) <= capacity;
    }

    /**
     * Encodes one entry at the next index after {@code lastLogIndex} and the entries staged before it.
     *
     * @return its index.
     */
    long stage(
        final long lastLogIndex,
        final long term,
        final long timestamp,
        final EntryType type,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        if (staged == 0)
        {
            bytes = 0;
            appended = 0;
            firstIndex = lastLogIndex + 1;
        }
        final long index = firstIndex + staged;
        bytes += codec.encode(buffer, bytes, index, term, timestamp, type, payload, offset, length);
        staged++;
        return index;
    }

    /**
     * Appends what was staged to the log, in one call.
     *
     * @return whether anything was appended.
     */
    boolean appendTo(final LogStore log)
    {
        if (staged == 0)
        {
            return false;
        }
        log.append(buffer, 0, bytes, staged);
        appended = staged;
        staged = 0;
        return true;
    }

    /**
     * Forgets what was staged and the last batch (the member is no longer leader).
     */
    void discard()
    {
        staged = 0;
        appended = 0;
    }

    /**
     * @return whether the last batch appended starts at {@code index}.
     */
    boolean lastAppendedStartsAt(final long index)
    {
        return appended > 0 && index == firstIndex;
    }

    DirectBuffer records()
    {
        return buffer;
    }

    int lastAppendedBytes()
    {
        return bytes;
    }

    int lastAppendedCount()
    {
        return appended;
    }
}

package io.raftlog.samples;

import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.LogStore;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a member's log from its first entry up to a commit index, as a downstream consumer would, and checks it
 * against the {@link EventLedger}: every record intact (its CRC32C) and at the next index; the application's entries
 * exactly the acknowledged events, each once, in sequence order, each at the index it was acknowledged at; leader
 * no-ops and configurations skipped. It also computes a fingerprint of the records (their checksums, in order), so
 * two members' committed logs can be compared.
 */
final class CommittedLogReplay
{
    private static final int CHUNK_BYTES = 1 << 20;

    private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[CHUNK_BYTES]);
    private final LogEntryCodec codec = new LogEntryCodec();

    long entries;
    long events;
    long noops;
    long configurations;
    long fingerprint;
    String violation;

    /**
     * Replays {@code log} from index 1 to {@code commitIndex}.
     *
     * @return this, with the counts, the fingerprint and the first violation (null if none).
     */
    CommittedLogReplay replay(final LogStore log, final EventLedger ledger, final long commitIndex)
    {
        entries = events = noops = configurations = 0;
        fingerprint = 0xcbf29ce484222325L;
        violation = null;
        if (log.baseIndex() != 0)
        {
            return fail("the log starts after index " + log.baseIndex() + ", not at 1: compacted");
        }
        if (log.lastIndex() < commitIndex)
        {
            return fail("the log ends at index " + log.lastIndex() + ", before the commit index " + commitIndex);
        }
        long expectedSeq = 1;
        long index = 1;
        while (index <= commitIndex)
        {
            final int length = log.copyRecords(index, CHUNK_BYTES, chunk, 0);
            int offset = 0;
            while (offset < length && index <= commitIndex)
            {
                final int recordLength = LogEntryCodec.recordLength(chunk, offset);
                if (recordLength < LogEntryCodec.HEADER_LENGTH || offset + recordLength > length ||
                    !codec.isChecksumValid(chunk, offset, recordLength))
                {
                    return fail("index " + index + ": the record fails its checksum");
                }
                if (LogEntryCodec.index(chunk, offset) != index)
                {
                    return fail("index " + index + ": the record says index " + LogEntryCodec.index(chunk, offset));
                }
                fingerprint = (fingerprint ^ (LogEntryCodec.storedChecksum(chunk, offset) & 0xFFFF_FFFFL)) *
                    0x100000001b3L;
                final short type = LogEntryCodec.entryTypeCode(chunk, offset);
                if (type == EntryType.APPLICATION.value())
                {
                    final long seq = EventPayload.decode(
                        chunk, LogEntryCodec.payloadOffset(offset), LogEntryCodec.payloadLength(chunk, offset));
                    if (seq == EventPayload.NOT_AN_EVENT)
                    {
                        return fail("index " + index + ": an application entry that is not an event");
                    }
                    if (seq != expectedSeq)
                    {
                        return fail("index " + index + ": event " + seq + " where event " + expectedSeq +
                            " was expected" + (seq < expectedSeq ? " (a duplicate)" : ""));
                    }
                    if (seq > ledger.lastAckedSeq())
                    {
                        return fail("index " + index + ": event " + seq + " was never acknowledged");
                    }
                    if (ledger.indexOf(seq) != index)
                    {
                        return fail("index " + index + ": event " + seq + " was acknowledged at index " +
                            ledger.indexOf(seq));
                    }
                    expectedSeq++;
                    events++;
                }
                else if (type == EntryType.NOOP.value())
                {
                    noops++;
                }
                else if (type == EntryType.CONFIGURATION.value())
                {
                    configurations++;
                }
                else
                {
                    return fail("index " + index + ": entry type " + type);
                }
                entries++;
                offset += recordLength;
                index++;
            }
        }
        if (expectedSeq - 1 != ledger.lastAckedSeq())
        {
            return fail("the log holds events 1 to " + (expectedSeq - 1) + " but " + ledger.lastAckedSeq() +
                " were acknowledged");
        }
        return this;
    }

    private CommittedLogReplay fail(final String message)
    {
        violation = message;
        return this;
    }
}

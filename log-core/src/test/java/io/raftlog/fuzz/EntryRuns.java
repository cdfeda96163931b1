package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.EntryType;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.codecs.MembershipConfigurationEncoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.SessionEntry;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes runs of log entry records from fuzz input: intact records with correct checksums (what a peer, honest or
 * not, can always produce, since CRC32C is no signature), of every entry type, with payloads that mean something to
 * the layers that read them (a membership configuration, a session entry), and now and then a record damaged after
 * its checksum was taken.
 */
final class EntryRuns
{
    /** Largest run written; a fuzzed AppendEntries never needs more to reach any branch. */
    static final int MAX_ENTRIES = 6;

    private static final EntryType[] TYPES = {
        EntryType.APPLICATION, EntryType.NOOP, EntryType.CONFIGURATION,
        EntryType.SESSION_OPEN, EntryType.SESSION_APPEND, EntryType.SESSION_CLOSE};

    private final LogEntryCodec codec = new LogEntryCodec();
    private final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(512);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MembershipConfigurationEncoder configuration = new MembershipConfigurationEncoder();
    private int count;

    /**
     * @return records in the last run written.
     */
    int count()
    {
        return count;
    }

    /**
     * Writes a run of records with indices from {@code firstIndex} and terms that start at {@code firstTerm} and
     * never decrease, unless the input says otherwise.
     *
     * @param memberIds ids a configuration payload mostly draws from.
     * @return bytes written.
     */
    int write(
        final FuzzedDataProvider data,
        final MutableDirectBuffer dst,
        final int offset,
        final long firstIndex,
        final long firstTerm,
        final int[] memberIds)
    {
        count = data.consumeInt(0, MAX_ENTRIES);
        long term = firstTerm;
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            final long index = data.consumeInt(0, 15) == 0 ? Draw.near(data, firstIndex + i) : firstIndex + i;
            term = data.consumeInt(0, 3) == 0 ? Draw.near(data, term) : term;
            final EntryType type = data.pickValue(TYPES);
            final int payloadLength = writePayload(data, type, memberIds);
            final int recordOffset = position;
            position += codec.encode(dst, recordOffset, index, term, 0, type, payload, 0, payloadLength);
            damage(data, dst, recordOffset, position - recordOffset);
        }
        return position - offset;
    }

    private int writePayload(final FuzzedDataProvider data, final EntryType type, final int[] memberIds)
    {
        switch (type)
        {
            case CONFIGURATION:
                return data.consumeInt(0, 7) == 0 ? rawPayload(data) : writeConfiguration(data, payload, 0, memberIds);

            case SESSION_APPEND:
            {
                SessionEntry.encodeAppendHeader(payload, 0, Draw.near(data, 1), Draw.near(data, 1));
                final int tail = rawPayload(data, SessionEntry.APPEND_HEADER_LENGTH);
                return data.consumeInt(0, 7) == 0 ? data.consumeInt(0, tail) : tail;
            }

            case SESSION_CLOSE:
                payload.putLong(0, Draw.near(data, 1), SessionEntry.ORDER);
                return data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 16) : SessionEntry.CLOSE_LENGTH;

            case SESSION_OPEN:
            case NOOP:
                return data.consumeInt(0, 7) == 0 ? rawPayload(data) : 0;

            default:
                return rawPayload(data);
        }
    }

    /**
     * A MembershipConfiguration message, header included, as the core writes one; members and flags from the input,
     * so duplicates, id 0, no voters or more members than the core holds all come up.
     *
     * @return its length.
     */
    int writeConfiguration(
        final FuzzedDataProvider data, final MutableDirectBuffer dst, final int offset, final int[] memberIds)
    {
        configuration.wrapAndApplyHeader(dst, offset, header)
            .joint(data.consumeBoolean() ? BooleanType.TRUE : BooleanType.FALSE);
        final int members = data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 70) : data.consumeInt(1, 5);
        final MembershipConfigurationEncoder.MembersEncoder encoder = configuration.membersCount(members);
        for (int i = 0; i < members; i++)
        {
            encoder.next()
                .memberId(data.consumeBoolean() ? memberIds[Math.min(i, memberIds.length - 1)] :
                    Draw.memberId(data, memberIds))
                .voterInOld(data.consumeBoolean() ? BooleanType.TRUE : BooleanType.FALSE)
                .voterInNew(data.consumeBoolean() ? BooleanType.TRUE : BooleanType.FALSE)
                .promote(data.consumeInt(0, 3) == 0 ? BooleanType.TRUE : BooleanType.FALSE)
                .endpoint(data.consumeBoolean() ? "" : "127.0.0.1:" + data.consumeInt(0, 70000));
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + configuration.encodedLength();
        if (data.consumeInt(0, 7) == 0)
        {
            // one byte wrong: a block length, a count, an enum code, a var-data length
            dst.putByte(offset + data.consumeInt(0, length - 1), data.consumeByte());
        }
        return length;
    }

    private int rawPayload(final FuzzedDataProvider data)
    {
        return rawPayload(data, 0);
    }

    private int rawPayload(final FuzzedDataProvider data, final int at)
    {
        final byte[] bytes = data.consumeBytes(Draw.length(data, 256));
        payload.putBytes(at, bytes);
        return at + bytes.length;
    }

    /**
     * Rarely, one byte of the record changes after its checksum was taken: a corrupt record that must be refused.
     */
    private static void damage(
        final FuzzedDataProvider data, final MutableDirectBuffer dst, final int offset, final int length)
    {
        if (data.consumeInt(0, 15) == 0)
        {
            final int at = offset + data.consumeInt(0, length - 1);
            dst.putByte(at, (byte)(dst.getByte(at) ^ (1 << data.consumeInt(0, 7))));
        }
    }
}

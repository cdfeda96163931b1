package io.raftlog.sim;

import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.LogStore;
import io.raftlog.core.TermHistory;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A simulated disk holding the log the way the real store does: an append-only stream of frames, where dropping a
 * conflicting suffix is itself an appended TRUNCATE frame, and an index from Raft index to stream position that is
 * rebuilt by scanning on start. Writes are volatile until {@link #sync()}; a {@link #crash} keeps only what was
 * synced, plus perhaps a prefix of what was not (cut anywhere, even inside a frame), and recovery cuts back a torn
 * or corrupt tail.
 *
 * <pre>
 *   frame: | length (int32, of the body) | type (int32) | body ... |
 *   ENTRY body: one log entry record (LogEntryCodec layout)
 *   TRUNCATE body: the first index dropped (int64)
 *   BASE body: base index, base term, prefix hash at the base (int64 each), kind (int64: COMPACT keeps the
 *              entries after the base, RESET drops them all)
 * </pre>
 *
 * It also keeps a rolling hash of each prefix of the log, so the simulator checks log matching in O(1).
 */
public final class SimLogStore implements io.raftlog.core.DurableLogStore
{
    static final int FRAME_HEADER = 8;
    static final int ENTRY = 1;
    static final int TRUNCATE = 2;
    static final int BASE = 3;
    static final long COMPACT = 1;
    static final long RESET = 2;

    /** Told of each entry as it is appended, for the log-matching check. */
    public interface AppendObserver
    {
        void onAppend(SimLogStore store, long index, long term, long prefixHash);
    }

    private final ExpandableArrayBuffer stream;
    private final TermHistory terms = new TermHistory();
    private final LogEntryCodec codec = new LogEntryCodec();
    private final int memberId;
    private AppendObserver observer;
    private int writePosition;
    private int durablePosition;
    private long[] positions;
    private long[] prefixHashes;
    private long lastIndex;
    private long baseIndex;
    private long tornTailsRepaired;

    public SimLogStore(final int memberId, final int initialStreamBytes, final int initialEntries)
    {
        this.memberId = memberId;
        this.stream = new ExpandableArrayBuffer(initialStreamBytes);
        this.positions = new long[initialEntries + 1];
        this.prefixHashes = new long[initialEntries + 1];
        terms.reset(0, 0);
    }

    public void observer(final AppendObserver observer)
    {
        this.observer = observer;
    }

    public int memberId()
    {
        return memberId;
    }

    public long lastIndex()
    {
        return lastIndex;
    }

    public long baseIndex()
    {
        return baseIndex;
    }

    public long timestampAt(final long index)
    {
        return LogEntryCodec.timestamp(stream, (int)positions[(int)index]);
    }

    public long bytesFrom(final long index)
    {
        if (index > lastIndex)
        {
            return 0;
        }
        final int last = (int)positions[(int)lastIndex];
        return last + LogEntryCodec.recordLength(stream, last) - (positions[(int)index] - FRAME_HEADER);
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
        writeBase(index, terms.termAt(index), prefixHash(index), COMPACT);
        terms.compactTo(index);
        baseIndex = index;
        durablePosition = writePosition; // the store's contract: durable before returning
    }

    public void reset(final long baseIndex, final long baseTerm)
    {
        // the prefix hash at the base comes from the snapshot; the simulated application sets it
        writeBase(baseIndex, baseTerm, 0, RESET);
        applyReset(baseIndex, baseTerm, 0);
        durablePosition = writePosition;
    }

    /**
     * The installed snapshot says what the log up to the base held, as a prefix hash.
     */
    public void basePrefixHash(final long hash)
    {
        ensureIndexCapacity(baseIndex);
        prefixHashes[(int)baseIndex] = hash;
        // keep it across recovery: rewrite the base frame with the hash
        writeBase(baseIndex, terms.termAt(baseIndex), hash, COMPACT);
        durablePosition = writePosition;
    }

    private void applyReset(final long index, final long term, final long prefix)
    {
        terms.reset(index, term);
        baseIndex = index;
        lastIndex = index;
        ensureIndexCapacity(index);
        prefixHashes[(int)index] = prefix;
    }

    private void writeBase(final long index, final long term, final long prefix, final long kind)
    {
        stream.putInt(writePosition, 32);
        stream.putInt(writePosition + 4, BASE);
        stream.putLong(writePosition + FRAME_HEADER, index);
        stream.putLong(writePosition + FRAME_HEADER + 8, term);
        stream.putLong(writePosition + FRAME_HEADER + 16, prefix);
        stream.putLong(writePosition + FRAME_HEADER + 24, kind);
        writePosition += FRAME_HEADER + 32;
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

    public void append(final DirectBuffer records, final int offset, final int length, final int count)
    {
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            final int recordLength = LogEntryCodec.recordLength(records, position);
            final long index = LogEntryCodec.index(records, position);
            if (index != lastIndex + 1)
            {
                throw new IllegalStateException("append of " + index + " after " + lastIndex);
            }
            final int framePosition = writePosition;
            stream.putInt(framePosition, recordLength);
            stream.putInt(framePosition + 4, ENTRY);
            stream.putBytes(framePosition + FRAME_HEADER, records, position, recordLength);
            writePosition += FRAME_HEADER + recordLength;
            indexEntry(framePosition + FRAME_HEADER, index, LogEntryCodec.term(records, position),
                LogEntryCodec.storedChecksum(records, position));
            position += recordLength;
        }
        if (position != offset + length)
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
        stream.putInt(writePosition, 8);
        stream.putInt(writePosition + 4, TRUNCATE);
        stream.putLong(writePosition + FRAME_HEADER, index);
        writePosition += FRAME_HEADER + 8;
        lastIndex = index - 1;
        terms.truncateFrom(index);
    }

    public int copyRecords(final long fromIndex, final int maxBytes, final MutableDirectBuffer dst, final int dstOffset)
    {
        if (fromIndex <= baseIndex)
        {
            throw new IllegalStateException("copy from " + fromIndex + " at or below the base " + baseIndex);
        }
        int copied = 0;
        for (long index = fromIndex; index <= lastIndex; index++)
        {
            final int position = (int)positions[(int)index];
            final int recordLength = stream.getInt(position - FRAME_HEADER);
            if (copied > 0 && copied + recordLength > maxBytes)
            {
                break;
            }
            dst.putBytes(dstOffset + copied, stream, position, recordLength);
            copied += recordLength;
        }
        return copied;
    }

    /**
     * Makes everything written so far durable.
     *
     * @return the index up to which the current log is now durable.
     */
    public long sync()
    {
        durablePosition = writePosition;
        return lastIndex;
    }

    public boolean hasUnsyncedWrites()
    {
        return writePosition != durablePosition;
    }

    /**
     * @return the index up to which the current log is durable.
     */
    public long durableIndex()
    {
        if (durablePosition == writePosition)
        {
            return lastIndex;
        }
        // positions of the current log increase with the index: the durable entries are a prefix
        long low = baseIndex;
        long high = lastIndex;
        while (low < high)
        {
            final long mid = (low + high + 1) >>> 1;
            final int end = (int)positions[(int)mid] + stream.getInt((int)positions[(int)mid] - FRAME_HEADER);
            if (end <= durablePosition)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return low;
    }

    /**
     * The process dies: unsynced writes are lost, except perhaps a prefix of them, cut anywhere.
     */
    public void crash(final SplittableRandom random, final boolean keepSomeUnsynced)
    {
        int survivor = durablePosition;
        if (keepSomeUnsynced && writePosition > durablePosition)
        {
            survivor = durablePosition + random.nextInt(writePosition - durablePosition + 1);
        }
        // bytes past the survivor are garbage from the disk's point of view
        for (int i = survivor; i < writePosition; i++)
        {
            stream.putByte(i, (byte)0);
        }
        writePosition = survivor;
        durablePosition = survivor;
        recover();
    }

    /**
     * Rebuilds the index by scanning the stream, obeying TRUNCATE frames, and cuts the stream at the first frame
     * that is incomplete or fails its checksum (a torn tail).
     */
    public void recover()
    {
        // entries a later TRUNCATE frame drops are seen on the way: they were checked when first appended
        final AppendObserver observer = this.observer;
        this.observer = null;
        try
        {
            scan();
        }
        finally
        {
            this.observer = observer;
        }
    }

    private void scan()
    {
        lastIndex = 0;
        baseIndex = 0;
        terms.reset(0, 0);
        int position = 0;
        final int end = writePosition;
        while (position + FRAME_HEADER <= end)
        {
            final int length = stream.getInt(position);
            final int type = stream.getInt(position + 4);
            final int body = position + FRAME_HEADER;
            if (length <= 0 || body + length > end)
            {
                break;
            }
            if (type == ENTRY)
            {
                if (length < LogEntryCodec.HEADER_LENGTH ||
                    LogEntryCodec.recordLength(stream, body) != length ||
                    !codec.isChecksumValid(stream, body, length) ||
                    LogEntryCodec.index(stream, body) != lastIndex + 1)
                {
                    break;
                }
                indexEntry(body, lastIndex + 1, LogEntryCodec.term(stream, body), LogEntryCodec.storedChecksum(stream, body));
            }
            else if (type == BASE && length == 32)
            {
                final long index = stream.getLong(body);
                final long term = stream.getLong(body + 8);
                final long prefix = stream.getLong(body + 16);
                final long kind = stream.getLong(body + 24);
                if (kind == COMPACT && index >= baseIndex && index <= lastIndex && terms.termAt(index) == term)
                {
                    terms.compactTo(index);
                    baseIndex = index;
                    prefixHashes[(int)index] = prefix != 0 ? prefix : prefixHashes[(int)index];
                }
                else if (kind == RESET || (kind == COMPACT && index == baseIndex))
                {
                    applyReset(index, term, prefix);
                }
                else
                {
                    break;
                }
            }
            else if (type == TRUNCATE && length == 8)
            {
                final long from = stream.getLong(body);
                if (from <= baseIndex || from > lastIndex + 1)
                {
                    break;
                }
                if (from <= lastIndex)
                {
                    lastIndex = from - 1;
                    terms.truncateFrom(from);
                }
            }
            else
            {
                break;
            }
            position = body + length;
        }
        if (position != writePosition)
        {
            tornTailsRepaired++;
            for (int i = position; i < writePosition; i++)
            {
                stream.putByte(i, (byte)0);
            }
        }
        writePosition = position;
        durablePosition = position;
    }

    public long tornTailsRepaired()
    {
        return tornTailsRepaired;
    }

    /**
     * @return a hash of entries 1..index (0 for the empty prefix), equal on two members iff their logs agree there
     * (barring hash collisions).
     */
    public long prefixHash(final long index)
    {
        if (index <= 0)
        {
            return 0;
        }
        return prefixHashes[(int)index];
    }

    /**
     * Copies the payload of the entry at {@code index}, for tests.
     */
    public byte[] payloadAt(final long index)
    {
        checkInLog(index);
        final int position = (int)positions[(int)index];
        final byte[] bytes = new byte[LogEntryCodec.payloadLength(stream, position)];
        stream.getBytes(LogEntryCodec.payloadOffset(position), bytes);
        return bytes;
    }

    /**
     * @return the first 8 bytes of the payload at {@code index} (the workload's unique id), or -1 if shorter.
     */
    public long payloadIdAt(final long index)
    {
        checkInLog(index);
        final int position = (int)positions[(int)index];
        if (LogEntryCodec.payloadLength(stream, position) < 8)
        {
            return -1;
        }
        return stream.getLong(LogEntryCodec.payloadOffset(position));
    }

    public int checksumAt(final long index)
    {
        checkInLog(index);
        return LogEntryCodec.storedChecksum(stream, (int)positions[(int)index]);
    }

    public int entryTypeAt(final long index)
    {
        checkInLog(index);
        return LogEntryCodec.entryTypeCode(stream, (int)positions[(int)index]);
    }

    private void checkInLog(final long index)
    {
        if (index <= baseIndex || index > lastIndex)
        {
            throw new IllegalStateException("index " + index + " not in the log (" + baseIndex + ", " + lastIndex + "]");
        }
    }

    private void ensureIndexCapacity(final long index)
    {
        if (index >= positions.length)
        {
            final int capacity = Math.max((int)index + 1, positions.length * 2);
            positions = Arrays.copyOf(positions, capacity);
            prefixHashes = Arrays.copyOf(prefixHashes, capacity);
        }
    }

    private void indexEntry(final int position, final long index, final long term, final int checksum)
    {
        ensureIndexCapacity(index);
        positions[(int)index] = position;
        final long prefix = mix(prefixHash(index - 1), term, checksum);
        prefixHashes[(int)index] = prefix;
        lastIndex = index;
        terms.append(index, term);
        if (observer != null)
        {
            observer.onAppend(this, index, term, prefix);
        }
    }

    private static long mix(final long previous, final long term, final int checksum)
    {
        long h = previous * 0x9E3779B97F4A7C15L + term;
        h ^= h >>> 29;
        h = h * 0xBF58476D1CE4E5B9L + (checksum & 0xFFFFFFFFL);
        h ^= h >>> 32;
        return h;
    }
}

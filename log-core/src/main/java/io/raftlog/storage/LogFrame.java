package io.raftlog.storage;

import io.raftlog.core.TermHistory;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The frames {@link ChronicleLogStore} keeps, one per Chronicle document, and a codec for its control frames. Every
 * frame starts with its type; an ENTRY carries a log entry record exactly as it was received or staged (its own
 * CRC32C covers it); a control frame carries a CRC32C of its type and fields, so a torn or flipped control frame is
 * caught like a torn entry.
 * <pre>
 *   Chronicle document:  | Chronicle header (int32: length, flags) | frame ... |
 *
 *   ENTRY       | type=1 | log entry record (LogEntryCodec: crc32c, type, index, term, timestamp, payload) |
 *   TRUNCATE    | type=2 | crc | from index (int64) |                      the entries from `from` on are dropped
 *   BASE        | type=3 | crc | index | term | kind (int64: 1 COMPACT, 2 RESET) |
 *                                                 COMPACT: index becomes the base, later entries stay;
 *                                                 RESET: the log is empty after index (a snapshot was installed)
 *   VOID        | type=4 | crc | first void queue index | last index kept |
 *                                                 written when opening cut a torn or corrupt tail back: the documents
 *                                                 from that queue index up to this frame are not part of the log
 *   CHECKPOINT  | type=5 | crc | base index | base term | last index | run count (int32) | runs: start, term ... |
 *                                                 the first frame of every cycle file: the log's state before it, so
 *                                                 a scan can start at any cycle file once older ones are deleted
 *   0        4       8                                                   (offsets in the frame, little-endian)
 * </pre>
 * The crc covers bytes [0, 4) and [8, end) of a control frame. One instance per thread (it owns a CRC32C and a
 * scratch buffer); control frames are built and checked in the scratch buffer, then copied.
 */
final class LogFrame
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int ENTRY = 1;
    static final int TRUNCATE = 2;
    static final int BASE = 3;
    static final int VOID = 4;
    static final int CHECKPOINT = 5;

    static final long COMPACT = 1;
    static final long RESET = 2;

    static final int TYPE_OFFSET = 0;
    static final int TYPE_LENGTH = 4;
    static final int CRC_OFFSET = 4;
    static final int FIELDS_OFFSET = 8;

    static final int TRUNCATE_LENGTH = FIELDS_OFFSET + 8;
    static final int BASE_LENGTH = FIELDS_OFFSET + 24;
    static final int VOID_LENGTH = FIELDS_OFFSET + 16;
    static final int CHECKPOINT_RUNS_OFFSET = FIELDS_OFFSET + 28;
    static final int CHECKPOINT_RUN_LENGTH = 16;

    /**
     * What an entry costs on disk beyond its record: Chronicle's document header and the frame type (the
     * {@link io.raftlog.core.RetainedLog#bytesFrom} unit; Chronicle's 4-byte alignment padding is not counted).
     */
    static final int ENTRY_OVERHEAD = 4 + TYPE_LENGTH;

    private final CRC32C crc = new CRC32C();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private int length;

    /**
     * @return the frame built or loaded last.
     */
    DirectBuffer buffer()
    {
        return scratch;
    }

    int length()
    {
        return length;
    }

    int encodeTruncate(final long fromIndex)
    {
        start(TRUNCATE);
        scratch.putLong(FIELDS_OFFSET, fromIndex, ORDER);
        return finish(TRUNCATE_LENGTH);
    }

    int encodeBase(final long index, final long term, final long kind)
    {
        start(BASE);
        scratch.putLong(FIELDS_OFFSET, index, ORDER);
        scratch.putLong(FIELDS_OFFSET + 8, term, ORDER);
        scratch.putLong(FIELDS_OFFSET + 16, kind, ORDER);
        return finish(BASE_LENGTH);
    }

    int encodeVoid(final long firstVoidQueueIndex, final long lastIndexKept)
    {
        start(VOID);
        scratch.putLong(FIELDS_OFFSET, firstVoidQueueIndex, ORDER);
        scratch.putLong(FIELDS_OFFSET + 8, lastIndexKept, ORDER);
        return finish(VOID_LENGTH);
    }

    /**
     * A checkpoint of a log: its base, its last index, and where each term starts in between (few: terms change
     * only on elections).
     */
    int encodeCheckpoint(final TermHistory terms, final long baseIndex, final long lastIndex)
    {
        start(CHECKPOINT);
        scratch.putLong(FIELDS_OFFSET, baseIndex, ORDER);
        scratch.putLong(FIELDS_OFFSET + 8, terms.termAt(baseIndex), ORDER);
        scratch.putLong(FIELDS_OFFSET + 16, lastIndex, ORDER);
        int runs = 0;
        long index = baseIndex + 1;
        while (index <= lastIndex)
        {
            final long term = terms.termAt(index);
            final int at = CHECKPOINT_RUNS_OFFSET + runs * CHECKPOINT_RUN_LENGTH;
            scratch.putLong(at, index, ORDER);
            scratch.putLong(at + 8, term, ORDER);
            runs++;
            index = terms.lastIndexOfTerm(term) + 1;
        }
        scratch.putInt(FIELDS_OFFSET + 24, runs, ORDER);
        return finish(CHECKPOINT_RUNS_OFFSET + runs * CHECKPOINT_RUN_LENGTH);
    }

    /**
     * Copies a control frame into the scratch buffer and checks its length and CRC.
     *
     * @return true if it is an intact control frame of a known type.
     */
    boolean loadControl(final DirectBuffer src, final int offset, final int frameLength)
    {
        length = 0;
        if (frameLength < FIELDS_OFFSET)
        {
            return false;
        }
        scratch.putBytes(0, src, offset, frameLength);
        final int type = scratch.getInt(TYPE_OFFSET, ORDER);
        final boolean lengthFits;
        switch (type)
        {
            case TRUNCATE:
                lengthFits = frameLength == TRUNCATE_LENGTH;
                break;
            case BASE:
                lengthFits = frameLength == BASE_LENGTH;
                break;
            case VOID:
                lengthFits = frameLength == VOID_LENGTH;
                break;
            case CHECKPOINT:
                lengthFits = frameLength >= CHECKPOINT_RUNS_OFFSET &&
                    (frameLength - CHECKPOINT_RUNS_OFFSET) % CHECKPOINT_RUN_LENGTH == 0 &&
                    scratch.getInt(FIELDS_OFFSET + 24, ORDER) ==
                    (frameLength - CHECKPOINT_RUNS_OFFSET) / CHECKPOINT_RUN_LENGTH;
                break;
            default:
                lengthFits = false;
        }
        if (!lengthFits || scratch.getInt(CRC_OFFSET, ORDER) != checksum(frameLength))
        {
            return false;
        }
        length = frameLength;
        return true;
    }

    int type()
    {
        return scratch.getInt(TYPE_OFFSET, ORDER);
    }

    /**
     * @return the n-th int64 field of the loaded frame (TRUNCATE: from; BASE: index, term, kind; VOID: first void
     * queue index, last index kept; CHECKPOINT: base index, base term, last index).
     */
    long field(final int n)
    {
        return scratch.getLong(FIELDS_OFFSET + 8 * n, ORDER);
    }

    int checkpointRuns()
    {
        return scratch.getInt(FIELDS_OFFSET + 24, ORDER);
    }

    long checkpointRunStart(final int run)
    {
        return scratch.getLong(CHECKPOINT_RUNS_OFFSET + run * CHECKPOINT_RUN_LENGTH, ORDER);
    }

    long checkpointRunTerm(final int run)
    {
        return scratch.getLong(CHECKPOINT_RUNS_OFFSET + run * CHECKPOINT_RUN_LENGTH + 8, ORDER);
    }

    private void start(final int type)
    {
        scratch.putInt(TYPE_OFFSET, type, ORDER);
    }

    private int finish(final int frameLength)
    {
        scratch.putInt(CRC_OFFSET, checksum(frameLength), ORDER);
        length = frameLength;
        return frameLength;
    }

    private int checksum(final int frameLength)
    {
        final byte[] array = scratch.byteArray();
        crc.reset();
        crc.update(array, TYPE_OFFSET, TYPE_LENGTH);
        crc.update(array, FIELDS_OFFSET, frameLength - FIELDS_OFFSET);
        return (int)crc.getValue();
    }
}

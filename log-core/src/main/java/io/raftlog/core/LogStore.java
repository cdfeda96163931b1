package io.raftlog.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The core's view of its log: a sequence of entry records with consecutive indices. Writes need not be durable
 * when they return; the runtime tells the core how far the log is durable with
 * {@link RaftCore#onLogDurable(long)}, and the core answers for nothing beyond that.
 * <p>
 * Index 0 is the empty prefix, with term 0.
 */
public interface LogStore
{
    /**
     * @return the index of the last entry, or 0 when the log is empty.
     */
    long lastIndex();

    /**
     * @return the term of the entry at {@code index}, 0 for index 0, for any index in [0, lastIndex()].
     */
    long termAt(long index);

    /**
     * @return the first index holding an entry of {@code term}, or 0 when the log holds none of that term.
     */
    long firstIndexOfTerm(long term);

    /**
     * @return the last index holding an entry of {@code term}, or 0 when the log holds none of that term.
     */
    long lastIndexOfTerm(long term);

    /**
     * Appends {@code count} records, the first of which has index {@code lastIndex() + 1}.
     */
    void append(DirectBuffer records, int offset, int length, int count);

    /**
     * Drops the entries from {@code index} to the end. Only ever called for entries that are not committed.
     */
    void truncateFrom(long index);

    /**
     * Copies whole records starting at {@code fromIndex} into {@code dst}: as many as fit in {@code maxBytes},
     * and always at least one.
     *
     * @return the number of bytes copied.
     */
    int copyRecords(long fromIndex, int maxBytes, MutableDirectBuffer dst, int dstOffset);
}

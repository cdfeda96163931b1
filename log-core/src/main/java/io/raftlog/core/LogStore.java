package io.raftlog.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The core's view of its log: a sequence of entry records with consecutive indices. Writes need not be durable
 * when they return; the runtime tells the core how far the log is durable with
 * {@link RaftCore#onLogDurable(long, long)}, and the core answers for nothing beyond that.
 * <p>
 * Index 0 is the empty prefix, with term 0. After compaction the log starts after {@link #baseIndex()}; the base
 * (its index and term) is durable, as is everything compaction or a snapshot install says.
 */
public interface LogStore extends RetainedLog
{
    /**
     * @return the index just before the first entry kept: 0 for a log never compacted, else the index of the
     * snapshot the log was compacted to. {@link #termAt(long)} answers for it.
     */
    long baseIndex();

    /**
     * @return the index of the last entry, or 0 when the log is empty.
     */
    long lastIndex();

    /**
     * @return the term of the entry at {@code index} for any index in [baseIndex(), lastIndex()] (0 for index 0),
     * or -1 outside that range.
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
     * Entries up to and including {@code index} (committed and covered by a snapshot) may be dropped:
     * {@code index} becomes the base. Durable before returning.
     */
    void compactTo(long index);

    /**
     * Drops every entry: the log is now empty and starts after {@code baseIndex}, whose term is {@code baseTerm}
     * (a snapshot installed from the leader replaced it). Durable before returning.
     */
    void reset(long baseIndex, long baseTerm);

    /**
     * Copies whole records starting at {@code fromIndex} into {@code dst}: as many as fit in {@code maxBytes},
     * and always at least one.
     *
     * @return the number of bytes copied.
     */
    int copyRecords(long fromIndex, int maxBytes, MutableDirectBuffer dst, int dstOffset);
}

package io.raftlog.storage;

import io.raftlog.core.TermHistory;

/**
 * The log as its frames describe it: base, last index, where each term starts, and the document of each entry. Both
 * the store's write path and the recovery scan change it through the same four operations, so what a scan rebuilds
 * is what the writes built.
 */
final class LogIndex
{
    private final TermHistory terms = new TermHistory();
    private final RaftIndexMap map;
    private long baseIndex;
    private long lastIndex;

    LogIndex(final int initialEntries)
    {
        map = new RaftIndexMap(initialEntries);
        reset(0, 0);
    }

    long baseIndex()
    {
        return baseIndex;
    }

    long lastIndex()
    {
        return lastIndex;
    }

    long lastTerm()
    {
        return terms.lastTerm();
    }

    TermHistory terms()
    {
        return terms;
    }

    RaftIndexMap map()
    {
        return map;
    }

    /**
     * The entry at {@code index}, of {@code term}, is document {@code queueIndex}.
     */
    void append(final long index, final long term, final long queueIndex, final int recordLength)
    {
        terms.append(index, term);
        map.append(index, queueIndex, recordLength + LogFrame.ENTRY_OVERHEAD);
        lastIndex = index;
    }

    /**
     * An entry a CHECKPOINT lists whose document lies in a cycle file deleted by compaction: it must be dropped by a
     * later BASE frame before the scan ends.
     */
    void appendUnknown(final long index, final long term)
    {
        terms.append(index, term);
        map.append(index, RaftIndexMap.UNKNOWN, 0);
        lastIndex = index;
    }

    void truncateFrom(final long index)
    {
        terms.truncateFrom(index);
        map.truncateFrom(index);
        lastIndex = index - 1;
    }

    void compactTo(final long index)
    {
        terms.compactTo(index);
        map.compactTo(index);
        baseIndex = index;
    }

    void reset(final long index, final long term)
    {
        terms.reset(index, term);
        map.reset(index);
        baseIndex = index;
        lastIndex = index;
    }
}

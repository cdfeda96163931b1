package io.raftlog.core;

/**
 * What a retention policy needs to know of a log: where it starts and ends, how old and how large its entries are.
 */
public interface RetainedLog
{
    long baseIndex();

    long lastIndex();

    /**
     * @return the timestamp the leader gave the entry at {@code index} (in (baseIndex, lastIndex]).
     */
    long timestampAt(long index);

    /**
     * @return the bytes the log holds from {@code index} (in (baseIndex, lastIndex + 1]) to its end.
     */
    long bytesFrom(long index);
}

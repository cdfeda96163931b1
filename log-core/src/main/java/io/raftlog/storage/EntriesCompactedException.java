package io.raftlog.storage;

import java.nio.file.Path;

/**
 * A {@link CommittedLogReader} fell so far behind that the node deleted, by compaction, the cycle files holding
 * entries it had not delivered yet. Nothing is damaged: the entries were committed, and the node keeps their effect
 * in its snapshot; this reader can no longer read them. It is thrown by every poll until the reader is moved past
 * the gap ({@link CommittedLogReader#seek} to {@link #firstRetainedIndex()}), so a consumer never passes over lost
 * entries without being told.
 */
public final class EntriesCompactedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The oldest entry still in the log is not known. */
    public static final long UNKNOWN = 0;

    private final transient Path directory;
    private final long firstMissingIndex;
    private final long firstRetainedIndex;

    public EntriesCompactedException(final Path directory, final long firstMissingIndex, final long firstRetainedIndex)
    {
        super(message(directory, firstMissingIndex, firstRetainedIndex));
        this.directory = directory;
        this.firstMissingIndex = firstMissingIndex;
        this.firstRetainedIndex = firstRetainedIndex;
    }

    private static String message(final Path directory, final long firstMissing, final long firstRetained)
    {
        return "entries from index " + firstMissing + " were compacted away from " + directory +
            " before this reader delivered them (the node deleted the cycle files holding them)" +
            (firstRetained == UNKNOWN ? "" : "; its log keeps entries from index " + firstRetained + " on") +
            ". Read on from " + (firstRetained == UNKNOWN ? "the oldest entry left" : "index " + firstRetained) +
            " to accept the gap, or keep readers within the entries the node retains behind its snapshots";
    }

    /**
     * @return the log directory the reader reads.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the first index the reader was due to deliver and cannot: the start of the gap.
     */
    public long firstMissingIndex()
    {
        return firstMissingIndex;
    }

    /**
     * @return the first index the log still holds after the gap, or {@link #UNKNOWN}.
     */
    public long firstRetainedIndex()
    {
        return firstRetainedIndex;
    }
}

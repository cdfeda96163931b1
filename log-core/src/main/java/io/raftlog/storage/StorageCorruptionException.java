package io.raftlog.storage;

import java.nio.file.Path;

/**
 * Opening found stored state damaged where it may not be repaired silently: a record at or below the commit index
 * the node last recorded, or a metadata or snapshot file that existed but cannot be read. The message names the
 * file, the position and the reason; the fields carry them for tools.
 */
public final class StorageCorruptionException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** No Raft index applies (a metadata or snapshot file). */
    public static final long NO_INDEX = -1;

    private final transient Path file;
    private final long index;
    private final String reason;

    public StorageCorruptionException(final Path file, final long index, final String reason)
    {
        super(message(file, index, reason));
        this.file = file;
        this.index = index;
        this.reason = reason;
    }

    public StorageCorruptionException(final Path file, final long index, final String reason, final Throwable cause)
    {
        super(message(file, index, reason), cause);
        this.file = file;
        this.index = index;
        this.reason = reason;
    }

    private static String message(final Path file, final long index, final String reason)
    {
        return "corrupt storage in " + file + (index == NO_INDEX ? "" : " at index " + index) + ": " + reason;
    }

    /**
     * @return the damaged file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return the Raft index of the damaged record, or {@link #NO_INDEX}.
     */
    public long index()
    {
        return index;
    }

    /**
     * @return what is wrong, without the file and index.
     */
    public String reason()
    {
        return reason;
    }
}

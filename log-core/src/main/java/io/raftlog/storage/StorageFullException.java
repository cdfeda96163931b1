package io.raftlog.storage;

import java.nio.file.Path;

/**
 * The device holding the log has no room for what was to be appended. Thrown before any of it was written: the log
 * on disk is as it was, and appends succeed again once there is room. A node cannot go on without appending (it
 * could answer nothing it is asked to store), so it stops; restarted once space is freed, it recovers its log as
 * after any stop and catches up from the leader.
 */
public final class StorageFullException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path directory;
    private final long bytesWanted;

    public StorageFullException(final Path directory, final long bytesWanted, final String reason, final Throwable cause)
    {
        super("no room on the device of " + directory + " for " + bytesWanted + " more bytes of log (" + reason +
            "); nothing of what was to be appended was written", cause);
        this.directory = directory;
        this.bytesWanted = bytesWanted;
    }

    /**
     * @return the log directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the bytes the store tried to claim.
     */
    public long bytesWanted()
    {
        return bytesWanted;
    }
}

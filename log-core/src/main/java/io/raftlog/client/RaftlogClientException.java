package io.raftlog.client;

/**
 * A client could not do what was asked: no leader within its timeout, a session the cluster no longer knows, or a
 * member that refused the request. The message says which, for a person to read.
 */
public final class RaftlogClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public RaftlogClientException(final String message)
    {
        super(message);
    }
}

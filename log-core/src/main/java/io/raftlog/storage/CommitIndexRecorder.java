package io.raftlog.storage;

import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;

/**
 * The node's {@link RaftListener} that records its commit index in the metadata file ({@link FileMetaStore}) and
 * hands every call on to the application's listener. Give it to the node ({@code NodeContext.listener}) in place of
 * the application's listener, so that any embedding application's node keeps the record that two readers of its
 * directory rely on:
 * <ul>
 *     <li>recovery: the recorded index becomes the log's {@link ChronicleLogStore.Context#committedIndexHint}, so
 *     damage at or below it fails opening instead of being cut off as a torn tail;</li>
 *     <li>the {@link CommittedLogReader} of a node that does not run ({@link MetaFileCommitIndex}), and the fallback
 *     of one that followed the node's commit-index counter when the node stops.</li>
 * </ul>
 * {@link FileMetaStore#recordCommitIndex} writes lazily (at most once per interval, unforced) and
 * {@link FileMetaStore#close} writes the latest, forced: a reader of a node that was stopped cleanly sees its final
 * commit index; after a crash, a lower one (never a higher one). Nothing is allocated per call.
 * <p>
 * Called on the node's thread, like every listener. The metadata store is the caller's to close.
 */
public final class CommitIndexRecorder implements RaftListener
{
    private final FileMetaStore meta;
    private RaftListener listener;

    /**
     * @param meta     the node's metadata store (the same the node stores term and vote in).
     * @param listener the application's listener, or null for none.
     */
    public CommitIndexRecorder(final FileMetaStore meta, final RaftListener listener)
    {
        if (meta == null)
        {
            throw new IllegalArgumentException("meta must be set");
        }
        this.meta = meta;
        listener(listener);
    }

    public CommitIndexRecorder(final FileMetaStore meta)
    {
        this(meta, null);
    }

    /**
     * Replaces the listener the calls are handed on to (null: none). Before the node starts, or on its thread.
     */
    public CommitIndexRecorder listener(final RaftListener listener)
    {
        this.listener = listener == null ? RaftListener.NO_OP : listener;
        return this;
    }

    public RaftListener listener()
    {
        return listener;
    }

    public FileMetaStore meta()
    {
        return meta;
    }

    /**
     * Records {@code commitIndex} (lazily), then tells the application.
     */
    public void onCommit(final long commitIndex)
    {
        meta.recordCommitIndex(commitIndex);
        listener.onCommit(commitIndex);
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        listener.onRoleChange(role, term, leaderId);
    }

    public void onSnapshotInstalled(final long index, final long term)
    {
        listener.onSnapshotInstalled(index, term);
    }
}

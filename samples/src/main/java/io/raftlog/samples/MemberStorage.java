package io.raftlog.samples;

import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.core.DurableLogStore;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.CommitIndexRecorder;
import io.raftlog.storage.Durability;
import io.raftlog.storage.FileMetaStore;
import io.raftlog.storage.FileSnapshotStore;
import org.agrona.CloseHelper;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A member's data directory and the three stores in it:
 * <pre>
 *   DIR/meta       term, vote and the last recorded commit index (FileMetaStore, forced before a vote is answered)
 *   DIR/snapshot   the latest snapshot, if any (FileSnapshotStore)
 *   DIR/log/       the log, one Chronicle Queue (ChronicleLogStore)
 *   DIR/node       where the running node publishes its counters: its member id and media driver directory
 *                  (written at each start), so that {@code replay} finds the live commit-index counter by itself
 * </pre>
 * Opening order matters: the metadata file is created before the log directory, so a log (or a snapshot) without a
 * metadata file is damage (a member must never restart at term 0 with its vote forgotten) and fails opening, as does
 * a metadata file whose term is below the last term in the log (the core stores a term before it accepts entries
 * of it, so the file lost a record). The commit index the metadata file recorded becomes the log's
 * {@code committedIndexHint}: damage at or below it fails opening instead of being cut off.
 * <p>
 * {@link #inspect} tells a directory with no member state in it ({@link State#EMPTY}: absent, empty, or holding only
 * the counter note) from one with state. An empty directory is either a brand-new member or one whose data was
 * lost; nothing in it can tell which, so the caller decides (see {@code node --bootstrap}).
 * <p>
 * It is also the node's {@link RaftListener}, through log-core's {@link CommitIndexRecorder}: it records commit
 * indices in the metadata file (lazily, at most once a second; forced at close) for recovery and for readers of the
 * committed log when the node does not run, and hands every call on to the application's listener.
 */
public final class MemberStorage implements RaftListener, AutoCloseable
{
    static final String META = "meta";
    static final String LOG = "log";
    static final String NODE = "node";

    private final Path directory;
    private final FileMetaStore meta;
    private final FileSnapshotStore snapshots;
    private final ChronicleLogStore log;
    private final boolean existed;
    private final CommitIndexRecorder recorder;

    /**
     * What a data directory holds.
     */
    enum State
    {
        /** No metadata file, log or snapshot: a new member, or one whose data was lost. */
        EMPTY,
        /** A member's state (whether it is intact, opening tells). */
        MEMBER
    }

    /**
     * @return whether {@code directory} holds any member state.
     */
    static State inspect(final Path directory)
    {
        return Files.exists(directory.resolve(META)) || Files.exists(directory.resolve(LOG)) ||
            Files.exists(directory.resolve(FileSnapshotStore.FILE_NAME)) ? State.MEMBER : State.EMPTY;
    }

    /**
     * @return whether {@code directory} holds no member state: a member started on it must be told whether it founds
     * the cluster ({@code --bootstrap}) or joins it ({@code --join}).
     */
    public static boolean isEmpty(final Path directory)
    {
        return inspect(directory) == State.EMPTY;
    }

    private MemberStorage(final Path directory, final Durability durability)
    {
        this.directory = directory;
        final Path logDirectory = directory.resolve(LOG);
        this.existed = inspect(directory) == State.MEMBER;
        FileMetaStore meta = null;
        FileSnapshotStore snapshots = null;
        ChronicleLogStore log = null;
        try
        {
            meta = FileMetaStore.open(directory.resolve(META), !existed);
            snapshots = FileSnapshotStore.open(directory);
            log = ChronicleLogStore.open(new ChronicleLogStore.Context()
                .directory(logDirectory)
                .durability(durability)
                .committedIndexHint(meta.lastRecordedCommitIndex()));
            checkTermCoversLog(meta, snapshots, log);
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietCloseAll(log, snapshots, meta);
            throw ex;
        }
        this.log = log;
        this.meta = meta;
        this.snapshots = snapshots;
        this.recorder = new CommitIndexRecorder(meta);
    }

    /**
     * The core stores a term (forced) before it appends an entry of that term or installs a snapshot of it, so the
     * metadata file's term is never below the log's last term: if it is, the file lost its newer record, and with
     * it perhaps a vote this member cast.
     */
    private static void checkTermCoversLog(
        final FileMetaStore meta, final FileSnapshotStore snapshots, final ChronicleLogStore log)
    {
        final long logTerm = Math.max(log.termAt(log.lastIndex()), snapshots.lastIncludedTerm());
        if (meta.currentTerm() < logTerm)
        {
            throw new io.raftlog.storage.StorageCorruptionException(meta.file(),
                io.raftlog.storage.StorageCorruptionException.NO_INDEX, "the metadata file says term " +
                meta.currentTerm() + ", but the log or snapshot holds entries of term " + logTerm + " (up to index " +
                log.lastIndex() + "): the file lost a newer record, and with it perhaps a vote this member cast");
        }
    }

    /**
     * Opens (or creates) the stores in {@code directory}.
     *
     * @throws io.raftlog.storage.StorageCorruptionException naming the file if a store is damaged.
     */
    static MemberStorage open(final Path directory, final Durability durability)
    {
        return new MemberStorage(directory, durability);
    }

    Path directory()
    {
        return directory;
    }

    /**
     * Notes where this run of the node publishes its counters ({@link #NODE}), replacing the note of an earlier run.
     */
    void recordCounterLocation(final int memberId, final String aeronDirectoryName)
    {
        final Path file = directory.resolve(NODE);
        final Path temporary = directory.resolve(NODE + ".tmp");
        try
        {
            Files.writeString(temporary, "member.id=" + memberId + "\naeron.dir=" + aeronDirectoryName + "\n");
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot write " + file, ex);
        }
    }

    /**
     * @return the member id and media driver directory the node last started with in {@code directory}, or null
     * when it never noted them.
     */
    static java.util.Properties counterLocation(final Path directory)
    {
        final Path file = directory.resolve(NODE);
        if (!Files.isRegularFile(file))
        {
            return null;
        }
        final java.util.Properties properties = new java.util.Properties();
        try (java.io.Reader reader = Files.newBufferedReader(file))
        {
            properties.load(reader);
        }
        catch (final java.io.IOException ex)
        {
            return null;
        }
        return properties.getProperty("member.id") == null || properties.getProperty("aeron.dir") == null ?
            null : properties;
    }

    /**
     * @return true if the member had state here before (a restart), false for a new member.
     */
    boolean existed()
    {
        return existed;
    }

    FileMetaStore meta()
    {
        return meta;
    }

    FileSnapshotStore snapshots()
    {
        return snapshots;
    }

    DurableLogStore log()
    {
        return log;
    }

    ChronicleLogStore chronicle()
    {
        return log;
    }

    MemberStorage listener(final RaftListener listener)
    {
        recorder.listener(listener);
        return this;
    }

    public void onCommit(final long commitIndex)
    {
        recorder.onCommit(commitIndex);
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        recorder.onRoleChange(role, term, leaderId);
    }

    public void onSnapshotInstalled(final long index, final long term)
    {
        recorder.onSnapshotInstalled(index, term);
    }

    /**
     * Closes the log (forced first under {@link Durability#FSYNC}), the snapshot store and the metadata file (which
     * writes the latest commit index, forced).
     */
    public void close()
    {
        CloseHelper.closeAll(log, snapshots, meta);
    }
}

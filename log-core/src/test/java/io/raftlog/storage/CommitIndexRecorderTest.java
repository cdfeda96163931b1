package io.raftlog.storage;

import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The listener that records a node's commit index in its metadata file: every commit index is noted (written at most
 * once per interval), the latest one is forced on close, a reader of the file sees it, and every call reaches the
 * application's listener.
 */
class CommitIndexRecorderTest
{
    @TempDir
    Path dir;

    @Test
    void recordsTheCommitIndexLazilyAndOnCloseAndHandsEveryCallOn()
    {
        final Path file = dir.resolve("meta");
        final long[] now = { 0 };
        final List<String> calls = new ArrayList<>();
        final RaftListener application = new RaftListener()
        {
            public void onCommit(final long commitIndex)
            {
                calls.add("commit " + commitIndex);
            }

            public void onRoleChange(final Role role, final long term, final int leaderId)
            {
                calls.add(role + " " + term + " " + leaderId);
            }

            public void onSnapshotInstalled(final long index, final long term)
            {
                calls.add("snapshot " + index + " " + term);
            }
        };
        final FileMetaStore meta = FileMetaStore.open(file, true, 1000, () -> now[0]);
        try (MetaFileCommitIndex reader = new MetaFileCommitIndex(file))
        {
            final CommitIndexRecorder recorder = new CommitIndexRecorder(meta, application);
            recorder.onRoleChange(Role.FOLLOWER, 3, 2);
            now[0] = 2_000_000_000L;
            recorder.onCommit(10);
            assertEquals(10, reader.commitIndex(), "the interval had passed: written");
            now[0] += 1_000_000L;
            recorder.onCommit(20);
            assertEquals(10, reader.commitIndex(), "within the interval: noted, not yet written");
            recorder.onSnapshotInstalled(15, 3);
            now[0] += 1_000_000_000L;
            recorder.onCommit(30);
            assertEquals(30, reader.commitIndex());
            recorder.onCommit(40);
            meta.close();
            assertEquals(40, reader.commitIndex(), "the latest, on close");
            assertEquals(40, CommittedLogReader.recordedCommitIndex(file));
        }
        assertEquals(List.of("FOLLOWER 3 2", "commit 10", "commit 20", "snapshot 15 3", "commit 30", "commit 40"),
            calls);
    }

    @Test
    void withoutAnApplicationListenerItOnlyRecords()
    {
        final Path file = dir.resolve("meta");
        final FileMetaStore meta = FileMetaStore.open(file, true);
        final CommitIndexRecorder recorder = new CommitIndexRecorder(meta);
        recorder.onRoleChange(Role.LEADER, 1, 1);
        recorder.onCommit(7);
        meta.close();
        assertEquals(7, CommittedLogReader.recordedCommitIndex(file));
    }
}

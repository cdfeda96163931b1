package io.raftlog.node;

import io.raftlog.core.DurableLogStore;
import io.raftlog.core.MetaStore;
import io.raftlog.core.SnapshotStore;
import org.agrona.CloseHelper;

import java.nio.file.Path;

/**
 * Three node agents on loopback UDP with one embedded media driver, driven by the test's thread: the harness of the
 * node tests, whatever stores they give the nodes.
 */
final class LoopbackNodes extends DrivenNodes
{
    static final int MEMBERS = 3;

    LoopbackNodes(final Path directory) throws Exception
    {
        super(directory, MEMBERS);
    }

    RaftNode start(final int id, final DurableLogStore log, final MetaStore meta, final SnapshotStore snapshots)
    {
        return start(id, log, meta, snapshots, EmbeddedApplication.NONE);
    }

    RaftNode start(
        final int id,
        final DurableLogStore log,
        final MetaStore meta,
        final SnapshotStore snapshots,
        final EmbeddedApplication application)
    {
        nodes[id] = new RaftNode(new NodeContext()
            .application(application)
            .memberId(id)
            .endpoints(endpoints)
            .raftConfig(raftConfig(id, 1, 2, 3))
            .aeron(aeron)
            .logStore(log)
            .metaStore(meta)
            .snapshotStore(snapshots));
        nodes[id].onStart();
        return nodes[id];
    }

    /**
     * The member's process is gone: its agent stops without a word to anyone.
     */
    void stop(final int id)
    {
        CloseHelper.close(nodes[id]);
        nodes[id] = null;
    }
}

package io.raftlog.statemachine;

import io.raftlog.core.RaftConfig;
import io.raftlog.node.NodeContext;
import io.raftlog.sim.SimLogStore;
import io.raftlog.sim.SimMetaStore;
import io.raftlog.sim.SimSnapshotStore;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine's settings: defaults filled by {@code conclude()} (snapshots every 100,000 entries with a state
 * machine, never without one), and a bad setting named before the node starts.
 */
class StateMachineSettingsTest
{
    @TempDir
    Path tempDir;

    private StateMachineCluster cluster;
    private ChronicleLogStore log;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(log, cluster);
    }

    @Test
    void snapshotsAreTakenEvery100000EntriesWithAStateMachineAndNeverWithoutOne() throws Exception
    {
        cluster = new StateMachineCluster(tempDir);
        log = chronicleLog();
        final NodeContext withStateMachine = context().logStore(log).stateMachine(new HashingStateMachine()).conclude();
        assertEquals(NodeContext.DEFAULT_SNAPSHOT_EVERY_ENTRIES, withStateMachine.snapshotEveryEntries());
        assertEquals(100_000, withStateMachine.snapshotEveryEntries());
        assertEquals(NodeContext.DEFAULT_SNAPSHOT_RETAIN_ENTRIES, withStateMachine.snapshotRetainEntries());
        assertEquals(1024, withStateMachine.stateMachineMaxResultBytes(), "the largest payload");
        assertTrue(withStateMachine.stateMachineIdleStrategy() != null);

        final NodeContext pureLog = context().logStore(log).conclude();
        assertEquals(0, pureLog.snapshotEveryEntries());
        assertEquals(AppliedResults.NO_OP, pureLog.appliedResults());
    }

    @Test
    void aBadStateMachineSettingIsNamed() throws Exception
    {
        cluster = new StateMachineCluster(tempDir);
        log = chronicleLog();
        assertNamed("stateMachine", context().logStore(new SimLogStore(1, 1 << 16, 1 << 10))
            .stateMachine(new HashingStateMachine()));
        assertNamed("snapshotEveryEntries", context().logStore(log).snapshotEveryEntries(-5));
        assertNamed("snapshotRetainEntries", context().logStore(log).snapshotRetainEntries(-1));
        assertNamed("appliedResults", context().logStore(log).appliedResults(null));
        assertNamed("stateMachineMaxResultBytes", context().logStore(log).stateMachine(new HashingStateMachine())
            .stateMachineMaxResultBytes(-1));
    }

    private static void assertNamed(final String setting, final NodeContext context)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, context::conclude);
        assertTrue(ex.getMessage().startsWith(setting + ":"), ex.getMessage());
    }

    private ChronicleLogStore chronicleLog()
    {
        return ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(tempDir.resolve("log"))
            .durability(Durability.PAGE_CACHE));
    }

    private NodeContext context()
    {
        return new NodeContext()
            .memberId(1)
            .endpoints(cluster.endpoints)
            .raftConfig(new RaftConfig().selfId(1).memberIds(1, 2, 3).maxPayloadBytes(1024))
            .aeron(cluster.aeron)
            .metaStore(new SimMetaStore())
            .snapshotStore(new SimSnapshotStore());
    }
}

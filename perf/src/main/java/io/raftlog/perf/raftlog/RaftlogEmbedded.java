package io.raftlog.perf.raftlog;

import io.raftlog.perf.Progress;
import io.raftlog.perf.Result;
import io.raftlog.perf.SystemUnderTest;
import io.raftlog.perf.Workload;

/**
 * raftlog embedded as an ordered event sequencer: the load is offered on the leader's own node thread (an
 * {@code EmbeddedApplication}) and timed from each entry's due time to the leader learning it is committed.
 */
public final class RaftlogEmbedded implements SystemUnderTest
{
    public String name()
    {
        return "raftlog-embedded";
    }

    public boolean supports(final Workload workload)
    {
        return workload.nodes() >= 3 && !"none".equals(workload.durability());
    }

    public Result run(final Workload workload, final Progress progress) throws Exception
    {
        try (PerfCluster cluster = new PerfCluster(workload, workload.ratePerSec()))
        {
            final Measurement measurement = new Measurement(name(), workload, progress);
            final int leader = cluster.awaitLeader(30);
            measurement.run(cluster, leader);
            final OpenLoopSequencer sequencer = cluster.sequencers[measurement.leaderAtEnd()];
            cluster.close(); // agents stopped: their histograms may be read
            return measurement.result(sequencer.histogram(), sequencer.committedInMeasure(),
                sequencer.committedWhileMeasuring(),
                "offered on the leader's node thread" + Measurement.lagNote(sequencer.scheduleLagNs()));
        }
    }
}

package io.raftlog.perf.raftlog;

/**
 * What a {@link Measurement} drives: the phases of the load, the agent threads whose allocation it measures, and
 * who leads.
 */
interface MeasuredCluster
{
    void phase(int phase);

    long[] agentThreadIds();

    /**
     * @return the index (0-based) of the member that leads, waiting up to {@code timeoutSec}.
     */
    int awaitLeader(int timeoutSec);
}

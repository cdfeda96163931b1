package io.raftlog.sim;

/**
 * Something in the simulation with timers of its own: the nemesis, the client workload.
 */
interface SimActor
{
    void onTimer(long nowNs);
}

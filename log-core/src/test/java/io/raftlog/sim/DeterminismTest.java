package io.raftlog.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A failing seed must replay exactly: a run is a pure function of its seed, whatever ran before it in the JVM.
 */
class DeterminismTest
{
    @Test
    void aRunIsAPureFunctionOfItsSeed()
    {
        for (final long seed : new long[]{7, 188, 4242})
        {
            final SimulationRun.Result first = SimulationRun.run(seed);
            final SimulationRun.Result second = SimulationRun.run(seed);
            assertEquals(first.toString(), second.toString(), "seed " + seed + " replays exactly");
        }
    }
}

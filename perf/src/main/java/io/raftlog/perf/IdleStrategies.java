package io.raftlog.perf;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategies a run may name: {@code backoff} for a machine with fewer cores than busy threads (spins a
 * little, yields, then parks up to 1 ms), {@code busy-spin} for one with a core per thread.
 */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    public static IdleStrategy create(final String name)
    {
        switch (name)
        {
            case "backoff":
                return new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
            case "busy-spin":
                return new BusySpinIdleStrategy();
            default:
                throw new IllegalArgumentException("unknown idle strategy: " + name + " (backoff, busy-spin)");
        }
    }
}

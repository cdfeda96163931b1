package io.raftlog.storage;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * The clock the queue rolls its cycle files by: the given wall clock, made monotonic and held at or above a floor.
 * <ul>
 *     <li>Monotonic, and at opening never before the last cycle file: Chronicle's appender writes into the cycle the
 *     clock names, so a clock stepped back (or a restart after a seal, below) would append into an older cycle file,
 *     after documents that later ones follow, and a scan would read the log out of order.</li>
 *     <li>Raising the floor to the start of the next cycle makes the next append open a fresh cycle file. That is
 *     how the store seals a damaged one: Chronicle cannot truncate a file, and its appender would write after a
 *     damaged tail where no reader looks.</li>
 * </ul>
 * Used from the store's thread only (Chronicle reads it when appending).
 */
final class CycleClock implements TimeProvider
{
    private final TimeProvider delegate;
    private long floorMillis = Long.MIN_VALUE;

    CycleClock(final TimeProvider delegate)
    {
        this.delegate = delegate;
    }

    /**
     * The clock will not answer less than {@code floorMillis} from now on.
     */
    void floorMillis(final long floorMillis)
    {
        this.floorMillis = Math.max(this.floorMillis, floorMillis);
    }

    public long currentTimeMillis()
    {
        final long now = delegate.currentTimeMillis();
        if (now > floorMillis)
        {
            floorMillis = now;
        }
        return floorMillis;
    }

    public long currentTimeMicros()
    {
        return Math.max(delegate.currentTimeMicros(), currentTimeMillis() * 1000);
    }

    public long currentTimeNanos()
    {
        return Math.max(delegate.currentTimeNanos(), currentTimeMillis() * 1_000_000);
    }
}

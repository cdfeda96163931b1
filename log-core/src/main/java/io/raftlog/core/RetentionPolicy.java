package io.raftlog.core;

/**
 * How much log a member keeps: at most so many entries, so many bytes, entries no older than so long. Each limit
 * that is exceeded asks for the oldest entries to go; the policy answers how far, and the caller bounds that by
 * what must stay: nothing uncommitted, nothing a snapshot does not cover, nothing a registered consumer has not
 * read yet.
 * <p>
 * Ages compare entry timestamps with the {@code nowNs} given here, so the node must stamp entries and ask with the
 * same (wall) clock. Timestamps come from successive leaders' clocks and are assumed to be non-decreasing; a
 * clock that steps back only keeps entries longer.
 */
public final class RetentionPolicy
{
    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final RetentionPolicy KEEP_EVERYTHING = new RetentionPolicy(UNLIMITED, UNLIMITED, UNLIMITED);

    private final long maxEntries;
    private final long maxBytes;
    private final long maxAgeNs;

    public RetentionPolicy(final long maxEntries, final long maxBytes, final long maxAgeNs)
    {
        if (maxEntries < 0 || maxBytes < 0 || maxAgeNs < 0)
        {
            throw new IllegalArgumentException("retention limits must not be negative: entries=" + maxEntries +
                " bytes=" + maxBytes + " ageNs=" + maxAgeNs);
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.maxAgeNs = maxAgeNs;
    }

    public static RetentionPolicy byEntries(final long maxEntries)
    {
        return new RetentionPolicy(maxEntries, UNLIMITED, UNLIMITED);
    }

    public static RetentionPolicy byBytes(final long maxBytes)
    {
        return new RetentionPolicy(UNLIMITED, maxBytes, UNLIMITED);
    }

    public static RetentionPolicy byAge(final long maxAgeNs)
    {
        return new RetentionPolicy(UNLIMITED, UNLIMITED, maxAgeNs);
    }

    /**
     * @param safeIndex the highest index that may go (committed, covered by a snapshot, read by every consumer).
     * @return the index to compact the log to: at most {@code safeIndex}, and the log's base when nothing should go.
     */
    public long compactionIndex(final RetainedLog log, final long safeIndex, final long nowNs)
    {
        final long base = log.baseIndex();
        final long last = log.lastIndex();
        long target = base;
        if (maxEntries != UNLIMITED && last - base > maxEntries)
        {
            target = Math.max(target, last - maxEntries);
        }
        if (maxBytes != UNLIMITED && log.bytesFrom(base + 1) > maxBytes)
        {
            target = Math.max(target, firstFittingBytes(log, base, last));
        }
        if (maxAgeNs != UNLIMITED && last > base && nowNs - log.timestampAt(base + 1) > maxAgeNs)
        {
            target = Math.max(target, lastTooOld(log, base, last, nowNs - maxAgeNs));
        }
        return Math.max(base, Math.min(target, safeIndex));
    }

    /**
     * @return the smallest t such that the entries after t fit in maxBytes.
     */
    private long firstFittingBytes(final RetainedLog log, final long base, final long last)
    {
        long low = base;
        long high = last;
        while (low < high)
        {
            final long mid = (low + high) >>> 1;
            if (log.bytesFrom(mid + 1) <= maxBytes)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low;
    }

    /**
     * @return the last index whose timestamp is before {@code cutoffNs}.
     */
    private static long lastTooOld(final RetainedLog log, final long base, final long last, final long cutoffNs)
    {
        long low = base;
        long high = last;
        while (low < high)
        {
            final long mid = (low + high + 1) >>> 1;
            if (log.timestampAt(mid) < cutoffNs)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return low;
    }

    @Override
    public String toString()
    {
        return "RetentionPolicy{maxEntries=" + maxEntries + ", maxBytes=" + maxBytes + ", maxAgeNs=" + maxAgeNs + '}';
    }
}

package io.raftlog.samples.faults;

/**
 * What a {@link UdpRelay} does to each datagram: hold it {@code delayMs} plus a uniform random share of
 * {@code jitterMs} (so datagrams sent close together overtake one another), and send {@code duplicatePercent} of them
 * twice, each copy with a delay of its own. All zero: every datagram passes at once.
 * <p>
 * Written as one line, {@code <delayMs> <jitterMs> <duplicatePercent>}, in the relay's control file.
 */
public record RelaySettings(int delayMs, int jitterMs, int duplicatePercent)
{
    public static final RelaySettings NONE = new RelaySettings(0, 0, 0);

    /** A bound far above any slow network worth simulating, so a typo cannot hold datagrams for hours. */
    static final int MAX_DELAY_MS = 10_000;

    /**
     * @throws IllegalArgumentException naming the bad setting.
     */
    public RelaySettings
    {
        if (delayMs < 0 || delayMs > MAX_DELAY_MS)
        {
            throw new IllegalArgumentException("delayMs: " + delayMs + " is not in 0.." + MAX_DELAY_MS);
        }
        if (jitterMs < 0 || jitterMs > MAX_DELAY_MS)
        {
            throw new IllegalArgumentException("jitterMs: " + jitterMs + " is not in 0.." + MAX_DELAY_MS);
        }
        if (duplicatePercent < 0 || duplicatePercent > 100)
        {
            throw new IllegalArgumentException("duplicatePercent: " + duplicatePercent + " is not in 0..100");
        }
    }

    /**
     * @param line {@code <delayMs> <jitterMs> <duplicatePercent>}, separated by blanks.
     * @throws IllegalArgumentException saying what is wrong with it.
     */
    public static RelaySettings parse(final String line)
    {
        final String[] fields = line.trim().split("\\s+");
        if (fields.length != 3)
        {
            throw new IllegalArgumentException("'" + line.trim() + "' is not <delayMs> <jitterMs> <duplicatePercent>");
        }
        try
        {
            return new RelaySettings(
                Integer.parseInt(fields[0]), Integer.parseInt(fields[1]), Integer.parseInt(fields[2]));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + line.trim() + "' holds something other than whole numbers");
        }
    }

    public String toLine()
    {
        return delayMs + " " + jitterMs + " " + duplicatePercent;
    }

    /**
     * @return whether datagrams are held at all; otherwise they leave as they arrive (duplicates too).
     */
    public boolean delays()
    {
        return delayMs > 0 || jitterMs > 0;
    }

    public String toString()
    {
        if (equals(NONE))
        {
            return "passing datagrams at once";
        }
        return "delay " + delayMs + " ms + 0.." + jitterMs + " ms jitter, " + duplicatePercent + "% duplicated";
    }
}

package io.raftlog.samples.faults;

import java.util.List;

/**
 * What fault runs may leave on the machine, for tests that check they leave nothing.
 */
public final class Leftovers
{
    private Leftovers()
    {
    }

    /**
     * @return {@code ip netns list}, or an empty string where there is no {@code ip}.
     */
    public static String namespaces()
    {
        final Shell.Outcome outcome = Shell.attempt(List.of("ip", "netns", "list"));
        return outcome.exitCode() == 0 ? outcome.output() : "";
    }
}

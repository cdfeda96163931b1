package io.raftlog.samples;

/**
 * The system properties Chronicle reads once, when its classes load: no analytics sent to an outside host, no
 * promotional banner, no disk-space monitor thread (shared/STACK.md). Set programmatically so that
 * {@code java -jar raftlog.jar} needs no {@code -D} flag; it must run before any Chronicle class loads, which is why
 * {@link RaftlogCli#main} calls it first and every command calls it again (harmless) for callers that skip main.
 */
final class ChronicleDefaults
{
    static final String[] DISABLED = {
        "chronicle.analytics.disable",
        "chronicle.announcer.disable",
        "chronicle.disk.monitor.disable",
    };

    private ChronicleDefaults()
    {
    }

    static void apply()
    {
        for (final String name : DISABLED)
        {
            System.setProperty(name, "true");
        }
    }
}

package io.raftlog.samples.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * Each node in a network namespace of its own ({@code ip netns}), joined by veth pairs to a bridge in this process's
 * namespace, on a /24 of its own: node {@code i} is {@code 10.<a>.<b>.i}, this process (the clients) is {@code .254}
 * on the bridge. Links are broken inside each namespace with nftables: an input rule per peer that drops what that
 * peer sends (a one-way cut; both ways make a partition), and a random-drop rule for loss. The rules match only what
 * arrives from the bridge ({@code iifname eth0}): inside the namespace the node's relay hands datagrams to the node,
 * and takes its answers, on the loopback, and that hop must not lose a second share. Everything is named after a tag
 * made of this process's id, so runs side by side do not meet, and {@link #close} removes it all.
 * <p>
 * Delay, duplication and reordering are not made here but by the relay in front of each node
 * ({@link RelayProcesses}), which runs inside the node's namespace and so receives what the rules let through.
 */
final class NamespaceTestbed implements Testbed
{
    private final int nodes;
    private final String tag;
    private final String subnet;
    private final String bridge;
    private final List<String> created = new ArrayList<>();

    private NamespaceTestbed(final int nodes, final String tag, final String subnet)
    {
        this.nodes = nodes;
        this.tag = tag;
        this.subnet = subnet;
        this.bridge = "rlf" + tag + "b";
        setUp();
    }

    /**
     * @return the testbed, or null with the reason in {@code why} when namespaces cannot be made here.
     */
    static NamespaceTestbed tryCreate(final int nodes, final StringBuilder why)
    {
        for (final String tool : new String[]{"ip", "nft"})
        {
            final Shell.Outcome outcome = Shell.attempt(List.of("sh", "-c", "command -v " + tool));
            if (outcome.exitCode() != 0)
            {
                why.append(tool).append(" is not installed");
                return null;
            }
        }
        final long pid = ProcessHandle.current().pid();
        final String tag = Long.toString(pid % 100_000);
        final String subnet = "10." + (100 + (int)(pid % 100)) + "." + (int)((pid / 100) % 250) + ".";
        try
        {
            return new NamespaceTestbed(nodes, tag, subnet);
        }
        catch (final RuntimeException ex)
        {
            why.append("network namespaces cannot be set up here: ").append(ex.getMessage());
            return null;
        }
    }

    private String namespace(final int id)
    {
        return "rlf" + tag + "n" + id;
    }

    private void setUp()
    {
        try
        {
            Shell.run(List.of("ip", "link", "add", bridge, "type", "bridge"));
            created.add("link:" + bridge);
            Shell.run(List.of("ip", "addr", "add", clientHost() + "/24", "dev", bridge));
            Shell.run(List.of("ip", "link", "set", bridge, "up"));
            for (int id = 1; id <= nodes; id++)
            {
                final String ns = namespace(id);
                final String outside = "rlf" + tag + "v" + id;
                Shell.run(List.of("ip", "netns", "add", ns));
                created.add("netns:" + ns);
                Shell.run(List.of("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns));
                created.add("link:" + outside);
                Shell.run(List.of("ip", "link", "set", outside, "master", bridge));
                Shell.run(List.of("ip", "link", "set", outside, "up"));
                inside(id, "ip", "addr", "add", hostOf(id) + "/24", "dev", "eth0");
                inside(id, "ip", "link", "set", "eth0", "up");
                inside(id, "ip", "link", "set", "lo", "up");
                inside(id, "nft", "add", "table", "inet", "rlf");
                inside(id, "nft", "add", "chain", "inet", "rlf", "input",
                    "{ type filter hook input priority 0; policy accept; }");
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private void inside(final int id, final String... command)
    {
        Shell.run(commandFor(id, List.of(command)));
    }

    public String describe()
    {
        return nodes + " network namespaces (" + namespace(1) + "..) on bridge " + bridge + ", " + subnet + "0/24; " +
            "partitions and loss with nftables; delay, reordering and duplication by a UDP relay in front of each " +
            "node (on the receiving side, in userspace)";
    }

    public String hostOf(final int id)
    {
        return subnet + id;
    }

    public String clientHost()
    {
        return subnet + "254";
    }

    public List<String> commandFor(final int id, final List<String> command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(id)));
        full.addAll(command);
        return full;
    }

    public boolean sharesHostPorts()
    {
        return false;
    }

    public boolean canBreakNetwork()
    {
        return true;
    }

    public void cut(final int from, final int to)
    {
        inside(to, "nft", "add", "rule", "inet", "rlf", "input", "iifname", "eth0", "ip", "saddr", hostOf(from),
            "drop");
    }

    public void loss(final int id, final int percent)
    {
        inside(id, "nft", "add", "rule", "inet", "rlf", "input", "iifname", "eth0", "ip", "saddr", "!=",
            clientHost(), "numgen", "random", "mod", "100", "<", Integer.toString(percent), "drop");
    }

    public void healAll()
    {
        for (int id = 1; id <= nodes; id++)
        {
            inside(id, "nft", "flush", "chain", "inet", "rlf", "input");
        }
    }

    public void close()
    {
        for (int i = created.size() - 1; i >= 0; i--)
        {
            final String item = created.get(i);
            final String name = item.substring(item.indexOf(':') + 1);
            if (item.startsWith("netns:"))
            {
                Shell.attempt(List.of("ip", "netns", "del", name));
            }
            else
            {
                Shell.attempt(List.of("ip", "link", "del", name));
            }
        }
        created.clear();
    }
}

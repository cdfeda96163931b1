package io.raftlog.samples;

import io.raftlog.client.ClusterAdmin;
import io.raftlog.client.ClusterAdmin.MemberStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code raftlog status}: asks every member for its state and prints one line each, {@link MemberStatus#line()}.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
        "Ask every member of --members for its state; print one line each, in the order given:",
        "  member=<id> role=<role> term=<term> leader=<id> commit=<index> last=<index> [learner]",
        "  member=<id> unreachable",
        "Exit status: 0 when at least one member answered, 1 when none did, 2 bad options." })
final class StatusCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--timeout-ms", defaultValue = "2000", paramLabel = "MS",
        description = "How long to wait for the members' answers (default: ${DEFAULT-VALUE}); a member that has "
            + "not answered by then is unreachable.")
    long timeoutMs;

    public Integer call()
    {
        ChronicleDefaults.apply();
        final CommandLine commandLine = spec.commandLine();
        final Map<Integer, String> endpoints = client.endpoints(commandLine);
        ClientOptions.requirePositive(commandLine, "--timeout-ms", timeoutMs);
        final PrintWriter out = commandLine.getOut();
        final List<MemberStatus> statuses;
        try (ClientDriver driver = ClientDriver.launch();
            ClusterAdmin admin = new ClusterAdmin(client.context(driver.aeron(), endpoints, timeoutMs)))
        {
            statuses = admin.status(TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        }
        int reachable = 0;
        for (final MemberStatus status : statuses)
        {
            out.println(status.line());
            reachable += status.reachable() ? 1 : 0;
        }
        out.flush();
        if (reachable == 0)
        {
            commandLine.getErr().printf("status: no member answered within %d ms%n", timeoutMs);
            commandLine.getErr().flush();
            return 1;
        }
        return 0;
    }
}

package io.raftlog.samples;

import io.raftlog.client.ClusterAdmin;
import io.raftlog.client.ClusterAdmin.AdminResult;
import io.raftlog.client.ClusterAdmin.MemberStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code raftlog add-member}: asks the leader to add a member (dissertation 4.2.1: as a learner, promoted to voter
 * once it has caught up), then waits until the configuration entry is committed.
 */
@Command(
    name = "add-member",
    mixinStandardHelpOptions = true,
    description = {
        "Ask the leader to add member --id at --endpoint, and wait until the change is committed.",
        "Start the new member first, with every member in --members, itself included, and --join:",
        "  java -jar raftlog.jar node --id 4 --members $M,4=127.0.0.1:20004 --join --dir /tmp/n4",
        "  java -jar raftlog.jar add-member --members $M --id 4 --endpoint 127.0.0.1:20004",
        "It joins as a learner (it receives the log, neither votes nor counts) and the leader promotes it to voter "
            + "once it has caught up; `status` shows `learner` until then.",
        "Exit status: 0 once committed, 1 when the leader refused (a member already, a change in progress past "
            + "--timeout-ms, ...) or the change was not committed within --timeout-ms, 2 bad options." })
final class AddMemberCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "The new member's id.")
    int id;

    @Option(names = "--endpoint", required = true, paramLabel = "HOST:PORT",
        description = "The new member's UDP endpoint, as in its `node --members`.")
    String endpoint;

    @Option(names = "--timeout-ms", defaultValue = "10000", paramLabel = "MS",
        description = "How long to try, and to wait for the change to commit (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    public Integer call()
    {
        ChronicleDefaults.apply();
        final CommandLine commandLine = spec.commandLine();
        final Map<Integer, String> endpoints = client.endpoints(commandLine);
        ClientOptions.requirePositive(commandLine, "--id", id);
        ClientOptions.requirePositive(commandLine, "--timeout-ms", timeoutMs);
        try
        {
            Members.checkEndpoint("--endpoint", endpoint.trim(), "");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(commandLine, "--endpoint '" + endpoint + "' is not host:port with a port " +
                "in 1..65535");
        }
        return AdminWaits.run(commandLine, client, endpoints, timeoutMs, this::add);
    }

    private String add(final ClusterAdmin admin, final PrintWriter out)
    {
        final long deadlineNs = AdminWaits.deadlineNs(timeoutMs);
        final String where = endpoint.trim();
        final AdminResult result = AdminWaits.requestChange(
            timeoutNs -> admin.addMember(id, where, timeoutNs), deadlineNs);
        if (!result.accepted())
        {
            return "the leader refused to add member " + id + " at " + where + ": " + result.reason() +
                ("INVALID_REQUEST".equals(result.reason()) ? " (another member with that id, or the cluster is full?)" : "");
        }
        final MemberStatus leader = AdminWaits.awaitCommitted(admin, result.index(), deadlineNs);
        if (leader == null)
        {
            return "member " + id + " was added at index " + result.index() + " by member " + result.leaderId() +
                ", but no leader reported it committed within " + timeoutMs + " ms";
        }
        out.printf("add-member: member %d (%s) added at index %d, committed (leader member %d, term %d, commit %d); " +
            "a learner until it has caught up, then a voter%n",
            id, where, result.index(), leader.memberId(), leader.term(), leader.commitIndex());
        out.flush();
        return null;
    }
}

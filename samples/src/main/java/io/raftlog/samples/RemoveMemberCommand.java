package io.raftlog.samples;

import io.raftlog.client.ClusterAdmin;
import io.raftlog.client.ClusterAdmin.AdminResult;
import io.raftlog.client.ClusterAdmin.MemberStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code raftlog remove-member}: asks the leader to remove a member (a single-server change, dissertation 4.1), then
 * waits until the configuration entry is committed. A leader that removes itself leads until the change commits,
 * then steps down and the others elect a new one.
 */
@Command(
    name = "remove-member",
    mixinStandardHelpOptions = true,
    description = {
        "Ask the leader to remove member --id, and wait until the change is committed. The removed member's "
            + "process keeps running until it is stopped; it no longer counts. Removing the leader is allowed: it "
            + "steps down once the change commits.",
        "Exit status: 0 once committed, 1 when the leader refused (not a member, a change in progress past "
            + "--timeout-ms, ...) or the change was not committed within --timeout-ms, 2 bad options." })
final class RemoveMemberCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "The member to remove.")
    int id;

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
        return AdminWaits.run(commandLine, client, endpoints, timeoutMs, this::remove);
    }

    private String remove(final ClusterAdmin admin, final PrintWriter out)
    {
        final long deadlineNs = AdminWaits.deadlineNs(timeoutMs);
        final AdminResult result = AdminWaits.requestChange(timeoutNs -> admin.removeMember(id, timeoutNs), deadlineNs);
        if (!result.accepted())
        {
            return "the leader refused to remove member " + id + ": " + result.reason() +
                ("INVALID_REQUEST".equals(result.reason()) ? " (the last voter?)" : "");
        }
        final MemberStatus leader = AdminWaits.awaitCommitted(admin, result.index(), deadlineNs);
        if (leader == null)
        {
            return "the removal of member " + id + " was appended at index " + result.index() + " by member " +
                result.leaderId() + ", but no leader reported it committed within " + timeoutMs + " ms";
        }
        out.printf("remove-member: member %d removed at index %d, committed (leader member %d, term %d, commit %d)%n",
            id, result.index(), leader.memberId(), leader.term(), leader.commitIndex());
        out.flush();
        return null;
    }
}

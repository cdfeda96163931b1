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
import java.util.concurrent.TimeUnit;

/**
 * {@code raftlog transfer-leader}: asks the leader to hand leadership to a member, then waits until that member says
 * it leads. The leader brings the target up to date and tells it to campaign at once; a transfer the leader
 * abandons (after an election timeout) is asked for again until the command's timeout.
 */
@Command(
    name = "transfer-leader",
    mixinStandardHelpOptions = true,
    description = {
        "Ask the leader to hand leadership over to member --to, and wait until that member leads.",
        "Exit status: 0 when member --to leads (also when it already did), 1 when the leader refused or the "
            + "transfer did not happen within --timeout-ms, 2 bad options." })
final class TransferLeaderCommand implements Callable<Integer>
{
    /** How long one request has to take effect before it is repeated: several election timeouts. */
    private static final long ATTEMPT_MS = 3_000;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--to", required = true, paramLabel = "ID", description = "The member to lead, a voter.")
    int to;

    @Option(names = "--timeout-ms", defaultValue = "10000", paramLabel = "MS",
        description = "How long to try (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    public Integer call()
    {
        ChronicleDefaults.apply();
        final CommandLine commandLine = spec.commandLine();
        final Map<Integer, String> endpoints = client.endpoints(commandLine);
        ClientOptions.requirePositive(commandLine, "--to", to);
        ClientOptions.requirePositive(commandLine, "--timeout-ms", timeoutMs);
        return AdminWaits.run(commandLine, client, endpoints, timeoutMs, this::transfer);
    }

    private String transfer(final ClusterAdmin admin, final PrintWriter out)
    {
        final long deadlineNs = AdminWaits.deadlineNs(timeoutMs);
        final MemberStatus before = AdminWaits.awaitLeader(admin, deadlineNs);
        if (before == null)
        {
            return "no leader within " + timeoutMs + " ms";
        }
        if (before.memberId() == to)
        {
            out.printf("transfer-leader: member %d already leads (term %d)%n", to, before.term());
            out.flush();
            return null;
        }
        while (System.nanoTime() - deadlineNs < 0)
        {
            final AdminResult result = admin.transferLeader(to, AdminWaits.remainingNs(deadlineNs));
            if (!result.accepted())
            {
                // INVALID_REQUEST: not a voter of the leader's configuration, or the leader itself by now
                final MemberStatus now = AdminWaits.statusOf(admin, to);
                if (now != null && "leader".equals(now.role()))
                {
                    break;
                }
                return "the leader refused to hand over to member " + to + ": " + result.reason() +
                    ("INVALID_REQUEST".equals(result.reason()) ? " (not a voting member?)" : "");
            }
            final long attemptDeadlineNs = Math.min(deadlineNs, AdminWaits.deadlineNs(ATTEMPT_MS));
            if (AdminWaits.awaitLeader(admin, to, attemptDeadlineNs) != null)
            {
                break;
            }
        }
        final MemberStatus after = AdminWaits.statusOf(admin, to);
        if (after == null || !"leader".equals(after.role()))
        {
            final MemberStatus leader = AdminWaits.leaderOf(admin.status(TimeUnit.MILLISECONDS.toNanos(500)));
            return "member " + to + " does not lead after " + timeoutMs + " ms" +
                (leader == null ? "; no member leads" : "; member " + leader.memberId() + " leads in term " +
                    leader.term());
        }
        out.printf("transfer-leader: member %d leads in term %d (was member %d in term %d)%n",
            to, after.term(), before.memberId(), before.term());
        out.flush();
        return null;
    }
}

package io.raftlog.samples;

import io.raftlog.client.ClusterAdmin;
import io.raftlog.client.ClusterAdmin.AdminResult;
import io.raftlog.client.ClusterAdmin.MemberStatus;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.LongFunction;

/**
 * What the administrative commands wait for, by asking every member's status again and again until a deadline:
 * a leader, a given leader, a leader whose commit index has reached an index. Sleeps between rounds.
 */
final class AdminWaits
{
    /** The longest one round of status requests waits for the members that have not answered yet. */
    private static final long ROUND_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private AdminWaits()
    {
    }

    /**
     * @return the reachable member that says it leads, of the highest term; null if none.
     */
    static MemberStatus leaderOf(final List<MemberStatus> statuses)
    {
        MemberStatus leader = null;
        for (final MemberStatus status : statuses)
        {
            if (status.reachable() && "leader".equals(status.role()) &&
                (leader == null || status.term() > leader.term()))
            {
                leader = status;
            }
        }
        return leader;
    }

    /**
     * @return the leader's status, or null if no member said it leads before the deadline.
     */
    static MemberStatus awaitLeader(final ClusterAdmin admin, final long deadlineNs)
    {
        return await(admin, deadlineNs, 0, 0);
    }

    /**
     * @return the status of member {@code memberId} once it says it leads, or null at the deadline.
     */
    static MemberStatus awaitLeader(final ClusterAdmin admin, final int memberId, final long deadlineNs)
    {
        return await(admin, deadlineNs, memberId, 0);
    }

    /**
     * A leader's commit index at or beyond {@code index} means the entry there is committed: a leader's commit
     * index only ever counts entries committed in its log.
     *
     * @return the status of a leader whose commit index has reached {@code index}, or null at the deadline.
     */
    static MemberStatus awaitCommitted(final ClusterAdmin admin, final long index, final long deadlineNs)
    {
        return await(admin, deadlineNs, 0, index);
    }

    /**
     * @return the status of the member with this id, from one round of status requests; null if it did not answer.
     */
    static MemberStatus statusOf(final ClusterAdmin admin, final int memberId)
    {
        for (final MemberStatus status : admin.status(ROUND_TIMEOUT_NS))
        {
            if (status.memberId() == memberId && status.reachable())
            {
                return status;
            }
        }
        return null;
    }

    private static MemberStatus await(
        final ClusterAdmin admin, final long deadlineNs, final int leaderId, final long commitIndex)
    {
        while (true)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                return null;
            }
            final MemberStatus leader = leaderOf(admin.status(Math.min(remainingNs, ROUND_TIMEOUT_NS)));
            if (leader != null && (leaderId == 0 || leader.memberId() == leaderId) &&
                leader.commitIndex() >= commitIndex)
            {
                return leader;
            }
            LockSupport.parkNanos(Math.min(PAUSE_NS, Math.max(1, deadlineNs - System.nanoTime())));
        }
    }

    /**
     * Asks for a membership change until the leader accepts it or refuses it for good: a change still in progress
     * (the previous one, or the promotion of a learner that has caught up) is waited out.
     *
     * @param request the request, given the time it may take.
     * @return the leader's last answer.
     */
    static AdminResult requestChange(final LongFunction<AdminResult> request, final long deadlineNs)
    {
        while (true)
        {
            final AdminResult result = request.apply(remainingNs(deadlineNs));
            if (result.accepted() || !"CHANGE_IN_PROGRESS".equals(result.reason()) ||
                deadlineNs - System.nanoTime() <= PAUSE_NS)
            {
                return result;
            }
            LockSupport.parkNanos(PAUSE_NS);
        }
    }

    /**
     * Runs one operator request the way every admin command does: a media driver and a {@link ClusterAdmin} of its
     * own for the call, and the failure (or null) the request returns reported as {@code <command>: <failure>} on
     * standard error with exit status 1.
     *
     * @return the command's exit status.
     */
    static int run(
        final CommandLine commandLine,
        final ClientOptions client,
        final Map<Integer, String> endpoints,
        final long timeoutMs,
        final BiFunction<ClusterAdmin, PrintWriter, String> request)
    {
        final String failure;
        try (ClientDriver driver = ClientDriver.launch();
            ClusterAdmin admin = new ClusterAdmin(client.context(driver.aeron(), endpoints, timeoutMs)))
        {
            failure = request.apply(admin, commandLine.getOut());
        }
        if (failure != null)
        {
            commandLine.getErr().println(commandLine.getCommandName() + ": " + failure);
            commandLine.getErr().flush();
            return 1;
        }
        return 0;
    }

    static long deadlineNs(final long timeoutMs)
    {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    static long remainingNs(final long deadlineNs)
    {
        return Math.max(1, deadlineNs - System.nanoTime());
    }
}

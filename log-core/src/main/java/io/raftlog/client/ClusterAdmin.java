package io.raftlog.client;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftlog.codecs.AdminAction;
import io.raftlog.codecs.AdminRequestEncoder;
import io.raftlog.codecs.AdminResponseDecoder;
import io.raftlog.codecs.AppendCode;
import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import io.raftlog.codecs.MessageValidator;
import io.raftlog.codecs.RejectReason;
import io.raftlog.codecs.StatusRequestEncoder;
import io.raftlog.codecs.StatusResponseDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Operator requests to a cluster, each a blocking call with a deadline: every member's status, and leadership
 * transfer and membership changes, which go to the leader (followers redirect). For command-line tools and tests,
 * not for a hot path: it allocates freely.
 */
public final class ClusterAdmin implements FragmentHandler, AutoCloseable
{
    /**
     * What a member said of itself, or that it did not answer.
     */
    public record MemberStatus(
        int memberId, boolean reachable, String role, long term, int leaderId, long commitIndex, long lastIndex,
        boolean voter)
    {
        static MemberStatus unreachable(final int memberId)
        {
            return new MemberStatus(memberId, false, "", 0, 0, 0, 0, false);
        }

        /**
         * @return one line: {@code id role term leader commit} or {@code id unreachable}.
         */
        public String line()
        {
            if (!reachable)
            {
                return "member=" + memberId + " unreachable";
            }
            return "member=" + memberId + " role=" + role + " term=" + term + " leader=" + leaderId +
                " commit=" + commitIndex + " last=" + lastIndex + (voter ? "" : " learner");
        }
    }

    /**
     * A leader's answer to an administrative request.
     *
     * @param index the configuration entry's index for a membership change; the leader's last index for a transfer.
     */
    public record AdminResult(boolean accepted, long index, int leaderId, String reason)
    {
    }

    private static final String[] ROLE_NAMES = {"follower", "pre-candidate", "candidate", "leader"};

    private final ClusterLink link;
    private final NanoClock clock;
    private final long responseTimeoutNs;
    private final MessageValidator validator = new MessageValidator();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final StatusRequestEncoder statusRequest = new StatusRequestEncoder();
    private final StatusResponseDecoder statusResponse = new StatusResponseDecoder();
    private final AdminRequestEncoder adminRequest = new AdminRequestEncoder();
    private final AdminResponseDecoder adminResponse = new AdminResponseDecoder();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final Map<Integer, MemberStatus> statuses = new LinkedHashMap<>();
    private long correlationId;
    private AdminResult adminResult;
    private String redirectEndpoint;

    public ClusterAdmin(final ClientContext context)
    {
        context.conclude();
        this.clock = context.clock();
        this.responseTimeoutNs = context.responseTimeoutNs();
        this.link = new ClusterLink(context.aeron(), context.members(), context.responseHost(),
            context.responseStreamId(), context.noLeaderTimeoutNs(), clock);
    }

    /**
     * Asks every member for its status, resending until each answers or {@code timeoutNs} passes.
     *
     * @return one status per member, in the order the members were given.
     */
    public List<MemberStatus> status(final long timeoutNs)
    {
        statuses.clear();
        final long correlation = ++correlationId;
        final long deadline = clock.nanoTime() + timeoutNs;
        long nextSendNs = 0;
        while (statuses.size() < link.memberIds().length && clock.nanoTime() - deadline < 0)
        {
            final long nowNs = clock.nanoTime();
            if (nowNs - nextSendNs >= 0)
            {
                for (final int memberId : link.memberIds())
                {
                    if (!statuses.containsKey(memberId))
                    {
                        statusRequest.wrapAndApplyHeader(buffer, 0, headerEncoder)
                            .correlationId(correlation)
                            .responseStreamId(link.responseStreamId())
                            .responseChannel(link.responseChannel());
                        link.offer(memberId, buffer, 0,
                            MessageHeaderEncoder.ENCODED_LENGTH + statusRequest.encodedLength());
                    }
                }
                nextSendNs = nowNs + 100_000_000L;
            }
            pollOrPause();
        }
        final List<MemberStatus> result = new ArrayList<>();
        for (final int memberId : link.memberIds())
        {
            result.add(statuses.getOrDefault(memberId, MemberStatus.unreachable(memberId)));
        }
        return result;
    }

    /**
     * @return the status of the member that says it leads in the highest term any member reports (a deposed leader
     * that has not heard of the new term yet is passed over), or null if none does within {@code timeoutNs}.
     */
    public MemberStatus leader(final long timeoutNs)
    {
        final long deadline = clock.nanoTime() + timeoutNs;
        do
        {
            final List<MemberStatus> statuses = status(Math.min(timeoutNs, 1_000_000_000L));
            long highestTerm = 0;
            for (final MemberStatus status : statuses)
            {
                highestTerm = Math.max(highestTerm, status.term());
            }
            for (final MemberStatus status : statuses)
            {
                if (status.reachable() && "leader".equals(status.role()) && status.term() == highestTerm)
                {
                    return status;
                }
            }
            LockSupport.parkNanos(50_000_000L);
        }
        while (clock.nanoTime() - deadline < 0);
        return null;
    }

    public AdminResult transferLeader(final int toMemberId, final long timeoutNs)
    {
        return admin(AdminAction.TRANSFER_LEADER, toMemberId, "", timeoutNs);
    }

    public AdminResult addMember(final int memberId, final String endpoint, final long timeoutNs)
    {
        return admin(AdminAction.ADD_MEMBER, memberId, endpoint, timeoutNs);
    }

    public AdminResult removeMember(final int memberId, final long timeoutNs)
    {
        return admin(AdminAction.REMOVE_MEMBER, memberId, "", timeoutNs);
    }

    private AdminResult admin(final AdminAction action, final int memberId, final String endpoint, final long timeoutNs)
    {
        final long deadline = clock.nanoTime() + timeoutNs;
        final int[] memberIds = link.memberIds();
        int target = memberIds[0];
        int slot = 0;
        String lastReason = "no member answered";
        boolean unanswered = false;
        while (clock.nanoTime() - deadline < 0)
        {
            adminResult = null;
            redirectEndpoint = null;
            final long correlation = ++correlationId;
            adminRequest.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .correlationId(correlation)
                .action(action)
                .memberId(memberId)
                .responseStreamId(link.responseStreamId())
                .responseChannel(link.responseChannel())
                .endpoint(endpoint);
            final long attemptDeadline = clock.nanoTime() + responseTimeoutNs;
            boolean sent = false;
            while (adminResult == null && clock.nanoTime() - attemptDeadline < 0)
            {
                if (!sent)
                {
                    sent = link.offer(target, buffer, 0,
                        MessageHeaderEncoder.ENCODED_LENGTH + adminRequest.encodedLength()) > 0;
                }
                pollOrPause();
            }
            final AdminResult result = adminResult;
            if (result == null)
            {
                unanswered |= sent;
                slot = (slot + 1) % memberIds.length;
                target = memberIds[slot];
                continue;
            }
            if (result.accepted())
            {
                return result;
            }
            if (unanswered && (("ALREADY_A_MEMBER".equals(result.reason()) && action == AdminAction.ADD_MEMBER) ||
                ("NOT_A_MEMBER".equals(result.reason()) && action == AdminAction.REMOVE_MEMBER)))
            {
                // an earlier request of this call went unanswered: it made the change, and this is its retry
                return new AdminResult(true, result.index(), result.leaderId(), "NONE");
            }
            lastReason = result.reason();
            if ("NOT_LEADER".equals(result.reason()) && result.leaderId() != 0 && result.leaderId() != target)
            {
                link.addMember(result.leaderId(), redirectEndpoint);
                if (link.isKnown(result.leaderId()))
                {
                    target = result.leaderId();
                    continue;
                }
            }
            if ("NOT_LEADER".equals(result.reason()) || "NO_LEADER".equals(result.reason()) ||
                "NOT_READY".equals(result.reason()) || "BACK_PRESSURED".equals(result.reason()))
            {
                slot = (slot + 1) % memberIds.length;
                target = memberIds[slot];
                LockSupport.parkNanos(100_000_000L);
                continue;
            }
            return result;
        }
        return new AdminResult(false, 0, 0, lastReason + " (gave up after " + timeoutNs / 1_000_000 + " ms)");
    }

    private void pollOrPause()
    {
        if (link.poll(this, 16) == 0)
        {
            LockSupport.parkNanos(1_000_000);
        }
    }

    public void onFragment(final DirectBuffer msg, final int offset, final int length, final Header header)
    {
        final int templateId = validator.validate(msg, offset, length);
        if (templateId < 0)
        {
            return;
        }
        headerDecoder.wrap(msg, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        if (templateId == StatusResponseDecoder.TEMPLATE_ID)
        {
            statusResponse.wrap(msg, body, headerDecoder.blockLength(), headerDecoder.version());
            if (statusResponse.correlationId() != correlationId)
            {
                return;
            }
            final int role = statusResponse.role();
            statuses.put(statusResponse.memberId(), new MemberStatus(
                statusResponse.memberId(),
                true,
                role >= 0 && role < ROLE_NAMES.length ? ROLE_NAMES[role] : "role-" + role,
                statusResponse.term(),
                statusResponse.leaderId(),
                statusResponse.commitIndex(),
                statusResponse.lastIndex(),
                statusResponse.isVoter() == BooleanType.TRUE));
        }
        else if (templateId == AdminResponseDecoder.TEMPLATE_ID)
        {
            adminResponse.wrap(msg, body, headerDecoder.blockLength(), headerDecoder.version());
            if (adminResponse.correlationId() != correlationId)
            {
                return;
            }
            final long index = adminResponse.index();
            final int leaderId = adminResponse.leaderId();
            final AppendCode code = adminResponse.code();
            final RejectReason reason = adminResponse.reason();
            redirectEndpoint = adminResponse.leaderEndpoint();
            adminResult = new AdminResult(code == AppendCode.COMMITTED, index, leaderId, reason.name());
        }
    }

    public void close()
    {
        CloseHelper.close(link);
    }
}

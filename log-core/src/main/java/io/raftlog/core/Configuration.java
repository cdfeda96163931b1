package io.raftlog.core;

import io.raftlog.codecs.BooleanType;
import io.raftlog.codecs.MembershipConfigurationDecoder;
import io.raftlog.codecs.MembershipConfigurationDecoder.MembersDecoder;
import io.raftlog.codecs.MembershipConfigurationEncoder;
import io.raftlog.codecs.MessageHeaderDecoder;
import io.raftlog.codecs.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * Who is in the cluster, and who votes (dissertation chapter 4). Each member votes in the old configuration, the
 * new one, both, or neither (a learner). Outside joint consensus old and new are the same; during it (C_old,new)
 * every decision, an election or a commitment, needs a majority of the old voters and a majority of the new.
 * <p>
 * Slots index the members; the core keeps per-member state in arrays by slot. A configuration is a value that is
 * copied, never shared, and encoded as a {@code MembershipConfiguration} message in CONFIGURATION entries and in
 * snapshots. Changing it allocates (endpoints are kept as bytes); that happens on membership changes only.
 */
public final class Configuration
{
    private final int[] ids = new int[RaftConfig.MAX_MEMBERS];
    private final boolean[] voterOld = new boolean[RaftConfig.MAX_MEMBERS];
    private final boolean[] voterNew = new boolean[RaftConfig.MAX_MEMBERS];
    private final boolean[] promote = new boolean[RaftConfig.MAX_MEMBERS];
    private final byte[][] endpoints = new byte[RaftConfig.MAX_MEMBERS][];
    private int size;
    private boolean joint;

    public int size()
    {
        return size;
    }

    public int memberId(final int slot)
    {
        return ids[slot];
    }

    public boolean isJoint()
    {
        return joint;
    }

    public int slotOf(final int memberId)
    {
        for (int i = 0; i < size; i++)
        {
            if (ids[i] == memberId)
            {
                return i;
            }
        }
        return -1;
    }

    public boolean isMember(final int memberId)
    {
        return slotOf(memberId) >= 0;
    }

    /**
     * @return whether the member votes in the old or the new configuration.
     */
    public boolean isVoter(final int memberId)
    {
        final int slot = slotOf(memberId);
        return slot >= 0 && isVoterSlot(slot);
    }

    public boolean isVoterSlot(final int slot)
    {
        return voterOld[slot] || voterNew[slot];
    }

    public boolean isVoterInOld(final int slot)
    {
        return voterOld[slot];
    }

    public boolean isVoterInNew(final int slot)
    {
        return voterNew[slot];
    }

    public boolean isLearnerSlot(final int slot)
    {
        return !voterOld[slot] && !voterNew[slot];
    }

    public boolean promoteSlot(final int slot)
    {
        return promote[slot];
    }

    /**
     * @return the member's endpoint as text, or null when none is known (tests, bootstrap by id only).
     */
    public String endpoint(final int memberId)
    {
        final int slot = slotOf(memberId);
        return slot < 0 || endpoints[slot] == null ? null : new String(endpoints[slot], java.nio.charset.StandardCharsets.US_ASCII);
    }

    public int voterCount()
    {
        int count = 0;
        for (int i = 0; i < size; i++)
        {
            if (isVoterSlot(i))
            {
                count++;
            }
        }
        return count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Quorums
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * @param grantedSlots a bit per slot that agreed (voted, acknowledged).
     * @return whether they form a quorum: a majority of the old voters and, in joint consensus, of the new.
     */
    public boolean isQuorum(final long grantedSlots)
    {
        return isMajority(grantedSlots, voterOld) && (!joint || isMajority(grantedSlots, voterNew));
    }

    private boolean isMajority(final long grantedSlots, final boolean[] voters)
    {
        int total = 0;
        int granted = 0;
        for (int i = 0; i < size; i++)
        {
            if (voters[i])
            {
                total++;
                if ((grantedSlots & (1L << i)) != 0)
                {
                    granted++;
                }
            }
        }
        return total > 0 && granted >= Quorum.majority(total);
    }

    /**
     * @param indexBySlot each member's index (match index, or the leader's durable index for itself).
     * @param scratch     at least {@code size()} longs.
     * @return the highest index a quorum holds (in joint consensus the lower of the two majorities' indices), or -1
     * when there are no voters.
     */
    public long quorumIndex(final long[] indexBySlot, final long[] scratch, final Quorum quorum)
    {
        final long old = majorityIndex(indexBySlot, scratch, quorum, voterOld);
        return joint ? Math.min(old, majorityIndex(indexBySlot, scratch, quorum, voterNew)) : old;
    }

    private long majorityIndex(
        final long[] indexBySlot, final long[] scratch, final Quorum quorum, final boolean[] voters)
    {
        int n = 0;
        for (int i = 0; i < size; i++)
        {
            if (voters[i])
            {
                scratch[n++] = indexBySlot[i];
            }
        }
        return n == 0 ? -1 : quorum.majorityIndex(scratch, n);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Building
    // ---------------------------------------------------------------------------------------------------------------

    public Configuration clear()
    {
        for (int i = 0; i < size; i++)
        {
            endpoints[i] = null;
        }
        size = 0;
        joint = false;
        return this;
    }

    public Configuration copyFrom(final Configuration other)
    {
        clear();
        for (int i = 0; i < other.size; i++)
        {
            ids[i] = other.ids[i];
            voterOld[i] = other.voterOld[i];
            voterNew[i] = other.voterNew[i];
            promote[i] = other.promote[i];
            endpoints[i] = other.endpoints[i];
        }
        size = other.size;
        joint = other.joint;
        return this;
    }

    /**
     * Adds or replaces a member.
     */
    public Configuration put(
        final int memberId, final boolean inOld, final boolean inNew, final boolean promoteWhenCaughtUp,
        final String endpoint)
    {
        int slot = slotOf(memberId);
        if (slot < 0)
        {
            if (size == ids.length)
            {
                throw new IllegalStateException("too many members");
            }
            slot = size++;
            ids[slot] = memberId;
        }
        voterOld[slot] = inOld;
        voterNew[slot] = inNew;
        promote[slot] = promoteWhenCaughtUp;
        endpoints[slot] = endpoint == null ? null : endpoint.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return this;
    }

    /**
     * Sets a member's votes, keeping its endpoint; the member must exist.
     */
    public Configuration setVotes(final int memberId, final boolean inOld, final boolean inNew, final boolean promote)
    {
        final int slot = slotOf(memberId);
        voterOld[slot] = inOld;
        voterNew[slot] = inNew;
        this.promote[slot] = promote;
        return this;
    }

    public Configuration remove(final int memberId)
    {
        final int slot = slotOf(memberId);
        if (slot >= 0)
        {
            final int last = size - 1;
            ids[slot] = ids[last];
            voterOld[slot] = voterOld[last];
            voterNew[slot] = voterNew[last];
            promote[slot] = promote[last];
            endpoints[slot] = endpoints[last];
            endpoints[last] = null;
            size--;
        }
        return this;
    }

    public Configuration joint(final boolean joint)
    {
        this.joint = joint;
        return this;
    }

    /**
     * Leaves joint consensus: the new voters become the only voters, members that voted only in the old
     * configuration leave, learners stay.
     */
    public Configuration finishJoint()
    {
        for (int i = size - 1; i >= 0; i--)
        {
            if (voterOld[i] && !voterNew[i])
            {
                remove(ids[i]);
            }
        }
        for (int i = 0; i < size; i++)
        {
            voterOld[i] = voterNew[i];
        }
        joint = false;
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Encoding
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * @return the encoded length: a MembershipConfiguration message, header included.
     */
    public int encode(final MutableDirectBuffer buffer, final int offset)
    {
        final MembershipConfigurationEncoder encoder = new MembershipConfigurationEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .joint(joint ? BooleanType.TRUE : BooleanType.FALSE);
        final MembershipConfigurationEncoder.MembersEncoder members = encoder.membersCount(size);
        for (int i = 0; i < size; i++)
        {
            members.next()
                .memberId(ids[i])
                .voterInOld(voterOld[i] ? BooleanType.TRUE : BooleanType.FALSE)
                .voterInNew(voterNew[i] ? BooleanType.TRUE : BooleanType.FALSE)
                .promote(promote[i] ? BooleanType.TRUE : BooleanType.FALSE);
            final byte[] endpoint = endpoints[i];
            if (endpoint == null)
            {
                members.putEndpoint(EMPTY, 0, 0);
            }
            else
            {
                members.putEndpoint(endpoint, 0, endpoint.length);
            }
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Replaces this configuration with the one encoded at {@code offset}.
     *
     * @throws IllegalArgumentException when the bytes are not a valid configuration.
     */
    public Configuration decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new IllegalArgumentException("configuration too short: " + length);
        }
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        if (header.templateId() != MembershipConfigurationDecoder.TEMPLATE_ID ||
            header.schemaId() != MembershipConfigurationDecoder.SCHEMA_ID)
        {
            throw new IllegalArgumentException("not a configuration: template " + header.templateId());
        }
        final MembershipConfigurationDecoder decoder = new MembershipConfigurationDecoder().wrap(
            buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        clear();
        joint = decoder.joint() == BooleanType.TRUE;
        for (final MembershipConfigurationDecoder.MembersDecoder member : decoder.members())
        {
            final int id = member.memberId();
            final boolean inOld = member.voterInOld() == BooleanType.TRUE;
            final boolean inNew = member.voterInNew() == BooleanType.TRUE;
            final boolean promoteFlag = member.promote() == BooleanType.TRUE;
            final String endpoint = member.endpoint();
            if (id <= 0 || isMember(id))
            {
                throw new IllegalArgumentException("bad member id " + id);
            }
            put(id, inOld, inNew, promoteFlag, endpoint.isEmpty() ? null : endpoint);
        }
        if (MessageHeaderDecoder.ENCODED_LENGTH + decoder.encodedLength() > length)
        {
            throw new IllegalArgumentException("configuration runs past its length");
        }
        return this;
    }

    private static final byte[] EMPTY = new byte[0];
    private static final int MEMBER_BLOCK_LENGTH = MembersDecoder.sbeBlockLength();
    private static final int ENDPOINT_HEADER_LENGTH = MembersDecoder.endpointHeaderLength();
    private static final int MEMBER_ID_OFFSET = MembersDecoder.memberIdEncodingOffset();

    /**
     * Whether bytes from a peer hold a configuration {@link #decode} takes without an exception: the header names a
     * MembershipConfiguration, every block, group and endpoint lies inside {@code length}, every flag is a boolean,
     * and there are at most {@link RaftConfig#MAX_MEMBERS} members with distinct positive ids. A leader's CONFIGURATION
     * entry takes effect as soon as it is appended and is decoded again at every start, so one this member cannot
     * read must be refused before it reaches the log. Never throws; allocates nothing.
     *
     * @param offset where the message header starts.
     * @param length bytes the configuration may span.
     */
    public static boolean isWellFormed(final DirectBuffer buffer, final int offset, final int length)
    {
        final int headerLength = MessageHeaderDecoder.ENCODED_LENGTH;
        if (offset < 0 || length < headerLength || length > buffer.capacity() - offset)
        {
            return false;
        }
        final int end = offset + length;
        final int blockLength = buffer.getShort(offset, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        final int templateId = buffer.getShort(offset + 2, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + 4, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        final int groupStart = offset + headerLength + blockLength;
        if (templateId != MembershipConfigurationDecoder.TEMPLATE_ID ||
            schemaId != MembershipConfigurationDecoder.SCHEMA_ID ||
            blockLength < MembershipConfigurationDecoder.BLOCK_LENGTH ||
            end - groupStart < MembersDecoder.HEADER_SIZE ||
            !isBoolean(buffer, offset + headerLength + MembershipConfigurationDecoder.jointEncodingOffset()))
        {
            return false;
        }
        final int memberBlockLength = buffer.getShort(groupStart, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        final int count = buffer.getShort(groupStart + 2, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        if (memberBlockLength < MEMBER_BLOCK_LENGTH || count > RaftConfig.MAX_MEMBERS)
        {
            return false;
        }
        final int firstMember = groupStart + MembersDecoder.HEADER_SIZE;
        int position = firstMember;
        for (int i = 0; i < count; i++)
        {
            if (end - position < memberBlockLength + ENDPOINT_HEADER_LENGTH)
            {
                return false;
            }
            final int id = buffer.getInt(position + MEMBER_ID_OFFSET, MessageHeaderDecoder.BYTE_ORDER);
            if (id <= 0 ||
                !isBoolean(buffer, position + MembersDecoder.voterInOldEncodingOffset()) ||
                !isBoolean(buffer, position + MembersDecoder.voterInNewEncodingOffset()) ||
                !isBoolean(buffer, position + MembersDecoder.promoteEncodingOffset()) ||
                isAmongFirst(buffer, firstMember, memberBlockLength, i, id))
            {
                return false;
            }
            final int endpointLength =
                buffer.getShort(position + memberBlockLength, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
            position += memberBlockLength + ENDPOINT_HEADER_LENGTH;
            if (endpointLength > end - position)
            {
                return false;
            }
            position += endpointLength;
        }
        return true;
    }

    private static boolean isBoolean(final DirectBuffer buffer, final int index)
    {
        final byte code = buffer.getByte(index);
        return code == BooleanType.TRUE.value() || code == BooleanType.FALSE.value();
    }

    /**
     * @return whether one of the first {@code count} members (checked to lie inside the bytes) has {@code id}.
     */
    private static boolean isAmongFirst(
        final DirectBuffer buffer, final int firstMember, final int memberBlockLength, final int count, final int id)
    {
        int position = firstMember;
        for (int i = 0; i < count; i++)
        {
            if (buffer.getInt(position + MEMBER_ID_OFFSET, MessageHeaderDecoder.BYTE_ORDER) == id)
            {
                return true;
            }
            position += memberBlockLength + ENDPOINT_HEADER_LENGTH +
                (buffer.getShort(position + memberBlockLength, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF);
        }
        return false;
    }

    /**
     * @return the voters in old and new, for tests and logs.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(joint ? "joint{" : "{");
        for (int i = 0; i < size; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(ids[i]);
            if (isLearnerSlot(i))
            {
                sb.append(promote[i] ? ":learner+promote" : ":learner");
            }
            else if (joint && voterOld[i] != voterNew[i])
            {
                sb.append(voterOld[i] ? ":old" : ":new");
            }
        }
        return sb.append('}').toString();
    }

    public int[] voterIdsInNew()
    {
        int n = 0;
        final int[] result = new int[size];
        for (int i = 0; i < size; i++)
        {
            if (voterNew[i])
            {
                result[n++] = ids[i];
            }
        }
        return Arrays.copyOf(result, n);
    }
}

package io.raftlog.fuzz;

import io.raftlog.codecs.AdminRequestDecoder;
import io.raftlog.codecs.AdminResponseDecoder;
import io.raftlog.codecs.AppendEntriesDecoder;
import io.raftlog.codecs.AppendResponseDecoder;
import io.raftlog.codecs.ClientAppendRequestDecoder;
import io.raftlog.codecs.ClientAppendResponseDecoder;
import io.raftlog.codecs.ClientQueryRequestDecoder;
import io.raftlog.codecs.ClientQueryResponseDecoder;
import io.raftlog.codecs.CloseSessionRequestDecoder;
import io.raftlog.codecs.InstallSnapshotDecoder;
import io.raftlog.codecs.InstallSnapshotResponseDecoder;
import io.raftlog.codecs.OpenSessionRequestDecoder;
import io.raftlog.codecs.OpenSessionResponseDecoder;
import io.raftlog.codecs.ReadIndexRequestDecoder;
import io.raftlog.codecs.ReadIndexResponseDecoder;
import io.raftlog.codecs.StatusRequestDecoder;
import io.raftlog.codecs.StatusResponseDecoder;
import io.raftlog.codecs.TimeoutNowDecoder;
import io.raftlog.codecs.VoteRequestDecoder;
import io.raftlog.codecs.VoteResponseDecoder;
import org.agrona.DirectBuffer;

/**
 * Decodes every field of a message with the generated SBE decoders, var data and enums included, as their
 * {@code appendTo} does: the independent reading that a message the validator accepted must survive without an
 * exception, inside exactly the bytes the validator said it spans.
 */
final class WholeMessageDecoder
{
    private final VoteRequestDecoder voteRequest = new VoteRequestDecoder();
    private final VoteResponseDecoder voteResponse = new VoteResponseDecoder();
    private final AppendEntriesDecoder appendEntries = new AppendEntriesDecoder();
    private final AppendResponseDecoder appendResponse = new AppendResponseDecoder();
    private final TimeoutNowDecoder timeoutNow = new TimeoutNowDecoder();
    private final InstallSnapshotDecoder installSnapshot = new InstallSnapshotDecoder();
    private final InstallSnapshotResponseDecoder installSnapshotResponse = new InstallSnapshotResponseDecoder();
    private final ReadIndexRequestDecoder readIndexRequest = new ReadIndexRequestDecoder();
    private final ReadIndexResponseDecoder readIndexResponse = new ReadIndexResponseDecoder();
    private final OpenSessionRequestDecoder openSessionRequest = new OpenSessionRequestDecoder();
    private final OpenSessionResponseDecoder openSessionResponse = new OpenSessionResponseDecoder();
    private final CloseSessionRequestDecoder closeSessionRequest = new CloseSessionRequestDecoder();
    private final ClientAppendRequestDecoder clientAppendRequest = new ClientAppendRequestDecoder();
    private final ClientAppendResponseDecoder clientAppendResponse = new ClientAppendResponseDecoder();
    private final StatusRequestDecoder statusRequest = new StatusRequestDecoder();
    private final StatusResponseDecoder statusResponse = new StatusResponseDecoder();
    private final AdminRequestDecoder adminRequest = new AdminRequestDecoder();
    private final AdminResponseDecoder adminResponse = new AdminResponseDecoder();
    private final ClientQueryRequestDecoder clientQueryRequest = new ClientQueryRequestDecoder();
    private final ClientQueryResponseDecoder clientQueryResponse = new ClientQueryResponseDecoder();
    private final StringBuilder text = new StringBuilder(1024);

    /**
     * @param offset where the body starts (after the message header).
     * @return the body length the generated decoder walks, or -1 for a template that is not a wire message.
     */
    int decode(
        final int templateId, final DirectBuffer buffer, final int offset, final int blockLength, final int version)
    {
        text.setLength(0);
        switch (templateId)
        {
            case VoteRequestDecoder.TEMPLATE_ID:
                voteRequest.wrap(buffer, offset, blockLength, version).appendTo(text);
                return voteRequest.sbeDecodedLength();

            case VoteResponseDecoder.TEMPLATE_ID:
                voteResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return voteResponse.sbeDecodedLength();

            case AppendEntriesDecoder.TEMPLATE_ID:
                appendEntries.wrap(buffer, offset, blockLength, version).appendTo(text);
                return appendEntries.sbeDecodedLength();

            case AppendResponseDecoder.TEMPLATE_ID:
                appendResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return appendResponse.sbeDecodedLength();

            case TimeoutNowDecoder.TEMPLATE_ID:
                timeoutNow.wrap(buffer, offset, blockLength, version).appendTo(text);
                return timeoutNow.sbeDecodedLength();

            case InstallSnapshotDecoder.TEMPLATE_ID:
                installSnapshot.wrap(buffer, offset, blockLength, version).appendTo(text);
                return installSnapshot.sbeDecodedLength();

            case InstallSnapshotResponseDecoder.TEMPLATE_ID:
                installSnapshotResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return installSnapshotResponse.sbeDecodedLength();

            case ReadIndexRequestDecoder.TEMPLATE_ID:
                readIndexRequest.wrap(buffer, offset, blockLength, version).appendTo(text);
                return readIndexRequest.sbeDecodedLength();

            case ReadIndexResponseDecoder.TEMPLATE_ID:
                readIndexResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return readIndexResponse.sbeDecodedLength();

            case OpenSessionRequestDecoder.TEMPLATE_ID:
                openSessionRequest.wrap(buffer, offset, blockLength, version).appendTo(text);
                return openSessionRequest.sbeDecodedLength();

            case OpenSessionResponseDecoder.TEMPLATE_ID:
                openSessionResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return openSessionResponse.sbeDecodedLength();

            case CloseSessionRequestDecoder.TEMPLATE_ID:
                closeSessionRequest.wrap(buffer, offset, blockLength, version).appendTo(text);
                return closeSessionRequest.sbeDecodedLength();

            case ClientAppendRequestDecoder.TEMPLATE_ID:
                clientAppendRequest.wrap(buffer, offset, blockLength, version).appendTo(text);
                return clientAppendRequest.sbeDecodedLength();

            case ClientAppendResponseDecoder.TEMPLATE_ID:
                clientAppendResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return clientAppendResponse.sbeDecodedLength();

            case StatusRequestDecoder.TEMPLATE_ID:
                statusRequest.wrap(buffer, offset, blockLength, version).appendTo(text);
                return statusRequest.sbeDecodedLength();

            case StatusResponseDecoder.TEMPLATE_ID:
                statusResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return statusResponse.sbeDecodedLength();

            case AdminRequestDecoder.TEMPLATE_ID:
                adminRequest.wrap(buffer, offset, blockLength, version).appendTo(text);
                return adminRequest.sbeDecodedLength();

            case AdminResponseDecoder.TEMPLATE_ID:
                adminResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return adminResponse.sbeDecodedLength();

            case ClientQueryRequestDecoder.TEMPLATE_ID:
                clientQueryRequest.wrap(buffer, offset, blockLength, version).appendTo(text);
                return clientQueryRequest.sbeDecodedLength();

            case ClientQueryResponseDecoder.TEMPLATE_ID:
                clientQueryResponse.wrap(buffer, offset, blockLength, version).appendTo(text);
                return clientQueryResponse.sbeDecodedLength();

            default:
                return -1;
        }
    }
}

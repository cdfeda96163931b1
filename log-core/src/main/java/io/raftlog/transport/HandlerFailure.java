package io.raftlog.transport;

import io.aeron.logbuffer.ControlledFragmentHandler.Action;

/**
 * Carries an exception out of an Aeron fragment handler to the caller of the poll.
 * <p>
 * Why: {@code Image.poll} and {@code controlledPoll} catch every {@link Exception} a handler throws, pass it to the
 * Aeron client's error handler and move on past the fragment. A storage failure in the middle of a follower's append
 * (a full device, damage found, an I/O error) would then be printed and the node would go on running with a core
 * that may be part-way through a change it could not store: the fail-stop that {@code RaftNode.doWork} promises would
 * never happen. So a handler hands what it caught to {@link #capture}, which stops the poll, and the transport calls
 * {@link #rethrowIfAny} once the poll has returned, on the duty cycle's own stack.
 * <p>
 * Errors ({@code InternalError} from a fault in a mapped file) are not {@link Exception}s: Aeron lets them through.
 */
final class HandlerFailure
{
    private RuntimeException failure;

    /**
     * @return {@link Action#BREAK}: the fragment is consumed (a peer sends it again) and the poll stops here.
     */
    Action capture(final RuntimeException ex)
    {
        if (failure == null)
        {
            failure = ex;
        }
        return Action.BREAK;
    }

    /**
     * Throws the exception a handler caught during the last poll, if any, once.
     */
    void rethrowIfAny()
    {
        final RuntimeException caught = failure;
        if (caught != null)
        {
            failure = null;
            throw caught;
        }
    }
}

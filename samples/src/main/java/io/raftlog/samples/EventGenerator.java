package io.raftlog.samples;

import io.raftlog.core.RaftCore;
import io.raftlog.core.Role;
import io.raftlog.node.RaftNode;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/**
 * {@code raftlog node --generate}: an embedded application in the node's own duty cycle, so the only thread that
 * calls {@link RaftNode#offer} is the node's agent thread. While this member leads, it offers the ASCII text
 * {@code gen-<index>} (the index the entry is offered at, padded with spaces to {@link #LENGTH} bytes, as the demo's
 * events are) until its log reaches index {@code targetIndex}; with at most {@link #WINDOW} entries beyond the commit
 * index, so a leader that dies leaves little uncommitted behind. The commit index then reaches at least
 * {@code targetIndex} (leader no-ops and configurations count towards it). It also prints, every
 * {@code statusIntervalNs}, one line a program can follow:
 * <pre>
 *   status id=1 role=LEADER term=3 leader=1 commit=12345 last=12345 generated=12000
 * </pre>
 */
final class EventGenerator implements Agent
{
    static final int LENGTH = 32;
    static final String PREFIX = "gen-";
    /** Most entries offered in one duty cycle. */
    static final int BURST = 256;
    /** Most entries offered beyond the commit index. */
    static final int WINDOW = 8192;

    private final RaftNode node;
    private final int id;
    private final long targetIndex;
    private final long ratePerSecond;
    private final long statusIntervalNs;
    private final PrintWriter out;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);

    private long generated;
    private double tokens;
    private long lastRefillNs;
    private long nextStatusNs;

    /**
     * @param targetIndex      offer while leading until the log reaches this index; 0 offers nothing.
     * @param ratePerSecond    most entries offered a second; 0 for no limit but the window.
     * @param statusIntervalNs how often to print a status line; 0 for never.
     */
    EventGenerator(
        final RaftNode node,
        final int id,
        final long targetIndex,
        final long ratePerSecond,
        final long statusIntervalNs,
        final PrintWriter out)
    {
        this.node = node;
        this.id = id;
        this.targetIndex = targetIndex;
        this.ratePerSecond = ratePerSecond;
        this.statusIntervalNs = statusIntervalNs;
        this.out = out;
    }

    public String roleName()
    {
        return node.roleName();
    }

    public void onStart()
    {
        node.onStart();
        final long nowNs = System.nanoTime();
        lastRefillNs = nowNs;
        nextStatusNs = nowNs;
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        int work = generate(nowNs); // staged now, appended and sent by the node's flush in this same cycle
        work += node.doWork();
        if (statusIntervalNs > 0 && nowNs - nextStatusNs >= 0)
        {
            nextStatusNs = nowNs + statusIntervalNs;
            printStatus();
        }
        return work;
    }

    public void onClose()
    {
        node.onClose();
    }

    long generated()
    {
        return generated;
    }

    private int generate(final long nowNs)
    {
        if (ratePerSecond > 0)
        {
            final double cap = Math.max(BURST, ratePerSecond / 10.0);
            tokens = Math.min(cap, tokens + (nowNs - lastRefillNs) * (ratePerSecond / 1e9));
            lastRefillNs = nowNs;
        }
        final RaftCore core = node.core();
        if (targetIndex <= 0 || core.role() != Role.LEADER)
        {
            return 0;
        }
        int offered = 0;
        while (offered < BURST &&
            core.lastIndex() < targetIndex &&
            core.lastIndex() - core.commitIndex() < WINDOW &&
            (ratePerSecond <= 0 || tokens >= 1.0))
        {
            final long expectedIndex = core.lastIndex() + 1;
            final int length = encode(payload, 0, expectedIndex);
            final long index = node.offer(payload, 0, length);
            if (index < 0)
            {
                break; // back-pressured, or no longer leading: try again next cycle
            }
            if (index != expectedIndex)
            {
                throw new IllegalStateException("offered at index " + index + ", expected " + expectedIndex);
            }
            generated++;
            offered++;
            tokens -= 1.0;
        }
        return offered;
    }

    private void printStatus()
    {
        final RaftCore core = node.core();
        out.printf("status id=%d role=%s term=%d leader=%d commit=%d last=%d generated=%d%n",
            id, core.role(), core.currentTerm(), core.leaderId(), core.commitIndex(), core.lastIndex(), generated);
        out.flush();
    }

    /**
     * Writes {@code gen-<n>} padded with spaces to {@link #LENGTH} bytes, without allocating.
     *
     * @return the length written, always {@link #LENGTH}.
     */
    static int encode(final UnsafeBuffer buffer, final int offset, final long n)
    {
        buffer.putStringWithoutLengthAscii(offset, PREFIX);
        final int used = PREFIX.length() + buffer.putNaturalLongAscii(offset + PREFIX.length(), n);
        buffer.setMemory(offset + used, LENGTH - used, (byte)' ');
        return LENGTH;
    }
}

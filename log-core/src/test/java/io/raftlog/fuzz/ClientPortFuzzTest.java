package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.raftlog.core.RaftCore;
import io.raftlog.session.ClientSessionService;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever arrives on the client port, a member keeps serving: no exception leaves
 * {@link ClientSessionService#onMessage}, sessions, paths back and queries in flight stay within their limits, every
 * response it sends is a well-formed message a client can read, and every committed session entry takes effect
 * (the leader appends only entries that will).
 * <p>
 * An input picks a leader or a follower, with or without a state machine, and a few steps: client requests
 * (well-formed ones with session ids and sequences drawn around the member's sessions, bent framing, raw bytes, or
 * the last request again, as a client retries), followers acknowledging, time passing, the state machine answering,
 * a peer deposing the leader. Each input starts from a freshly built member, so every finding replays on its own.
 */
class ClientPortFuzzTest
{
    private static final int MAX_STEPS = 24;
    private static final int CAPACITY = 16 * 1024;
    /** {@code ClientSessionService.MAX_PENDING_QUERIES}. */
    private static final int MAX_PENDING_QUERIES = 256;

    // The fixture, built once per JVM and reused by every input; the member itself is rebuilt per input.
    private static final UnsafeBuffer BUFFER = new UnsafeBuffer(new byte[CAPACITY]);
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);
    private static final ClientMessages MESSAGES = new ClientMessages();
    private static final ClientMessages.Pivot PIVOT = new ClientMessages.Pivot();
    private static final AllocationBudget BUDGET = new AllocationBudget(AllocationBudget.MAX_BYTES_PER_INPUT);
    private static final WarmUp WARM_UP = new WarmUp(ClientPortFuzzTest::serve, 300, 1024);
    /** Bytes of the last request in {@link #BUFFER}, which a client's retry sends again. */
    private static int lastLength;

    static
    {
        PIVOT.maxPayloadBytes = ClientNode.MAX_PAYLOAD_BYTES;
    }

    @FuzzTest(maxDuration = "15s")
    void aClientRequestNeverCrashesTheMemberNorGrowsItsState(final byte[] input)
    {
        WARM_UP.once();
        BUDGET.run(input, ClientPortFuzzTest::serve, "the client port");
    }

    private static void serve(final FuzzedDataProvider data)
    {
        final ClientNode node = new ClientNode(data.consumeBoolean() ? 1 : 0, data.consumeBoolean());
        lastLength = 0;
        node.responders.failEvery = data.consumeInt(0, 3);

        BUDGET.start();
        for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++)
        {
            step(data, node);
            checkLimits(node);
        }
        BUDGET.stop();
    }

    private static void step(final FuzzedDataProvider data, final ClientNode node)
    {
        final RaftCore core = node.core;
        switch (data.consumeInt(0, 12))
        {
            case 0:
            {
                final byte[] bytes = data.consumeBytes(Draw.length(data, 512));
                BUFFER.putBytes(0, bytes);
                lastLength = bytes.length;
                node.sessions.onMessage(BUFFER, 0, lastLength);
                break;
            }

            case 6:
                // a client's retry: exactly the same bytes again, the case exactly-once appends exist for
                node.sessions.onMessage(BUFFER, 0, lastLength);
                break;

            case 1:
                node.acknowledgeAll();
                break;

            case 2:
            {
                final long nowNs = node.peer.nowNs + data.consumeLong(0, 6_000 * PeerNode.MS);
                node.peer.tick(nowNs);
                node.sessions.expireQueries(nowNs);
                break;
            }

            case 3:
                node.answerQuery(data.consumeInt(0, 64));
                break;

            case 4:
                core.flush();
                break;

            case 5:
            {
                // a peer's heartbeat, perhaps of a later term: a leader steps down, a follower learns its leader
                final long lastIndex = node.peer.log.lastIndex();
                core.onAppendEntries(core.currentTerm() + data.consumeInt(0, 1), 2, lastIndex,
                    node.peer.log.termAt(lastIndex), core.commitIndex(), 0, EMPTY, 0, 0, 0, node.peer.nowNs);
                core.flush();
                break;
            }

            default:
            {
                final long sessionId = node.responders.lastOpenedSessionId;
                PIVOT.sessionId = sessionId == 0 ? core.commitIndex() : sessionId;
                PIVOT.sequence = Math.max(0, node.sessions.committedTable().lastSequence(PIVOT.sessionId));
                PIVOT.memberIds = node.peer.memberIds;
                lastLength = WireDamage.bend(data, BUFFER, 0, MESSAGES.write(data, BUFFER, 0, PIVOT), CAPACITY);
                node.sessions.onMessage(BUFFER, 0, lastLength);
                break;
            }
        }
    }

    private static void checkLimits(final ClientNode node)
    {
        final ClientSessionService sessions = node.sessions;
        assertTrue(sessions.committedTable().sessionCount() <= ClientNode.MAX_SESSIONS,
            () -> sessions.committedTable().sessionCount() + " sessions, more than " + ClientNode.MAX_SESSIONS);
        assertTrue(sessions.pendingQueries() <= MAX_PENDING_QUERIES,
            () -> sessions.pendingQueries() + " queries in flight");
        assertTrue(node.queuedQueries <= ClientNode.QUERY_QUEUE, "the state machine's queue overflowed");
        assertEquals(0, sessions.ineffectiveEntries(), "a committed session entry did not take effect");
        assertTrue(node.core.commitIndex() <= node.peer.log.lastIndex(), "commit index beyond the log");
    }
}

package io.raftlog.sim;

import org.agrona.ExpandableArrayBuffer;

/**
 * One scheduled happening. Pooled and reused: the simulator allocates nothing per event in steady state, so the
 * zero-allocation test can run the cores on the very same harness.
 */
final class SimEvent
{
    static final int DELIVER = 1;
    static final int TICK = 2;
    static final int SYNC_DONE = 3;
    static final int ACTOR = 4;

    long timeNs;
    long sequence;
    int type;
    int from;
    int to;
    long incarnation;
    SimActor actor;
    final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(256);
    int length;

    boolean before(final SimEvent other)
    {
        return timeNs < other.timeNs || (timeNs == other.timeNs && sequence < other.sequence);
    }
}

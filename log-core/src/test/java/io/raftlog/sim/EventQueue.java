package io.raftlog.sim;

/**
 * A binary heap of pooled events ordered by (time, sequence): ties break by scheduling order, so a run is a pure
 * function of its seed.
 */
final class EventQueue
{
    private SimEvent[] heap = new SimEvent[1024];
    private SimEvent[] pool = new SimEvent[1024];
    private int size;
    private int pooled;
    private long sequence;

    /**
     * Fills the pool with events whose buffers already hold {@code capacity} bytes, so a run allocates nothing
     * once it is going.
     */
    void prefill(final int count, final int capacity)
    {
        for (int i = 0; i < count; i++)
        {
            final SimEvent event = new SimEvent();
            event.payload.checkLimit(capacity);
            release(event);
        }
    }

    SimEvent acquire()
    {
        if (pooled == 0)
        {
            return new SimEvent();
        }
        final SimEvent event = pool[--pooled];
        pool[pooled] = null;
        return event;
    }

    void release(final SimEvent event)
    {
        event.actor = null;
        if (pooled == pool.length)
        {
            pool = java.util.Arrays.copyOf(pool, pooled * 2);
        }
        pool[pooled++] = event;
    }

    void schedule(final SimEvent event, final long timeNs)
    {
        event.timeNs = timeNs;
        event.sequence = sequence++;
        if (size == heap.length)
        {
            heap = java.util.Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        heap[i] = event;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!heap[i].before(heap[parent]))
            {
                break;
            }
            swap(i, parent);
            i = parent;
        }
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    long peekTime()
    {
        return heap[0].timeNs;
    }

    SimEvent poll()
    {
        final SimEvent top = heap[0];
        heap[0] = heap[--size];
        heap[size] = null;
        int i = 0;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= size)
            {
                break;
            }
            final int right = left + 1;
            final int child = right < size && heap[right].before(heap[left]) ? right : left;
            if (!heap[child].before(heap[i]))
            {
                break;
            }
            swap(i, child);
            i = child;
        }
        return top;
    }

    /**
     * Drops every pending event for which the filter says so (used when healing needs no in-flight messages).
     */
    int size()
    {
        return size;
    }

    private void swap(final int a, final int b)
    {
        final SimEvent t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
    }
}

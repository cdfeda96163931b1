package io.raftlog.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Records a key-value history as a test runs: each invocation returns an id, and the id is later completed with
 * what the client observed, given up on, or withdrawn. Single threaded and deterministic, as the simulator is.
 * <pre>{@code
 * final KvHistory history = new KvHistory();
 * final int put = history.invokePut(1, "x", "a", nowNs);
 * ...
 * history.ok(put, laterNs);
 * final int get = history.invokeGet(2, "x", nowNs);
 * history.okGet(get, "a", laterNs);
 * final LinearizabilityChecker.Result result = new LinearizabilityChecker().check(history);
 * }</pre>
 * An operation never completed stays open, with an unknown outcome, as if {@link #unknown(int)} had been called.
 */
public final class KvHistory
{
    private static final byte OPEN = 0;
    private static final byte COMPLETED = 1;
    private static final byte UNKNOWN = 2;
    private static final byte FAILED = 3;

    private final ArrayList<KvOperation> operations = new ArrayList<>();
    private byte[] states = new byte[64];

    public int invokePut(final int clientId, final String key, final String value, final long nowNs)
    {
        return add(KvOperation.put(operations.size(), clientId, key, value, nowNs, KvOperation.UNKNOWN_RESPONSE_NS));
    }

    public int invokeDelete(final int clientId, final String key, final long nowNs)
    {
        return add(KvOperation.delete(operations.size(), clientId, key, nowNs, KvOperation.UNKNOWN_RESPONSE_NS));
    }

    public int invokeGet(final int clientId, final String key, final long nowNs)
    {
        return add(KvOperation.get(operations.size(), clientId, key, null, nowNs, KvOperation.UNKNOWN_RESPONSE_NS));
    }

    public int invokeCas(
        final int clientId, final String key, final String expected, final String value, final long nowNs)
    {
        return add(KvOperation.cas(
            operations.size(), clientId, key, expected, value, false, nowNs, KvOperation.UNKNOWN_RESPONSE_NS));
    }

    /**
     * A PUT or DELETE was acknowledged.
     */
    public void ok(final int id, final long nowNs)
    {
        final KvOperation op = open(id);
        if (op.kind() != KvOperation.Kind.PUT && op.kind() != KvOperation.Kind.DELETE)
        {
            throw new IllegalArgumentException("a " + op.kind() + " completes with a result: " + op);
        }
        close(id, op.complete(nowNs, null, false));
    }

    /**
     * A GET returned {@code read}, {@code null} for absent.
     */
    public void okGet(final int id, final String read, final long nowNs)
    {
        final KvOperation op = open(id);
        if (op.kind() != KvOperation.Kind.GET)
        {
            throw new IllegalArgumentException("not a GET: " + op);
        }
        close(id, op.complete(nowNs, read, false));
    }

    /**
     * A CAS answered whether it swapped.
     */
    public void okCas(final int id, final boolean swapped, final long nowNs)
    {
        final KvOperation op = open(id);
        if (op.kind() != KvOperation.Kind.CAS)
        {
            throw new IllegalArgumentException("not a CAS: " + op);
        }
        close(id, op.complete(nowNs, null, swapped));
    }

    /**
     * The client gave up (timed out or crashed): the operation may take effect at any later instant, or never.
     */
    public void unknown(final int id)
    {
        open(id);
        states[id] = UNKNOWN;
    }

    /**
     * The operation is known not to have taken effect (rejected before it was proposed, say): it leaves the history.
     */
    public void fail(final int id)
    {
        open(id);
        states[id] = FAILED;
    }

    /**
     * @return every operation not withdrawn by {@link #fail(int)}, in invocation order; open ones have an unknown
     * outcome.
     */
    public List<KvOperation> operations()
    {
        final ArrayList<KvOperation> result = new ArrayList<>(operations.size());
        for (int id = 0; id < operations.size(); id++)
        {
            if (states[id] != FAILED)
            {
                result.add(operations.get(id));
            }
        }
        return result;
    }

    public KvOperation operation(final int id)
    {
        return operations.get(id);
    }

    public int size()
    {
        return operations.size();
    }

    private int add(final KvOperation op)
    {
        if (op.id() == states.length)
        {
            states = Arrays.copyOf(states, states.length * 2);
        }
        states[op.id()] = OPEN;
        operations.add(op);
        return op.id();
    }

    private KvOperation open(final int id)
    {
        if (id < 0 || id >= operations.size())
        {
            throw new IllegalArgumentException("no operation " + id);
        }
        if (states[id] != OPEN)
        {
            throw new IllegalStateException("already closed: " + operations.get(id));
        }
        return operations.get(id);
    }

    private void close(final int id, final KvOperation completed)
    {
        operations.set(id, completed);
        states[id] = COMPLETED;
    }
}

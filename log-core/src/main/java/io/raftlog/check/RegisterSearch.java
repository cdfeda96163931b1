package io.raftlog.check;

import io.raftlog.check.LinearizabilityChecker.Outcome;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Object2IntHashMap;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Decides whether the operations on one key are linearizable against a register that starts absent: Wing and
 * Gong's search (J. Parallel Distrib. Comput. 1993) over a list of call and return events, with Lowe's memo of
 * configurations already reached (Testing for linearizability, 2017), as Knossos and Porcupine do it.
 * <p>
 * The events are in time order, a call before a return at the same instant, so operations that touch at an instant
 * count as concurrent. An operation may be linearized next when its call comes before the first remaining return;
 * linearizing it lifts its call and return out of the list. When no operation that may come next leads to a
 * linearization, the search backtracks.
 * <p>
 * An operation with an unknown outcome has no return: it may be linearized at any point after its call, or never.
 * Left to the plain search, every such operation doubles the configurations at every later point, since each could
 * have been taken or not, and a failing search must visit them all. Four reductions keep that in check; each
 * preserves the existence of a linearization, so the answer is still exact:
 * <ol>
 *     <li>Written values that no GET read and no CAS expected cannot be told apart by any operation: they are one
 *     value to the search.</li>
 *     <li>Unknown operations with the same effect (kind, expected and written value) are interchangeable, so they
 *     are taken in invocation order, and only the first untaken of each such group is ever a candidate.</li>
 *     <li>Only linearizations in a canonical form are looked for, one of which exists whenever any does, because an
 *     unknown operation can always be dropped or moved later: an unknown operation changes the value (else drop
 *     it); none is followed by a blind write, PUT or DELETE (drop it: nothing saw its effect); the completed
 *     operation after a run of unknown ones would fail from the value before the run (else move the run after it,
 *     or, for a CAS that swapped either way, drop the run); none follows the last completed operation (drop it).
 *     So an unknown operation is only tried where the next observation needs it.</li>
 *     <li>Taking an unknown operation is optional, so the memo ({@link StateCache}) prunes a configuration when one
 *     that took a subset of its unknown operations, the rest being equal, was reached before.</li>
 * </ol>
 * Completed operations are tried before unknown ones, so that configurations that took fewer unknown operations
 * tend to be reached first.
 */
final class RegisterSearch
{
    private static final int ABSENT = 0;
    private static final int UNOBSERVED = 1;
    private static final int FAILS = -1;
    private static final int NOT_IN_RUN = -1;
    private static final int NIL = -1;
    private static final int PASS_ONE = -2;
    private static final int SHOWN_PREFIX = 5;
    private static final int SHOWN_CANDIDATES = 10;

    private final String key;
    private final long maxSteps;

    // completed operations are 0 .. completedCount - 1 by when they returned, unknown ones follow by invocation
    private final KvOperation[] ops;
    private final int count;
    private final int completedCount;
    private final KvOperation.Kind[] kinds;
    private final boolean[] unknown;
    private final int[] written;
    private final int[] expected;
    private final int[] observed;
    private final boolean[] swapped;
    private final long[] zobrist;

    // unknown operations with the same effect, in invocation order; the first taken[g] of group g are linearized;
    // the groups not all taken are linked in the order their first operations were called, from groupHead
    private final int[][] groups;
    private final int[] groupOf;
    private final int[] taken;
    private final int groupHead;
    private final int[] groupNext;
    private final int[] groupPrev;

    // the events of completed operations: entry 2i is the call of operation i, 2i + 1 its return; the head is 2n
    private final int head;
    private final int[] next;
    private final int[] prev;

    // completed operation i is bit i of the first set, unknown operation i bit i - completedCount of the second
    private final long[] completedLinearized;
    private final long[] unknownLinearized;
    private final int[] stackOp;
    private final int[] stackValue;
    private final int[] stackRunStart;
    private final StateCache cache;

    private long completedHash;
    private long candidatesTried;
    private int value = ABSENT;
    private int runStart = NOT_IN_RUN;
    private int depth;
    private int completedLeft;

    private int[] bestOrder = new int[0];
    private int bestCompleted = -1;

    /**
     * @param operations the operations on {@code key}, none of them a GET with an unknown outcome.
     * @param maxSteps   how much work ({@link #steps()}) the search may do before it gives up.
     */
    RegisterSearch(final String key, final List<KvOperation> operations, final long maxSteps)
    {
        this.key = key;
        this.maxSteps = maxSteps;
        count = operations.size();
        ops = operations.toArray(new KvOperation[0]);
        // by when they returned, so that a completed set is mostly leading ones and trailing zeros, stored compactly
        Arrays.sort(ops, Comparator.comparingLong(KvOperation::responseNs).thenComparingLong(KvOperation::invokeNs));

        final Object2IntHashMap<String> valueIds = internObservedValues();
        kinds = new KvOperation.Kind[count];
        unknown = new boolean[count];
        written = new int[count];
        expected = new int[count];
        observed = new int[count];
        swapped = new boolean[count];
        zobrist = new long[count];
        int completed = 0;
        for (int i = 0; i < count; i++)
        {
            final KvOperation op = ops[i];
            if (op.kind() == KvOperation.Kind.GET && op.isUnknown())
            {
                throw new IllegalArgumentException("a GET with an unknown outcome says nothing: " + op);
            }
            kinds[i] = op.kind();
            unknown[i] = op.isUnknown();
            written[i] = valueId(valueIds, op.value());
            expected[i] = valueId(valueIds, op.expected());
            observed[i] = valueId(valueIds, op.read());
            swapped[i] = op.swapped();
            zobrist[i] = StateCache.mix(0x632BE59BD9B4E019L + i * 0x9E3779B97F4A7C15L);
            completed += unknown[i] ? 0 : 1;
        }
        completedCount = completed;
        completedLeft = completed;

        groupOf = new int[count];
        groups = groupUnknownOperations();
        taken = new int[groups.length];
        groupHead = groups.length;
        groupNext = new int[groups.length + 1];
        groupPrev = new int[groups.length + 1];
        int last = groupHead;
        groupPrev[groupHead] = NIL;
        for (int group = 0; group < groups.length; group++)
        {
            groupNext[last] = group;
            groupPrev[group] = last;
            last = group;
        }
        groupNext[last] = NIL;

        head = 2 * completedCount;
        next = new int[2 * completedCount + 1];
        prev = new int[2 * completedCount + 1];
        linkEvents();

        completedLinearized = new long[(completedCount + 63) >>> 6];
        unknownLinearized = new long[(count - completedCount + 63) >>> 6];
        stackOp = new int[count];
        stackValue = new int[count];
        stackRunStart = new int[count];
        cache = new StateCache(4 * count);
    }

    Outcome run()
    {
        noteProgress();
        int entry = next[head];
        int group = PASS_ONE;
        long firstReturnNs = 0;
        while (completedLeft > 0)
        {
            int op = NIL;
            if (group == PASS_ONE)
            {
                // first the completed operations called before the first remaining return
                if ((entry & 1) == 0)
                {
                    op = entry >>> 1;
                    entry = next[entry];
                }
                else
                {
                    firstReturnNs = ops[entry >>> 1].responseNs();
                    group = groupNext[groupHead];
                }
            }
            else if (group != NIL && ops[groups[group][0]].invokeNs() <= firstReturnNs)
            {
                // then the first untaken unknown operation of each group, if called before that return; groups are
                // in the order their first operations were called
                final int candidate = groups[group][taken[group]];
                op = ops[candidate].invokeNs() <= firstReturnNs ? candidate : NIL;
                group = groupNext[group];
            }
            else
            {
                // nothing that may come next leads to a linearization
                if (depth == 0)
                {
                    return Outcome.NOT_LINEARIZABLE;
                }
                final int last = pop();
                if (unknown[last])
                {
                    group = groupNext[groupOf[last]];
                    firstReturnNs = ops[firstReturn() >>> 1].responseNs();
                }
                else
                {
                    group = PASS_ONE;
                    entry = next[2 * last];
                }
            }

            if (op != NIL)
            {
                if (++candidatesTried + cache.steps() > maxSteps)
                {
                    return Outcome.SEARCH_LIMIT;
                }
                if (tryToLinearize(op))
                {
                    entry = next[head];
                    group = PASS_ONE;
                }
            }
        }
        return Outcome.LINEARIZABLE;
    }

    /**
     * @return the work done: one step per candidate tried, per memo lookup, and per remembered set compared.
     */
    long steps()
    {
        return candidatesTried + cache.steps();
    }

    /**
     * @return the longest linearizable prefix the search found, and the operations one of which had to follow it.
     */
    String explain(final Outcome outcome)
    {
        final StringBuilder sb = new StringBuilder(1024).append("key ").append(KvOperation.quote(key)).append(": ");
        if (outcome == Outcome.SEARCH_LIMIT)
        {
            sb.append("gave up after ").append(steps()).append(" steps (limit ").append(maxSteps).append(").");
        }
        else
        {
            sb.append("not linearizable.");
        }

        final boolean[] done = new boolean[count];
        for (final int op : bestOrder)
        {
            done[op] = true;
        }
        sb.append(" The longest linearizable prefix found orders ").append(bestCompleted).append(" of ")
            .append(completedCount).append(" completed operations and leaves the value ")
            .append(KvOperation.quote(valueAfter(bestOrder)));
        if (bestOrder.length > 0)
        {
            sb.append("; it ends:");
            for (int i = Math.max(0, bestOrder.length - SHOWN_PREFIX); i < bestOrder.length; i++)
            {
                sb.append("\n    ").append(ops[bestOrder[i]]);
            }
        }

        int firstReturn = NIL;
        for (int op = 0; op < completedCount && firstReturn == NIL; op++)
        {
            firstReturn = done[op] ? NIL : op;
        }
        if (firstReturn != NIL)
        {
            final long firstReturnNs = ops[firstReturn].responseNs();
            sb.append(outcome == Outcome.SEARCH_LIMIT ? "\n  The search found nothing yet to follow it. " :
                "\n  Nothing can follow it. ")
                .append("The earliest return left is at ").append(firstReturnNs)
                .append(", so one of these, called by then, had to come next:");
            int shown = 0;
            int more = 0;
            for (int op = 0; op < count; op++)
            {
                if (!done[op] && ops[op].invokeNs() <= firstReturnNs)
                {
                    if (shown < SHOWN_CANDIDATES)
                    {
                        sb.append("\n    ").append(ops[op]);
                        shown++;
                    }
                    else
                    {
                        more++;
                    }
                }
            }
            if (more > 0)
            {
                sb.append("\n    ... and ").append(more).append(" more");
            }
        }
        return sb.toString();
    }

    /**
     * @return true if {@code op} could come next and led to a configuration not reached before, now the current one.
     */
    private boolean tryToLinearize(final int op)
    {
        final int after = step(op);
        if (after == FAILS)
        {
            return false;
        }
        final int runAfter = unknown[op] ? (runStart == NOT_IN_RUN ? value : runStart) : NOT_IN_RUN;
        flip(op);
        final boolean isNew = cache.add(completedLinearized, completedHash, unknownLinearized, after, runAfter);
        flip(op);
        if (isNew)
        {
            push(op, after, runAfter);
        }
        return isNew;
    }

    /**
     * The register after operation {@code op} from the current configuration, or {@link #FAILS} when the model
     * contradicts what was observed or the step would leave the canonical form (see the class comment).
     */
    private int step(final int op)
    {
        final boolean inRun = runStart != NOT_IN_RUN;
        if (inRun && (kinds[op] == KvOperation.Kind.PUT || kinds[op] == KvOperation.Kind.DELETE))
        {
            return FAILS;
        }
        final int after = apply(op, value);
        if (unknown[op])
        {
            return after == value ? FAILS : after;
        }
        if (after != FAILS && inRun && apply(op, runStart) != FAILS)
        {
            return FAILS;
        }
        return after;
    }

    /**
     * The register model: what {@code op} leaves of {@code from}, or {@link #FAILS} when its observed result could
     * not have come from {@code from}.
     */
    private int apply(final int op, final int from)
    {
        switch (kinds[op])
        {
            case PUT:
                return written[op];

            case DELETE:
                return ABSENT;

            case GET:
                return observed[op] == from ? from : FAILS;

            case CAS:
                final boolean matches = from == expected[op];
                if (!unknown[op] && matches != swapped[op])
                {
                    return FAILS;
                }
                return matches ? written[op] : from;

            default:
                throw new IllegalStateException(kinds[op].toString());
        }
    }

    private void push(final int op, final int after, final int runAfter)
    {
        stackOp[depth] = op;
        stackValue[depth] = value;
        stackRunStart[depth] = runStart;
        depth++;
        value = after;
        runStart = runAfter;
        flip(op);
        if (unknown[op])
        {
            final int group = groupOf[op];
            if (++taken[group] == groups[group].length)
            {
                remove(groupNext, groupPrev, group);
            }
        }
        else
        {
            lift(op);
            completedLeft--;
            noteProgress();
        }
    }

    private int pop()
    {
        depth--;
        final int op = stackOp[depth];
        value = stackValue[depth];
        runStart = stackRunStart[depth];
        flip(op);
        if (unknown[op])
        {
            final int group = groupOf[op];
            if (taken[group]-- == groups[group].length)
            {
                restore(groupNext, groupPrev, group);
            }
        }
        else
        {
            unlift(op);
            completedLeft++;
        }
        return op;
    }

    private int firstReturn()
    {
        int entry = next[head];
        while ((entry & 1) == 0)
        {
            entry = next[entry];
        }
        return entry;
    }

    private void noteProgress()
    {
        final int completed = completedCount - completedLeft;
        if (completed > bestCompleted)
        {
            bestCompleted = completed;
            bestOrder = Arrays.copyOf(stackOp, depth);
        }
    }

    /**
     * @return the value the operations leave in the given order, with the written values themselves, which the
     * search does not keep when no operation observed them.
     */
    private String valueAfter(final int[] order)
    {
        String current = null;
        for (final int op : order)
        {
            final KvOperation.Kind kind = kinds[op];
            if (kind == KvOperation.Kind.PUT || (kind == KvOperation.Kind.CAS && (unknown[op] || swapped[op])))
            {
                // an unknown CAS is linearized only where it swaps
                current = ops[op].value();
            }
            else if (kind == KvOperation.Kind.DELETE)
            {
                current = null;
            }
        }
        return current;
    }

    private void flip(final int op)
    {
        if (unknown[op])
        {
            final int bit = op - completedCount;
            unknownLinearized[bit >>> 6] ^= 1L << bit;
        }
        else
        {
            completedLinearized[op >>> 6] ^= 1L << op;
            completedHash ^= zobrist[op];
        }
    }

    private void lift(final int op)
    {
        remove(next, prev, 2 * op);
        remove(next, prev, 2 * op + 1);
    }

    private void unlift(final int op)
    {
        // dancing links: restore in the reverse order of removal
        restore(next, prev, 2 * op + 1);
        restore(next, prev, 2 * op);
    }

    private static void remove(final int[] next, final int[] prev, final int entry)
    {
        next[prev[entry]] = next[entry];
        if (next[entry] != NIL)
        {
            prev[next[entry]] = prev[entry];
        }
    }

    private static void restore(final int[] next, final int[] prev, final int entry)
    {
        next[prev[entry]] = entry;
        if (next[entry] != NIL)
        {
            prev[next[entry]] = entry;
        }
    }

    private void linkEvents()
    {
        final Integer[] entries = new Integer[2 * completedCount];
        for (int i = 0; i < entries.length; i++)
        {
            entries[i] = i;
        }
        // by time, calls before returns at the same instant, then by operation for a deterministic order
        Arrays.sort(entries, Comparator.<Integer>comparingLong(this::timeOf)
            .thenComparingInt((e) -> e & 1)
            .thenComparingInt((e) -> e));

        int last = head;
        prev[head] = NIL;
        for (final int entry : entries)
        {
            next[last] = entry;
            prev[entry] = last;
            last = entry;
        }
        next[last] = NIL;
    }

    private long timeOf(final int entry)
    {
        final KvOperation op = ops[entry >>> 1];
        return (entry & 1) == 0 ? op.invokeNs() : op.responseNs();
    }

    private int[][] groupUnknownOperations()
    {
        final Long2LongHashMap groupIds = new Long2LongHashMap(NIL);
        final int[] sizes = new int[count];
        for (int op = completedCount; op < count; op++)
        {
            final long signature = ((long)kinds[op].ordinal() << 58) | ((long)expected[op] << 29) | written[op];
            int group = (int)groupIds.get(signature);
            if (group == NIL)
            {
                group = groupIds.size();
                groupIds.put(signature, group);
            }
            groupOf[op] = group;
            sizes[group]++;
        }

        final int[][] result = new int[groupIds.size()][];
        for (int group = 0; group < result.length; group++)
        {
            result[group] = new int[sizes[group]];
            sizes[group] = 0;
        }
        for (int op = completedCount; op < count; op++)
        {
            // unknown operations are numbered by invocation, so each group is in invocation order
            result[groupOf[op]][sizes[groupOf[op]]++] = op;
        }
        return result;
    }

    /**
     * @return an id for every value a completed GET read or a CAS expected; other values are {@link #UNOBSERVED}.
     */
    private Object2IntHashMap<String> internObservedValues()
    {
        final Object2IntHashMap<String> valueIds = new Object2IntHashMap<>(NIL);
        for (final KvOperation op : ops)
        {
            final String name = op.kind() == KvOperation.Kind.GET ? op.read() :
                op.kind() == KvOperation.Kind.CAS ? op.expected() : null;
            if (null != name && valueIds.getValue(name) == NIL)
            {
                valueIds.put(name, UNOBSERVED + 1 + valueIds.size());
            }
        }
        return valueIds;
    }

    private static int valueId(final Object2IntHashMap<String> valueIds, final String name)
    {
        if (null == name)
        {
            return ABSENT;
        }
        final int id = valueIds.getValue(name);
        return id == NIL ? UNOBSERVED : id;
    }
}

package io.raftlog.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Histories that are linearizable by construction: each operation is given an interval and a point inside it (or,
 * with an unknown outcome, any point after its invocation, or none), the operations are applied to true registers
 * in the order of those points, and each records what its register answered.
 */
final class RandomKvHistories
{
    /**
     * The shape of a history.
     *
     * @param clients        how many clients, each with one operation at a time.
     * @param keys           how many keys.
     * @param operations     how many operations.
     * @param unknownPercent the share of operations whose client never hears back.
     * @param values         how many distinct values writes choose from, or 0 for every write its own value.
     * @param sequential     whether no two intervals overlap.
     */
    record Shape(int clients, int keys, int operations, int unknownPercent, int values, boolean sequential)
    {
    }

    private RandomKvHistories()
    {
    }

    static List<KvOperation> linearizable(final SplittableRandom random, final Shape shape)
    {
        final int n = shape.operations();
        final int[] client = new int[n];
        final long[] invokeNs = new long[n];
        final long[] responseNs = new long[n];
        final long[] pointNs = new long[n];
        final long[] clientFreeNs = new long[shape.clients() + 1];
        long nowNs = 0;
        for (int i = 0; i < n; i++)
        {
            client[i] = 1 + random.nextInt(shape.clients());
            final long durationNs = shape.sequential() ? random.nextInt(10) : 1 + random.nextInt(60);
            invokeNs[i] = shape.sequential() ? nowNs + 1 + random.nextInt(5) : clientFreeNs[client[i]] +
                random.nextInt(20);
            responseNs[i] = invokeNs[i] + durationNs;
            nowNs = responseNs[i] + 1;
            clientFreeNs[client[i]] = responseNs[i] + 1;
            pointNs[i] = invokeNs[i] + random.nextLong(durationNs + 1);
            if (random.nextInt(100) < shape.unknownPercent())
            {
                // the client gave up at the end of its interval; the operation took effect later, or never
                pointNs[i] = random.nextInt(3) == 0 ? Long.MAX_VALUE : invokeNs[i] + random.nextInt(400);
                responseNs[i] = KvOperation.UNKNOWN_RESPONSE_NS;
            }
        }

        final Integer[] order = new Integer[n];
        Arrays.setAll(order, (i) -> i);
        Arrays.sort(order, (a, b) -> pointNs[a] != pointNs[b] ? Long.compare(pointNs[a], pointNs[b]) : a - b);

        final HashMap<String, String> registers = new HashMap<>();
        final KvOperation[] ops = new KvOperation[n];
        for (final int i : order)
        {
            final String key = "k" + random.nextInt(shape.keys());
            final String current = registers.get(key);
            final boolean applied = pointNs[i] != Long.MAX_VALUE;
            final int kind = random.nextInt(20);
            if (kind < 7)
            {
                final String value = value(random, shape, client[i], i);
                ops[i] = KvOperation.put(i, client[i], key, value, invokeNs[i], responseNs[i]);
                if (applied)
                {
                    registers.put(key, value);
                }
            }
            else if (kind < 14)
            {
                ops[i] = KvOperation.get(i, client[i], key, current, invokeNs[i], responseNs[i]);
            }
            else if (kind < 16)
            {
                ops[i] = KvOperation.delete(i, client[i], key, invokeNs[i], responseNs[i]);
                if (applied)
                {
                    registers.remove(key);
                }
            }
            else
            {
                final String expected = random.nextInt(10) < 6 ? current : value(random, shape, client[i], i - 1);
                final String value = value(random, shape, client[i], i);
                final boolean swapped = applied && Objects.equals(current, expected);
                ops[i] = KvOperation.cas(i, client[i], key, expected, value, swapped, invokeNs[i], responseNs[i]);
                if (swapped)
                {
                    registers.put(key, value);
                }
            }
        }
        return new ArrayList<>(Arrays.asList(ops));
    }

    private static String value(final SplittableRandom random, final Shape shape, final int client, final int i)
    {
        return shape.values() > 0 ? "v" + random.nextInt(shape.values()) : "c" + client + "-" + i;
    }
}

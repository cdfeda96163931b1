package io.raftlog.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks that a key-value history is linearizable (Herlihy and Wing, 1990): that each operation appears to take
 * effect at one instant between its invocation and its response, in an order a single register per key could have
 * produced, every key starting absent.
 * <p>
 * Linearizability is compositional (Herlihy and Wing, theorem 1), so each key is checked on its own, as a
 * register, with {@link RegisterSearch}: smaller searches, and a violation names its key. A GET whose outcome is
 * unknown says nothing and is dropped; a PUT, DELETE or CAS whose outcome is unknown may take effect at any instant
 * after its invocation, or never.
 * <p>
 * The problem is NP-complete (Gibbons and Korach, 1997), so the search is bounded: a key whose search reaches the
 * limit on steps gives {@link Outcome#SEARCH_LIMIT}, which a test should treat as a failure. The bound is on work,
 * not time, so the answer is the same on every run.
 */
public final class LinearizabilityChecker
{
    /**
     * Orders of magnitude more than a linearizable history of thousands of operations takes (a few steps per
     * operation), and reached in seconds, within tens of megabytes, on a pathological one.
     */
    public static final long DEFAULT_MAX_STEPS_PER_KEY = 10_000_000;

    public enum Outcome
    {
        LINEARIZABLE,
        NOT_LINEARIZABLE,
        /**
         * The search reached its limit on some key before deciding; nothing was found wrong on the others.
         */
        SEARCH_LIMIT
    }

    /**
     * What a check found: on failure, the first key in key order that is not linearizable (or, if none is, the
     * first whose search reached the limit) and why.
     */
    public static final class Result
    {
        private final Outcome outcome;
        private final String key;
        private final String explanation;
        private final long steps;

        Result(final Outcome outcome, final String key, final String explanation, final long steps)
        {
            this.outcome = outcome;
            this.key = key;
            this.explanation = explanation;
            this.steps = steps;
        }

        public Outcome outcome()
        {
            return outcome;
        }

        public boolean isLinearizable()
        {
            return outcome == Outcome.LINEARIZABLE;
        }

        /**
         * @return the key that failed, or null when linearizable.
         */
        public String key()
        {
            return key;
        }

        /**
         * @return the longest linearizable prefix found on the failing key and the operations none of which could
         * follow it, or an empty string when linearizable.
         */
        public String explanation()
        {
            return explanation;
        }

        /**
         * @return the work the search did, summed over the keys it checked: one step per operation it tried to
         * linearize next, per lookup in its memo, and per remembered configuration it compared with.
         */
        public long steps()
        {
            return steps;
        }

        public String toString()
        {
            return outcome == Outcome.LINEARIZABLE ?
                "linearizable (" + steps + " steps)" : outcome + ": " + explanation;
        }
    }

    private final long maxStepsPerKey;

    public LinearizabilityChecker()
    {
        this(DEFAULT_MAX_STEPS_PER_KEY);
    }

    /**
     * @param maxStepsPerKey how many steps (see {@link Result#steps()}) the search of one key may take before it
     *                       gives up.
     */
    public LinearizabilityChecker(final long maxStepsPerKey)
    {
        if (maxStepsPerKey < 1)
        {
            throw new IllegalArgumentException("maxStepsPerKey must be positive: " + maxStepsPerKey);
        }
        this.maxStepsPerKey = maxStepsPerKey;
    }

    public Result check(final KvHistory history)
    {
        return check(history.operations());
    }

    public Result check(final List<KvOperation> operations)
    {
        final TreeMap<String, List<KvOperation>> byKey = new TreeMap<>();
        for (final KvOperation op : operations)
        {
            if (op.kind() != KvOperation.Kind.GET || !op.isUnknown())
            {
                byKey.computeIfAbsent(op.key(), (k) -> new ArrayList<>()).add(op);
            }
        }

        long steps = 0;
        String limitedKey = null;
        String limitedExplanation = null;
        for (final Map.Entry<String, List<KvOperation>> entry : byKey.entrySet())
        {
            final RegisterSearch search = new RegisterSearch(entry.getKey(), entry.getValue(), maxStepsPerKey);
            final Outcome outcome = search.run();
            steps += search.steps();
            if (outcome == Outcome.NOT_LINEARIZABLE)
            {
                return new Result(Outcome.NOT_LINEARIZABLE, entry.getKey(), search.explain(outcome), steps);
            }
            if (outcome == Outcome.SEARCH_LIMIT && null == limitedKey)
            {
                // keep looking: a definite violation elsewhere says more than running out of patience here
                limitedKey = entry.getKey();
                limitedExplanation = search.explain(outcome);
            }
        }

        return null == limitedKey ?
            new Result(Outcome.LINEARIZABLE, null, "", steps) :
            new Result(Outcome.SEARCH_LIMIT, limitedKey, limitedExplanation, steps);
    }
}

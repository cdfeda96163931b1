package io.raftlog.check;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The definition of linearizability, tried literally on a small one-key history: every order that respects real
 * time, with no event list and none of {@link RegisterSearch}'s reductions, to hold {@link LinearizabilityChecker}
 * to. It only remembers the (operations done, value) pairs it failed from. Exponential: keep histories to a dozen or
 * so operations.
 */
final class ExhaustiveChecker
{
    private final KvOperation[] ops;
    private final HashSet<String> failed = new HashSet<>();

    private ExhaustiveChecker(final List<KvOperation> operations)
    {
        ops = operations.stream()
            .filter((op) -> op.kind() != KvOperation.Kind.GET || !op.isUnknown())
            .toArray(KvOperation[]::new);
        if (ops.length > 63)
        {
            throw new IllegalArgumentException("far too many operations: " + ops.length);
        }
    }

    static boolean isLinearizable(final List<KvOperation> oneKey)
    {
        final ExhaustiveChecker checker = new ExhaustiveChecker(oneKey);
        return checker.search(0, null);
    }

    private boolean search(final long done, final String value)
    {
        // an operation may come next unless some other still to come returned before it was invoked
        long firstResponseNs = Long.MAX_VALUE;
        boolean completedLeft = false;
        for (int i = 0; i < ops.length; i++)
        {
            if ((done & (1L << i)) == 0 && !ops[i].isUnknown())
            {
                completedLeft = true;
                firstResponseNs = Math.min(firstResponseNs, ops[i].responseNs());
            }
        }
        if (!completedLeft)
        {
            // the unknown operations left never took effect, or did after everything anyone observed
            return true;
        }
        final String configuration = done + " " + value;
        if (failed.contains(configuration))
        {
            return false;
        }

        for (int i = 0; i < ops.length; i++)
        {
            if ((done & (1L << i)) == 0 && ops[i].invokeNs() <= firstResponseNs)
            {
                final KvOperation op = ops[i];
                final boolean matches = Objects.equals(value, op.expected());
                final String after;
                switch (op.kind())
                {
                    case PUT:
                        after = op.value();
                        break;

                    case DELETE:
                        after = null;
                        break;

                    case GET:
                        if (!Objects.equals(value, op.read()))
                        {
                            continue;
                        }
                        after = value;
                        break;

                    default:
                        if (!op.isUnknown() && matches != op.swapped())
                        {
                            continue;
                        }
                        after = matches ? op.value() : value;
                        break;
                }
                if (search(done | (1L << i), after))
                {
                    return true;
                }
            }
        }
        failed.add(configuration);
        return false;
    }
}

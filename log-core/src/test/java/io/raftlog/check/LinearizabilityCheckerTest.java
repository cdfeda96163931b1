package io.raftlog.check;

import io.raftlog.check.LinearizabilityChecker.Outcome;
import io.raftlog.check.LinearizabilityChecker.Result;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linearizability (Herlihy and Wing, 1990) of a key-value store, one register per key: every operation appears to
 * take effect at one instant between its invocation and its response. Times are simulated nanoseconds.
 */
class LinearizabilityCheckerTest
{
    private static final long UNKNOWN = KvOperation.UNKNOWN_RESPONSE_NS;

    private final LinearizabilityChecker checker = new LinearizabilityChecker();
    private final List<KvOperation> history = new ArrayList<>();

    @Test
    void aSequentialHistoryThatFollowsTheRegisterIsLinearizable()
    {
        get(1, "x", null, 0, 10);
        put(1, "x", "a", 20, 30);
        get(2, "x", "a", 40, 50);
        cas(2, "x", "a", "b", true, 60, 70);
        cas(1, "x", "a", "c", false, 80, 90);
        get(1, "x", "b", 100, 110);
        delete(2, "x", 120, 130);
        get(1, "x", null, 140, 150);

        assertLinearizable();
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeTheOldValue()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, 100);
        get(2, "x", "a", 30, 40);

        assertLinearizable();
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeTheNewValue()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, 100);
        get(2, "x", "b", 30, 40);

        assertLinearizable();
    }

    @Test
    void aReadInvokedAfterAWriteCompletedMustNotSeeTheValueItReplaced()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, 30);
        get(2, "x", "a", 40, 50);

        assertNotLinearizable("x");
    }

    @Test
    void aReadMayNotSeeAValueThatWasNeverWritten()
    {
        put(1, "x", "a", 0, 10);
        get(2, "x", "z", 5, 50);

        assertNotLinearizable("x");
    }

    @Test
    void onceAReadSawTheNewValueALaterReadMayNotSeeTheOldOne()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, 100);
        get(2, "x", "b", 30, 40);
        get(3, "x", "a", 50, 60);

        assertNotLinearizable("x");
    }

    @Test
    void aReadAfterACompletedDeleteSeesTheKeyAbsent()
    {
        put(1, "x", "a", 0, 10);
        delete(1, "x", 20, 30);
        get(2, "x", "a", 40, 50);

        assertNotLinearizable("x");
    }

    @Test
    void aCasMayNotSwapWhenTheValueDidNotMatch()
    {
        put(1, "x", "a", 0, 10);
        cas(2, "x", "b", "c", true, 20, 30);

        assertNotLinearizable("x");
    }

    @Test
    void aCasMayNotFailWhenTheValueMatched()
    {
        put(1, "x", "a", 0, 10);
        cas(2, "x", "a", "c", false, 20, 30);

        assertNotLinearizable("x");
    }

    @Test
    void aCasOnAnAbsentKeyMatchesAnAbsentExpectedValue()
    {
        cas(1, "x", null, "a", true, 0, 10);
        cas(2, "x", null, "b", false, 20, 30);
        get(2, "x", "a", 40, 50);

        assertLinearizable();
    }

    @Test
    void aCasConcurrentWithAWriteMayFailOnTheNewValue()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, 100);
        cas(2, "x", "a", "c", false, 30, 40);
        get(2, "x", "b", 110, 120);

        assertLinearizable();
    }

    @Test
    void anUnknownWriteThatALaterReadObservesTookEffect()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, UNKNOWN);
        get(2, "x", "a", 30, 40);
        get(2, "x", "b", 500, 510);

        assertLinearizable();
    }

    @Test
    void anUnknownWriteThatIsNeverObservedMayNeverHaveTakenEffect()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, UNKNOWN);
        get(2, "x", "a", 30, 40);
        get(2, "x", "a", 500, 510);

        assertLinearizable();
    }

    @Test
    void anUnknownWriteMayNotTakeEffectBeforeItsInvocation()
    {
        put(1, "x", "a", 0, 10);
        get(2, "x", "b", 20, 30);
        put(1, "x", "b", 40, UNKNOWN);

        assertNotLinearizable("x");
    }

    @Test
    void anUnknownWriteOnceObservedHasTakenEffectForGood()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, UNKNOWN);
        get(2, "x", "b", 30, 40);
        get(2, "x", "a", 50, 60);

        assertNotLinearizable("x");
    }

    @Test
    void anUnknownDeleteMayExplainAnAbsentRead()
    {
        put(1, "x", "a", 0, 10);
        delete(1, "x", 20, UNKNOWN);
        get(2, "x", null, 30, 40);
        put(2, "x", "b", 50, 60);
        get(3, "x", "b", 70, 80);

        assertLinearizable();
    }

    @Test
    void anUnknownCasMayHaveSwapped()
    {
        put(1, "x", "a", 0, 10);
        cas(1, "x", "a", "b", false, 20, UNKNOWN);
        get(2, "x", "b", 30, 40);

        assertLinearizable();
    }

    @Test
    void anUnknownCasMayNotHaveSwapped()
    {
        put(1, "x", "a", 0, 10);
        cas(1, "x", "a", "b", true, 20, UNKNOWN);
        get(2, "x", "a", 30, 40);

        assertLinearizable();
    }

    @Test
    void anUnknownCasCanOnlySwapFromItsExpectedValue()
    {
        put(1, "x", "a", 0, 10);
        cas(1, "x", "z", "b", false, 20, UNKNOWN);
        get(2, "x", "b", 30, 40);

        assertNotLinearizable("x");
    }

    @Test
    void unknownWritesMayChainToMakeAValueACasExpected()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, UNKNOWN);
        cas(2, "x", "b", "c", false, 30, UNKNOWN);
        get(3, "x", "c", 40, 50);

        assertLinearizable();
    }

    @Test
    void aReadWhoseOutcomeIsUnknownSaysNothing()
    {
        put(1, "x", "a", 0, 10);
        get(2, "x", "z", 20, UNKNOWN);

        assertLinearizable();
    }

    @Test
    void operationsThatTouchAtAnInstantCountAsConcurrent()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, 30);
        get(2, "x", "a", 30, 40);

        assertLinearizable();
    }

    @Test
    void eachKeyIsARegisterOfItsOwn()
    {
        put(1, "x", "a", 0, 10);
        put(2, "y", "b", 20, 30);
        get(3, "x", "a", 40, 50);
        get(3, "y", "b", 40, 50);

        assertLinearizable();
    }

    @Test
    void aViolationIsReportedWithItsKey()
    {
        put(1, "x", "a", 0, 10);
        get(2, "x", "a", 20, 30);
        put(1, "y", "a", 0, 10);
        put(1, "y", "b", 20, 30);
        get(2, "y", "a", 40, 50);
        put(1, "z", "c", 0, 10);

        assertNotLinearizable("y");
    }

    @Test
    void theExplanationShowsTheLongestLinearizablePrefixAndWhatCouldNotFollowIt()
    {
        put(1, "x", "a", 0, 10);
        put(1, "x", "b", 20, 30);
        get(2, "x", "a", 40, 50);

        final Result result = checker.check(history);

        final String explanation = result.explanation();
        assertTrue(explanation.startsWith("key \"x\": not linearizable."), explanation);
        assertTrue(explanation.contains("orders 2 of 3 completed operations and leaves the value \"b\""), explanation);
        assertTrue(explanation.contains(history.get(1).toString()), explanation);
        assertTrue(explanation.contains(history.get(2).toString()), explanation);
    }

    @Test
    void aSearchThatReachesItsLimitGivesNoAnswer()
    {
        final List<KvOperation> ops = RandomKvHistories.linearizable(
            new SplittableRandom(7), new RandomKvHistories.Shape(3, 1, 200, 5, 0, false));

        final Result result = new LinearizabilityChecker(50).check(ops);

        assertEquals(Outcome.SEARCH_LIMIT, result.outcome(), result.toString());
        assertFalse(result.isLinearizable());
        assertEquals("k0", result.key());
        assertTrue(result.explanation().contains("gave up after"), result.explanation());
    }

    @Test
    void aDefiniteViolationOnOneKeyOutranksAnotherReachingTheLimit()
    {
        history.addAll(RandomKvHistories.linearizable(
            new SplittableRandom(8), new RandomKvHistories.Shape(3, 1, 200, 5, 0, false)));
        put(1, "x", "a", 0, 10);
        get(2, "x", "b", 20, 30);

        final Result result = new LinearizabilityChecker(50).check(history);

        assertEquals(Outcome.NOT_LINEARIZABLE, result.outcome(), result.toString());
        assertEquals("x", result.key());
    }

    @Test
    void aHistoryRecordedAsTheTestRunsIsCheckedTheSameWay()
    {
        final KvHistory recorded = new KvHistory();
        final int putA = recorded.invokePut(1, "x", "a", 0);
        recorded.ok(putA, 10);
        final int putB = recorded.invokePut(1, "x", "b", 20);
        final int casB = recorded.invokeCas(2, "x", "a", "c", 25);
        final int rejected = recorded.invokePut(3, "x", "z", 26);
        recorded.fail(rejected);
        recorded.unknown(putB);
        recorded.okCas(casB, false, 40);
        final int get = recorded.invokeGet(3, "x", 50);
        recorded.okGet(get, "b", 60);
        final int delete = recorded.invokeDelete(3, "x", 70);
        recorded.ok(delete, 80);
        final int neverAnswered = recorded.invokeGet(2, "x", 90);

        assertEquals(6, recorded.operations().size(), "the withdrawn PUT is gone");
        assertTrue(recorded.operation(putB).isUnknown());
        assertTrue(recorded.operation(neverAnswered).isUnknown());
        assertThrows(IllegalStateException.class, () -> recorded.ok(putB, 100), "given up on");
        assertThrows(IllegalArgumentException.class, () -> recorded.ok(neverAnswered, 100), "a GET reads something");
        assertTrue(checker.check(recorded).isLinearizable(), checker.check(recorded).toString());

        final int stale = recorded.invokeGet(1, "x", 100);
        recorded.okGet(stale, "a", 110);
        assertEquals(Outcome.NOT_LINEARIZABLE, checker.check(recorded).outcome());
    }

    @Test
    void randomSequentialHistoriesOfATrueRegisterAreLinearizable()
    {
        final SplittableRandom random = new SplittableRandom(1);
        for (int run = 0; run < 100; run++)
        {
            final RandomKvHistories.Shape shape = new RandomKvHistories.Shape(
                1 + random.nextInt(5), 1 + random.nextInt(4), 100, random.nextInt(10), random.nextInt(4), true);
            final List<KvOperation> ops = RandomKvHistories.linearizable(random, shape);

            final Result result = checker.check(ops);

            assertTrue(result.isLinearizable(), "run " + run + " " + shape + ": " + result);
        }
    }

    @Test
    void randomConcurrentHistoriesLinearizedByConstructionAreLinearizable()
    {
        final SplittableRandom random = new SplittableRandom(2);
        for (int run = 0; run < 200; run++)
        {
            final RandomKvHistories.Shape shape = new RandomKvHistories.Shape(
                1 + random.nextInt(5), 1 + random.nextInt(4), 200, random.nextInt(15), random.nextInt(4), false);
            final List<KvOperation> ops = RandomKvHistories.linearizable(random, shape);

            final Result result = checker.check(ops);

            assertTrue(result.isLinearizable(), "run " + run + " " + shape + ": " + result);
        }
    }

    @Test
    void aReadOfAValueNeverWrittenIsCaughtInARandomHistory()
    {
        final SplittableRandom random = new SplittableRandom(3);
        for (int run = 0; run < 200; run++)
        {
            final RandomKvHistories.Shape shape = new RandomKvHistories.Shape(
                1 + random.nextInt(5), 1 + random.nextInt(4), 200, random.nextInt(15), random.nextInt(4),
                random.nextBoolean());
            final List<KvOperation> ops = RandomKvHistories.linearizable(random, shape);
            final int victim = aCompletedRead(random, ops);
            final KvOperation read = ops.get(victim);
            ops.set(victim, KvOperation.get(
                read.id(), read.clientId(), read.key(), "never written", read.invokeNs(), read.responseNs()));

            final Result result = checker.check(ops);

            assertEquals(Outcome.NOT_LINEARIZABLE, result.outcome(), "run " + run + " " + shape + ": " + result);
            assertEquals(read.key(), result.key());
        }
    }

    /**
     * The checker prunes: a memo with inclusion, interchangeable unknown operations, unobserved values merged, a
     * canonical form for unknown operations. The definition does none of it. On small histories with arbitrary
     * observations, linearizable or not, they must agree.
     */
    @Test
    void agreesWithTheDefinitionOnSmallArbitraryHistories()
    {
        final SplittableRandom random = new SplittableRandom(4);
        final String[] values = {null, "v0", "v1"};
        int linearizable = 0;
        final int runs = 3000;
        for (int run = 0; run < runs; run++)
        {
            final List<KvOperation> ops = RandomKvHistories.linearizable(
                random, new RandomKvHistories.Shape(1 + random.nextInt(4), 1, 3 + random.nextInt(12), 30, 2, false));
            final int changes = 1 + random.nextInt(2);
            for (int change = 0; change < changes; change++)
            {
                final int i = random.nextInt(ops.size());
                final KvOperation op = ops.get(i);
                if (op.kind() == KvOperation.Kind.GET)
                {
                    ops.set(i, KvOperation.get(op.id(), op.clientId(), op.key(), values[random.nextInt(3)],
                        op.invokeNs(), op.responseNs()));
                }
                else if (op.kind() == KvOperation.Kind.CAS)
                {
                    ops.set(i, KvOperation.cas(op.id(), op.clientId(), op.key(), op.expected(), op.value(),
                        !op.swapped(), op.invokeNs(), op.responseNs()));
                }
            }

            final boolean expected = ExhaustiveChecker.isLinearizable(ops);
            final Result result = checker.check(ops);

            assertEquals(expected, result.isLinearizable(), "run " + run + " " + ops + ": " + result);
            linearizable += expected ? 1 : 0;
        }
        assertTrue(linearizable > runs / 5 && linearizable < runs * 4 / 5, "both answers covered: " + linearizable);
    }

    @Test
    void aHistoryTheSizeOfASimulationRunTakesAFewStepsPerOperation()
    {
        final List<KvOperation> ops = RandomKvHistories.linearizable(
            new SplittableRandom(5), new RandomKvHistories.Shape(5, 20, 5000, 5, 0, false));

        final Result result = checker.check(ops);

        assertTrue(result.isLinearizable(), result.toString());
        assertTrue(result.steps() < 10L * ops.size(), result.toString());
    }

    @Test
    void unknownWritesThatNobodyObservedDoNotMultiplyTheSearch()
    {
        // each could have taken effect at any later point, or never: 2^200 choices, none of which a read can tell
        long nowNs = 0;
        for (int round = 0; round < 200; round++)
        {
            put(1, "x", "a" + round, nowNs, nowNs + 10);
            put(2, "x", "lost" + round, nowNs + 5, UNKNOWN);
            delete(3, "x", nowNs + 6, UNKNOWN);
            get(1, "x", "a" + round, nowNs + 20, nowNs + 30);
            nowNs += 40;
        }

        final Result result = checker.check(history);
        assertTrue(result.isLinearizable(), result.toString());
        assertTrue(result.steps() < 10L * history.size(), result.toString());

        get(4, "x", "a0", nowNs, nowNs + 10);
        final Result stale = checker.check(history);
        assertEquals(Outcome.NOT_LINEARIZABLE, stale.outcome(), stale.toString());
        assertTrue(stale.steps() < 10L * history.size(), stale.toString());
    }

    private static int aCompletedRead(final SplittableRandom random, final List<KvOperation> ops)
    {
        while (true)
        {
            final int i = random.nextInt(ops.size());
            if (ops.get(i).kind() == KvOperation.Kind.GET && !ops.get(i).isUnknown())
            {
                return i;
            }
        }
    }

    private void assertLinearizable()
    {
        final Result result = checker.check(history);
        assertTrue(result.isLinearizable(), result.toString());
        assertEquals(null, result.key());
    }

    private void assertNotLinearizable(final String key)
    {
        final Result result = checker.check(history);
        assertEquals(Outcome.NOT_LINEARIZABLE, result.outcome(), result.toString());
        assertEquals(key, result.key(), result.toString());
    }

    private void put(final int client, final String key, final String value, final long invokeNs, final long responseNs)
    {
        history.add(KvOperation.put(history.size(), client, key, value, invokeNs, responseNs));
    }

    private void delete(final int client, final String key, final long invokeNs, final long responseNs)
    {
        history.add(KvOperation.delete(history.size(), client, key, invokeNs, responseNs));
    }

    private void get(final int client, final String key, final String read, final long invokeNs, final long responseNs)
    {
        history.add(KvOperation.get(history.size(), client, key, read, invokeNs, responseNs));
    }

    private void cas(
        final int client,
        final String key,
        final String expected,
        final String value,
        final boolean swapped,
        final long invokeNs,
        final long responseNs)
    {
        history.add(KvOperation.cas(history.size(), client, key, expected, value, swapped, invokeNs, responseNs));
    }
}

package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * "No unbounded allocation" for one fuzz input: the bytes the fuzzing thread allocates while the code under test
 * handles the input must stay under a generous bound. A length field believed before it is checked (an array sized
 * from the wire, a buffer grown to a claimed length) shows up here long before it shows up as an OutOfMemoryError.
 * <p>
 * HotSpot counts each thread's allocation in its TLAB bookkeeping, so the reading is cheap and exact; a target
 * marks the span that counts with {@link #start()} and {@link #stop()}, leaving its fixture's set-up outside. The
 * first run of a code path also pays for what happens once per JVM (class loading, lambda and string-concatenation
 * bootstraps, Jazzer's hooks getting ready), which {@link WarmUp} covers only for the paths its inputs reach; so an
 * input over the bound runs once more on the same bytes, and fails only if it is over the bound again.
 * <p>
 * Inputs are read through {@link FuzzedDataProviderImpl}, Jazzer's own provider (internal API, pinned with the Jazzer
 * version), the one it wraps around the input of a {@code FuzzedDataProvider} fuzz test: the same bytes give the
 * same values either way, so inputs kept for either signature replay alike.
 */
final class AllocationBudget
{
    /** Far above anything one message or one step should need, far below a length taken on trust. */
    static final long MAX_BYTES_PER_INPUT = 1L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private final long limitBytes;
    private long startBytes;
    private long spanBytes;

    AllocationBudget(final long limitBytes)
    {
        if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled())
        {
            throw new IllegalStateException("this JVM does not count thread allocation: the budget cannot be checked");
        }
        this.limitBytes = limitBytes;
    }

    /**
     * Runs one input, and fails it when the span it measures allocates more than the limit on two runs in a row.
     *
     * @param input  the fuzz input.
     * @param target reads the input and marks its measured span.
     * @param what   the code that ran, for the failure message.
     */
    void run(final byte[] input, final Consumer<FuzzedDataProvider> target, final String what)
    {
        final long first = runOnce(input, target);
        if (first > limitBytes)
        {
            final long second = runOnce(input, target);
            if (second > limitBytes)
            {
                fail(what + " allocated " + first + " then " + second + " bytes for one input, over the budget of " +
                    limitBytes);
            }
        }
    }

    /**
     * Starts the measured span.
     */
    void start()
    {
        startBytes = THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Ends the measured span.
     */
    void stop()
    {
        spanBytes = THREADS.getCurrentThreadAllocatedBytes() - startBytes;
    }

    private long runOnce(final byte[] input, final Consumer<FuzzedDataProvider> target)
    {
        spanBytes = 0;
        try (FuzzedDataProviderImpl data = FuzzedDataProviderImpl.withJavaData(input))
        {
            target.accept(data);
        }
        return spanBytes;
    }
}

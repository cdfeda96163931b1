package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a fuzz target over a few seeded random inputs before its first real one, so the allocation budget of a real
 * input does not pay for what happens once per JVM: class loading and initialisation, the bootstrap of lambdas and
 * string concatenation, first-time growth of reused buffers. Nothing is checked here: a warm-up input that fails is
 * ignored, as the fuzzer reaches any such input on its own and reports it with bytes that replay.
 * <p>
 * It runs on the first call of the fuzz test, not in the test class's static initialiser: a target that works on
 * another thread would wait there for the class initialisation that is waiting for it.
 * <p>
 * {@link FuzzedDataProviderImpl} is Jazzer's own provider, the one its regression mode reads kept inputs through
 * (internal API, pinned with the Jazzer version).
 */
final class WarmUp
{
    private static final long SEED = 0x5EED_F022L;

    private final Consumer<FuzzedDataProvider> target;
    private final int inputs;
    private final int maxLength;
    private boolean done;

    /**
     * @param inputs    how many inputs to run.
     * @param maxLength the longest input.
     */
    WarmUp(final Consumer<FuzzedDataProvider> target, final int inputs, final int maxLength)
    {
        this.target = target;
        this.inputs = inputs;
        this.maxLength = maxLength;
    }

    /**
     * Runs the warm-up inputs, the first time only.
     */
    void once()
    {
        if (done)
        {
            return;
        }
        done = true;
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < inputs; i++)
        {
            final byte[] bytes = new byte[random.nextInt(maxLength + 1)];
            random.nextBytes(bytes);
            try (FuzzedDataProviderImpl data = FuzzedDataProviderImpl.withJavaData(bytes))
            {
                target.accept(data);
            }
            catch (final Throwable ignore)
            {
                // see the class comment: warm-up only
            }
        }
    }
}

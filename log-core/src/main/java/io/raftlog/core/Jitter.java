package io.raftlog.core;

/**
 * A seeded xorshift64* generator for randomized election timeouts (paper section 5.2). The core may not use
 * {@code java.util.Random}: its randomness must come from a seed the runtime or the simulator chooses, so a
 * simulated run replays exactly.
 */
final class Jitter
{
    private long state;

    Jitter(final long seed)
    {
        // splitmix64 of the seed, so that nearby seeds give unrelated sequences and a zero seed still works
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        state = z == 0 ? 0x2545F4914F6CDD1DL : z;
    }

    /**
     * @return a value uniformly spread over [0, bound).
     */
    long nextLong(final long bound)
    {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        final long r = (x * 0x2545F4914F6CDD1DL) >>> 1;
        return r % bound;
    }
}

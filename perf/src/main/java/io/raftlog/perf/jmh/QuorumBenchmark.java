package io.raftlog.perf.jmh;

import io.raftlog.core.Configuration;
import io.raftlog.core.RaftConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The leader's commitment arithmetic, which runs on every acknowledgement that moves a match index
 * ({@code RaftCore.maybeCommit}), and the vote count of elections and check-quorum. Scores are per computation:
 * each call works through {@link #VECTORS} different inputs, so neither the branch predictor nor the JIT sees the
 * same numbers twice in a row.
 * <ul>
 *     <li>{@link #majorityIndex}: {@code Quorum.majorityIndex}, the insertion sort of a copy of the voters' match
 *     indices and its median (paper 5.3, 5.4).</li>
 *     <li>{@link #quorumIndex}: {@link Configuration#quorumIndex}, the voters picked out by slot, then the majority
 *     index; in joint consensus ({@code joint=true}) for the old and the new voters, and the lower of the two
 *     (dissertation 4.3).</li>
 *     <li>{@link #isQuorum}: {@link Configuration#isQuorum}, a majority count over a bitmask of slots.</li>
 * </ul>
 * A joint configuration of {@code members} voters replaces one of them: the old voters are 1..members, the new ones
 * 2..members + 1, so it has members + 1 slots.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    JvmFlags.EXPORT_MISC, JvmFlags.OPEN_NIO, JvmFlags.OPEN_ZIP, JvmFlags.OPEN_REFLECT, JvmFlags.EXPORT_REF,
    JvmFlags.NO_ANALYTICS, JvmFlags.NO_ANNOUNCER, JvmFlags.NO_DISK_MONITOR })
public class QuorumBenchmark
{
    /** Inputs per call; a power of two. */
    public static final int VECTORS = 64;

    static final long BASE_INDEX = 1_000_000;

    /**
     * The voters' match indices alone, for the bare sort.
     */
    @State(Scope.Thread)
    public static class Voters
    {
        @Param({ "3", "5", "7" })
        public int members;

        final Object quorum = QuorumAccess.newQuorum(RaftConfig.MAX_MEMBERS);
        long[][] indices;

        @Setup
        public void setup()
        {
            indices = randomIndices(members, members);
        }
    }

    /**
     * A configuration and each slot's index, for the per-slot computations.
     */
    @State(Scope.Thread)
    public static class Members
    {
        @Param({ "3", "5", "7" })
        public int members;

        @Param({ "false", "true" })
        public boolean joint;

        final Object quorum = QuorumAccess.newQuorum(RaftConfig.MAX_MEMBERS);
        final long[] scratch = new long[RaftConfig.MAX_MEMBERS];
        final Configuration configuration = new Configuration();
        long[][] indexBySlot;
        long[] grantedSlots;

        @Setup
        public void setup()
        {
            configure(configuration, members, joint);
            indexBySlot = randomIndices(configuration.size(), RaftConfig.MAX_MEMBERS);
            final SplittableRandom random = new SplittableRandom(members * 31L + (joint ? 1 : 0));
            grantedSlots = new long[VECTORS];
            for (int v = 0; v < VECTORS; v++)
            {
                grantedSlots[v] = random.nextLong() & ((1L << configuration.size()) - 1);
            }
        }
    }

    /**
     * @return the sum of the majority indices, so no call is dead code.
     */
    @Benchmark
    @OperationsPerInvocation(VECTORS)
    public long majorityIndex(final Voters state)
    {
        final Object quorum = state.quorum;
        final long[][] indices = state.indices;
        final int members = state.members;
        long sum = 0;
        for (int v = 0; v < VECTORS; v++)
        {
            sum += QuorumAccess.majorityIndex(quorum, indices[v], members);
        }
        return sum;
    }

    /**
     * @return the sum of the quorum indices.
     */
    @Benchmark
    @OperationsPerInvocation(VECTORS)
    public long quorumIndex(final Members state)
    {
        final Configuration configuration = state.configuration;
        final long[][] indexBySlot = state.indexBySlot;
        final long[] scratch = state.scratch;
        final Object quorum = state.quorum;
        long sum = 0;
        for (int v = 0; v < VECTORS; v++)
        {
            sum += QuorumAccess.quorumIndex(configuration, indexBySlot[v], scratch, quorum);
        }
        return sum;
    }

    /**
     * @return how many of the inputs are quorums.
     */
    @Benchmark
    @OperationsPerInvocation(VECTORS)
    public int isQuorum(final Members state)
    {
        final Configuration configuration = state.configuration;
        final long[] grantedSlots = state.grantedSlots;
        int quorums = 0;
        for (int v = 0; v < VECTORS; v++)
        {
            if (configuration.isQuorum(grantedSlots[v]))
            {
                quorums++;
            }
        }
        return quorums;
    }

    /**
     * Simple: voters 1..members. Joint: old voters 1..members, new voters 2..members + 1.
     */
    static Configuration configure(final Configuration configuration, final int members, final boolean joint)
    {
        configuration.clear();
        configuration.put(1, true, !joint, false, null);
        for (int id = 2; id <= members; id++)
        {
            configuration.put(id, true, true, false, null);
        }
        if (joint)
        {
            configuration.put(members + 1, false, true, false, null);
        }
        return configuration.joint(joint);
    }

    /**
     * Match indices near one another, as a healthy cluster's are, different in each vector.
     */
    static long[][] randomIndices(final int used, final int length)
    {
        final SplittableRandom random = new SplittableRandom(used);
        final long[][] indices = new long[VECTORS][length];
        for (int v = 0; v < VECTORS; v++)
        {
            for (int slot = 0; slot < used; slot++)
            {
                indices[v][slot] = BASE_INDEX + random.nextInt(64);
            }
        }
        return indices;
    }
}

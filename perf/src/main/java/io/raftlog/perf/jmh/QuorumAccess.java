package io.raftlog.perf.jmh;

import io.raftlog.core.Configuration;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Reaches log-core's package-private {@code io.raftlog.core.Quorum}, which {@link Configuration#quorumIndex} takes as
 * its scratch, through method handles held in static finals: the JIT treats them as constants and inlines the
 * target, so a call costs what a direct call costs and allocates nothing. The quorum is typed {@link Object} here
 * because this package cannot name its class. (Making {@code Quorum} public would make this class unnecessary.)
 */
final class QuorumAccess
{
    private static final MethodHandle NEW_QUORUM;
    private static final MethodHandle MAJORITY_INDEX;
    private static final MethodHandle QUORUM_INDEX;

    static
    {
        try
        {
            final Class<?> quorum = Class.forName("io.raftlog.core.Quorum");
            final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(quorum, MethodHandles.lookup());
            NEW_QUORUM = lookup.findConstructor(quorum, MethodType.methodType(void.class, int.class))
                .asType(MethodType.methodType(Object.class, int.class));
            MAJORITY_INDEX = lookup.findVirtual(
                quorum, "majorityIndex", MethodType.methodType(long.class, long[].class, int.class))
                .asType(MethodType.methodType(long.class, Object.class, long[].class, int.class));
            QUORUM_INDEX = lookup.findVirtual(
                Configuration.class,
                "quorumIndex",
                MethodType.methodType(long.class, long[].class, long[].class, quorum))
                .asType(MethodType.methodType(long.class, Configuration.class, long[].class, long[].class, Object.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private QuorumAccess()
    {
    }

    /**
     * @param maxMembers the most voters it will be asked about.
     * @return a new {@code Quorum}.
     */
    static Object newQuorum(final int maxMembers)
    {
        try
        {
            return (Object)NEW_QUORUM.invokeExact(maxMembers);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code quorum.majorityIndex(indices, voters)}: the largest index a majority of the first {@code voters} holds.
     */
    static long majorityIndex(final Object quorum, final long[] indices, final int voters)
    {
        try
        {
            return (long)MAJORITY_INDEX.invokeExact(quorum, indices, voters);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code configuration.quorumIndex(indexBySlot, scratch, quorum)}: in joint consensus the lower of the two
     * majorities' indices.
     */
    static long quorumIndex(
        final Configuration configuration, final long[] indexBySlot, final long[] scratch, final Object quorum)
    {
        try
        {
            return (long)QUORUM_INDEX.invokeExact(configuration, indexBySlot, scratch, quorum);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    private static RuntimeException rethrow(final Throwable ex)
    {
        if (ex instanceof RuntimeException)
        {
            return (RuntimeException)ex;
        }
        if (ex instanceof Error)
        {
            throw (Error)ex;
        }
        return new IllegalStateException(ex);
    }
}

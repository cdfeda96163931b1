package io.raftlog.perf.jmh;

import io.raftlog.codecs.AppendEntriesDecoder;
import io.raftlog.codecs.LogEntryCodec;
import io.raftlog.core.Configuration;
import io.raftlog.storage.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs each benchmark's methods directly, not through JMH, a few thousand times: they do what their names say, and
 * where the measured method should allocate nothing, the JVM's per-thread allocation counter agrees (after a
 * warm-up, under 1 byte per call on average, which leaves room for the counter's own noise but not for an object
 * per call; Chronicle's append is held to under 8). Kept to a few seconds: it runs in {@code mvn verify}.
 */
class BenchmarksRunDirectlyTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final Blackhole BLACKHOLE = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    private long sink;

    @ParameterizedTest
    @CsvSource({ "16, 32", "16, 256", "1, 0" })
    void codecRoundTripsABatchWithoutAllocating(final int entries, final int payloadLength)
    {
        final CodecBenchmark benchmark = new CodecBenchmark();
        benchmark.entries = entries;
        benchmark.payloadLength = payloadLength;
        benchmark.setup();

        final int recordsLength = entries * LogEntryCodec.recordLength(payloadLength);
        assertEquals(recordsLength, benchmark.encodeRecords());
        assertEquals(recordsLength, benchmark.recordsLength());
        assertEquals(benchmark.messageLength(), benchmark.encodeAppendEntries());
        final AppendEntriesDecoder decoder = new AppendEntriesDecoder().wrapAndApplyHeader(
            benchmark.wire(), 0, new io.raftlog.codecs.MessageHeaderDecoder());
        assertEquals(entries, decoder.entryCount());
        assertEquals(CodecBenchmark.FIRST_INDEX - 1, decoder.prevLogIndex());
        assertEquals(recordsLength, decoder.entriesLength());
        benchmark.validateAndDecode(BLACKHOLE); // throws when the validator rejects the message
        assertTrue(new LogEntryCodec().checksumsInPlace(), "surefire opens java.util.zip, as the fork does");

        assertAllocationFree("encodeRecords", 10_000, benchmark::encodeRecords);
        assertAllocationFree("encodeAppendEntries", 10_000, benchmark::encodeAppendEntries);
        assertAllocationFree("validateAndDecode", 10_000, () ->
        {
            benchmark.validateAndDecode(BLACKHOLE);
            return 1;
        });
        assertAllocationFree("decodeTrusted", 10_000, () ->
        {
            benchmark.decodeTrusted(BLACKHOLE);
            return 1;
        });
    }

    @ParameterizedTest
    @CsvSource({ "PAGE_CACHE, 2000", "FSYNC, 30" })
    void logStoreAppendsBatchesAndSyncsEachAndDeletesItsDirectory(final Durability durability, final int batches)
        throws Exception
    {
        final LogStoreBenchmark benchmark = new LogStoreBenchmark();
        benchmark.durability = durability;
        benchmark.batch = 16;
        benchmark.payloadLength = 256;
        benchmark.encodeBatch();

        benchmark.openStore();
        final Path directory = benchmark.store().directory();
        try
        {
            assertEquals(durability, benchmark.store().durability());
            long durable = 0;
            for (int i = 0; i < batches; i++)
            {
                durable = benchmark.appendAndSync();
            }
            assertEquals((long)batches * 16, durable);
            assertEquals(durable, benchmark.store().lastIndex());
            assertEquals(1, benchmark.store().termAt(durable));

            // Chronicle allocates some hundred bytes per newly mapped chunk (64 MiB of log, every ~14,000 batches
            // here) and now and then while its code is still interpreted, never per append: held to less than an
            // object per call. The msync of FSYNC is too slow to warm up within this test's budget.
            if (durability == Durability.PAGE_CACHE)
            {
                assertAllocationFree("appendAndSync", 2_000, 8, benchmark::appendAndSync);
            }
        }
        finally
        {
            benchmark.closeStore();
        }
        assertFalse(Files.exists(directory), "the iteration's directory is deleted");
    }

    @ParameterizedTest
    @CsvSource({ "COUNTING, 1", "COUNTING, 16", "SBE, 1", "SBE, 16" })
    void leaderCommitsEveryCycleAndSendsOneAppendEntriesPerFollower(
        final LeaderStepBenchmark.Wire wire, final int batch)
    {
        final LeaderStepBenchmark benchmark = new LeaderStepBenchmark();
        benchmark.wire = wire;
        benchmark.batch = batch;
        benchmark.payloadLength = 256;
        benchmark.setup();

        final long commitBefore = benchmark.core().commitIndex();
        final long commitsBefore = benchmark.commits();
        final long sentBefore = sent(benchmark);
        final int cycles = 5_000; // more than the ring keeps: the store's bound is exercised
        for (int i = 0; i < cycles; i++)
        {
            benchmark.offerFlushCommit();
        }
        assertEquals(commitBefore + (long)cycles * batch, benchmark.core().commitIndex());
        assertEquals(commitsBefore + cycles, benchmark.commits(), "one commit per cycle, by the first ack");
        assertEquals(2L * cycles, sent(benchmark) - sentBefore, "one AppendEntries to each follower per cycle");
        if (wire == LeaderStepBenchmark.Wire.SBE)
        {
            assertEquals(0, benchmark.dispatcher().messagesRejected());
        }

        assertAllocationFree("offerFlushCommit", 10_000, benchmark::offerFlushCommit);
    }

    @Test
    void quorumIndexIsTheMedianOfEachMajorityAndAllocatesNothing()
    {
        for (final int members : new int[]{ 3, 5, 7 })
        {
            final QuorumBenchmark.Voters voters = new QuorumBenchmark.Voters();
            voters.members = members;
            voters.setup();
            long expectedSum = 0;
            for (final long[] indices : voters.indices)
            {
                expectedSum += majority(indices, members);
            }
            final QuorumBenchmark benchmark = new QuorumBenchmark();
            assertEquals(expectedSum, benchmark.majorityIndex(voters), members + " voters");
            assertAllocationFree("majorityIndex " + members, 5_000, () -> benchmark.majorityIndex(voters));

            for (final boolean joint : new boolean[]{ false, true })
            {
                final QuorumBenchmark.Members state = new QuorumBenchmark.Members();
                state.members = members;
                state.joint = joint;
                state.setup();
                final Configuration configuration = state.configuration;
                assertEquals(joint ? members + 1 : members, configuration.size());
                assertEquals(joint, configuration.isJoint());

                long expected = 0;
                int expectedQuorums = 0;
                for (int v = 0; v < QuorumBenchmark.VECTORS; v++)
                {
                    expected += joint ?
                        Math.min(majority(Arrays.copyOfRange(state.indexBySlot[v], 0, members), members),
                            majority(Arrays.copyOfRange(state.indexBySlot[v], 1, members + 1), members)) :
                        majority(state.indexBySlot[v], members);
                    final long granted = state.grantedSlots[v];
                    final boolean oldMajority = Long.bitCount(granted & ((1L << members) - 1)) > members / 2;
                    final boolean newMajority = Long.bitCount(granted >>> 1) > members / 2;
                    expectedQuorums += oldMajority && (!joint || newMajority) ? 1 : 0;
                }
                final String name = members + (joint ? " joint" : " simple");
                assertEquals(expected, benchmark.quorumIndex(state), name);
                assertEquals(expectedQuorums, benchmark.isQuorum(state), name);
                assertAllocationFree("quorumIndex " + name, 5_000, () -> benchmark.quorumIndex(state));
                assertAllocationFree("isQuorum " + name, 5_000, () -> benchmark.isQuorum(state));
            }
        }
    }

    /**
     * The largest index at least a majority of the first {@code voters} holds: the majority-th largest.
     */
    private static long majority(final long[] indices, final int voters)
    {
        final long[] sorted = Arrays.copyOf(indices, voters);
        Arrays.sort(sorted);
        return sorted[voters - (voters / 2 + 1)];
    }

    private static long sent(final LeaderStepBenchmark benchmark)
    {
        return benchmark.wire == LeaderStepBenchmark.Wire.SBE ?
            benchmark.outbox().claims() : benchmark.counting().appendEntries();
    }

    private void assertAllocationFree(final String name, final int calls, final LongSupplier call)
    {
        assertAllocationFree(name, calls, 1, call);
    }

    /**
     * Warms up with {@code calls} calls, then holds {@code calls} more to under {@code bytesPerCall} on average.
     */
    private void assertAllocationFree(
        final String name, final int calls, final int bytesPerCall, final LongSupplier call)
    {
        for (int i = 0; i < calls; i++)
        {
            sink += call.getAsLong();
        }
        final long threadId = Thread.currentThread().getId();
        THREADS.getThreadAllocatedBytes(threadId);
        final long before = THREADS.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < calls; i++)
        {
            sink += call.getAsLong();
        }
        final long allocated = THREADS.getThreadAllocatedBytes(threadId) - before;
        assertTrue(allocated < (long)calls * bytesPerCall,
            name + " allocated " + allocated + " bytes in " + calls + " calls");
    }
}

package io.raftlog.driver;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each profile sets the threading mode and idle strategies its Javadoc claims. Only the context is inspected: no
 * busy-spinning driver is ever started by a test.
 */
class DriverProfileTest
{
    @Test
    void smallRunsTheWholeDriverOnOneSharedThreadThatBacksOff()
    {
        final MediaDriver.Context ctx = DriverProfile.SMALL.applyTo(new MediaDriver.Context());

        assertEquals(ThreadingMode.SHARED, ctx.threadingMode());
        final IdleStrategy shared = ctx.sharedIdleStrategy();
        assertInstanceOf(BackoffIdleStrategy.class, shared);
        assertTrue(shared.toString().contains("maxParkPeriodNs=1000000"), shared.toString());
        assertTrue(ctx.asyncExecutorEnabled());
        assertInstanceOf(SleepingMillisIdleStrategy.class, ctx.asyncExecutorIdleStrategy());
        assertTrue(ctx.termBufferSparseFile());
        assertNull(ctx.senderIdleStrategy(), "no dedicated threads are configured");
        assertNull(ctx.receiverIdleStrategy());
        assertNull(ctx.conductorIdleStrategy());
    }

    @Test
    void smallGivesTheNodeAgentABackoffStrategyOfItsOwn()
    {
        final IdleStrategy first = DriverProfile.SMALL.newAgentIdleStrategy();
        final IdleStrategy second = DriverProfile.SMALL.newAgentIdleStrategy();

        assertInstanceOf(BackoffIdleStrategy.class, first);
        assertNotSame(first, second, "a backoff strategy keeps state: one per thread");
    }

    @Test
    void lowLatencyBusySpinsOnDedicatedThreadsWithPreTouchedTerms()
    {
        final MediaDriver.Context ctx = DriverProfile.LOW_LATENCY.applyTo(new MediaDriver.Context());

        assertEquals(ThreadingMode.DEDICATED, ctx.threadingMode());
        assertSame(NoOpIdleStrategy.INSTANCE, ctx.senderIdleStrategy());
        assertSame(NoOpIdleStrategy.INSTANCE, ctx.receiverIdleStrategy());
        assertSame(BusySpinIdleStrategy.INSTANCE, ctx.conductorIdleStrategy());
        assertFalse(ctx.termBufferSparseFile());
        assertInstanceOf(BusySpinIdleStrategy.class, DriverProfile.LOW_LATENCY.newAgentIdleStrategy());
    }

    @Test
    void throughputYieldsOnDedicatedThreadsWithLargerTermsAndSocketBuffers()
    {
        final MediaDriver.Context ctx = DriverProfile.THROUGHPUT.applyTo(new MediaDriver.Context());

        assertEquals(ThreadingMode.DEDICATED, ctx.threadingMode());
        assertSame(YieldingIdleStrategy.INSTANCE, ctx.senderIdleStrategy());
        assertSame(YieldingIdleStrategy.INSTANCE, ctx.receiverIdleStrategy());
        assertInstanceOf(BackoffIdleStrategy.class, ctx.conductorIdleStrategy());
        assertInstanceOf(YieldingIdleStrategy.class, DriverProfile.THROUGHPUT.newAgentIdleStrategy());

        final DriverProfile small = DriverProfile.SMALL;
        assertTrue(ctx.publicationTermBufferLength() > small.publicationTermBufferLength());
        assertTrue(ctx.publicationTermBufferLength() >= io.aeron.driver.Configuration.TERM_BUFFER_LENGTH_DEFAULT);
        assertTrue(ctx.initialWindowLength() > small.initialWindowLength());
        assertTrue(ctx.socketRcvbufLength() > small.socketRcvbufLength());
        assertTrue(ctx.socketSndbufLength() > small.socketSndbufLength());
        assertTrue(DriverProfile.THROUGHPUT.largestMessageBytes() > small.largestMessageBytes());
    }

    @ParameterizedTest
    @EnumSource(DriverProfile.class)
    void eachProfileAppliesItsOwnSizes(final DriverProfile profile)
    {
        final MediaDriver.Context ctx = profile.applyTo(new MediaDriver.Context());

        assertEquals(profile.threadingMode(), ctx.threadingMode());
        assertEquals(profile.mtuLength(), ctx.mtuLength());
        assertEquals(profile.publicationTermBufferLength(), ctx.publicationTermBufferLength());
        assertEquals(profile.initialWindowLength(), ctx.initialWindowLength());
        assertEquals(profile.socketSndbufLength(), ctx.socketSndbufLength());
        assertEquals(profile.socketRcvbufLength(), ctx.socketRcvbufLength());
    }

    @ParameterizedTest
    @EnumSource(DriverProfile.class)
    void eachProfilesDefaultsPassValidation(final DriverProfile profile)
    {
        final DriverSettings settings = new DriverSettings()
            .profile(profile)
            .aeronDirectoryName("/tmp/unused")
            .mtuLength(profile.mtuLength())
            .publicationTermBufferLength(profile.publicationTermBufferLength())
            .initialWindowLength(profile.initialWindowLength())
            .socketSndbufLength(0 == profile.socketSndbufLength() ? 256 * 1024 : profile.socketSndbufLength())
            .socketRcvbufLength(profile.socketRcvbufLength())
            .largestMessageBytes(profile.largestMessageBytes())
            .conclude();

        assertTrue(settings.largestMessageBytes() <= settings.maxMessageLength());
    }

    @ParameterizedTest
    @CsvSource({
        "small, SMALL",
        "low-latency, LOW_LATENCY",
        "throughput, THROUGHPUT",
        "' Low-Latency ', LOW_LATENCY" })
    void fromNameFindsEachProfileByItsName(final String name, final DriverProfile expected)
    {
        assertSame(expected, DriverProfile.fromName(name));
        assertSame(expected, DriverProfile.fromName(expected.profileName()));
    }

    @Test
    void fromNameRejectsAnUnknownNameListingTheValidOnes()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> DriverProfile.fromName("fast"));

        assertTrue(ex.getMessage().startsWith("profile=fast"), ex.getMessage());
        assertTrue(ex.getMessage().contains("small, low-latency, throughput"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DriverProfile.fromName(null));
        assertThrows(IllegalArgumentException.class, () -> DriverProfile.fromName("LOW_LATENCY"));
    }
}

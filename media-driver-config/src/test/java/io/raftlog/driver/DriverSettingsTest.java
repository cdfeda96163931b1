package io.raftlog.driver;

import io.aeron.driver.Configuration;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.LogBufferDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class DriverSettingsTest
{
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    @AfterEach
    void clearProperties()
    {
        System.clearProperty(DriverConfiguration.PROFILE_PROP_NAME);
        System.clearProperty(DriverConfiguration.MTU_LENGTH_PROP_NAME);
        System.clearProperty(DriverConfiguration.TERM_LENGTH_PROP_NAME);
        System.clearProperty(DriverConfiguration.LARGEST_MESSAGE_BYTES_PROP_NAME);
        System.clearProperty(DriverConfiguration.DIR_PARENT_PROP_NAME);
    }

    /**
     * Every size set explicitly (and no socket buffer left to the OS default), so that neither system properties
     * nor the machine's socket defaults change the outcome.
     */
    private static DriverSettings valid()
    {
        return new DriverSettings()
            .profile(DriverProfile.SMALL)
            .aeronDirectoryName("/tmp/raftlog-test-unused")
            .mtuLength(1408)
            .publicationTermBufferLength(MIB)
            .initialWindowLength(128 * KIB)
            .socketSndbufLength(128 * KIB)
            .socketRcvbufLength(128 * KIB)
            .largestMessageBytes(64 * KIB);
    }

    static Stream<Arguments> invalidSettings()
    {
        return Stream.of(
            invalid("mtuLength", "more than 32", s -> s.mtuLength(32)),
            invalid("mtuLength", "more than 32", s -> s.mtuLength(0)),
            invalid("mtuLength", "more than 32", s -> s.mtuLength(-32)),
            invalid("mtuLength", "at most 65504", s -> s.mtuLength(65536)),
            invalid("mtuLength", "multiple of 32", s -> s.mtuLength(1400)),
            invalid("mtuLength", "max message length", s -> s.mtuLength(65504).publicationTermBufferLength(64 * KIB)
                .initialWindowLength(32 * KIB).largestMessageBytes(4 * KIB)),
            invalid("publicationTermBufferLength", "at least 65536", s -> s.publicationTermBufferLength(32 * KIB)),
            invalid("publicationTermBufferLength", "at most 1073741824",
                s -> s.publicationTermBufferLength(Integer.MAX_VALUE)),
            invalid("publicationTermBufferLength", "power of two", s -> s.publicationTermBufferLength(3 * MIB)),
            invalid("largestMessageBytes", "positive", s -> s.largestMessageBytes(0)),
            invalid("largestMessageBytes", "at most 131072", s -> s.largestMessageBytes(128 * KIB + 1)),
            invalid("largestMessageBytes", "raise publicationTermBufferLength to at least 2097152",
                s -> s.largestMessageBytes(256 * KIB)),
            invalid("initialWindowLength", "at least mtuLength=1408",
                s -> s.initialWindowLength(1024).largestMessageBytes(512)),
            invalid("initialWindowLength", "at most half of publicationTermBufferLength",
                s -> s.initialWindowLength(512 * KIB + 32).socketRcvbufLength(MIB)),
            invalid("initialWindowLength", "at least largestMessageBytes=98304",
                s -> s.initialWindowLength(64 * KIB).largestMessageBytes(96 * KIB)),
            invalid("socketSndbufLength", "positive", s -> s.socketSndbufLength(-2)),
            invalid("socketSndbufLength", "at least mtuLength", s -> s.socketSndbufLength(1024)),
            invalid("socketRcvbufLength", "positive", s -> s.socketRcvbufLength(-2)),
            invalid("socketRcvbufLength", "at least initialWindowLength", s -> s.socketRcvbufLength(64 * KIB)),
            invalid("aeronDirectoryName", "blank", s -> s.aeronDirectoryName("  ")));
    }

    private static Arguments invalid(
        final String setting, final String reason, final UnaryOperator<DriverSettings> change)
    {
        return arguments(setting, reason, change);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalidSettings")
    void everyInvalidSettingIsRejectedWithAMessageThatStartsWithItsName(
        final String setting, final String reason, final UnaryOperator<DriverSettings> change)
    {
        final DriverSettings settings = change.apply(valid());

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, settings::conclude);

        final String message = ex.getMessage();
        assertTrue(message.startsWith(setting + "=") || message.startsWith(setting + " "), message);
        assertTrue(message.contains(reason), message);
        assertFalse(settings.isConcluded());
    }

    static Stream<Arguments> validBoundaries()
    {
        return Stream.of(
            arguments("smallest MTU: one frame alignment past the header", (UnaryOperator<DriverSettings>)s ->
                s.mtuLength(64)),
            arguments("largest MTU: the largest UDP payload", (UnaryOperator<DriverSettings>)s ->
                s.mtuLength(65504)),
            arguments("smallest term: 64 KiB, window half of it, largest message an eighth", (UnaryOperator<
                DriverSettings>)s -> s.publicationTermBufferLength(64 * KIB).initialWindowLength(32 * KIB)
                .largestMessageBytes(8 * KIB)),
            arguments("MTU equal to the max message length of the term", (UnaryOperator<DriverSettings>)s ->
                s.publicationTermBufferLength(64 * KIB).mtuLength(8 * KIB).initialWindowLength(32 * KIB)
                .largestMessageBytes(8 * KIB)),
            arguments("largest term: 1 GiB, largest message capped at 16 MiB", (UnaryOperator<DriverSettings>)s ->
                s.publicationTermBufferLength(1024 * MIB).initialWindowLength(16 * MIB).socketRcvbufLength(16 * MIB)
                .largestMessageBytes(16 * MIB)),
            arguments("largest message exactly the max message length", (UnaryOperator<DriverSettings>)s ->
                s.largestMessageBytes(128 * KIB)),
            arguments("window exactly the MTU and the largest message", (UnaryOperator<DriverSettings>)s ->
                s.mtuLength(4096).initialWindowLength(4096).largestMessageBytes(4096)),
            arguments("window exactly half the term", (UnaryOperator<DriverSettings>)s ->
                s.initialWindowLength(512 * KIB).socketRcvbufLength(512 * KIB)),
            arguments("send buffer exactly the MTU", (UnaryOperator<DriverSettings>)s ->
                s.socketSndbufLength(1408)),
            arguments("send buffer the OS default", (UnaryOperator<DriverSettings>)s ->
                s.socketSndbufLength(0)),
            arguments("receive buffer exactly the window", (UnaryOperator<DriverSettings>)s ->
                s.socketRcvbufLength(128 * KIB)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validBoundaries")
    void validBoundaryValuesPass(final String description, final UnaryOperator<DriverSettings> change)
    {
        final DriverSettings settings = change.apply(valid());

        assertDoesNotThrow(settings::conclude);
        assertTrue(settings.isConcluded());
    }

    @ParameterizedTest
    @ValueSource(ints = { -1, 0, 31, 32, 33, 63, 64, 96, 1400, 1408, 8192, 65472, 65504, 65505, 65536 })
    void mtuRulesAgreeWithAeronsOwnValidator(final int mtuLength)
    {
        final boolean aeronAccepts = accepts(() -> Configuration.validateMtuLength(mtuLength));
        final boolean weAccept = accepts(() -> new DriverSettings().profile(DriverProfile.SMALL)
            .aeronDirectoryName("/tmp/unused").mtuLength(mtuLength).publicationTermBufferLength(MIB)
            .initialWindowLength(128 * KIB).socketSndbufLength(128 * KIB).socketRcvbufLength(128 * KIB)
            .largestMessageBytes(KIB).conclude());

        if (-1 != mtuLength)
        {
            assertEquals(aeronAccepts, weAccept, "mtuLength=" + mtuLength);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 32 * KIB, 64 * KIB - 1, 64 * KIB, 96 * KIB, 128 * KIB, 16 * MIB, 1024 * MIB, 1024 * MIB + 1,
        Integer.MAX_VALUE })
    void termLengthRulesAgreeWithAeronsOwnCheck(final int termLength)
    {
        final boolean aeronAccepts = accepts(() -> LogBufferDescriptor.checkTermLength(termLength));
        final boolean weAccept = accepts(() -> valid().publicationTermBufferLength(termLength)
            .initialWindowLength(8 * KIB).socketRcvbufLength(8 * KIB).largestMessageBytes(4 * KIB).conclude());

        assertEquals(aeronAccepts, weAccept, "publicationTermBufferLength=" + termLength);
    }

    @ParameterizedTest
    @ValueSource(ints = { 64 * KIB, MIB, 64 * MIB, 1024 * MIB })
    void largestMessageMayBeExactlyAeronsMaxMessageLengthForTheTerm(final int termLength)
    {
        final int max = FrameDescriptor.computeMaxMessageLength(termLength);
        assertEquals(Math.min(termLength / 8, FrameDescriptor.MAX_MESSAGE_LENGTH), max);

        final UnaryOperator<DriverSettings> sized = s -> s.publicationTermBufferLength(termLength)
            .initialWindowLength(termLength / 2).socketRcvbufLength(termLength / 2);
        assertDoesNotThrow(() -> sized.apply(valid()).largestMessageBytes(max).conclude());

        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> sized.apply(valid()).largestMessageBytes(max + 1).conclude());
        assertTrue(ex.getMessage().startsWith("largestMessageBytes="), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = { 1408, 64 * KIB, 512 * KIB })
    void anAcceptedWindowIsNeverCappedByAeron(final int initialWindowLength)
    {
        final DriverSettings settings = valid().initialWindowLength(initialWindowLength)
            .socketRcvbufLength(512 * KIB).largestMessageBytes(1024).conclude();

        assertEquals(initialWindowLength, Configuration.receiverWindowLength(
            settings.publicationTermBufferLength(), settings.initialWindowLength()));
        assertDoesNotThrow(() -> Configuration.validateInitialWindowLength(
            settings.initialWindowLength(), settings.mtuLength()));
    }

    @Test
    void applyToSetsTheProfileAndEveryValidatedSizeOnTheContext()
    {
        final DriverSettings settings = valid().profile(DriverProfile.THROUGHPUT).mtuLength(8192).conclude();

        final MediaDriver.Context ctx = settings.applyTo(new MediaDriver.Context());

        assertEquals(DriverProfile.THROUGHPUT.threadingMode(), ctx.threadingMode());
        assertEquals("/tmp/raftlog-test-unused", ctx.aeronDirectoryName());
        assertEquals(8192, ctx.mtuLength());
        assertEquals(MIB, ctx.publicationTermBufferLength());
        assertEquals(128 * KIB, ctx.initialWindowLength());
        assertEquals(128 * KIB, ctx.socketSndbufLength());
        assertEquals(128 * KIB, ctx.socketRcvbufLength());
    }

    @Test
    void unsetSizesComeFromTheProfile()
    {
        final DriverSettings settings = new DriverSettings()
            .profile(DriverProfile.THROUGHPUT).aeronDirectoryName("/tmp/unused").conclude();

        assertEquals(DriverProfile.THROUGHPUT.mtuLength(), settings.mtuLength());
        assertEquals(DriverProfile.THROUGHPUT.publicationTermBufferLength(), settings.publicationTermBufferLength());
        assertEquals(DriverProfile.THROUGHPUT.initialWindowLength(), settings.initialWindowLength());
        assertEquals(DriverProfile.THROUGHPUT.socketSndbufLength(), settings.socketSndbufLength());
        assertEquals(DriverProfile.THROUGHPUT.socketRcvbufLength(), settings.socketRcvbufLength());
        assertEquals(DriverProfile.THROUGHPUT.largestMessageBytes(), settings.largestMessageBytes());
    }

    @Test
    void aSetterWinsOverASystemPropertyWhichWinsOverTheProfile()
    {
        System.setProperty(DriverConfiguration.PROFILE_PROP_NAME, "throughput");
        System.setProperty(DriverConfiguration.MTU_LENGTH_PROP_NAME, "4k");
        System.setProperty(DriverConfiguration.TERM_LENGTH_PROP_NAME, "2m");

        final DriverSettings settings = new DriverSettings()
            .aeronDirectoryName("/tmp/unused")
            .publicationTermBufferLength(4 * MIB)
            .initialWindowLength(128 * KIB)
            .socketRcvbufLength(128 * KIB)
            .largestMessageBytes(64 * KIB)
            .conclude();

        assertSame(DriverProfile.THROUGHPUT, settings.profile());
        assertEquals(4096, settings.mtuLength());
        assertEquals(4 * MIB, settings.publicationTermBufferLength());
    }

    @Test
    void aBadSystemPropertyIsRejectedNamingTheSettingAndTheProperty()
    {
        System.setProperty(DriverConfiguration.TERM_LENGTH_PROP_NAME, "lots");

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new DriverSettings().profile(DriverProfile.SMALL).aeronDirectoryName("/tmp/unused").conclude());

        assertTrue(ex.getMessage().startsWith("publicationTermBufferLength=lots"), ex.getMessage());
        assertTrue(ex.getMessage().contains(DriverConfiguration.TERM_LENGTH_PROP_NAME), ex.getMessage());
    }

    @Test
    void anUnknownProfileInTheSystemPropertyIsRejectedListingTheValidOnes()
    {
        System.setProperty(DriverConfiguration.PROFILE_PROP_NAME, "turbo");

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new DriverSettings().aeronDirectoryName("/tmp/unused").conclude());

        assertTrue(ex.getMessage().startsWith("profile=turbo"), ex.getMessage());
        assertTrue(ex.getMessage().contains(DriverProfile.validNames()), ex.getMessage());
    }

    @Test
    void withoutADirectoryEachConcludeGeneratesAFreshOneUnderTheParent()
    {
        final String parent = System.getProperty("java.io.tmpdir");
        System.setProperty(DriverConfiguration.DIR_PARENT_PROP_NAME, parent);

        final String first = valid().aeronDirectoryName(null).conclude().aeronDirectoryName();
        final String second = valid().aeronDirectoryName(null).conclude().aeronDirectoryName();

        assertEquals(new File(parent).getAbsolutePath(), new File(first).getParent());
        assertTrue(new File(first).getName().startsWith(DriverConfiguration.GENERATED_DIR_PREFIX), first);
        assertFalse(first.equals(second));
        assertFalse(new File(first).exists(), "conclude names the directory; only a driver creates it");
    }

    @Test
    void concludingTwiceIsRejected()
    {
        final DriverSettings settings = valid().conclude();

        assertThrows(IllegalStateException.class, settings::conclude);
    }

    @Test
    void theLauncherLineNamesEverySetting()
    {
        final String line = valid().conclude().toString();

        for (final String setting : new String[]{ "profile=small", "threadingMode=SHARED",
            "aeronDirectoryName=/tmp/raftlog-test-unused", "mtuLength=1408", "publicationTermBufferLength=1048576",
            "initialWindowLength=131072", "socketSndbufLength=131072", "socketRcvbufLength=131072",
            "largestMessageBytes=65536" })
        {
            assertTrue(line.contains(setting), line);
        }
    }

    private static boolean accepts(final Runnable check)
    {
        try
        {
            check.run();
            return true;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }
}

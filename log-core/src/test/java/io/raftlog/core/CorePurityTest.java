package io.raftlog.core;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.raftlog.protocol.PeerMessageDispatcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the core pure (design brief: "RaftCore is pure: no I/O, no clock, no threads") and the layers pointing
 * inward: {@code io.raftlog.core} sees only the JDK's language basics, Agrona and the generated codecs, and never
 * the protocol adapters that sit on top of it. The protocol adapters may do more, but not read a clock, draw random
 * numbers or start threads either: they run inside the same duty cycle.
 * <p>
 * Only main classes are imported. Each rule is also shown to bite: the {@code ...Bites} tests run it over a small
 * impure fixture (nested below, test scope, so the main import never sees it) and expect a violation, so a rule
 * that silently matches nothing cannot pass for a clean core.
 */
class CorePurityTest
{
    private static final String CORE = "io.raftlog.core..";
    private static final String PROTOCOL = "io.raftlog.protocol..";

    private static JavaClasses mainClasses;
    private static JavaClasses fixtureClasses;

    @BeforeAll
    static void importClasses()
    {
        mainClasses = new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .withImportOption(new ImportOption.DoNotIncludeJars()) // the module's own classes are a directory
            .importPackages("io.raftlog.core", "io.raftlog.protocol");
        fixtureClasses = new ClassFileImporter().importClasses(
            Pure.class, UsesRandom.class, UsesSplittableRandom.class, StartsAThread.class, UsesConcurrentAtomics.class,
            UsesJavaTime.class, UsesAgronaClock.class, ReadsTheClock.class, ReadsTheWallClock.class,
            ReadsASystemProperty.class, ReadsTheEnvironment.class, Sleeps.class, Waits.class, UsesMathRandom.class,
            ReadsAFile.class, UsesAFileChannel.class, UsesAPath.class, UsesTheNetwork.class, Logs.class,
            SeesTheProtocol.class);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The rules, parameterised by the package they guard so that the self-checks can aim them at fixtures.
    // ---------------------------------------------------------------------------------------------------------------

    /** No clock, no randomness, no threads or thread coordination: the inputs of a deterministic duty cycle. */
    static ArchRule noClockRandomnessOrThreads(final String packages)
    {
        return noClasses().that().resideInAPackage(packages)
            .should().dependOnClassesThat().belongToAnyOf(
                Random.class, SplittableRandom.class, java.security.SecureRandom.class,
                Thread.class, ThreadLocal.class,
                java.util.Date.class, java.util.Calendar.class, java.util.Timer.class)
            .orShould().dependOnClassesThat().resideInAnyPackage("java.util.concurrent..", "java.time..")
            .orShould().dependOnClassesThat(agronaClocksAndRunners())
            .because("the core is driven by tick(nowNs) and a seeded Jitter; a clock, a random source or a " +
                "thread of its own would make a simulated run unrepeatable");
    }

    /** The calls that read time, the environment or randomness, or block, whoever's class they sit on. */
    static ArchRule noClockEnvironmentOrBlockingCalls(final String packages)
    {
        return noClasses().that().resideInAPackage(packages)
            .should().callMethodWhere(callTo(System.class, "nanoTime", "currentTimeMillis", "getProperty",
                "getProperties", "getenv"))
            .orShould().callMethodWhere(callTo(Thread.class, "sleep", "onSpinWait", "yield"))
            .orShould().callMethodWhere(objectMonitorCall())
            .orShould().callMethodWhere(callTo(Math.class, "random"))
            .orShould().callMethodWhere(callTo(StrictMath.class, "random"))
            .orShould().callMethodWhere(callTo(UUID.class, "randomUUID"))
            .orShould().callMethodWhere(callTo(Integer.class, "getInteger"))
            .orShould().callMethodWhere(callTo(Long.class, "getLong"))
            .orShould().callMethodWhere(callTo(Boolean.class, "getBoolean"))
            .because("time comes in through tick(nowNs), settings through RaftConfig, and the duty cycle never " +
                "blocks");
    }

    /** No I/O of any kind and no logging: storage and network are ports, bound by the runtime. */
    static ArchRule noIoNetworkOrLogging(final String packages)
    {
        return noClasses().that().resideInAPackage(packages)
            .should().dependOnClassesThat().resideInAnyPackage(
                "java.io..", "java.nio.channels..", "java.nio.file..", "java.net..",
                "java.util.logging..", "org.slf4j..", "org.apache.logging..", "ch.qos.logback..",
                "io.aeron..", "net.openhft..")
            .because("RaftCore acts only through LogStore, MetaStore, PeerTransport and RaftListener");
    }

    /** Layers point inward: the core never sees the adapters built on it. */
    static ArchRule coreDoesNotSeeProtocol(final String packages)
    {
        return noClasses().that().resideInAPackage(packages)
            .should().dependOnClassesThat().resideInAPackage(PROTOCOL)
            .because("layers point inward: protocol -> core, never core -> protocol");
    }

    /**
     * The positive form of the same brief: "core sees only Agrona buffers/collections and the generated codecs".
     * {@code java.lang} and {@code java.util} (exactly those packages, not their subpackages) cover the language,
     * exceptions and {@code Arrays}; {@code java.nio} (exactly) is there for {@code ByteOrder}.
     */
    static ArchRule coreSeesOnlyAgronaCodecsAndLanguage(final String packages)
    {
        return classes().that().resideInAPackage(packages)
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                "io.raftlog.core..", "io.raftlog.codecs..", "org.agrona..",
                "java.lang", "java.util", "java.nio", "java.nio.charset")
            .because("core sees only Agrona and the codecs (STYLE.md: layers point inward)");
    }

    private static DescribedPredicate<JavaClass> agronaClocksAndRunners()
    {
        return DescribedPredicate.describe(
            "are Agrona clocks, idle strategies or agent runners",
            c -> c.getPackageName().startsWith("org.agrona") &&
                (c.getSimpleName().endsWith("Clock") ||
                c.getSimpleName().endsWith("IdleStrategy") ||
                c.getSimpleName().equals("AgentRunner") ||
                c.getSimpleName().equals("AgentInvoker")));
    }

    private static DescribedPredicate<JavaMethodCall> callTo(final Class<?> owner, final String... names)
    {
        final Set<String> wanted = Set.of(names);
        return DescribedPredicate.describe(
            owner.getSimpleName() + "." + String.join("/", names),
            call -> call.getTargetOwner().isEquivalentTo(owner) && wanted.contains(call.getName()));
    }

    /**
     * {@code Object.wait/notify/notifyAll} are final, so any call with their name and signature, on a receiver of
     * any type, is the monitor method.
     */
    private static DescribedPredicate<JavaMethodCall> objectMonitorCall()
    {
        return DescribedPredicate.describe(
            "Object.wait/notify/notifyAll",
            call ->
            {
                final List<String> params = call.getTarget().getRawParameterTypes().stream()
                    .map(JavaClass::getName).collect(Collectors.toList());
                switch (call.getName())
                {
                    case "wait":
                        return params.isEmpty() || params.equals(List.of("long")) ||
                            params.equals(List.of("long", "int"));
                    case "notify":
                    case "notifyAll":
                        return params.isEmpty();
                    default:
                        return false;
                }
            });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The rules over the main classes
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void theImportHoldsTheMainClassesOnly()
    {
        assertTrue(mainClasses.contain(RaftCore.class), "RaftCore imported");
        assertTrue(mainClasses.contain(PeerMessageDispatcher.class), "protocol imported");
        assertFalse(mainClasses.contain(CorePurityTest.class), "test classes are not imported");
        assertFalse(mainClasses.contain(ReadsTheClock.class), "test fixtures are not imported");
        assertFalse(mainClasses.stream().anyMatch(c -> c.getPackageName().startsWith("io.raftlog.sim")),
            "the simulator (test scope) is not imported");
    }

    @Test
    void coreReadsNoClockDrawsNoRandomNumbersAndStartsNoThreads()
    {
        noClockRandomnessOrThreads(CORE).check(mainClasses);
    }

    @Test
    void coreCallsNoClockEnvironmentOrBlockingMethod()
    {
        noClockEnvironmentOrBlockingCalls(CORE).check(mainClasses);
    }

    @Test
    void coreDoesNoIoAndDoesNotLog()
    {
        noIoNetworkOrLogging(CORE).check(mainClasses);
    }

    @Test
    void coreDoesNotDependOnTheProtocolAdapters()
    {
        coreDoesNotSeeProtocol(CORE).check(mainClasses);
    }

    @Test
    void coreSeesOnlyAgronaTheCodecsAndTheLanguage()
    {
        coreSeesOnlyAgronaCodecsAndLanguage(CORE).check(mainClasses);
    }

    @Test
    void protocolReadsNoClockDrawsNoRandomNumbersAndStartsNoThreads()
    {
        noClockRandomnessOrThreads(PROTOCOL).check(mainClasses);
    }

    @Test
    void protocolCallsNoClockEnvironmentOrBlockingMethod()
    {
        noClockEnvironmentOrBlockingCalls(PROTOCOL).check(mainClasses);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Each rule bites: it fails over a fixture that breaks it. The fixtures are in io.raftlog.core (test scope).
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void theClockRandomnessAndThreadsRuleBites()
    {
        assertViolates(noClockRandomnessOrThreads(CORE), UsesRandom.class);
        assertViolates(noClockRandomnessOrThreads(CORE), UsesSplittableRandom.class);
        assertViolates(noClockRandomnessOrThreads(CORE), StartsAThread.class);
        assertViolates(noClockRandomnessOrThreads(CORE), UsesConcurrentAtomics.class);
        assertViolates(noClockRandomnessOrThreads(CORE), UsesJavaTime.class);
        assertViolates(noClockRandomnessOrThreads(CORE), UsesAgronaClock.class);
        assertHolds(noClockRandomnessOrThreads(CORE), Pure.class);
    }

    @Test
    void theCallsRuleBites()
    {
        assertViolates(noClockEnvironmentOrBlockingCalls(CORE), ReadsTheClock.class);
        assertViolates(noClockEnvironmentOrBlockingCalls(CORE), ReadsTheWallClock.class);
        assertViolates(noClockEnvironmentOrBlockingCalls(CORE), ReadsASystemProperty.class);
        assertViolates(noClockEnvironmentOrBlockingCalls(CORE), ReadsTheEnvironment.class);
        assertViolates(noClockEnvironmentOrBlockingCalls(CORE), Sleeps.class);
        assertViolates(noClockEnvironmentOrBlockingCalls(CORE), Waits.class);
        assertViolates(noClockEnvironmentOrBlockingCalls(CORE), UsesMathRandom.class);
        assertHolds(noClockEnvironmentOrBlockingCalls(CORE), Pure.class);
    }

    @Test
    void theIoRuleBites()
    {
        assertViolates(noIoNetworkOrLogging(CORE), ReadsAFile.class);
        assertViolates(noIoNetworkOrLogging(CORE), UsesAFileChannel.class);
        assertViolates(noIoNetworkOrLogging(CORE), UsesAPath.class);
        assertViolates(noIoNetworkOrLogging(CORE), UsesTheNetwork.class);
        assertViolates(noIoNetworkOrLogging(CORE), Logs.class);
        assertHolds(noIoNetworkOrLogging(CORE), Pure.class);
    }

    @Test
    void theLayeringRulesBite()
    {
        assertViolates(coreDoesNotSeeProtocol(CORE), SeesTheProtocol.class);
        assertViolates(coreSeesOnlyAgronaCodecsAndLanguage(CORE), SeesTheProtocol.class);
        assertViolates(coreSeesOnlyAgronaCodecsAndLanguage(CORE), UsesAFileChannel.class);
        assertViolates(coreSeesOnlyAgronaCodecsAndLanguage(CORE), UsesConcurrentAtomics.class);
        assertHolds(coreDoesNotSeeProtocol(CORE), Pure.class);
        assertHolds(coreSeesOnlyAgronaCodecsAndLanguage(CORE), Pure.class);
    }

    private static void assertViolates(final ArchRule rule, final Class<?> fixture)
    {
        final JavaClasses classes = only(fixture);
        assertThrows(AssertionError.class, () -> rule.check(classes),
            () -> "rule should reject " + fixture.getSimpleName() + ": " + rule.getDescription());
    }

    private static void assertHolds(final ArchRule rule, final Class<?> fixture)
    {
        rule.check(only(fixture));
    }

    private static JavaClasses only(final Class<?> fixture)
    {
        final JavaClasses classes = fixtureClasses.that(JavaClass.Predicates.equivalentTo(fixture));
        assertEquals(1, classes.size(), fixture.getName());
        return classes;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fixtures: never run, only read as bytecode.
    // ---------------------------------------------------------------------------------------------------------------

    @SuppressWarnings("unused")
    static final class Pure
    {
        private final long[] values = new long[4];

        long sum()
        {
            long sum = 0;
            for (final long v : values)
            {
                sum += v;
            }
            return Math.max(sum, 0);
        }
    }

    static final class UsesRandom
    {
        int draw()
        {
            return new Random().nextInt();
        }
    }

    static final class UsesSplittableRandom
    {
        int draw()
        {
            return new SplittableRandom(1).nextInt();
        }
    }

    static final class StartsAThread
    {
        void start()
        {
            new Thread(() -> { }).start();
        }
    }

    static final class UsesConcurrentAtomics
    {
        private final AtomicLong counter = new AtomicLong();

        long next()
        {
            return counter.incrementAndGet();
        }
    }

    static final class UsesJavaTime
    {
        long now()
        {
            return Instant.now().toEpochMilli();
        }
    }

    static final class UsesAgronaClock
    {
        long now()
        {
            return new org.agrona.concurrent.SystemNanoClock().nanoTime();
        }
    }

    static final class ReadsTheClock
    {
        long now()
        {
            return System.nanoTime();
        }
    }

    static final class ReadsTheWallClock
    {
        long now()
        {
            return System.currentTimeMillis();
        }
    }

    static final class ReadsASystemProperty
    {
        String setting()
        {
            return System.getProperty("raftlog.setting", "x");
        }
    }

    static final class ReadsTheEnvironment
    {
        String setting()
        {
            return System.getenv("RAFTLOG");
        }
    }

    static final class Sleeps
    {
        void pause() throws InterruptedException
        {
            Thread.sleep(1);
        }
    }

    static final class Waits
    {
        synchronized void pause() throws InterruptedException
        {
            wait(1);
        }
    }

    static final class UsesMathRandom
    {
        double draw()
        {
            return Math.random();
        }
    }

    static final class ReadsAFile
    {
        int read(final File file) throws IOException
        {
            try (FileInputStream in = new FileInputStream(file))
            {
                return in.read();
            }
        }
    }

    static final class UsesAFileChannel
    {
        long size(final FileChannel channel) throws IOException
        {
            return channel.size();
        }
    }

    static final class UsesAPath
    {
        String name(final Path path)
        {
            return path.toString();
        }
    }

    static final class UsesTheNetwork
    {
        int port(final InetSocketAddress address)
        {
            return address.getPort();
        }
    }

    static final class Logs
    {
        void log()
        {
            Logger.getLogger("raftlog").info("hello");
        }
    }

    static final class SeesTheProtocol
    {
        long received(final PeerMessageDispatcher dispatcher)
        {
            return dispatcher.messagesReceived();
        }
    }
}

package io.raftlog.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Design brief: "A bad configuration fails at start with a message that names the setting." Each case breaks one
 * setting of an otherwise valid configuration and expects the message to start with that setting's name.
 */
class RaftConfigTest
{
    private static RaftConfig valid()
    {
        return new RaftConfig()
            .selfId(1)
            .memberIds(1, 2, 3)
            .electionTimeoutNs(300_000_000L)
            .heartbeatIntervalNs(50_000_000L)
            .maxPayloadBytes(16 * 1024)
            .maxBatchBytes(64 * 1024)
            .maxInflightMessages(32)
            .maxInflightBytes(1024 * 1024)
            .maxUncommittedEntries(1024);
    }

    static Stream<Arguments> invalidSettings()
    {
        return Stream.of(
            bad("no members at all", c -> c.memberIds(new int[0]), "memberIds"),
            bad("member ids never set", c -> new RaftConfig().selfId(1), "memberIds"),
            bad("duplicate ids", c -> c.memberIds(1, 2, 2), "memberIds"),
            bad("duplicate of self", c -> c.memberIds(1, 1, 2), "memberIds"),
            bad("zero id", c -> c.memberIds(0, 1, 2), "memberIds"),
            bad("negative id", c -> c.memberIds(-3, 1, 2), "memberIds"),
            bad("too many members", c -> c.memberIds(IntStream.rangeClosed(1, RaftConfig.MAX_MEMBERS + 1).toArray()),
                "memberIds"),
            bad("self not a member", c -> c.selfId(4), "selfId"),
            bad("self id unset", c -> c.selfId(0), "selfId"),
            bad("election timeout below 2x heartbeat", c -> c.electionTimeoutNs(99).heartbeatIntervalNs(50),
                "electionTimeoutNs"),
            bad("election timeout equal to heartbeat", c -> c.electionTimeoutNs(50).heartbeatIntervalNs(50),
                "electionTimeoutNs"),
            bad("non-positive election timeout", c -> c.electionTimeoutNs(0), "electionTimeoutNs"),
            bad("zero heartbeat", c -> c.heartbeatIntervalNs(0), "heartbeatIntervalNs"),
            bad("negative heartbeat", c -> c.heartbeatIntervalNs(-1), "heartbeatIntervalNs"),
            bad("zero max payload", c -> c.maxPayloadBytes(0), "maxPayloadBytes"),
            bad("batch too small for a max payload", c -> c.maxPayloadBytes(1024).maxBatchBytes(1024),
                "maxBatchBytes"),
            bad("zero inflight messages", c -> c.maxInflightMessages(0), "maxInflightMessages"),
            bad("inflight bytes below a batch", c -> c.maxBatchBytes(64 * 1024).maxInflightBytes(64 * 1024 - 1),
                "maxInflightBytes"),
            bad("zero uncommitted entries", c -> c.maxUncommittedEntries(0), "maxUncommittedEntries"));
    }

    private static Arguments bad(final String name, final UnaryOperator<RaftConfig> breaker, final String setting)
    {
        return arguments(name, breaker, setting);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("invalidSettings")
    void concludeNamesTheBadSetting(final String name, final UnaryOperator<RaftConfig> breaker, final String setting)
    {
        final RaftConfig config = breaker.apply(valid());
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::conclude);
        assertTrue(e.getMessage().startsWith(setting + ":"), "message names " + setting + ": " + e.getMessage());
    }

    @Test
    void boundsThatOverflowAreStillRejected()
    {
        final RaftConfig hugeHeartbeat = valid().heartbeatIntervalNs(Long.MAX_VALUE / 2 + 1);
        final IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, hugeHeartbeat::conclude);
        assertTrue(e1.getMessage().startsWith("electionTimeoutNs:"), e1.getMessage());

        final RaftConfig hugePayload = valid().maxPayloadBytes(Integer.MAX_VALUE - 10);
        final IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, hugePayload::conclude);
        assertTrue(e2.getMessage().startsWith("maxBatchBytes:"), e2.getMessage());
    }

    @Test
    void aValidConfigurationConcludes()
    {
        final RaftConfig config = valid();
        assertSame(config, config.conclude());
        assertSame(config, config.conclude(), "concluding twice is harmless");
    }

    @Test
    void theSmallestValidSettingsConclude()
    {
        new RaftConfig()
            .selfId(7)
            .memberIds(7)
            .heartbeatIntervalNs(1)
            .electionTimeoutNs(2)
            .maxPayloadBytes(1)
            .maxBatchBytes(65)
            .maxInflightMessages(1)
            .maxInflightBytes(65)
            .maxUncommittedEntries(1)
            .conclude();
        new RaftConfig()
            .selfId(RaftConfig.MAX_MEMBERS)
            .memberIds(IntStream.rangeClosed(1, RaftConfig.MAX_MEMBERS).toArray())
            .conclude();
    }

    @Test
    void theMemberIdsAreCopiedInAndOut()
    {
        final int[] ids = {1, 2, 3};
        final RaftConfig config = valid().memberIds(ids);
        ids[0] = 99;
        assertArrayEquals(new int[] {1, 2, 3}, config.memberIds(), "a later change of the caller's array is not seen");
        config.memberIds()[1] = 99;
        assertEquals(2, config.memberIds()[1], "the getter hands out a copy");
        config.conclude();
    }

    @Test
    void theCoreConcludesItsConfiguration()
    {
        final RaftConfig config = valid().selfId(9);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RaftCore(
            config, null, null, null, null, RaftListener.NO_OP));
        assertTrue(e.getMessage().startsWith("selfId:"), e.getMessage());
    }
}

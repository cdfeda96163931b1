package io.raftlog.samples;

import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogClientException;
import io.raftlog.codecs.RejectReason;
import io.raftlog.driver.DriverProfile;
import io.raftlog.samples.kv.KvMessages;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code raftlog kv}: the replicated key-value store of nodes started with {@code node --state-machine kv}, through
 * the remote client. Writes are log entries answered once applied; {@code get} is a linearizable read (ReadIndex, or
 * the leader's lease with {@code --lease}).
 */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    description = {
        "Use the replicated key-value store of a cluster whose nodes run `node --state-machine kv`.",
        "Exit status: 0 done (get: the key is present; cas: it swapped); 3 get: the key is absent, cas: it did not "
            + "swap (the current value is printed); 1 the cluster could not be reached or refused; 2 bad options.",
        "Examples:",
        "  java -jar raftlog.jar kv --members 1=127.0.0.1:20001,2=127.0.0.1:20002,3=127.0.0.1:20003 put x 3",
        "  java -jar raftlog.jar kv --members ... get x",
        "  java -jar raftlog.jar kv --members ... cas x 3 4" },
    subcommands = {
        KvCommand.Put.class, KvCommand.Get.class, KvCommand.Delete.class, KvCommand.Cas.class })
final class KvCommand implements Runnable
{
    static final int DONE = 0;
    static final int FAILED = 1;
    static final int NOT_SWAPPED_OR_ABSENT = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--timeout-ms", defaultValue = "10000", paramLabel = "MS",
        description = "Give up when no leader answers for this long (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "an operation is required: put, get, delete, cas");
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Set KEY to VALUE; prints `ok <index>`.")
    static final class Put implements java.util.concurrent.Callable<Integer>
    {
        @ParentCommand
        KvCommand kv;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        public Integer call()
        {
            return kv.write(buffer -> KvMessages.encodePut(buffer, key, value), "put");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove KEY; prints `ok <index>`.")
    static final class Delete implements java.util.concurrent.Callable<Integer>
    {
        @ParentCommand
        KvCommand kv;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        public Integer call()
        {
            return kv.write(buffer -> KvMessages.encodeDelete(buffer, key), "delete");
        }
    }

    @Command(name = "cas", mixinStandardHelpOptions = true,
        description = {
            "Set KEY to NEW only if it holds EXPECTED now (atomically, in log order).",
            "Prints `swapped <index>` (exit 0), or `not swapped <index>: the current value is <value>` (or `the key "
                + "is absent`) (exit 3)." })
    static final class Cas implements java.util.concurrent.Callable<Integer>
    {
        @ParentCommand
        KvCommand kv;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "EXPECTED")
        String expected;

        @Parameters(index = "2", paramLabel = "NEW")
        String value;

        @Option(names = "--expect-absent", description = "Swap only if KEY is absent (EXPECTED is then ignored).")
        boolean expectAbsent;

        public Integer call()
        {
            return kv.write(buffer -> KvMessages.encodeCas(buffer, key, expectAbsent ? null : expected, value), "cas");
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
        description = {
            "Read KEY, linearizably: prints its value (exit 0), or `<KEY> is absent` on standard error (exit 3)." })
    static final class Get implements java.util.concurrent.Callable<Integer>
    {
        @ParentCommand
        KvCommand kv;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = "--lease",
            description = "Let the leader answer from its lease, without a round of heartbeats, when the cluster "
                + "allows lease reads (`node --lease-reads`); correct only while clocks drift within its bound.")
        boolean lease;

        public Integer call()
        {
            return kv.read(key, lease);
        }
    }

    interface Encoder
    {
        int encode(UnsafeBuffer buffer);
    }

    private int write(final Encoder encoder, final String what)
    {
        final CommandLine commandLine = spec.commandLine().getSubcommands().get(what);
        final PrintWriter out = commandLine.getOut();
        final PrintWriter err = commandLine.getErr();
        final UnsafeBuffer command = new UnsafeBuffer(new byte[64 * 1024]);
        final int length = encoder.encode(command);
        final Outcome outcome = new Outcome();
        final String failure = withClient(
            (raftlog, idle, deadlineNs) ->
            {
                final long sequence = raftlog.offer(command, 0, length);
                if (sequence < 0)
                {
                    return sequence == RaftlogClient.TOO_LARGE ?
                        "the command is larger than the cluster accepts: " + raftlog.maxPayloadLength() + " bytes" :
                        "the client could not send: " + raftlog.failure();
                }
                return awaitOutcome(raftlog, idle, deadlineNs, outcome);
            },
            (sequence, index, hasResult, result, offset, resultLength) ->
            {
                outcome.index = index;
                outcome.hasResult = hasResult;
                outcome.result = hasResult && resultLength > 0 ?
                    KvMessages.Result.decode(result, offset, resultLength) : null;
                outcome.done = true;
            },
            null);
        if (failure != null)
        {
            err.println("kv " + what + ": " + failure);
            return FAILED;
        }
        if (!outcome.hasResult || outcome.result == null)
        {
            // a retry the cluster recognised: applied once, at this index, but its result is not kept
            out.println("committed " + outcome.index + " (outcome not known: the command was a retry of one " +
                "already applied)");
            return "cas".equals(what) ? FAILED : DONE;
        }
        if (outcome.result.status() == KvMessages.NOT_SWAPPED)
        {
            out.println("not swapped " + outcome.index + ": " + describe(outcome.result.value()));
            return NOT_SWAPPED_OR_ABSENT;
        }
        out.println(("cas".equals(what) ? "swapped " : "ok ") + outcome.index);
        return DONE;
    }

    private static String describe(final String value)
    {
        return value == null ? "the key is absent" : "the current value is " + value;
    }

    private int read(final String key, final boolean lease)
    {
        final CommandLine commandLine = spec.commandLine().getSubcommands().get("get");
        final PrintWriter out = commandLine.getOut();
        final PrintWriter err = commandLine.getErr();
        final UnsafeBuffer query = new UnsafeBuffer(new byte[64 * 1024]);
        final int length = KvMessages.encodeGet(query, key);
        final Outcome outcome = new Outcome();
        final String failure = withClient(
            (raftlog, idle, deadlineNs) ->
            {
                final long correlationId = raftlog.query(query, 0, length, lease);
                if (correlationId < 0)
                {
                    return "the client could not send: " + raftlog.failure();
                }
                return awaitOutcome(raftlog, idle, deadlineNs, outcome);
            },
            (sequence, index, hasResult, result, offset, resultLength) ->
            {
            },
            new RaftlogClient.QueryHandler()
            {
                public void onAnswer(
                    final long correlationId, final long readIndex, final DirectBuffer result, final int offset,
                    final int resultLength)
                {
                    outcome.index = readIndex;
                    outcome.result = resultLength > 0 ? KvMessages.Result.decode(result, offset, resultLength) : null;
                    outcome.done = true;
                }

                public void onRefused(final long correlationId, final RejectReason reason)
                {
                    outcome.refused = reason;
                    outcome.done = true;
                }
            });
        if (failure != null)
        {
            err.println("kv get: " + failure);
            return FAILED;
        }
        if (outcome.refused != null || outcome.result == null)
        {
            err.println("kv get: the cluster refused the read (" + (outcome.refused == null ?
                "no state machine answered: are the nodes running --state-machine kv?" : outcome.refused) + ")");
            return FAILED;
        }
        if (outcome.result.status() == KvMessages.ABSENT)
        {
            err.println(key + " is absent");
            return NOT_SWAPPED_OR_ABSENT;
        }
        out.println(outcome.result.value());
        return DONE;
    }

    private static final class Outcome
    {
        boolean done;
        long index;
        boolean hasResult;
        KvMessages.Result result;
        RejectReason refused;
    }

    private interface Operation
    {
        String run(RaftlogClient raftlog, IdleStrategy idle, long deadlineNs);
    }

    private String awaitOutcome(
        final RaftlogClient raftlog, final IdleStrategy idle, final long deadlineNs, final Outcome outcome)
    {
        while (!outcome.done)
        {
            final int work = raftlog.poll();
            if (raftlog.isFailed())
            {
                return raftlog.failure();
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return "no answer within " + timeoutMs + " ms";
            }
            idle.idle(work);
        }
        return null;
    }

    /**
     * @return null when the operation succeeded, else why not.
     */
    private String withClient(
        final Operation operation,
        final RaftlogClient.ResultHandler results,
        final RaftlogClient.QueryHandler answers)
    {
        ChronicleDefaults.apply();
        final Map<Integer, String> endpoints = client.endpoints(spec.commandLine());
        ClientOptions.requirePositive(spec.commandLine(), "--timeout-ms", timeoutMs);
        RaftlogClient raftlog = null;
        try (ClientDriver driver = ClientDriver.launch())
        {
            try
            {
                raftlog = RaftlogClient.connect(client.context(driver.aeron(), endpoints, timeoutMs), results);
                if (answers != null)
                {
                    raftlog.queryHandler(answers);
                }
                final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                return operation.run(raftlog, DriverProfile.SMALL.newAgentIdleStrategy(), deadlineNs);
            }
            finally
            {
                CloseHelper.quietClose(raftlog);
            }
        }
        catch (final RaftlogClientException ex)
        {
            return ex.getMessage();
        }
    }
}

package io.raftlog.samples;

import io.aeron.Aeron;
import io.raftlog.client.ClientContext;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The options every client command shares (a picocli mixin): the cluster's members, in the format and with the
 * parser of {@code node --members}, and where the members send their answers.
 */
final class ClientOptions
{
    @Option(names = "--members", required = true, paramLabel = "ID=HOST:PORT,...",
        description = "The cluster's members as the nodes were started with (`node --members`); the client reaches "
            + "each on its peer endpoint (client stream " + io.raftlog.transport.AeronClientPort.CLIENT_STREAM_ID
            + "). Any one that answers is enough to find the leader.")
    String members;

    @Option(names = "--response-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
        description = "The address of this machine the members send their answers to; the port is picked by the "
            + "system (default: ${DEFAULT-VALUE}).")
    String responseHost;

    /**
     * @return member id to {@code host:port}.
     * @throws ParameterException naming the bad part of {@code --members}.
     */
    Map<Integer, String> endpoints(final CommandLine commandLine)
    {
        try
        {
            return Members.parse(members);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(commandLine, ex.getMessage());
        }
    }

    /**
     * @param timeoutMs how long the client looks for a leader before it gives up, and how long the response port
     * may take to open.
     */
    ClientContext context(final Aeron aeron, final Map<Integer, String> endpoints, final long timeoutMs)
    {
        return new ClientContext()
            .aeron(aeron)
            .members(endpoints)
            .responseHost(responseHost)
            .noLeaderTimeoutNs(TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    }

    static void requirePositive(final CommandLine commandLine, final String option, final long value)
    {
        if (value <= 0)
        {
            throw new ParameterException(commandLine, option + " must be positive: " + value);
        }
    }
}

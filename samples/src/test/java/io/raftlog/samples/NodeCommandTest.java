package io.raftlog.samples;

import org.agrona.concurrent.ShutdownSignalBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code raftlog node} commands in this JVM, each on its own agent thread with its own embedded driver, elect a
 * leader and stop cleanly when signalled (as SIGTERM would); a member started again reopens its data directory.
 */
class NodeCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    @Timeout(120)
    void threeNodesElectALeaderAndStopCleanlyOnTheShutdownSignal() throws Exception
    {
        final String members = "1=127.0.0.1:" + freeUdpPort() + ",2=127.0.0.1:" + freeUdpPort() +
            ",3=127.0.0.1:" + freeUdpPort();
        final StringWriter[] outputs = new StringWriter[4];
        final ExecutorService threads = Executors.newFixedThreadPool(3);
        try
        {
            final Future<?>[] exits = new Future<?>[4];
            for (int id = 1; id <= 3; id++)
            {
                outputs[id] = new StringWriter();
                exits[id] = threads.submit(node(id, members, outputs[id]));
            }
            awaitOutput(outputs, "LEADER in term");
            new ShutdownSignalBarrier().signalAll();
            for (int id = 1; id <= 3; id++)
            {
                assertEquals(0, exits[id].get(30, TimeUnit.SECONDS), outputs[id].toString());
                final String output = outputs[id].toString();
                assertTrue(output.contains("node " + id + ": peers on 127.0.0.1:"), output);
                assertTrue(output.contains("(new)"), output);
                assertTrue(output.contains("node " + id + ": stopped"), output);
            }

            outputs[1] = new StringWriter();
            final Future<?> again = threads.submit(node(1, members, outputs[1]));
            awaitOutput(new StringWriter[] { outputs[1] }, "FOLLOWER in term");
            new ShutdownSignalBarrier().signalAll();
            assertEquals(0, again.get(30, TimeUnit.SECONDS));
            assertTrue(outputs[1].toString().contains("(restarting from it)"), outputs[1].toString());
        }
        finally
        {
            new ShutdownSignalBarrier().signalAll();
            threads.shutdown();
            assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    private java.util.concurrent.Callable<Integer> node(final int id, final String members, final StringWriter out)
    {
        final Path dir = tempDir.resolve("node-" + id);
        final boolean first = MemberStorage.inspect(dir) == MemberStorage.State.EMPTY;
        return () -> RaftlogCli.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(out, true))
            .execute(first ? new String[]{ "node", "--id", Integer.toString(id), "--members", members,
                "--dir", dir.toString(), "--durability", "page-cache", "--bootstrap" } :
                new String[]{ "node", "--id", Integer.toString(id), "--members", members,
                "--dir", dir.toString(), "--durability", "page-cache" });
    }

    private static void awaitOutput(final StringWriter[] outputs, final String text) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadlineNs)
        {
            for (final StringWriter output : outputs)
            {
                if (output != null && output.toString().contains(text))
                {
                    return;
                }
            }
            Thread.sleep(20);
        }
        final StringBuilder all = new StringBuilder();
        for (final StringWriter output : outputs)
        {
            all.append(output).append('\n');
        }
        throw new AssertionError("no '" + text + "' within 60 s:\n" + all);
    }

    static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
    }
}

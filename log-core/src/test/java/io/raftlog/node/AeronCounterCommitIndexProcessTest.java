package io.raftlog.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.raftlog.node.AeronCounterCommitIndexTest.attachedAfterPoll;
import static io.raftlog.node.AeronCounterCommitIndexTest.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commit-index counter of a node in another process (a driver, a client and the node's counters, in a JVM of
 * their own), read from its driver's CnC file: followed while it runs; after a {@code kill -9} (the counter stays
 * allocated in a file nobody updates) noticed by the driver's heartbeat going stale, the bound staying at the last
 * value; followed again after a restart in the same directory; and after a clean stop noticed at once, the bound
 * then the recorded commit index.
 */
@Timeout(90)
class AeronCounterCommitIndexProcessTest
{
    private static final int MEMBER_ID = 5;

    @TempDir
    Path tempDir;

    private Child child;

    @AfterEach
    void killChild() throws InterruptedException
    {
        if (child != null)
        {
            child.process.destroyForcibly();
            child.process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theCounterOfANodeInAnotherProcessIsFollowedUntilItIsKilledOrStopsAndAgainAfterItRestarts() throws Exception
    {
        final Path aeronDirectory = tempDir.resolve("aeron");
        final long[] recorded = new long[1];
        child = Child.start(aeronDirectory);
        try (AeronCounterCommitIndex bound = new AeronCounterCommitIndex(
            aeronDirectory, MEMBER_ID, () -> recorded[0], 1_000, 20, System::currentTimeMillis))
        {
            assertTrue(bound.isAttached(), "the counter of the running node is found");
            assertEquals(child.counterId, bound.counterId());
            assertEquals(child.registrationId, bound.registrationId());
            child.command("set 100", "ok");
            assertEquals(100, bound.commitIndex());

            // kill -9: the driver dies with the node; the counter stays ALLOCATED in the file, its heartbeat ages
            child.process.destroyForcibly();
            assertTrue(child.process.waitFor(30, TimeUnit.SECONDS));
            recorded[0] = 90; // the node recorded less than it had committed
            awaitUntil(() -> !attachedAfterPoll(bound));
            assertEquals(1, bound.detachments());
            assertEquals(100, bound.commitIndex(), "the last counter value stands: it was a commit index");

            // started again in the same directory: a new CnC file, a new counter, counting from 0
            child = Child.start(aeronDirectory);
            awaitUntil(() -> attachedAfterPoll(bound));
            assertEquals(2, bound.attachments());
            assertEquals(child.counterId, bound.counterId());
            assertEquals(100, bound.commitIndex(), "a new counter at 0 does not take the bound back");
            child.command("set 120", "ok");
            assertEquals(120, bound.commitIndex());

            // a clean stop: counters freed, the driver's heartbeat cleared
            child.command("stop", "stopped");
            assertTrue(child.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, child.process.exitValue());
            assertFalse(attachedAfterPoll(bound), "a cleanly stopped node is noticed at once");
            assertEquals(2, bound.detachments());
            recorded[0] = 130; // what the node recorded on close
            assertEquals(130, bound.commitIndex(), "then the recorded commit index bounds the reader");
            assertNotEquals(0, bound.attachments());
        }
    }

    /**
     * A {@link CommitIndexCounterProcess}, its standard output read line by line by a thread of its own.
     */
    static final class Child
    {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Writer in;
        int counterId;
        long registrationId;

        private Child(final Process process)
        {
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
            final Thread reader = new Thread(() ->
            {
                try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
                {
                    String line;
                    while ((line = out.readLine()) != null)
                    {
                        lines.add(line);
                    }
                }
                catch (final IOException ignore)
                {
                    // the process is gone
                }
            }, "counter-process-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(final Path aeronDirectory) throws Exception
        {
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            final List<String> jvmArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
            for (int i = 0; i < jvmArguments.size(); i++)
            {
                final String argument = jvmArguments.get(i);
                if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports"))
                {
                    command.add(argument);
                    if (!argument.contains("=") && i + 1 < jvmArguments.size())
                    {
                        command.add(jvmArguments.get(++i));
                    }
                }
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(CommitIndexCounterProcess.class.getName());
            command.add(aeronDirectory.toString());
            command.add(Integer.toString(MEMBER_ID));
            final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            builder.environment().remove("JDK_JAVA_OPTIONS");
            final Child child = new Child(builder.start());
            final String ready = child.await("ready ");
            final String[] fields = ready.split(" ");
            child.counterId = Integer.parseInt(fields[1]);
            child.registrationId = Long.parseLong(fields[2]);
            return child;
        }

        void command(final String command, final String answer) throws Exception
        {
            in.write(command + "\n");
            in.flush();
            await(answer);
        }

        private String await(final String prefix) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            final StringBuilder seen = new StringBuilder();
            while (System.nanoTime() - deadlineNs < 0)
            {
                final String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null)
                {
                    if (line.startsWith(prefix))
                    {
                        return line;
                    }
                    seen.append(line).append('\n');
                }
            }
            throw new AssertionError("no '" + prefix + "' from the counter process within 30 s; it wrote:\n" + seen);
        }
    }
}

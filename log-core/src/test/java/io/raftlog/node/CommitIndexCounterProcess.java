package io.raftlog.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a node's process, for {@link AeronCounterCommitIndexProcessTest}: an embedded media driver in the
 * given directory (its heartbeat every 100 ms), an Aeron client and a node's {@link NodeCounters}, driven by lines on
 * standard input: {@code set N} sets the commit index counter (answered {@code ok}), {@code stop} (or the end of the
 * input) closes the counters, the client and the driver, cleanly (answered {@code stopped}).
 * <pre>
 *   java ... io.raftlog.node.CommitIndexCounterProcess AERON_DIR MEMBER_ID
 * </pre>
 */
public final class CommitIndexCounterProcess
{
    private CommitIndexCounterProcess()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String aeronDirectory = args[0];
        final int memberId = Integer.parseInt(args[1]);
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDirectory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final NodeCounters counters = new NodeCounters(aeron, memberId);
        System.out.println("ready " + counters.commitIndex().id() + " " + counters.commitIndex().registrationId());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)))
        {
            String line;
            while ((line = in.readLine()) != null && !"stop".equals(line))
            {
                if (line.startsWith("set "))
                {
                    counters.commitIndex().setOrdered(Long.parseLong(line.substring(4)));
                    System.out.println("ok");
                    System.out.flush();
                }
            }
        }
        CloseHelper.closeAll(counters, aeron, driver);
        System.out.println("stopped");
        System.out.flush();
    }
}

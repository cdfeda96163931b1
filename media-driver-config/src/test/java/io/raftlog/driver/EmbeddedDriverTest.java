package io.raftlog.driver;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedDriverTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int STREAM_ID = 1001;

    @Test
    @Timeout(30)
    void aSmallEmbeddedDriverCarriesAMessageOverLoopbackUdpAndDeletesItsDirectoryOnClose(@TempDir final Path temp)
        throws IOException
    {
        final File aeronDir = temp.resolve("aeron").toFile();
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final byte[] sent = "an AppendEntries, say".getBytes(StandardCharsets.US_ASCII);
        final byte[] received = new byte[sent.length];
        final int[] fragments = new int[1];

        final EmbeddedDriver driver = EmbeddedDriver.launch(
            new DriverSettings().profile(DriverProfile.SMALL).aeronDirectoryName(aeronDir.getAbsolutePath()));
        try
        {
            assertEquals(aeronDir.getAbsolutePath(), driver.aeronDirectoryName());
            assertTrue(new File(aeronDir, "cnc.dat").exists());
            assertEquals(ThreadingMode.SHARED, driver.context().threadingMode());
            assertInstanceOf(BackoffIdleStrategy.class, driver.context().sharedIdleStrategy());

            try (Aeron aeron = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(driver.aeronDirectoryName())
                    .idleStrategy(new SleepingMillisIdleStrategy(1)));
                Subscription subscription = aeron.addSubscription(channel, STREAM_ID);
                Publication publication = aeron.addPublication(channel, STREAM_ID))
            {
                assertEquals(driver.settings().maxMessageLength(), publication.maxMessageLength(),
                    "the driver runs with the settings' term length");

                awaitOrFail("publication connected", () -> publication.isConnected() && subscription.isConnected());

                final UnsafeBuffer buffer = new UnsafeBuffer(sent);
                awaitOrFail("offer accepted", () -> publication.offer(buffer, 0, sent.length) > 0);

                awaitOrFail("message received", () ->
                {
                    subscription.poll((msg, offset, length, header) ->
                    {
                        msg.getBytes(offset, received, 0, length);
                        fragments[0]++;
                    }, 10);
                    return fragments[0] > 0;
                });
            }
        }
        finally
        {
            driver.close();
        }

        assertEquals(1, fragments[0]);
        assertEquals(new String(sent, StandardCharsets.US_ASCII), new String(received, StandardCharsets.US_ASCII));
        assertFalse(aeronDir.exists(), "the embedded driver deletes its directory on close");
        driver.close();
    }

    @Test
    void invalidSettingsFailBeforeAnyDriverStarts(@TempDir final Path temp)
    {
        final File aeronDir = temp.resolve("aeron").toFile();

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> EmbeddedDriver.launch(
            new DriverSettings().profile(DriverProfile.SMALL).aeronDirectoryName(aeronDir.getAbsolutePath())
                .largestMessageBytes(1024 * 1024)));

        assertTrue(ex.getMessage().startsWith("largestMessageBytes="), ex.getMessage());
        assertFalse(aeronDir.exists());
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            return socket.getLocalPort();
        }
    }

    private static void awaitOrFail(final String what, final BooleanSupplier condition)
    {
        final IdleStrategy idle = new SleepingMillisIdleStrategy(1);
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for: " + what);
            }
            idle.idle();
        }
    }
}

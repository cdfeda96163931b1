package io.raftlog.samples;

import io.aeron.Aeron;
import io.raftlog.driver.DriverProfile;
import io.raftlog.driver.DriverSettings;
import io.raftlog.driver.EmbeddedDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The media driver and Aeron client of a client command: an embedded driver of the {@code small} profile (one shared
 * driver thread that backs off to 1 ms parks) in a fresh directory, deleted again on {@link #close}, and an Aeron
 * client whose conductor sleeps between its duties. A command line tool shares the machine with the nodes, often
 * on few cores: nothing here spins.
 */
public final class ClientDriver implements AutoCloseable
{
    /** Aeron's default conductor sleep; named here because the choice of a sleeping strategy is deliberate. */
    private static final long CONDUCTOR_SLEEP_MS = 16;
    /**
     * Time for the driver to send what was offered last (a session's close) before it stops: its sender takes turns
     * with the conductor on one thread, and parks at most 1 ms between them.
     */
    private static final long LINGER_MS = 50;

    private final EmbeddedDriver driver;
    private final Aeron aeron;

    private ClientDriver(final EmbeddedDriver driver, final Aeron aeron)
    {
        this.driver = driver;
        this.aeron = aeron;
    }

    public static ClientDriver launch()
    {
        final EmbeddedDriver driver = EmbeddedDriver.launch(new DriverSettings().profile(DriverProfile.SMALL));
        try
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .idleStrategy(new SleepingMillisIdleStrategy(CONDUCTOR_SLEEP_MS)));
            return new ClientDriver(driver, aeron);
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * Closes the Aeron client, then the driver, which deletes its directory.
     */
    public void close()
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(LINGER_MS));
        CloseHelper.closeAll(aeron, driver);
    }
}

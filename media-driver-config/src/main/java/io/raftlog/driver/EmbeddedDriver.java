package io.raftlog.driver;

import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;

/**
 * A media driver in the node's own process: the default way to run a node. It owns its Aeron directory: the
 * directory is wiped when the driver starts (what a driver that crashed left there, a stale CnC file included,
 * cannot stop a restart) and deleted when it closes. Never point two drivers, or an embedded and a standalone one,
 * at the same directory. Without a directory in the settings, each driver gets a fresh one
 * ({@link DriverConfiguration#generateAeronDirectoryName()}).
 * <pre>
 *   try (EmbeddedDriver driver = EmbeddedDriver.launch(new DriverSettings());
 *       Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
 *   {
 *       ...
 *   }
 * </pre>
 */
public final class EmbeddedDriver implements AutoCloseable
{
    private final DriverSettings settings;
    private final MediaDriver mediaDriver;
    private boolean isClosed;

    private EmbeddedDriver(final DriverSettings settings, final MediaDriver mediaDriver)
    {
        this.settings = settings;
        this.mediaDriver = mediaDriver;
    }

    /**
     * Launch with the defaults: the profile of {@code raftlog.driver.profile}, {@code small} if unset, in a fresh
     * directory.
     *
     * @return the running driver.
     */
    public static EmbeddedDriver launch()
    {
        return launch(new DriverSettings());
    }

    /**
     * Launch with these settings, concluding them first if needed.
     *
     * @param settings of the driver.
     * @return the running driver.
     * @throws IllegalArgumentException naming the setting when the settings are invalid.
     */
    public static EmbeddedDriver launch(final DriverSettings settings)
    {
        if (!settings.isConcluded())
        {
            settings.conclude();
        }

        final MediaDriver.Context ctx = settings.applyTo(new MediaDriver.Context())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false);

        return new EmbeddedDriver(settings, MediaDriver.launch(ctx));
    }

    /**
     * @return the directory for an Aeron client to connect to.
     */
    public String aeronDirectoryName()
    {
        return mediaDriver.aeronDirectoryName();
    }

    /**
     * @return the concluded settings the driver runs with.
     */
    public DriverSettings settings()
    {
        return settings;
    }

    /**
     * @return the driver's context, to read what it concluded (threading mode, idle strategies, ...).
     */
    public MediaDriver.Context context()
    {
        return mediaDriver.context();
    }

    /**
     * Stop the driver's threads and delete its directory. Close the Aeron clients of this driver first. Closing
     * twice does nothing.
     */
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            CloseHelper.close(mediaDriver);
        }
    }
}

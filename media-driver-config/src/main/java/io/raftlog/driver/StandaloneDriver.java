package io.raftlog.driver;

import io.aeron.driver.MediaDriver;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.PrintStream;

/**
 * A media driver in a process of its own, for nodes that share one driver or keep its threads away from their own:
 * <pre>
 *   java -cp ... io.raftlog.driver.StandaloneDriver --profile small --aeron-dir /dev/shm/raftlog-1
 * </pre>
 * It prints one line saying where it runs and with which settings, and stops cleanly on SIGTERM or Ctrl-C: Agrona's
 * {@link ShutdownSignalBarrier} wakes the main thread from a shutdown hook and holds the JVM until the driver has
 * closed and deleted its directory. Unlike an {@link EmbeddedDriver} it does not wipe an existing directory on
 * start: Aeron refuses to start over a driver that is still alive there (or died less than the driver timeout,
 * 10 s by default, ago) and cleans up a stale one.
 * <p>
 * Options not given come from the {@code raftlog.driver.*} system properties ({@link DriverConfiguration}), then
 * from the profile. Exit status: 0 after a clean stop, 2 for a bad command line or setting, 1 if the driver fails.
 */
public final class StandaloneDriver
{
    static final String USAGE =
        "usage: StandaloneDriver --aeron-dir DIR [--profile " + String.join("|", profileNames()) + "]\n" +
        "                        [--mtu N] [--term-length N] [--initial-window N] [--largest-message N]\n" +
        "  --aeron-dir        the driver's Aeron directory (clients connect to it)\n" +
        "  --profile          driver profile, default " + DriverConfiguration.PROFILE_DEFAULT.profileName() + "\n" +
        "  --mtu              mtuLength: multiple of 32, at most 65504\n" +
        "  --term-length      publicationTermBufferLength: power of two, 64k to 1g\n" +
        "  --initial-window   initialWindowLength: at least the MTU and the largest message, at most term/2\n" +
        "  --largest-message  largestMessageBytes: the node's largest message, at most term/8\n" +
        "  sizes take a k, m or g suffix: 64k, 16m";

    private StandaloneDriver()
    {
    }

    /**
     * Run a driver until SIGTERM.
     *
     * @param args see {@link #USAGE}.
     */
    public static void main(final String[] args)
    {
        for (final String arg : args)
        {
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                System.out.println(USAGE);
                return;
            }
        }

        final DriverSettings settings;
        try
        {
            settings = parse(args).conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("raftlog media driver: " + ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        try
        {
            run(settings, System.out);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("raftlog media driver failed: " + ex);
            ex.printStackTrace(System.err);
            System.exit(1);
        }
    }

    /**
     * Parse the command line into settings, not yet concluded.
     *
     * @param args the command line.
     * @return the settings it names.
     * @throws IllegalArgumentException naming the option when an option is unknown, lacks its value or has a bad
     *                                  one, or when {@code --aeron-dir} is missing.
     */
    public static DriverSettings parse(final String[] args)
    {
        final DriverSettings settings = new DriverSettings();
        boolean hasDir = false;

        for (int i = 0; i < args.length; i++)
        {
            String option = args[i];
            String value;
            final int equals = option.indexOf('=');
            if (option.startsWith("--") && equals > 0)
            {
                value = option.substring(equals + 1);
                option = option.substring(0, equals);
            }
            else
            {
                value = null;
            }

            if (!isOption(option))
            {
                throw new IllegalArgumentException(option + " is not an option");
            }

            if (null == value)
            {
                if (i + 1 >= args.length || args[i + 1].startsWith("--"))
                {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                value = args[++i];
            }

            try
            {
                switch (option)
                {
                    case "--profile":
                        settings.profile(DriverProfile.fromName(value));
                        break;

                    case "--aeron-dir":
                        if (value.isBlank())
                        {
                            throw new IllegalArgumentException("the directory must not be blank");
                        }
                        settings.aeronDirectoryName(value);
                        hasDir = true;
                        break;

                    case "--mtu":
                        settings.mtuLength(DriverConfiguration.parseSize(DriverSettings.MTU_LENGTH, value));
                        break;

                    case "--term-length":
                        settings.publicationTermBufferLength(
                            DriverConfiguration.parseSize(DriverSettings.TERM_LENGTH, value));
                        break;

                    case "--initial-window":
                        settings.initialWindowLength(
                            DriverConfiguration.parseSize(DriverSettings.INITIAL_WINDOW_LENGTH, value));
                        break;

                    case "--largest-message":
                        settings.largestMessageBytes(
                            DriverConfiguration.parseSize(DriverSettings.LARGEST_MESSAGE_BYTES, value));
                        break;

                    default:
                        throw new IllegalStateException("unhandled option " + option);
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(option + " " + value + ": " + ex.getMessage(), ex);
            }
        }

        if (!hasDir)
        {
            throw new IllegalArgumentException("--aeron-dir is required");
        }

        return settings;
    }

    /**
     * Launch a driver with concluded settings and block until the JVM is asked to stop.
     *
     * @param settings concluded settings.
     * @param out      where the line saying where the driver runs goes.
     */
    @SuppressWarnings("try")
    static void run(final DriverSettings settings, final PrintStream out)
    {
        // The barrier is closed last: the shutdown hook waits for it, so the JVM exits only after the driver closed.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            MediaDriver ignore = MediaDriver.launch(settings.applyTo(new MediaDriver.Context())
                .dirDeleteOnStart(false)
                .dirDeleteOnShutdown(true)
                .terminationHook(barrier::signal)))
        {
            out.println("raftlog media driver running in " + settings.aeronDirectoryName() + " (pid " +
                ProcessHandle.current().pid() + "): " + settings);
            out.flush();
            barrier.await();
            out.println("raftlog media driver stopping");
            out.flush();
        }
    }

    private static boolean isOption(final String option)
    {
        switch (option)
        {
            case "--profile":
            case "--aeron-dir":
            case "--mtu":
            case "--term-length":
            case "--initial-window":
            case "--largest-message":
                return true;

            default:
                return false;
        }
    }

    private static String[] profileNames()
    {
        final DriverProfile[] profiles = DriverProfile.values();
        final String[] names = new String[profiles.length];
        for (int i = 0; i < profiles.length; i++)
        {
            names[i] = profiles[i].profileName();
        }
        return names;
    }
}

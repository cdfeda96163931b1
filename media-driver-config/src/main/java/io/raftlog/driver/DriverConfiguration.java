package io.raftlog.driver;

import org.agrona.SystemUtil;

import java.io.File;
import java.util.UUID;

/**
 * The one place for the system properties that give {@link DriverSettings} its defaults, and for how those defaults
 * are read. A setter on {@link DriverSettings} wins over a property; a property wins over the profile's default.
 * Sizes accept Aeron's suffixes: {@code 64k}, {@code 16m}, {@code 1g}.
 * <pre>
 *   raftlog.driver.profile                 small | low-latency | throughput    (default small)
 *   raftlog.driver.dir                     the Aeron directory                 (default: a fresh one, see below)
 *   raftlog.driver.mtu.length              mtuLength
 *   raftlog.driver.term.length             publicationTermBufferLength
 *   raftlog.driver.initial.window.length   initialWindowLength
 *   raftlog.driver.socket.sndbuf.length    socketSndbufLength                  (0: the OS default)
 *   raftlog.driver.socket.rcvbuf.length    socketRcvbufLength                  (0: the OS default)
 *   raftlog.driver.largest.message.bytes   largestMessageBytes
 * </pre>
 * The Aeron properties ({@code aeron.*}) still reach every setting this class does not name, because
 * {@code MediaDriver.Context} reads them when it is constructed.
 */
public final class DriverConfiguration
{
    /** Name of the driver profile. */
    public static final String PROFILE_PROP_NAME = "raftlog.driver.profile";

    /** The profile used when none is set. */
    public static final DriverProfile PROFILE_DEFAULT = DriverProfile.SMALL;

    /** The Aeron directory of the driver. */
    public static final String DIR_PROP_NAME = "raftlog.driver.dir";

    /** The parent of generated Aeron directories. */
    public static final String DIR_PARENT_PROP_NAME = "raftlog.driver.dir.parent";

    /** MTU: the largest datagram the driver sends, headers included. */
    public static final String MTU_LENGTH_PROP_NAME = "raftlog.driver.mtu.length";

    /** Term length of the driver's network publications. */
    public static final String TERM_LENGTH_PROP_NAME = "raftlog.driver.term.length";

    /** The initial receiver window: how many bytes a sender may have in flight to a receiver. */
    public static final String INITIAL_WINDOW_LENGTH_PROP_NAME = "raftlog.driver.initial.window.length";

    /** SO_SNDBUF of the driver's UDP sockets, 0 for the OS default. */
    public static final String SOCKET_SNDBUF_LENGTH_PROP_NAME = "raftlog.driver.socket.sndbuf.length";

    /** SO_RCVBUF of the driver's UDP sockets, 0 for the OS default. */
    public static final String SOCKET_RCVBUF_LENGTH_PROP_NAME = "raftlog.driver.socket.rcvbuf.length";

    /** The largest message (a batch of entries plus headers) the node will send to a peer or client. */
    public static final String LARGEST_MESSAGE_BYTES_PROP_NAME = "raftlog.driver.largest.message.bytes";

    /** Prefix of generated Aeron directory names. */
    public static final String GENERATED_DIR_PREFIX = "raftlog-aeron-";

    private static final String SHARED_MEMORY_DIR = "/dev/shm";

    private DriverConfiguration()
    {
    }

    /**
     * @return the profile named by {@value #PROFILE_PROP_NAME}, or {@link #PROFILE_DEFAULT}.
     * @throws IllegalArgumentException naming the valid profiles when the property names none.
     */
    public static DriverProfile profile()
    {
        final String name = SystemUtil.getProperty(PROFILE_PROP_NAME);
        return null == name ? PROFILE_DEFAULT : DriverProfile.fromName(name);
    }

    /**
     * @return {@value #DIR_PROP_NAME}, or null when it is not set.
     */
    public static String aeronDirectoryName()
    {
        return SystemUtil.getProperty(DIR_PROP_NAME);
    }

    /**
     * A new, unused Aeron directory name for an embedded driver. The parent is {@value #DIR_PARENT_PROP_NAME} if set,
     * else {@code /dev/shm} where it exists (Linux), as Aeron's own default: the driver's files are memory mapped
     * and written all the time, and on tmpfs the kernel never writes them back to a disk the node needs for its log.
     * Elsewhere it is {@code java.io.tmpdir}.
     *
     * @return an absolute directory name that does not exist yet.
     */
    public static String generateAeronDirectoryName()
    {
        String parent = SystemUtil.getProperty(DIR_PARENT_PROP_NAME);
        if (null == parent)
        {
            final File shm = new File(SHARED_MEMORY_DIR);
            parent = shm.isDirectory() && shm.canWrite() ? SHARED_MEMORY_DIR : SystemUtil.tmpDirName();
        }

        return new File(parent, GENERATED_DIR_PREFIX + UUID.randomUUID()).getAbsolutePath();
    }

    /**
     * @param defaultValue the profile's value.
     * @return {@value #MTU_LENGTH_PROP_NAME}, or the default.
     */
    public static int mtuLength(final int defaultValue)
    {
        return size(MTU_LENGTH_PROP_NAME, DriverSettings.MTU_LENGTH, defaultValue);
    }

    /**
     * @param defaultValue the profile's value.
     * @return {@value #TERM_LENGTH_PROP_NAME}, or the default.
     */
    public static int publicationTermBufferLength(final int defaultValue)
    {
        return size(TERM_LENGTH_PROP_NAME, DriverSettings.TERM_LENGTH, defaultValue);
    }

    /**
     * @param defaultValue the profile's value.
     * @return {@value #INITIAL_WINDOW_LENGTH_PROP_NAME}, or the default.
     */
    public static int initialWindowLength(final int defaultValue)
    {
        return size(INITIAL_WINDOW_LENGTH_PROP_NAME, DriverSettings.INITIAL_WINDOW_LENGTH, defaultValue);
    }

    /**
     * @param defaultValue the profile's value.
     * @return {@value #SOCKET_SNDBUF_LENGTH_PROP_NAME}, or the default.
     */
    public static int socketSndbufLength(final int defaultValue)
    {
        return size(SOCKET_SNDBUF_LENGTH_PROP_NAME, DriverSettings.SOCKET_SNDBUF_LENGTH, defaultValue);
    }

    /**
     * @param defaultValue the profile's value.
     * @return {@value #SOCKET_RCVBUF_LENGTH_PROP_NAME}, or the default.
     */
    public static int socketRcvbufLength(final int defaultValue)
    {
        return size(SOCKET_RCVBUF_LENGTH_PROP_NAME, DriverSettings.SOCKET_RCVBUF_LENGTH, defaultValue);
    }

    /**
     * @param defaultValue the profile's value.
     * @return {@value #LARGEST_MESSAGE_BYTES_PROP_NAME}, or the default.
     */
    public static int largestMessageBytes(final int defaultValue)
    {
        return size(LARGEST_MESSAGE_BYTES_PROP_NAME, DriverSettings.LARGEST_MESSAGE_BYTES, defaultValue);
    }

    /**
     * Parse a size such as {@code 1408}, {@code 64k}, {@code 16m} or {@code 1g} into an int.
     *
     * @param settingName named first in the message when the value is not a size that fits an int.
     * @param value       to parse.
     * @return the size in bytes.
     * @throws IllegalArgumentException starting with the setting's name.
     */
    public static int parseSize(final String settingName, final String value)
    {
        final long size;
        try
        {
            size = SystemUtil.parseSize(settingName, value.trim());
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(
                settingName + "=" + value + " is not a size (bytes, or a number with a k, m or g suffix)", ex);
        }

        if (size > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(settingName + "=" + value + " is more than " + Integer.MAX_VALUE);
        }

        return (int)size;
    }

    private static int size(final String propertyName, final String settingName, final int defaultValue)
    {
        final String value = SystemUtil.getProperty(propertyName);
        if (null == value)
        {
            return defaultValue;
        }

        try
        {
            return parseSize(settingName, value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(ex.getMessage() + " (from -D" + propertyName + ")", ex);
        }
    }
}

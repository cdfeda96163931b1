package io.raftlog.driver;

import io.aeron.driver.Configuration;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.BitUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;

/**
 * The media-driver settings of a node, in the manner of Aeron's {@code Context}: set what you need, then
 * {@link #conclude()} fills the rest from system properties ({@link DriverConfiguration}) and the profile, and checks
 * that the sizes work together and carry the node's largest message. Every failure is an
 * {@link IllegalArgumentException} whose message starts with the name of the setting to change.
 * <p>
 * The rules, each with the Aeron 1.51.0 code it follows:
 * <pre>
 *   mtuLength                    &gt; 32, &lt;= 65504, a multiple of 32
 *                                  (driver.Configuration.validateMtuLength: HEADER_LENGTH, MAX_UDP_PAYLOAD_LENGTH,
 *                                   FrameDescriptor.FRAME_ALIGNMENT)
 *                                &lt;= the max message length of the term
 *                                  (driver.PublicationParams: "MTU greater than max message length for term length")
 *   publicationTermBufferLength  a power of two in [64 KiB, 1 GiB]  (LogBufferDescriptor.checkTermLength)
 *   largestMessageBytes          &gt; 0, &lt;= min(termLength / 8, 16 MiB)  (FrameDescriptor.computeMaxMessageLength:
 *                                  a longer offer fails on every publication)
 *   initialWindowLength          &gt;= mtuLength          (driver.Configuration.validateInitialWindowLength)
 *                                &lt;= termLength / 2     (driver.Configuration.receiverWindowLength silently caps the
 *                                                         window there; a cap the node does not know of would
 *                                                         break the next rule, so it is an error here)
 *                                &gt;= largestMessageBytes  (raftlog: a whole batch must fit in flight, or the
 *                                                         leader's largest AppendEntries can never be sent)
 *   socketSndbufLength           0 (OS default) or &gt;= mtuLength           (Configuration.validateSocketBufferLengths)
 *   socketRcvbufLength           0 (OS default) or &gt;= initialWindowLength (Configuration.validateSocketBufferLengths;
 *                                  with 0 the OS default must hold the window)
 * </pre>
 * Not thread safe; conclude once, then share the concluded object read-only.
 */
public final class DriverSettings
{
    /** Value of a size that is not set: {@link #conclude()} takes it from a property or the profile. */
    public static final int UNSET = -1;

    /** Setting names, as they start an error message. */
    public static final String PROFILE = "profile";
    public static final String AERON_DIRECTORY_NAME = "aeronDirectoryName";
    public static final String MTU_LENGTH = "mtuLength";
    public static final String TERM_LENGTH = "publicationTermBufferLength";
    public static final String INITIAL_WINDOW_LENGTH = "initialWindowLength";
    public static final String SOCKET_SNDBUF_LENGTH = "socketSndbufLength";
    public static final String SOCKET_RCVBUF_LENGTH = "socketRcvbufLength";
    public static final String LARGEST_MESSAGE_BYTES = "largestMessageBytes";

    private String aeronDirectoryName;
    private DriverProfile profile;
    private int mtuLength = UNSET;
    private int publicationTermBufferLength = UNSET;
    private int initialWindowLength = UNSET;
    private int socketSndbufLength = UNSET;
    private int socketRcvbufLength = UNSET;
    private int largestMessageBytes = UNSET;
    private boolean isConcluded;

    /**
     * Fill what is not set from system properties and the profile, then validate.
     *
     * @return this, concluded.
     * @throws IllegalArgumentException whose message starts with the name of the first invalid setting.
     * @throws IllegalStateException    when concluded twice.
     */
    public DriverSettings conclude()
    {
        if (isConcluded)
        {
            throw new IllegalStateException("DriverSettings already concluded");
        }

        if (null == profile)
        {
            profile = DriverConfiguration.profile();
        }

        if (null == aeronDirectoryName)
        {
            aeronDirectoryName = DriverConfiguration.aeronDirectoryName();
            if (null == aeronDirectoryName)
            {
                aeronDirectoryName = DriverConfiguration.generateAeronDirectoryName();
            }
        }

        if (UNSET == mtuLength)
        {
            mtuLength = DriverConfiguration.mtuLength(profile.mtuLength());
        }
        if (UNSET == publicationTermBufferLength)
        {
            publicationTermBufferLength =
                DriverConfiguration.publicationTermBufferLength(profile.publicationTermBufferLength());
        }
        if (UNSET == initialWindowLength)
        {
            initialWindowLength = DriverConfiguration.initialWindowLength(profile.initialWindowLength());
        }
        if (UNSET == socketSndbufLength)
        {
            socketSndbufLength = DriverConfiguration.socketSndbufLength(profile.socketSndbufLength());
        }
        if (UNSET == socketRcvbufLength)
        {
            socketRcvbufLength = DriverConfiguration.socketRcvbufLength(profile.socketRcvbufLength());
        }
        if (UNSET == largestMessageBytes)
        {
            largestMessageBytes = DriverConfiguration.largestMessageBytes(profile.largestMessageBytes());
        }

        validate();
        isConcluded = true;

        return this;
    }

    /**
     * Apply the profile and these settings to a driver context, concluding first if that has not been done. The
     * caller still decides the directory's life ({@code dirDeleteOnStart}, {@code dirDeleteOnShutdown}).
     *
     * @param ctx to change.
     * @return the same context.
     */
    public MediaDriver.Context applyTo(final MediaDriver.Context ctx)
    {
        if (!isConcluded)
        {
            conclude();
        }

        profile.applyTo(ctx);
        ctx.aeronDirectoryName(aeronDirectoryName)
            .mtuLength(mtuLength)
            .publicationTermBufferLength(publicationTermBufferLength)
            .initialWindowLength(initialWindowLength)
            .socketSndbufLength(socketSndbufLength)
            .socketRcvbufLength(socketRcvbufLength);

        return ctx;
    }

    /**
     * @return whether {@link #conclude()} has run.
     */
    public boolean isConcluded()
    {
        return isConcluded;
    }

    public DriverSettings aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * @return the Aeron directory; after {@link #conclude()} never null (generated if none was given).
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    public DriverSettings profile(final DriverProfile profile)
    {
        this.profile = profile;
        return this;
    }

    public DriverProfile profile()
    {
        return profile;
    }

    /**
     * @param mtuLength the largest datagram the driver sends, Aeron's 32-byte data header included.
     * @return this.
     */
    public DriverSettings mtuLength(final int mtuLength)
    {
        this.mtuLength = mtuLength;
        return this;
    }

    public int mtuLength()
    {
        return mtuLength;
    }

    /**
     * @param publicationTermBufferLength term length of network publications; a log is three terms.
     * @return this.
     */
    public DriverSettings publicationTermBufferLength(final int publicationTermBufferLength)
    {
        this.publicationTermBufferLength = publicationTermBufferLength;
        return this;
    }

    public int publicationTermBufferLength()
    {
        return publicationTermBufferLength;
    }

    /**
     * @param initialWindowLength bytes a sender may have sent beyond what the receiver has consumed.
     * @return this.
     */
    public DriverSettings initialWindowLength(final int initialWindowLength)
    {
        this.initialWindowLength = initialWindowLength;
        return this;
    }

    public int initialWindowLength()
    {
        return initialWindowLength;
    }

    /**
     * @param socketSndbufLength SO_SNDBUF, 0 for the OS default.
     * @return this.
     */
    public DriverSettings socketSndbufLength(final int socketSndbufLength)
    {
        this.socketSndbufLength = socketSndbufLength;
        return this;
    }

    public int socketSndbufLength()
    {
        return socketSndbufLength;
    }

    /**
     * @param socketRcvbufLength SO_RCVBUF, 0 for the OS default.
     * @return this.
     */
    public DriverSettings socketRcvbufLength(final int socketRcvbufLength)
    {
        this.socketRcvbufLength = socketRcvbufLength;
        return this;
    }

    public int socketRcvbufLength()
    {
        return socketRcvbufLength;
    }

    /**
     * @param largestMessageBytes the largest peer or client message the node will send: its largest batch of
     *                            entries plus the message and entry headers.
     * @return this.
     */
    public DriverSettings largestMessageBytes(final int largestMessageBytes)
    {
        this.largestMessageBytes = largestMessageBytes;
        return this;
    }

    public int largestMessageBytes()
    {
        return largestMessageBytes;
    }

    /**
     * @return the longest message a publication with this term length accepts (Aeron's
     * {@code FrameDescriptor.computeMaxMessageLength}); valid after {@link #conclude()}.
     */
    public int maxMessageLength()
    {
        return FrameDescriptor.computeMaxMessageLength(publicationTermBufferLength);
    }

    /**
     * @return the settings on one line, as the launcher prints them.
     */
    public String toString()
    {
        return "profile=" + (null == profile ? "unset" : profile.profileName()) +
            " threadingMode=" + (null == profile ? "unset" : profile.threadingMode()) +
            " aeronDirectoryName=" + aeronDirectoryName +
            " mtuLength=" + mtuLength +
            " publicationTermBufferLength=" + publicationTermBufferLength +
            " initialWindowLength=" + initialWindowLength +
            " socketSndbufLength=" + socketSndbufLength +
            " socketRcvbufLength=" + socketRcvbufLength +
            " largestMessageBytes=" + largestMessageBytes;
    }

    private void validate()
    {
        if (aeronDirectoryName.isBlank())
        {
            throw new IllegalArgumentException(AERON_DIRECTORY_NAME + " must not be blank");
        }

        validateMtuLength();
        validateTermLength();

        final int maxMessageLength = maxMessageLength();
        if (mtuLength > maxMessageLength)
        {
            throw new IllegalArgumentException(MTU_LENGTH + "=" + mtuLength + " must be at most " +
                maxMessageLength + ", the max message length for " + TERM_LENGTH + "=" + publicationTermBufferLength +
                " (termLength / 8): Aeron refuses every publication otherwise");
        }

        if (largestMessageBytes <= 0)
        {
            throw new IllegalArgumentException(LARGEST_MESSAGE_BYTES + "=" + largestMessageBytes + " must be positive");
        }
        if (largestMessageBytes > maxMessageLength)
        {
            throw new IllegalArgumentException(LARGEST_MESSAGE_BYTES + "=" + largestMessageBytes + " must be at most " +
                maxMessageLength + ", Aeron's max message length for " + TERM_LENGTH + "=" +
                publicationTermBufferLength + " (min(termLength / 8, " + FrameDescriptor.MAX_MESSAGE_LENGTH + "))" +
                termLengthHint());
        }

        validateInitialWindowLength();
        validateSocketBuffers();
    }

    private void validateMtuLength()
    {
        if (mtuLength <= DataHeaderFlyweight.HEADER_LENGTH)
        {
            throw new IllegalArgumentException(MTU_LENGTH + "=" + mtuLength + " must be more than " +
                DataHeaderFlyweight.HEADER_LENGTH + ", Aeron's data frame header length");
        }
        if (mtuLength > Configuration.MAX_UDP_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException(MTU_LENGTH + "=" + mtuLength + " must be at most " +
                Configuration.MAX_UDP_PAYLOAD_LENGTH + ", the largest UDP payload");
        }
        if ((mtuLength & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            throw new IllegalArgumentException(MTU_LENGTH + "=" + mtuLength + " must be a multiple of " +
                FrameDescriptor.FRAME_ALIGNMENT + ", Aeron's frame alignment");
        }
    }

    private void validateTermLength()
    {
        if (publicationTermBufferLength < LogBufferDescriptor.TERM_MIN_LENGTH)
        {
            throw new IllegalArgumentException(TERM_LENGTH + "=" + publicationTermBufferLength +
                " must be at least " + LogBufferDescriptor.TERM_MIN_LENGTH);
        }
        if (publicationTermBufferLength > LogBufferDescriptor.TERM_MAX_LENGTH)
        {
            throw new IllegalArgumentException(TERM_LENGTH + "=" + publicationTermBufferLength +
                " must be at most " + LogBufferDescriptor.TERM_MAX_LENGTH);
        }
        if (!BitUtil.isPowerOfTwo(publicationTermBufferLength))
        {
            throw new IllegalArgumentException(TERM_LENGTH + "=" + publicationTermBufferLength +
                " must be a power of two");
        }
    }

    private void validateInitialWindowLength()
    {
        if (initialWindowLength < mtuLength)
        {
            throw new IllegalArgumentException(INITIAL_WINDOW_LENGTH + "=" + initialWindowLength +
                " must be at least " + MTU_LENGTH + "=" + mtuLength);
        }

        final int halfTerm = publicationTermBufferLength >> 1;
        if (initialWindowLength > halfTerm)
        {
            throw new IllegalArgumentException(INITIAL_WINDOW_LENGTH + "=" + initialWindowLength +
                " must be at most half of " + TERM_LENGTH + "=" + publicationTermBufferLength + " (" + halfTerm +
                "): Aeron would cap the window there");
        }

        if (initialWindowLength < largestMessageBytes)
        {
            throw new IllegalArgumentException(INITIAL_WINDOW_LENGTH + "=" + initialWindowLength +
                " must be at least " + LARGEST_MESSAGE_BYTES + "=" + largestMessageBytes +
                " so that a whole batch can be in flight");
        }
    }

    private void validateSocketBuffers()
    {
        if (socketSndbufLength < 0)
        {
            throw new IllegalArgumentException(SOCKET_SNDBUF_LENGTH + "=" + socketSndbufLength +
                " must be 0 (the OS default) or positive");
        }
        if (socketRcvbufLength < 0)
        {
            throw new IllegalArgumentException(SOCKET_RCVBUF_LENGTH + "=" + socketRcvbufLength +
                " must be 0 (the OS default) or positive");
        }

        if (0 != socketSndbufLength && socketSndbufLength < mtuLength)
        {
            throw new IllegalArgumentException(SOCKET_SNDBUF_LENGTH + "=" + socketSndbufLength +
                " must be 0 (the OS default) or at least " + MTU_LENGTH + "=" + mtuLength);
        }
        if (0 != socketRcvbufLength && socketRcvbufLength < initialWindowLength)
        {
            throw new IllegalArgumentException(SOCKET_RCVBUF_LENGTH + "=" + socketRcvbufLength +
                " must be 0 (the OS default) or at least " + INITIAL_WINDOW_LENGTH + "=" + initialWindowLength);
        }

        if (0 == socketSndbufLength || 0 == socketRcvbufLength)
        {
            // Aeron checks a default buffer against the OS's default, probed the same way (MediaDriver.Context).
            try (DatagramChannel probe = DatagramChannel.open())
            {
                final int osSndbuf = probe.getOption(StandardSocketOptions.SO_SNDBUF);
                final int osRcvbuf = probe.getOption(StandardSocketOptions.SO_RCVBUF);
                if (0 == socketSndbufLength && mtuLength > osSndbuf)
                {
                    throw new IllegalArgumentException(SOCKET_SNDBUF_LENGTH + "=0 uses the OS default SO_SNDBUF " +
                        osSndbuf + ", less than " + MTU_LENGTH + "=" + mtuLength + "; set it to at least " +
                        mtuLength);
                }
                if (0 == socketRcvbufLength && initialWindowLength > osRcvbuf)
                {
                    throw new IllegalArgumentException(SOCKET_RCVBUF_LENGTH + "=0 uses the OS default SO_RCVBUF " +
                        osRcvbuf + ", less than " + INITIAL_WINDOW_LENGTH + "=" + initialWindowLength +
                        "; set it to at least " + initialWindowLength);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("probe of the OS default socket buffer lengths", ex);
            }
        }
    }

    private String termLengthHint()
    {
        final long needed = BitUtil.findNextPositivePowerOfTwo((long)largestMessageBytes * 8);
        if (largestMessageBytes <= FrameDescriptor.MAX_MESSAGE_LENGTH && needed <= LogBufferDescriptor.TERM_MAX_LENGTH)
        {
            return "; raise " + TERM_LENGTH + " to at least " + Math.max(needed, LogBufferDescriptor.TERM_MIN_LENGTH);
        }

        return "; split the batch: no term length carries it";
    }
}

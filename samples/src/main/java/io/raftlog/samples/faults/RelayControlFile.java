package io.raftlog.samples.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The file that carries a relay's {@link RelaySettings} from the fault harness to the relay process: the harness
 * {@link #write}s it whole (a temporary file renamed over it, so the relay never reads half a line), the relay
 * {@link #pollChange}s it a few times a second and reads it again only when it was replaced.
 */
public final class RelayControlFile
{
    private final Path file;
    private Object lastKey;
    private long lastModifiedNs = Long.MIN_VALUE;

    public RelayControlFile(final Path file)
    {
        this.file = file;
    }

    public Path file()
    {
        return file;
    }

    /**
     * Replaces the file with one holding {@code settings}, atomically.
     */
    public static void write(final Path file, final RelaySettings settings)
    {
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try
        {
            Files.writeString(temporary, settings.toLine() + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the relay's control file " + file, ex);
        }
    }

    /**
     * @return the settings in the file when it was replaced (or first appeared) since the last call, else null: the
     * same file, or none.
     * @throws IllegalArgumentException when the new file does not hold settings; it is not read again until it is
     *                                  replaced once more.
     */
    public RelaySettings pollChange()
    {
        final String text;
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            // a rename brings a new inode, so the key changes even where the clock's grain hides a new mtime
            final long modifiedNs = attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
            if (Objects.equals(attributes.fileKey(), lastKey) && modifiedNs == lastModifiedNs)
            {
                return null;
            }
            lastKey = attributes.fileKey();
            lastModifiedNs = modifiedNs;
            text = Files.readString(file, StandardCharsets.US_ASCII);
        }
        catch (final NoSuchFileException ex)
        {
            return null; // not written yet, or between a delete and a write: the settings stay as they are
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the relay's control file " + file, ex);
        }
        return RelaySettings.parse(text);
    }
}

package io.raftlog.samples;

import io.raftlog.storage.Durability;
import picocli.CommandLine;

import java.util.Locale;

/**
 * {@code --durability page-cache|fsync} on the command line.
 */
final class DurabilityOption implements CommandLine.ITypeConverter<Durability>
{
    static final String NAMES = "page-cache, fsync";

    public Durability convert(final String value)
    {
        switch (value.trim().toLowerCase(Locale.ROOT).replace('_', '-'))
        {
            case "page-cache":
                return Durability.PAGE_CACHE;
            case "fsync":
                return Durability.FSYNC;
            default:
                throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a durability policy; valid: " + NAMES);
        }
    }
}

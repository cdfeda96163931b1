package io.raftlog.samples.faults;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control file's line, both ways, and what it refuses.
 */
class RelaySettingsTest
{
    @Test
    void aLineReadsBackAsItWasWritten()
    {
        final RelaySettings settings = new RelaySettings(12, 24, 5);
        assertEquals("12 24 5", settings.toLine());
        assertEquals(settings, RelaySettings.parse(" 12\t24  5\n"));
        assertTrue(settings.delays());
        assertFalse(RelaySettings.parse("0 0 100").delays(), "duplicates alone pass at once");
        assertEquals(RelaySettings.NONE, RelaySettings.parse("0 0 0"));
    }

    @Test
    void nonsenseIsRefusedWithTheReason()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySettings.parse("5 5"))
            .getMessage().contains("<delayMs> <jitterMs> <duplicatePercent>"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySettings.parse("5 x 1"))
            .getMessage().contains("whole numbers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySettings.parse("5 5 101"))
            .getMessage().contains("duplicatePercent"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySettings.parse("-1 0 0"))
            .getMessage().contains("delayMs"));
    }
}

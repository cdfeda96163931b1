package io.raftlog.samples;

import io.raftlog.storage.Durability;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return RaftlogCli.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    }

    @Test
    void helpListsTheCommands()
    {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("demo"), out.toString());
        assertTrue(out.toString().contains("node"), out.toString());
    }

    @Test
    void aCommandIsRequired()
    {
        assertEquals(2, run());
        assertTrue(err.toString().contains("a command is required"), err.toString());
    }

    @Test
    void settingChronicleDefaultsIsTheFirstThingTheCommandLineDoes()
    {
        RaftlogCli.commandLine();
        for (final String name : ChronicleDefaults.DISABLED)
        {
            assertEquals("true", System.getProperty(name), name);
        }
    }

    @Test
    void durabilityNames()
    {
        final DurabilityOption option = new DurabilityOption();
        assertEquals(Durability.PAGE_CACHE, option.convert("page-cache"));
        assertEquals(Durability.FSYNC, option.convert("FSYNC"));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert("sometimes"));
        assertEquals(2, run("demo", "--durability", "sometimes"));
        assertTrue(err.toString().contains("valid: page-cache, fsync"), err.toString());
    }

    @Test
    void demoRejectsNonsense()
    {
        assertEquals(2, run("demo", "--events", "0"));
        assertTrue(err.toString().contains("--events must be positive"), err.toString());
    }

    @Test
    void nodeNeedsItsIdAmongTheMembers()
    {
        assertEquals(2, run("node", "--id", "4", "--members", "1=127.0.0.1:20001,2=127.0.0.1:20002",
            "--dir", "unused"));
        assertTrue(err.toString().contains("--id 4 is not one of --members"), err.toString());
    }

    @Test
    void nodeNamesABadProfile()
    {
        assertEquals(2, run("node", "--id", "1", "--members", "1=127.0.0.1:20001", "--dir", "unused",
            "--driver-profile", "turbo"));
        assertTrue(err.toString().contains("valid profiles"), err.toString());
    }

    @Test
    void nodeNamesABadPeerListenEndpoint()
    {
        assertEquals(2, run("node", "--id", "1", "--members", "1=127.0.0.1:20001", "--dir", "unused",
            "--peer-listen", "127.0.0.1"));
        assertTrue(err.toString().contains("--peer-listen: '127.0.0.1' is not host:port"), err.toString());
    }

    @Test
    void membersParse()
    {
        final Map<Integer, String> members = Members.parse(" 2=127.0.0.1:20002, 1=127.0.0.1:20001 ,3=localhost:7");
        assertEquals("{1=127.0.0.1:20001, 2=127.0.0.1:20002, 3=localhost:7}", members.toString());
        assertEquals(3, Members.ids(members).length);
    }

    @Test
    void membersNameWhatIsWrong()
    {
        assertMessage("is not id=host:port", "127.0.0.1:20001");
        assertMessage("has no numeric id", "a=127.0.0.1:20001");
        assertMessage("must be positive", "0=127.0.0.1:20001");
        assertMessage("is not host:port", "1=127.0.0.1");
        assertMessage("is not a number", "1=127.0.0.1:x");
        assertMessage("is not in 1..65535", "1=127.0.0.1:70000");
        assertMessage("given twice", "1=127.0.0.1:1,1=127.0.0.1:2");
        assertMessage("empty", " ");
    }

    private static void assertMessage(final String expected, final String members)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Members.parse(members));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}

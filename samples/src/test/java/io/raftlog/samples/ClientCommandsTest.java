package io.raftlog.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client commands' options, and what they say when there is no cluster; the commands against running nodes are
 * {@link ShadedJarClientFailoverTest} and {@link ShadedJarAdminTest}.
 */
class ClientCommandsTest
{
    private static final String MEMBERS = "1=127.0.0.1:20001,2=127.0.0.1:20002";

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
    void helpListsTheClientCommands()
    {
        assertEquals(0, run("--help"));
        for (final String command : new String[] {"append", "status", "transfer-leader", "add-member", "remove-member", "kv"})
        {
            assertTrue(out.toString().contains(command), out.toString());
        }
    }

    @Test
    void appendNeedsRoomForTheTextOfItsLastEntry()
    {
        assertEquals(2, run("append", "--members", MEMBERS, "--count", "5000", "--size", "9"));
        assertTrue(err.toString().contains(
            "--size 9 is too small for the text of entry 5000: 'entry-5000' is 10 bytes"), err.toString());
    }

    @Test
    void appendTakesAPrintablePrefixWithoutBlanks()
    {
        assertEquals(2, run("append", "--members", MEMBERS, "--count", "5", "--size", "64", "--prefix", "a b"));
        assertTrue(err.toString().contains("only printable ASCII without blanks"), err.toString());
        assertEquals(2, run("append", "--members", MEMBERS, "--count", "5", "--size", "64", "--prefix", "[x"));
        assertTrue(err.toString().contains("must not begin with '[' or '0x'"), err.toString());
    }

    @Test
    void appendRejectsNonsense()
    {
        assertEquals(2, run("append", "--members", MEMBERS, "--count", "0", "--size", "64"));
        assertTrue(err.toString().contains("--count must be positive"), err.toString());
        assertEquals(2, run("append", "--members", MEMBERS, "--count", "5", "--size", "64", "--rate", "-1"));
        assertTrue(err.toString().contains("--rate must not be negative"), err.toString());
    }

    @Test
    void membersAreParsedAsForNode()
    {
        assertEquals(2, run("status", "--members", "1=127.0.0.1"));
        assertTrue(err.toString().contains("--members: '127.0.0.1' of member 1 is not host:port"), err.toString());
    }

    @Test
    void addMemberChecksTheEndpoint()
    {
        assertEquals(2, run("add-member", "--members", MEMBERS, "--id", "4", "--endpoint", "127.0.0.1"));
        assertTrue(err.toString().contains("--endpoint '127.0.0.1' is not host:port"), err.toString());
    }

    @Test
    @Timeout(60)
    void statusWithNoMemberRunningExitsOne() throws Exception
    {
        final String nobody = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort();
        assertEquals(1, run("status", "--members", nobody, "--timeout-ms", "300"));
        assertTrue(out.toString().contains("member=1 unreachable"), out.toString());
        assertTrue(err.toString().contains("status: no member answered within 300 ms"), err.toString());
    }

    @Test
    @Timeout(60)
    void appendWithNoLeaderExitsOneAndSaysWhy() throws Exception
    {
        final String nobody = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort();
        assertEquals(1, run("append", "--members", nobody, "--count", "5", "--size", "16", "--timeout-ms", "500"));
        assertTrue(err.toString().contains("append: failed after 0 of 5 acknowledged: no leader accepted the session " +
            "within 500 ms"), err.toString());
    }

    @Test
    @Timeout(60)
    void kvWithNoLeaderExitsOneAndSaysWhy() throws Exception
    {
        final String nobody = "1=127.0.0.1:" + NodeCommandTest.freeUdpPort();
        assertEquals(1, run("kv", "--members", nobody, "--timeout-ms", "500", "get", "x"));
        assertTrue(err.toString().contains("kv get: no leader accepted the session within 500 ms"), err.toString());
    }

    @Test
    void kvNeedsAnOperation()
    {
        assertEquals(2, run("kv", "--members", MEMBERS));
        assertTrue(err.toString().contains("an operation is required: put, get, delete, cas"), err.toString());
        assertEquals(2, run("kv", "--members", MEMBERS, "cas", "x", "1"));
    }

    @Test
    void digits()
    {
        final char[] chars = new char[24];
        assertEquals(1, AppendCommand.putDigits(chars, 0, 0));
        assertEquals("0", new String(chars, 0, 1));
        assertEquals(5, AppendCommand.putDigits(chars, 1, 9876));
        assertEquals("09876", new String(chars, 0, 5));
        assertEquals(19, AppendCommand.putDigits(chars, 0, Long.MAX_VALUE));
        assertEquals(Long.toString(Long.MAX_VALUE), new String(chars, 0, 19));
    }
}

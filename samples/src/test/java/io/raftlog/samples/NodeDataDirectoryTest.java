package io.raftlog.samples;

import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code node} does with its data directory before it runs: an empty one needs {@code --bootstrap} (a founding
 * member's first start) or {@code --join} (a new member), since it is also what a member whose data was lost looks
 * like; {@code --bootstrap} is refused where there is state already; a log without its metadata file is damage, not
 * a new member. In process: each is decided before the node would run.
 */
@Timeout(60)
class NodeDataDirectoryTest
{
    private static final String MEMBERS = "1=127.0.0.1:20001,2=127.0.0.1:20002,3=127.0.0.1:20003";

    @TempDir
    Path tempDir;

    private final StringWriter err = new StringWriter();

    private int node(final Path dir, final String... extra)
    {
        final String[] args = new String[7 + extra.length];
        System.arraycopy(new String[]{ "node", "--id", "3", "--members", MEMBERS, "--dir", dir.toString() }, 0,
            args, 0, 7);
        System.arraycopy(extra, 0, args, 7, extra.length);
        return RaftlogCli.commandLine().setOut(new PrintWriter(new StringWriter(), true))
            .setErr(new PrintWriter(err, true)).execute(args);
    }

    @Test
    void anEmptyDirectoryWithoutBootstrapOrJoinIsRefusedWithTheWayBack() throws Exception
    {
        final Path dir = Files.createDirectory(tempDir.resolve("empty"));
        assertEquals(NodeCommand.EXIT_STORAGE, node(dir));
        final String said = err.toString();
        assertTrue(said.contains(dir + " holds no member state"), said);
        assertTrue(said.contains("--bootstrap"), said);
        assertTrue(said.contains("raftlog remove-member --members 1=127.0.0.1:20001,2=127.0.0.1:20002 --id 3"), said);
        assertTrue(said.contains("raftlog node --id 3 --members " + MEMBERS + " --join --dir " + dir), said);
        assertTrue(said.contains("raftlog add-member --members 1=127.0.0.1:20001,2=127.0.0.1:20002 --id 3 " +
            "--endpoint 127.0.0.1:20003"), said);
        try (var files = Files.list(dir))
        {
            assertEquals(0, files.count(), "nothing written to it");
        }
        assertEquals(NodeCommand.EXIT_STORAGE, node(tempDir.resolve("absent")));
        assertFalse(Files.exists(tempDir.resolve("absent")), "nor created");
    }

    @Test
    void bootstrapIsRefusedWhereTheMemberHasStateAndWithJoin() throws Exception
    {
        final Path dir = tempDir.resolve("member");
        Files.createDirectories(dir);
        Files.write(dir.resolve(MemberStorage.META), new byte[8192]);
        assertEquals(2, node(dir, "--bootstrap"));
        assertTrue(err.toString().contains("already holds this member's state: start it again without --bootstrap"),
            err.toString());
        assertEquals(2, node(tempDir.resolve("new"), "--bootstrap", "--join"));
        assertTrue(err.toString().contains("not both"), err.toString());
    }

    @Test
    void aLogWithoutItsMetadataFileIsDamageNotANewMember()
    {
        final Path dir = tempDir.resolve("lost-meta");
        try (ChronicleLogStore ignored = ChronicleLogStore.open(new ChronicleLogStore.Context()
            .directory(dir.resolve(MemberStorage.LOG)).durability(Durability.PAGE_CACHE)))
        {
            // a log with nothing in it yet: the directory holds state all the same
        }
        assertEquals(NodeCommand.EXIT_STORAGE, node(dir, "--aeron-dir",
            tempDir.resolve("aeron").toString()));
        final String said = err.toString();
        assertTrue(said.contains("cannot start: corrupt storage in " + dir.resolve(MemberStorage.META) +
            ": the metadata file (term and vote) is missing"), said);
        assertTrue(said.contains("move " + dir + " aside"), said);
        assertFalse(Files.exists(dir.resolve(MemberStorage.META)), "no new metadata file made");
    }
}

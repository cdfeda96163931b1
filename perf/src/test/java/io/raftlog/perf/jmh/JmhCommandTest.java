package io.raftlog.perf.jmh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhCommandTest
{
    @Command(name = "perf", mixinStandardHelpOptions = true, subcommands = JmhCommand.class)
    static final class Parent implements Runnable
    {
        public void run()
        {
        }
    }

    @Test
    void everyArgumentGoesToJmhUnchangedAndInOrderEvenUnderAParentWithHelpOptions()
    {
        final List<String> args = List.of(
            "-f", "1", "-wi", "2", "-i", "3", "-w", "1s", "-r", "1s", "-prof", "gc", "Codec", "-p",
            "payloadLength=32,256", "-h", "--help", "-jvmArgsAppend", "-Dx=y", "Quorum.*");
        final CommandLine.ParseResult parsed = new CommandLine(new Parent())
            .parseArgs(prepend("jmh", args));
        final JmhCommand command = (JmhCommand)parsed.subcommand().commandSpec().userObject();

        assertEquals(args, command.jmhArgs());
    }

    @Test
    void listsThisPackagesBenchmarks(@TempDir final Path dir) throws Exception
    {
        final Path output = dir.resolve("list.txt");
        final int status = new CommandLine(new JmhCommand()).execute("-l", "-o", output.toString());

        assertEquals(0, status);
        final String listing = Files.readString(output);
        for (final String benchmark : new String[]{
            "CodecBenchmark.encodeRecords", "CodecBenchmark.encodeAppendEntries", "CodecBenchmark.validateAndDecode",
            "LogStoreBenchmark.appendAndSync", "LeaderStepBenchmark.offerFlushCommit",
            "QuorumBenchmark.majorityIndex", "QuorumBenchmark.quorumIndex", "QuorumBenchmark.isQuorum" })
        {
            assertTrue(listing.contains("io.raftlog.perf.jmh." + benchmark), benchmark + " in " + listing);
        }
    }

    private static String[] prepend(final String first, final List<String> rest)
    {
        final String[] all = new String[rest.size() + 1];
        all[0] = first;
        for (int i = 0; i < rest.size(); i++)
        {
            all[i + 1] = rest.get(i);
        }
        return all;
    }
}

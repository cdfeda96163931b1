package io.raftlog.perf.jmh;

import org.openjdk.jmh.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code raftlog-perf jmh [JMH arguments]}: the JMH micro-benchmarks of this package, run by JMH's own command line,
 * to which every argument goes unchanged and in order ({@code -l} lists, {@code -h} is JMH's help, a regular
 * expression picks benchmarks, {@code -prof gc} adds allocation rates). This command defines no options of its own,
 * so none of JMH's is taken from it.
 * <pre>
 *   java -jar perf/target/raftlog-perf.jar jmh -l
 *   java -jar perf/target/raftlog-perf.jar jmh -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc Codec
 *   java -jar perf/target/raftlog-perf.jar jmh LogStore -p durability=FSYNC -jvmArgsPrepend -Draftlog.perf.dir=/data
 * </pre>
 * JMH forks a JVM per benchmark with {@code java -cp} the same jar; the flags Agrona and Chronicle need are on each
 * benchmark's {@code @Fork} as {@code jvmArgsAppend} (see {@link JvmFlags}), so add JVM options with
 * {@code -jvmArgsPrepend}: {@code -jvmArgsAppend} would replace them. JMH ends the JVM with status 1 itself when a
 * run fails.
 */
@Command(
    name = "jmh",
    description = {
        "Runs the JMH micro-benchmarks: SBE and log-record codecs, Chronicle log-store append (page cache, fsync), " +
            "one leader duty cycle, quorum arithmetic.",
        "Every argument goes to JMH unchanged: -l lists the benchmarks, -h shows JMH's options." })
public final class JmhCommand implements Callable<Integer>
{
    @Unmatched
    private final List<String> jmhArgs = new ArrayList<>();

    /**
     * @return the arguments JMH will get, as parsed.
     */
    public List<String> jmhArgs()
    {
        return jmhArgs;
    }

    @Override
    public Integer call() throws Exception
    {
        Main.main(jmhArgs.toArray(new String[0]));
        return 0;
    }
}

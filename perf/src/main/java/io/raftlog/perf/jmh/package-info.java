/**
 * JMH micro-benchmarks of raftlog's hot paths, each without a network and, but for the log store, without a disk.
 * Scores are average times (ns per call); none of the measured methods allocates, so {@code -prof gc} shows
 * {@code gc.alloc.rate.norm} near 0 B/op.
 * <ul>
 *     <li>{@link io.raftlog.perf.jmh.CodecBenchmark}: an AppendEntries batch encoded (the records with their CRC32C,
 *     then the SBE message) and, on arrival, validated and decoded.</li>
 *     <li>{@link io.raftlog.perf.jmh.LogStoreBenchmark}: {@code ChronicleLogStore} append of a batch and one sync,
 *     under page-cache and fsync durability.</li>
 *     <li>{@link io.raftlog.perf.jmh.LeaderStepBenchmark}: one duty cycle of a three-member leader: offers, flush
 *     (append and AppendEntries to both followers), the AppendResponses that commit.</li>
 *     <li>{@link io.raftlog.perf.jmh.QuorumBenchmark}: the quorum index and vote count for 3, 5 and 7 voters, simple
 *     and joint.</li>
 * </ul>
 * Run them from the executable jar, with JMH's own options (the defaults on each class are 1 fork, 3 warm-up and
 * 5 measurement iterations of 1 s):
 * <pre>
 *   java -jar perf/target/raftlog-perf.jar jmh -l
 *   java -jar perf/target/raftlog-perf.jar jmh -prof gc Codec
 *   java -jar perf/target/raftlog-perf.jar jmh -f 1 -wi 2 -i 3 -w 1s -r 1s LeaderStep -p wire=SBE
 *   java -cp perf/target/raftlog-perf.jar org.openjdk.jmh.Main -rf json -rff jmh.json Quorum
 * </pre>
 * The log store writes under {@code -Draftlog.perf.dir} (default {@code java.io.tmpdir}), a fresh directory per
 * iteration, deleted after it: {@code -jvmArgsPrepend -Draftlog.perf.dir=/path} (not {@code -jvmArgsAppend}, which
 * would replace the flags each benchmark's {@code @Fork} appends for Agrona and Chronicle).
 */
package io.raftlog.perf.jmh;

package io.raftlog.perf.jmh;

/**
 * The JVM flags every forked benchmark JVM gets, appended to whatever the launching JVM had: the same as the build's
 * {@code raftlog.jvm.flags} (see shared/STACK.md). JMH forks with {@code java -cp}, so the {@code Add-Opens} and
 * {@code Add-Exports} entries of the executable jar's manifest do not reach the fork; without these Agrona's
 * {@code UnsafeBuffer} and Chronicle fail, and {@code LogEntryCodec} would checksum off-heap buffers through a copy
 * instead of in place. JDK 17 flags only: JDK 25 also wants {@code --enable-native-access=ALL-UNNAMED}.
 * <p>
 * JMH's {@code -jvmArgsAppend} on the command line replaces this list rather than adding to it: add flags or
 * properties with {@code -jvmArgsPrepend}, or give them to the launching JVM, whose arguments the fork inherits.
 */
final class JvmFlags
{
    static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String OPEN_NIO = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String OPEN_ZIP = "--add-opens=java.base/java.util.zip=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    static final String NO_ANNOUNCER = "-Dchronicle.announcer.disable=true";
    static final String NO_DISK_MONITOR = "-Dchronicle.disk.monitor.disable=true";
    /** Chronicle logs each file it grows and maps at INFO, between JMH's iteration lines. */
    static final String QUIET_CHRONICLE = "-Dorg.slf4j.simpleLogger.log.net.openhft=warn";

    private JvmFlags()
    {
    }
}

package io.raftlog.storage;

/**
 * How far the log is made durable before the runtime is told it is (and so before a follower acknowledges it or the
 * leader counts its own vote toward commitment).
 */
public enum Durability
{
    /**
     * Written into the memory-mapped queue files: survives the process dying (the kernel keeps the pages and writes
     * them back), not the machine losing power. Aeron Archive's default. {@link ChronicleLogStore#sync()} answers at
     * once.
     */
    PAGE_CACHE,

    /**
     * Forced to the device once per duty cycle (group commit): survives power loss. {@link ChronicleLogStore#sync()}
     * returns only once what was written is on the device.
     */
    FSYNC
}

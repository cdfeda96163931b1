package io.raftlog.perf;

/**
 * Where a running measurement reports how far it is, for the one progress line the harness keeps on the terminal.
 */
@FunctionalInterface
public interface Progress
{
    void update(String status);

    Progress NONE = status -> { };
}

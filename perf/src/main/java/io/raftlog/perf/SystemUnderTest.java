package io.raftlog.perf;

/**
 * A system the harness measures: it sets itself up for a workload (its nodes on loopback, in this JVM, on their own
 * threads), runs it, tears itself down, and says what it measured.
 */
public interface SystemUnderTest
{
    /**
     * @return the name in the results ({@link Result#system()}).
     */
    String name();

    /**
     * @return whether this system has something to say for the workload (a Chronicle append alone has no nodes).
     */
    boolean supports(Workload workload);

    /**
     * Runs the workload: warm-up, then measurement, then teardown; everything started is stopped before it returns.
     */
    Result run(Workload workload, Progress progress) throws Exception;
}

/**
 * Checking what a replicated store did, from the outside: a history of a key-value store's operations as its
 * clients saw them ({@link io.raftlog.check.KvHistory}) and a linearizability checker for it
 * ({@link io.raftlog.check.LinearizabilityChecker}: Wing and Gong's search with Lowe's memoization, per key). Used by
 * the simulator's key-value runs and by the fault harness against real processes; not on any node's path.
 */
package io.raftlog.check;

package io.raftlog.protocol;

/**
 * Which member ids a node can talk to at all (it has their endpoints). A message claiming to come from any other id
 * is foreign: it is counted and dropped before the core sees it.
 */
@FunctionalInterface
public interface KnownMembers
{
    KnownMembers ANY = memberId -> true;

    boolean isKnown(int memberId);
}

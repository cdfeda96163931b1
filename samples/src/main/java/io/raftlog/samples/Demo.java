package io.raftlog.samples;

import io.raftlog.core.LogStore;
import io.raftlog.core.RaftCore;
import io.raftlog.core.RaftListener;
import io.raftlog.core.Role;
import io.raftlog.driver.DriverProfile;
import io.raftlog.node.RaftNode;
import io.raftlog.storage.ChronicleLogStore;
import io.raftlog.storage.Durability;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Three members on loopback in this JVM, each with its own embedded media driver and data directory, all driven by
 * one thread as a composite agent would drive them, with a client that offers events to whichever member leads.
 * The story: a leader is elected; events are sequenced; the leader is killed mid-run (agent, Aeron client and driver
 * gone at once); a new leader is elected and the events that were in flight are settled (acknowledged if the new
 * leader's log holds them, sent again if they died with the old leader); more events; the killed member restarts
 * from its data directory and catches up; the cluster stops; each member's committed log is replayed from its files
 * and must hold every acknowledged event exactly once, in order, at the index it was acknowledged at, and nothing
 * else but leader no-ops and configurations. Every check that fails is reported; the exit code is 0 only if all
 * held.
 */
final class Demo
{
    static final int MEMBERS = 3;
    private static final long PHASE_TIMEOUT_MS = 30_000;

    private final PrintWriter out;
    private final int eventsPerPhase;
    private final int window;
    private final int burst;
    private final Durability durability;
    private final Path parentDirectory;
    private final boolean keep;
    private final RaftSettings raftSettings = new RaftSettings();

    private final LocalMember[] members = new LocalMember[MEMBERS + 1];
    private final IdleStrategy idle = DriverProfile.SMALL.newAgentIdleStrategy();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[EventPayload.LENGTH]);
    private final List<String> failures = new ArrayList<>();
    private final Map<Long, Integer> leaders = new TreeMap<>();
    private final long seedBase = System.nanoTime();
    private EventLedger ledger;

    private long startNs;
    private long offerLimitSeq;
    private int targetId;
    private long targetTerm;
    private long announcedTerm;
    private long electionClockNs;
    private String electionCause = "start";
    private int starts;

    Demo(
        final PrintWriter out,
        final int eventsPerPhase,
        final int window,
        final int burst,
        final Durability durability,
        final Path parentDirectory,
        final boolean keep)
    {
        this.out = out;
        this.eventsPerPhase = eventsPerPhase;
        this.window = window;
        this.burst = burst;
        this.durability = durability;
        this.parentDirectory = parentDirectory;
        this.keep = keep;
    }

    /**
     * @return 0 if every check held, 1 otherwise.
     */
    int run()
    {
        startNs = System.nanoTime();
        ledger = new EventLedger(2 * eventsPerPhase);
        Path directory = null;
        try
        {
            directory = parentDirectory == null ?
                Files.createTempDirectory("raftlog-demo-") :
                Files.createTempDirectory(Files.createDirectories(parentDirectory), "raftlog-demo-");
            story(directory);
        }
        catch (final DemoFailure ex)
        {
            failures.add(ex.getMessage());
        }
        catch (final IOException | RuntimeException ex)
        {
            failures.add("unexpected " + ex);
            ex.printStackTrace(out);
        }
        finally
        {
            for (final LocalMember member : members)
            {
                if (member != null)
                {
                    try
                    {
                        member.close();
                    }
                    catch (final RuntimeException ex)
                    {
                        failures.add("closing member " + member.id() + ": " + ex);
                    }
                }
            }
            if (directory != null)
            {
                if (keep)
                {
                    say("data kept in %s", directory);
                }
                else
                {
                    deleteRecursively(directory);
                }
            }
        }

        if (failures.isEmpty())
        {
            say("all checks held");
            out.flush();
            return 0;
        }
        for (final String failure : failures)
        {
            say("FAILED: %s", failure);
        }
        out.flush();
        return 1;
    }

    private void story(final Path directory)
    {
        final Map<Integer, String> endpoints = new TreeMap<>();
        for (int id = 1; id <= MEMBERS; id++)
        {
            endpoints.put(id, "127.0.0.1:" + freeUdpPort());
        }
        say("%d nodes on 127.0.0.1:%s, data in %s", MEMBERS,
            String.join(",", endpoints.values().stream().map(e -> e.substring(e.indexOf(':') + 1)).toList()),
            directory);
        say("each with its own embedded media driver (profile %s), all driven by this one thread; durability %s",
            DriverProfile.SMALL.profileName(), durabilityName());

        for (int id = 1; id <= MEMBERS; id++)
        {
            members[id] = new LocalMember(id, endpoints, directory.resolve("node-" + id), durability,
                DriverProfile.SMALL, null, false, raftSettings, RaftListener.NO_OP);
        }
        final long launchNs = System.nanoTime();
        for (int id = 1; id <= MEMBERS; id++)
        {
            start(members[id]);
        }
        say("started in %d ms (drivers launched, stores opened, agents started)", millisSince(launchNs));
        electionClockNs = System.nanoTime();
        electionCause = "start";

        // 1. a leader
        runUntil(() -> targetId != 0, "a leader to be elected");
        final int firstLeader = targetId;

        // 2. events, and the leader killed while some are in flight
        offerLimitSeq = 2L * eventsPerPhase;
        final long firstEventsNs = System.nanoTime();
        runUntil(() -> ledger.lastAckedSeq() >= eventsPerPhase && ledger.inFlight() > 0 && targetId == firstLeader,
            "the first " + fmt(eventsPerPhase) + " events to be acknowledged");
        final LocalMember killed = members[targetId];
        say("sequenced %s events in %d ms", fmt(ledger.lastAckedSeq()), millisSince(firstEventsNs));
        // the crash comes between the leader accepting offers and its next duty cycle appending and sending them
        final long sentInFlight = ledger.inFlight();
        offer();
        say("killing the leader (node %d) mid-run: %s events in flight, %s of them accepted but not yet appended",
            killed.id(), fmt(ledger.inFlight()), fmt(ledger.inFlight() - sentInFlight));
        electionClockNs = System.nanoTime();
        electionCause = "the kill";
        killed.kill();

        // 3. a new leader; the events in flight settled against its log; more events
        runUntil(() -> targetId != 0 && targetId != killed.id(), "a new leader after the kill");
        final long ackedAfterFailover = ledger.lastAckedSeq();
        final long moreEventsNs = System.nanoTime();
        runUntil(() -> ledger.lastAckedSeq() >= offerLimitSeq, "all " + fmt(offerLimitSeq) + " events to be acknowledged");
        say("sequenced %s more events in %d ms", fmt(ledger.lastAckedSeq() - ackedAfterFailover),
            millisSince(moreEventsNs));

        // 4. the killed member restarts from its files and catches up
        final LocalMember leader = members[targetId];
        final long commitIndex = leader.node().core().commitIndex();
        final long restartNs = System.nanoTime();
        start(killed);
        final LogStore restartedLog = killed.storage().log();
        final long restartedLast = restartedLog.lastIndex();
        final long restartedTerm = restartedLog.termAt(restartedLast);
        final long firstOfLeaderTerm = leader.storage().log().firstIndexOfTerm(targetTerm);
        final long replaced = firstOfLeaderTerm > 0 ? Math.max(0, restartedLast - firstOfLeaderTerm + 1) : 0;
        say("node %d restarts from its data directory: term %d, voted for %s, log up to index %s (term %d)%s",
            killed.id(), killed.storage().meta().currentTerm(), votedFor(killed.storage().meta().votedFor()),
            fmt(restartedLast), restartedTerm,
            replaced > 0 ? "; its last " + fmt(replaced) + " entries were never committed and get replaced" : "");
        runUntil(() -> killed.node().core().commitIndex() >= commitIndex, "node " + killed.id() + " to catch up");
        say("node %d caught up (commit index %s reached in %d ms)", killed.id(), fmt(commitIndex),
            millisSince(restartNs));
        runUntil(() -> allCommitted(commitIndex), "every node to reach commit index " + fmt(commitIndex));

        // 5. stop, then replay each member's committed log from its files
        final long electionsStarted = electionsStarted();
        for (int id = 1; id <= MEMBERS; id++)
        {
            members[id].close();
        }
        say("cluster stopped; replaying each node's committed log from its files");
        replayAll(commitIndex);

        if (ledger.violation() != null)
        {
            failures.add("the client's ledger: " + ledger.violation());
        }
        if (ledger.lastAckedSeq() != offerLimitSeq)
        {
            failures.add(fmt(ledger.lastAckedSeq()) + " events acknowledged, not " + fmt(offerLimitSeq));
        }
        summary(electionsStarted);
    }

    private void replayAll(final long commitIndex)
    {
        final CommittedLogReplay replay = new CommittedLogReplay();
        long fingerprint = 0;
        final List<Integer> same = new ArrayList<>();
        for (int id = 1; id <= MEMBERS; id++)
        {
            try (ChronicleLogStore log = ChronicleLogStore.open(new ChronicleLogStore.Context()
                .directory(members[id].directory().resolve(MemberStorage.LOG))
                .durability(durability)
                .committedIndexHint(commitIndex)))
            {
                replay.replay(log, ledger, commitIndex);
            }
            catch (final RuntimeException ex)
            {
                failures.add("node " + id + "'s log could not be read: " + ex);
                continue;
            }
            if (replay.violation != null)
            {
                failures.add("node " + id + "'s committed log: " + replay.violation);
                continue;
            }
            if (id == 1)
            {
                fingerprint = replay.fingerprint;
                say("replaying the committed log of node 1: %s entries, %s events, %s leader no-ops%s; " +
                    "each acknowledged event exactly once and in order, nothing else",
                    fmt(replay.entries), fmt(replay.events), fmt(replay.noops),
                    replay.configurations > 0 ? ", " + fmt(replay.configurations) + " configurations" : "");
            }
            else if (replay.fingerprint == fingerprint)
            {
                same.add(id);
            }
            else
            {
                failures.add("node " + id + "'s committed log differs from node 1's (fingerprint " +
                    hex(replay.fingerprint) + ", node 1 " + hex(fingerprint) + ")");
            }
        }
        if (same.size() == MEMBERS - 1)
        {
            say("nodes 2 and 3 replay to the same committed log, record for record (fingerprint %s)", hex(fingerprint));
        }
    }

    private void summary(final long electionsStarted)
    {
        final Histogram latency = ledger.commitLatencyNs();
        say("summary");
        say("  events acknowledged   %s: %s by the leader they were offered to, %s by the new leader after the kill " +
            "(%s lost with the old leader and sent again)",
            fmt(ledger.lastAckedSeq()), fmt(ledger.ackedByOwnLeader()), fmt(ledger.ackedBySuccessor()),
            fmt(ledger.resent()));
        final StringBuilder won = new StringBuilder();
        leaders.forEach((term, id) -> won.append(won.length() == 0 ? "" : ", ")
            .append("node ").append(id).append(" in term ").append(term));
        say("  elections             %d won (%s); %s campaigns started in all",
            leaders.size(), won, fmt(electionsStarted));
        say("  commit latency        offer to commit on the leader, %s events: p50 %s us, p99 %s us, p99.9 %s us, " +
            "max %s us", fmt(latency.getTotalCount()), micros(latency.getValueAtPercentile(50)),
            micros(latency.getValueAtPercentile(99)), micros(latency.getValueAtPercentile(99.9)),
            micros(latency.getMaxValue()));
        say("  durability            %s", durabilityDescription());
        say("  elapsed               %.1f s", (System.nanoTime() - startNs) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------ the duty cycle

    /**
     * One turn of the driving thread: the client offers to the leader it knows, every running member does its duty
     * cycle, the leader's new commits acknowledge events, and a change of leader is noticed.
     */
    private int cycle()
    {
        offer();
        int work = 0;
        for (int id = 1; id <= MEMBERS; id++)
        {
            final LocalMember member = members[id];
            if (member != null && member.isRunning())
            {
                final RaftNode node = member.node();
                work += node.doWork();
                if (id == targetId && isTargetLeading(node.core()))
                {
                    work += ledger.onLeaderCommit(targetId, targetTerm, node.core().commitIndex(), System.nanoTime());
                }
            }
        }
        work += watchLeadership();
        return work;
    }

    private void offer()
    {
        if (targetId == 0 || !members[targetId].isRunning())
        {
            return;
        }
        final RaftNode node = members[targetId].node();
        if (!isTargetLeading(node.core()))
        {
            return;
        }
        final long nowNs = System.nanoTime();
        for (int i = 0; i < burst && ledger.inFlight() < window && ledger.nextSeq() <= offerLimitSeq; i++)
        {
            final int length = EventPayload.encode(payload, 0, ledger.nextSeq());
            final long index = node.offer(payload, 0, length);
            if (index < 0)
            {
                break; // back-pressured for this cycle
            }
            ledger.offered(index, targetId, targetTerm, nowNs);
        }
    }

    private boolean isTargetLeading(final RaftCore core)
    {
        return core.role() == Role.LEADER && core.currentTerm() == targetTerm;
    }

    /**
     * Finds the leader of the highest term. A new one is announced at once, but becomes the client's target only once
     * it has committed an entry of its own term: then its log is the committed log, and what was in flight to the old
     * leader is settled against it.
     */
    private int watchLeadership()
    {
        LocalMember leader = null;
        long term = 0;
        for (int id = 1; id <= MEMBERS; id++)
        {
            final LocalMember member = members[id];
            if (member != null && member.isRunning())
            {
                final RaftCore core = member.node().core();
                if (core.role() == Role.LEADER && core.currentTerm() > term)
                {
                    leader = member;
                    term = core.currentTerm();
                }
            }
        }
        if (leader == null || (leader.id() == targetId && term == targetTerm))
        {
            return 0;
        }
        if (term != announcedTerm)
        {
            announcedTerm = term;
            leaders.put(term, leader.id());
            say("node %d elected leader in term %d (%d ms after %s)", leader.id(), term,
                millisSince(electionClockNs), electionCause);
            electionCause = "the term before it started";
            electionClockNs = System.nanoTime();
        }
        final RaftCore core = leader.node().core();
        final LogStore log = leader.storage().log();
        if (log.termAt(core.commitIndex()) != term)
        {
            return 0; // its no-op is not committed yet
        }
        if (targetId != 0)
        {
            final long inFlight = ledger.inFlight();
            final long[] settled = ledger.settleWith(log, core.commitIndex());
            if (inFlight > 0)
            {
                say("of the %s events in flight, %s had reached node %d and are committed by it in term %d; " +
                    "%s were lost with node %d and are sent again",
                    fmt(inFlight), fmt(settled[0]), leader.id(), term, fmt(settled[1]), targetId);
            }
        }
        targetId = leader.id();
        targetTerm = term;
        return 1;
    }

    private void runUntil(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PHASE_TIMEOUT_MS);
        while (!condition.getAsBoolean())
        {
            if (ledger.violation() != null)
            {
                throw new DemoFailure("the client's ledger: " + ledger.violation());
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new DemoFailure("timed out after " + PHASE_TIMEOUT_MS + " ms waiting for " + what);
            }
            idle.idle(cycle());
        }
        idle.reset();
    }

    private void start(final LocalMember member)
    {
        final RaftNode node = member.start(seedBase + 7919L * member.id() + 104729L * starts++);
        node.onStart();
    }

    private boolean allCommitted(final long index)
    {
        for (int id = 1; id <= MEMBERS; id++)
        {
            if (!members[id].isRunning() || members[id].node().core().commitIndex() < index)
            {
                return false;
            }
        }
        return true;
    }

    private long electionsStarted()
    {
        long started = 0;
        for (int id = 1; id <= MEMBERS; id++)
        {
            started += members[id].electionsStarted();
        }
        return started;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private String durabilityName()
    {
        return durability == Durability.FSYNC ? "fsync" : "page-cache";
    }

    private String durabilityDescription()
    {
        return durability == Durability.FSYNC ?
            "fsync: each duty cycle's appends are forced to the device before they count (group commit); " +
                "an acknowledged event survives power loss" :
            "page-cache: an entry counts once it is in the memory-mapped queue file; an acknowledged event survives " +
                "the process dying, not the machine losing power";
    }

    private static String votedFor(final int votedFor)
    {
        return votedFor == 0 ? "nobody" : "node " + votedFor;
    }

    private void say(final String format, final Object... args)
    {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private static String fmt(final long value)
    {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String micros(final long nanos)
    {
        return String.format(Locale.ROOT, "%,d", Math.round(nanos / 1000.0));
    }

    private static String hex(final long value)
    {
        return String.format(Locale.ROOT, "%016x", value);
    }

    private static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no free UDP port on the loopback interface", ex);
        }
    }

    private void deleteRecursively(final Path directory)
    {
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path ->
            {
                try
                {
                    Files.delete(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final IOException | UncheckedIOException ex)
        {
            failures.add("could not delete " + directory + ": " + ex);
        }
    }

    static final class DemoFailure extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        DemoFailure(final String message)
        {
            super(message);
        }
    }
}

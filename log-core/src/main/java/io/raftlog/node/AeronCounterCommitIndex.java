package io.raftlog.node;

import io.aeron.CncFileDescriptor;
import io.raftlog.storage.CommittedLogReader;
import org.agrona.IoUtil;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The commit index a running node publishes in its commit-index counter ({@link NodeCounters#COMMIT_INDEX_TYPE_ID},
 * keyed by member id), read straight from the media driver's CnC file ({@code cnc.dat} in the driver's directory),
 * so a {@link CommittedLogReader} in any process on the machine follows the node's log as it commits:
 * <pre>
 *   try (MetaFileCommitIndex recorded = new MetaFileCommitIndex(dataDir.resolve("meta"));
 *       AeronCounterCommitIndex bound = new AeronCounterCommitIndex(aeronDir, memberId, recorded);
 *       CommittedLogReader reader = CommittedLogReader.open(dataDir.resolve("log"), bound))
 * </pre>
 * The CnC file is mapped {@code READ_ONLY}: nothing here can write to the driver's memory, register a client or
 * allocate a counter, and the driver knows nothing of the reader.
 *
 * <h2>Finding the counter</h2>
 * The reader <em>attaches</em>: it maps the CnC file once the driver has initialised it (its version set, and
 * compatible with this Aeron), checks the driver is alive (below), and scans the counters' metadata for an
 * {@code ALLOCATED} record of the commit-index type whose key is the member id and whose registration id is set
 * (the driver writes it just after the record becomes {@code ALLOCATED}). It keeps the counter's id and registration
 * id.
 *
 * <h2>Noticing that the node stopped</h2>
 * On every {@link #commitIndex()} it checks, before and after reading the value, that the record is still
 * {@code ALLOCATED} with the same type, key and registration id, and that the driver is alive. It <em>detaches</em>
 * when one fails:
 * <ul>
 *     <li>the node closed its counters (a clean stop) or its Aeron client timed out: the driver frees the record
 *     ({@code RECLAIMED}) and may reuse the id for another counter later, with another registration id;</li>
 *     <li>the driver stopped: a clean close writes -1 into its heartbeat; a crash (a node with an embedded driver
 *     killed with {@code kill -9}) leaves the heartbeat to age, noticed once it is older than
 *     {@code driverTimeoutMs} (Aeron's own client timeout by default: the driver beats once per timer interval, 1 s
 *     by default). A driver started again in the same directory deletes and re-creates the file, so the mapping
 *     held belongs to the dead one and its heartbeat ages the same way.</li>
 * </ul>
 * Detached, it tries to attach again at most once per {@code retryIntervalMs} (a node or driver that restarts is
 * followed again, through its new counter), and in between answers from the fallback.
 *
 * <h2>What it answers</h2>
 * The largest of every value it has read: the counter's, and the fallback's (read once at opening and on every call
 * while detached; give it the node's recorded commit index, {@code io.raftlog.storage.MetaFileCommitIndex}, which a
 * cleanly stopped node has brought up to its final commit index). Every one of them is a commit index the node had
 * at some moment, and a committed entry never changes, so the largest is a commit index of the node too, and the
 * answer never goes back, as {@link CommittedLogReader} requires: not when a restarted node's new counter starts
 * again from 0, nor when a killed node's recorded index is older than its last counter value. A counter value read
 * from a driver that has just died is stale, never wrong. So the reader's choice, when the node stops, is to go on
 * with the recorded commit index rather than fail: a replay that follows the node delivers everything the node
 * committed, and goes on when it restarts; {@link #isAttached()}, {@link #attachments()} and
 * {@link #detachments()} tell a caller that wants to report it.
 * <p>
 * The counter must be the one of the node that writes the directory being read: one driver must not serve two
 * nodes of one member id (of two clusters), see {@link NodeCounters}.
 * <p>
 * Nothing is allocated per call while attached, or while detached between attempts; an attempt that maps the CnC
 * file allocates (the mapping and its views), at most once per retry interval. Not thread-safe.
 */
public final class AeronCounterCommitIndex implements CommittedLogReader.CommitIndexSupplier, AutoCloseable
{
    /** Aeron's own client default for deciding its driver is dead. */
    public static final long DEFAULT_DRIVER_TIMEOUT_MS = 10_000;
    /** How often a detached reader looks for the counter again. */
    public static final long DEFAULT_RETRY_INTERVAL_MS = 250;

    private static final CommittedLogReader.CommitIndexSupplier NO_FALLBACK = () -> 0;

    private final Path aeronDirectory;
    private final File cncFile;
    private final int memberId;
    private final CommittedLogReader.CommitIndexSupplier fallback;
    private final long driverTimeoutMs;
    private final long retryIntervalMs;
    private final EpochClock clock;

    private MappedByteBuffer cncByteBuffer;
    private ManyToOneRingBuffer toDriver;
    private CountersReader counters;
    private AtomicBuffer countersMetaData;

    private int counterId = CountersReader.NULL_COUNTER_ID;
    private long registrationId;
    private long nextAttemptMs;
    private long commitIndex;
    private long counterValue;
    private long attachments;
    private long detachments;
    private boolean closed;

    /**
     * With Aeron's driver timeout and a retry interval of {@value #DEFAULT_RETRY_INTERVAL_MS} ms.
     *
     * @see #AeronCounterCommitIndex(Path, int, CommittedLogReader.CommitIndexSupplier, long, long, EpochClock)
     */
    public AeronCounterCommitIndex(
        final Path aeronDirectory, final int memberId, final CommittedLogReader.CommitIndexSupplier fallback)
    {
        this(aeronDirectory, memberId, fallback, DEFAULT_DRIVER_TIMEOUT_MS, DEFAULT_RETRY_INTERVAL_MS,
            SystemEpochClock.INSTANCE);
    }

    /**
     * Reads the fallback and tries to attach once; the driver and the node need not be running yet.
     *
     * @param aeronDirectory  the directory of the media driver the node's Aeron client uses.
     * @param memberId        the node's member id.
     * @param fallback        the bound while the counter cannot be read (the node's recorded commit index); null
     *                        for none (0).
     * @param driverTimeoutMs a driver whose heartbeat is older than this is taken for dead.
     * @param retryIntervalMs a detached reader tries to attach again at most this often.
     * @param clock           the wall clock the driver's heartbeat is compared with.
     * @throws IllegalStateException if the CnC file is of an incompatible Aeron version.
     */
    public AeronCounterCommitIndex(
        final Path aeronDirectory,
        final int memberId,
        final CommittedLogReader.CommitIndexSupplier fallback,
        final long driverTimeoutMs,
        final long retryIntervalMs,
        final EpochClock clock)
    {
        if (aeronDirectory == null || clock == null)
        {
            throw new IllegalArgumentException("aeronDirectory and clock must be set");
        }
        if (driverTimeoutMs <= 0 || retryIntervalMs < 0)
        {
            throw new IllegalArgumentException("driverTimeoutMs must be positive and retryIntervalMs not negative: " +
                driverTimeoutMs + ", " + retryIntervalMs);
        }
        this.aeronDirectory = aeronDirectory;
        this.cncFile = aeronDirectory.resolve(CncFileDescriptor.CNC_FILE).toFile();
        this.memberId = memberId;
        this.fallback = fallback == null ? NO_FALLBACK : fallback;
        this.driverTimeoutMs = driverTimeoutMs;
        this.retryIntervalMs = retryIntervalMs;
        this.clock = clock;
        commitIndex = Math.max(0, this.fallback.commitIndex());
        tryAttach(clock.time());
    }

    /**
     * @return the node's commit index: its counter's while attached, else the fallback's; never less than an answer
     * before.
     */
    public long commitIndex()
    {
        if (closed)
        {
            throw new IllegalStateException("closed: commit index counter of member " + memberId + " in " +
                aeronDirectory);
        }
        final long nowMs = clock.time();
        if (counterId != CountersReader.NULL_COUNTER_ID && !readCounter(nowMs))
        {
            detach(nowMs);
        }
        if (counterId == CountersReader.NULL_COUNTER_ID)
        {
            final long recorded = fallback.commitIndex();
            if (recorded > commitIndex)
            {
                commitIndex = recorded;
            }
            if (nowMs >= nextAttemptMs)
            {
                tryAttach(nowMs);
            }
        }
        return commitIndex;
    }

    /**
     * @return true while the node's counter is followed (the node, as far as can be seen, runs).
     */
    public boolean isAttached()
    {
        return counterId != CountersReader.NULL_COUNTER_ID;
    }

    /**
     * @return how many times a counter of the node was found: 1 for a node that ran throughout, one more for each
     * restart (or driver restart) noticed.
     */
    public long attachments()
    {
        return attachments;
    }

    /**
     * @return how many times the counter followed was lost: the node stopped, or its driver did.
     */
    public long detachments()
    {
        return detachments;
    }

    /**
     * @return the id of the counter followed, or {@link CountersReader#NULL_COUNTER_ID} when detached.
     */
    public int counterId()
    {
        return counterId;
    }

    /**
     * @return the registration id of the counter followed (meaningful while attached).
     */
    public long registrationId()
    {
        return registrationId;
    }

    /**
     * @return the counter's value when last read (it may be below {@link #commitIndex()} after a restart).
     */
    public long counterValue()
    {
        return counterValue;
    }

    public Path aeronDirectory()
    {
        return aeronDirectory;
    }

    public int memberId()
    {
        return memberId;
    }

    /**
     * Unmaps the CnC file. The fallback is the caller's to close.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            counterId = CountersReader.NULL_COUNTER_ID;
            unmap();
        }
    }

    // ------------------------------------------------------------------------------------------------- attached

    /**
     * @return false if the counter or its driver is gone.
     */
    private boolean readCounter(final long nowMs)
    {
        if (!isOurs() || !isDriverAlive(nowMs))
        {
            return false;
        }
        final long value = counters.getCounterValue(counterId);
        if (!isOurs())
        {
            // freed (and perhaps reused) while the value was read: the value may be another counter's
            return false;
        }
        counterValue = value;
        if (value > commitIndex)
        {
            commitIndex = value;
        }
        return true;
    }

    private boolean isOurs()
    {
        return counters.getCounterState(counterId) == CountersReader.RECORD_ALLOCATED &&
            counters.getCounterRegistrationId(counterId) == registrationId &&
            counters.getCounterTypeId(counterId) == NodeCounters.COMMIT_INDEX_TYPE_ID &&
            countersMetaData.getInt(keyOffset(counterId)) == memberId;
    }

    private boolean isDriverAlive(final long nowMs)
    {
        final long heartbeatMs = toDriver.consumerHeartbeatTime();
        return heartbeatMs > 0 && nowMs - heartbeatMs <= driverTimeoutMs;
    }

    private void detach(final long nowMs)
    {
        counterId = CountersReader.NULL_COUNTER_ID;
        registrationId = CountersReader.DEFAULT_REGISTRATION_ID;
        detachments++;
        nextAttemptMs = nowMs; // look again at once: the driver may still run, with a restarted node
    }

    // ------------------------------------------------------------------------------------------------- attaching

    private boolean tryAttach(final long nowMs)
    {
        nextAttemptMs = nowMs + retryIntervalMs;
        if (cncByteBuffer != null && !isDriverAlive(nowMs))
        {
            unmap();
        }
        if (cncByteBuffer == null && !map(nowMs))
        {
            return false;
        }
        final int found = find();
        if (found == CountersReader.NULL_COUNTER_ID)
        {
            return false;
        }
        final long value = counters.getCounterValue(found);
        if (!isOurs())
        {
            counterId = CountersReader.NULL_COUNTER_ID;
            registrationId = CountersReader.DEFAULT_REGISTRATION_ID;
            return false;
        }
        attachments++;
        counterValue = value;
        if (value > commitIndex)
        {
            commitIndex = value;
        }
        return true;
    }

    /**
     * Scans the counters' metadata up to the first record never used; sets {@link #counterId} and
     * {@link #registrationId} to the counter found.
     */
    private int find()
    {
        final int maxCounterId = counters.maxCounterId();
        for (int id = 0; id <= maxCounterId; id++)
        {
            final int state = counters.getCounterState(id);
            if (state == CountersReader.RECORD_UNUSED)
            {
                break;
            }
            if (state == CountersReader.RECORD_ALLOCATED &&
                counters.getCounterTypeId(id) == NodeCounters.COMMIT_INDEX_TYPE_ID &&
                countersMetaData.getInt(keyOffset(id)) == memberId)
            {
                final long registration = counters.getCounterRegistrationId(id);
                if (registration != CountersReader.DEFAULT_REGISTRATION_ID)
                {
                    counterId = id;
                    registrationId = registration;
                    return id;
                }
            }
        }
        return CountersReader.NULL_COUNTER_ID;
    }

    private static int keyOffset(final int counterId)
    {
        return CountersReader.metaDataOffset(counterId) + CountersReader.KEY_OFFSET +
            NodeCounters.MEMBER_ID_KEY_OFFSET;
    }

    /**
     * @return true if the CnC file of a live, initialised driver of a compatible version is mapped.
     */
    private boolean map(final long nowMs)
    {
        final long length = cncFile.length(); // 0 if it does not exist
        if (length <= CncFileDescriptor.END_OF_METADATA_OFFSET || length > Integer.MAX_VALUE)
        {
            return false;
        }
        final MappedByteBuffer mapped;
        try
        {
            mapped = IoUtil.mapExistingFile(cncFile, FileChannel.MapMode.READ_ONLY, "CnC file");
        }
        catch (final RuntimeException ex)
        {
            return false; // deleted or replaced since: look again next time
        }
        final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
        final int version = metaData.getIntVolatile(CncFileDescriptor.cncVersionOffset(0));
        if (version == 0 || !CncFileDescriptor.isCncFileLengthSufficient(metaData, mapped.capacity()))
        {
            IoUtil.unmap(mapped); // a driver still initialising it
            return false;
        }
        if (SemanticVersion.major(version) != SemanticVersion.major(CncFileDescriptor.CNC_VERSION))
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(cncFile + " is of an Aeron version this reader cannot read: CnC version " +
                SemanticVersion.toString(version) + ", expected " +
                SemanticVersion.toString(CncFileDescriptor.CNC_VERSION));
        }
        final ManyToOneRingBuffer toDriver = new ManyToOneRingBuffer(
            CncFileDescriptor.createToDriverBuffer(mapped, metaData));
        final long heartbeatMs = toDriver.consumerHeartbeatTime();
        if (heartbeatMs <= 0 || nowMs - heartbeatMs > driverTimeoutMs)
        {
            IoUtil.unmap(mapped); // a dead driver's file
            return false;
        }
        cncByteBuffer = mapped;
        this.toDriver = toDriver;
        countersMetaData = CncFileDescriptor.createCountersMetaDataBuffer(mapped, metaData);
        counters = new CountersReader(countersMetaData, CncFileDescriptor.createCountersValuesBuffer(mapped, metaData));
        return true;
    }

    private void unmap()
    {
        if (cncByteBuffer != null)
        {
            final MappedByteBuffer mapped = cncByteBuffer;
            cncByteBuffer = null;
            toDriver = null;
            counters = null;
            countersMetaData = null;
            IoUtil.unmap(mapped);
        }
    }
}

package io.raftlog.samples.faults;

import io.raftlog.check.KvHistory;
import io.raftlog.check.KvOperation;
import io.raftlog.client.ClientContext;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogClientException;
import io.raftlog.codecs.RejectReason;
import io.raftlog.samples.ClientDriver;
import io.raftlog.samples.Members;
import io.raftlog.samples.kv.KvMessages;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The key-value clients of a fault run, on a thread of their own: a few clients, each with one operation at a time
 * (put, compare-and-set or a linearizable get on a handful of keys), every invocation and response recorded in a
 * {@link KvHistory}. A write that gets no answer within its deadline, or whose client fails, has an unknown outcome;
 * a read without an answer is withdrawn.
 */
final class KvFaultClient implements Runnable
{
    private static final int CLIENTS = 3;
    private static final int KEYS = 4;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(5);

    private final String members;
    private final String responseHost;
    private final SplittableRandom random;
    private final KvHistory history = new KvHistory();
    private final Slot[] slots = new Slot[CLIENTS];
    private volatile boolean running = true;
    private volatile String failure;
    private long nextValue = 1;
    private long operations;

    KvFaultClient(final String members, final String responseHost, final long seed)
    {
        this.members = members;
        this.responseHost = responseHost;
        this.random = new SplittableRandom(seed ^ 0x4B56_4641L);
    }

    void stop()
    {
        running = false;
    }

    /**
     * @return the history, once the thread has ended.
     */
    KvHistory history()
    {
        return history;
    }

    long operations()
    {
        return operations;
    }

    String failure()
    {
        return failure;
    }

    public void run()
    {
        try (ClientDriver driver = ClientDriver.launch())
        {
            for (int i = 0; i < CLIENTS; i++)
            {
                slots[i] = new Slot(i + 1);
            }
            while (running)
            {
                int work = 0;
                for (final Slot slot : slots)
                {
                    work += slot.step(driver);
                }
                if (work == 0)
                {
                    Thread.sleep(1);
                }
            }
            for (final Slot slot : slots)
            {
                slot.giveUp();
                CloseHelper.quietClose(slot.client);
            }
        }
        catch (final Exception ex)
        {
            failure = ex.toString();
        }
    }

    private final class Slot implements RaftlogClient.ResultHandler, RaftlogClient.QueryHandler
    {
        private final int clientId;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        private RaftlogClient client;
        private int historyId = -1;
        private KvOperation.Kind kind;
        private long sequence;
        private long correlationId;
        private long deadlineNs;
        private long retryAtNs;

        Slot(final int clientId)
        {
            this.clientId = clientId;
        }

        int step(final ClientDriver driver)
        {
            final long nowNs = System.nanoTime();
            if (client == null || client.isFailed())
            {
                giveUp();
                CloseHelper.quietClose(client);
                client = null;
                if (nowNs - retryAtNs < 0)
                {
                    return 0;
                }
                try
                {
                    client = RaftlogClient.connect(new ClientContext()
                        .aeron(driver.aeron())
                        .members(Members.parse(members))
                        .responseHost(responseHost)
                        .noLeaderTimeoutNs(TimeUnit.SECONDS.toNanos(3)), this);
                    client.queryHandler(this);
                }
                catch (final RaftlogClientException ex)
                {
                    retryAtNs = nowNs + TimeUnit.MILLISECONDS.toNanos(200);
                    return 0;
                }
            }
            int work = client.poll();
            if (historyId >= 0 && nowNs - deadlineNs > 0)
            {
                giveUp();
                work++;
            }
            if (historyId < 0 && running)
            {
                begin(nowNs);
                work++;
            }
            return work;
        }

        private void begin(final long nowNs)
        {
            final String key = "k" + random.nextInt(KEYS);
            final int choice = random.nextInt(10);
            final int length;
            if (choice < 4)
            {
                kind = KvOperation.Kind.GET;
                length = KvMessages.encodeGet(buffer, key);
                historyId = history.invokeGet(clientId, key, nowNs);
                correlationId = client.query(buffer, 0, length, false);
                if (correlationId < 0)
                {
                    history.fail(historyId);
                    historyId = -1;
                    return;
                }
            }
            else
            {
                final String value = "c" + clientId + "-" + nextValue++;
                if (choice < 7)
                {
                    kind = KvOperation.Kind.PUT;
                    length = KvMessages.encodePut(buffer, key, value);
                    historyId = history.invokePut(clientId, key, value, nowNs);
                }
                else
                {
                    kind = KvOperation.Kind.CAS;
                    final String expected = random.nextBoolean() ? null : "c" + (1 + random.nextInt(CLIENTS)) + "-" +
                        (1 + random.nextLong(Math.max(1, nextValue - 1)));
                    length = KvMessages.encodeCas(buffer, key, expected, value);
                    historyId = history.invokeCas(clientId, key, expected, value, nowNs);
                }
                sequence = client.offer(buffer, 0, length);
                if (sequence < 0)
                {
                    history.fail(historyId); // never sent
                    historyId = -1;
                    return;
                }
            }
            operations++;
            deadlineNs = nowNs + DEADLINE_NS;
        }

        void giveUp()
        {
            if (historyId < 0)
            {
                return;
            }
            if (kind == KvOperation.Kind.GET)
            {
                history.fail(historyId); // it observed nothing
            }
            else
            {
                history.unknown(historyId); // it may still take effect, or never
            }
            historyId = -1;
        }

        public void onApplied(
            final long sequence, final long index, final boolean hasResult, final DirectBuffer result,
            final int offset, final int length)
        {
            if (historyId < 0 || kind == KvOperation.Kind.GET || sequence != this.sequence)
            {
                return; // an answer to a write given up on: its outcome stays unknown
            }
            final long nowNs = System.nanoTime();
            if (kind == KvOperation.Kind.PUT)
            {
                history.ok(historyId, nowNs);
            }
            else if (hasResult && length > 0)
            {
                history.okCas(historyId, KvMessages.Result.decode(result, offset, length).status() == KvMessages.OK,
                    nowNs);
            }
            else
            {
                history.unknown(historyId); // a retry answered from the dedup table: applied once, result not kept
            }
            historyId = -1;
        }

        public void onAnswer(
            final long correlationId, final long readIndex, final DirectBuffer result, final int offset,
            final int length)
        {
            if (historyId < 0 || kind != KvOperation.Kind.GET || correlationId != this.correlationId)
            {
                return;
            }
            final KvMessages.Result read = KvMessages.Result.decode(result, offset, length);
            history.okGet(historyId, read.status() == KvMessages.ABSENT ? null : read.value(), System.nanoTime());
            historyId = -1;
        }

        public void onRefused(final long correlationId, final RejectReason reason)
        {
            if (historyId >= 0 && kind == KvOperation.Kind.GET && correlationId == this.correlationId)
            {
                history.fail(historyId);
                historyId = -1;
            }
        }
    }
}

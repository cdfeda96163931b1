package io.raftlog.codecs;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The codecs sit on the agent's hot path, so after warm-up they must allocate nothing: measured with the JVM's
 * per-thread allocation counter, not claimed.
 */
class ZeroAllocationTest
{
    private static final int WARM_UP = 200_000;
    private static final int MEASURED = 100_000;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private final LogEntryCodec codec = new LogEntryCodec();
    private final LogEntryCodec copyingCodec = new LogEntryCodec(false);
    private final MessageValidator validator = new MessageValidator();
    private final UnsafeBuffer payload = new UnsafeBuffer(SampleMessages.bytes(200, 1));
    private long sink;

    @Test
    void encodingAndValidatingARecordOnHeapAllocatesNothing()
    {
        assertAllocationFree(codec, new UnsafeBuffer(new byte[4096]));
    }

    @Test
    void encodingAndValidatingARecordOffHeapAllocatesNothing()
    {
        assertTrue(codec.checksumsInPlace());
        assertAllocationFree(codec, new UnsafeBuffer(ByteBuffer.allocateDirect(4096)));
    }

    @Test
    void encodingAndValidatingARecordOffHeapThroughTheCopyPathAllocatesNothing()
    {
        assertAllocationFree(copyingCodec, new UnsafeBuffer(ByteBuffer.allocateDirect(4096)));
    }

    @Test
    void validatingAnAppendEntriesMessageAllocatesNothing()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
        final int length = SampleMessages.APPEND_ENTRIES_THREE.encode(buffer, 0);
        final int clientLength = SampleMessages.OPEN_SESSION_RESPONSE.encode(buffer, 4096);

        for (int i = 0; i < WARM_UP; i++)
        {
            sink += validator.validate(buffer, 0, length) + validator.validate(buffer, 4096, clientLength);
        }

        final long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++)
        {
            sink += validator.validate(buffer, 0, length) + validator.validate(buffer, 4096, clientLength);
        }
        final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertEquals((long)(AppendEntriesDecoder.TEMPLATE_ID + OpenSessionResponseDecoder.TEMPLATE_ID) *
            (WARM_UP + MEASURED), sink);
        assertTrue(allocated < MEASURED, allocated + " bytes over " + MEASURED + " validations");
    }

    private void assertAllocationFree(final LogEntryCodec codec, final MutableDirectBuffer buffer)
    {
        for (int i = 0; i < WARM_UP; i++)
        {
            sink += encodeAndValidate(codec, buffer, i);
        }

        final long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++)
        {
            sink += encodeAndValidate(codec, buffer, i);
        }
        final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertEquals(0, sink, "every run validated");
        assertTrue(allocated < MEASURED, allocated + " bytes over " + MEASURED + " encode+validate iterations");
    }

    private int encodeAndValidate(final LogEntryCodec codec, final MutableDirectBuffer buffer, final int i)
    {
        final int size = i & 127;
        int length = codec.encode(buffer, 0, i, 1, i, EntryType.APPLICATION, payload, 0, size);
        length += codec.encode(buffer, length, i + 1L, 2, i, EntryType.NOOP, payload, 3, size + 50);
        return codec.validateRun(buffer, 0, length, 2, i) + (codec.isChecksumValid(buffer, 0, size + 36) ? 0 : 1);
    }
}

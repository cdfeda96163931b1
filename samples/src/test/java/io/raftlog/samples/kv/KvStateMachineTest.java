package io.raftlog.samples.kv;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The key-value store's state machine on its own: what each command does and answers, and a snapshot that restores
 * the same state.
 */
class KvStateMachineTest
{
    private final KvStateMachine store = new KvStateMachine();
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[1024]);
    private final ExpandableArrayBuffer result = new ExpandableArrayBuffer();
    private long index;

    @Test
    void putSetsAndGetReads()
    {
        assertEquals(new KvMessages.Result(KvMessages.OK, "3"), apply(KvMessages.encodePut(command, "x", "3")));
        assertEquals(new KvMessages.Result(KvMessages.OK, "3"), get("x"));
        assertEquals(new KvMessages.Result(KvMessages.ABSENT, null), get("y"));
    }

    @Test
    void compareAndSetSwapsOnlyWhenTheCurrentValueIsTheExpectedOne()
    {
        apply(KvMessages.encodePut(command, "x", "3"));
        assertEquals(new KvMessages.Result(KvMessages.OK, "4"), apply(KvMessages.encodeCas(command, "x", "3", "4")));
        assertEquals(new KvMessages.Result(KvMessages.NOT_SWAPPED, "4"),
            apply(KvMessages.encodeCas(command, "x", "3", "5")), "the loser learns what won");
        assertEquals("4", get("x").value());
        assertEquals(new KvMessages.Result(KvMessages.OK, "new"),
            apply(KvMessages.encodeCas(command, "z", null, "new")), "expected absent");
        assertEquals(new KvMessages.Result(KvMessages.NOT_SWAPPED, "new"),
            apply(KvMessages.encodeCas(command, "z", null, "newer")));
    }

    @Test
    void deleteRemoves()
    {
        apply(KvMessages.encodePut(command, "x", "3"));
        apply(KvMessages.encodeDelete(command, "x"));
        assertEquals(KvMessages.ABSENT, get("x").status());
    }

    @Test
    void anEntryThatIsNotACommandChangesNothingAndAnswersNothing()
    {
        apply(KvMessages.encodePut(command, "x", "3"));
        command.putByte(0, (byte)9);
        assertNull(apply(5));
        command.putByte(0, KvMessages.PUT);
        command.putByte(1, (byte)1);
        command.putInt(2, 1_000_000); // a key longer than the entry
        assertNull(apply(12));
        assertEquals(Map.of("x", "3"), store.contents());
    }

    @Test
    void aSnapshotRestoresTheSameStateAndWritesTheSameBytesForTheSameState()
    {
        for (int i = 0; i < 100; i++)
        {
            apply(KvMessages.encodePut(command, "k" + i, "v" + i));
        }
        apply(KvMessages.encodeDelete(command, "k7"));
        final ExpandableArrayBuffer snapshot = new ExpandableArrayBuffer();
        final int length = store.snapshot(snapshot);

        final KvStateMachine restored = new KvStateMachine();
        restored.restore(index, snapshot, 0, length);
        assertEquals(store.contents(), restored.contents());
        assertEquals(index, restored.appliedIndex());
        final ExpandableArrayBuffer again = new ExpandableArrayBuffer();
        assertEquals(length, restored.snapshot(again));
        assertEquals(toHex(snapshot, length), toHex(again, length), "deterministic bytes");

        final KvStateMachine empty = new KvStateMachine();
        empty.restore(5, snapshot, 0, 0);
        assertEquals(Map.of(), empty.contents());
    }

    private KvMessages.Result apply(final int length)
    {
        final int resultLength = store.apply(++index, 0, command, 0, length, result);
        return resultLength == 0 ? null : KvMessages.Result.decode(result, 0, resultLength);
    }

    private KvMessages.Result get(final String key)
    {
        final UnsafeBuffer query = new UnsafeBuffer(new byte[256]);
        final int length = KvMessages.encodeGet(query, key);
        return KvMessages.Result.decode(result, 0, store.query(query, 0, length, result));
    }

    private static String toHex(final ExpandableArrayBuffer buffer, final int length)
    {
        final StringBuilder hex = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            hex.append(String.format("%02x", buffer.getByte(i)));
        }
        return hex.toString();
    }
}

package io.raftlog.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * Values drawn from fuzz input with a bias toward the ones a state machine branches on: a term or an index near the
 * receiver's own (equal, one off, a little off), the edges of the type, and only then anything at all. Uniform
 * 64-bit values would almost never land where {@code term == currentTerm} or {@code prevLogIndex == lastIndex}.
 * <p>
 * Once the input runs out, {@link FuzzedDataProvider} returns the smallest choice, so every draw stays defined.
 */
final class Draw
{
    private Draw()
    {
    }

    /**
     * @return a value near {@code pivot}, an edge value, or any value.
     */
    static long near(final FuzzedDataProvider data, final long pivot)
    {
        switch (data.consumeInt(0, 7))
        {
            case 0: return pivot;
            case 1: return pivot + 1;
            case 2: return pivot - 1;
            case 3: return pivot + data.consumeInt(-4, 4);
            case 4: return data.consumeLong(0, 16);
            case 5: return data.pickValue(EDGES);
            case 6: return data.consumeLong(0, 1 << 20);
            default: return data.consumeLong();
        }
    }

    /**
     * @return one of {@code ids}, an id no member has, or any int.
     */
    static int memberId(final FuzzedDataProvider data, final int[] ids)
    {
        switch (data.consumeInt(0, 5))
        {
            case 0:
            case 1:
            case 2: return ids[data.consumeInt(0, ids.length - 1)];
            case 3: return data.consumeInt(0, 8);
            case 4: return data.pickValue(INT_EDGES);
            default: return data.consumeInt();
        }
    }

    /**
     * @return one of {@code validCodes} mostly, else any byte: an enum field on the wire.
     */
    static byte enumCode(final FuzzedDataProvider data, final int validCodes)
    {
        return data.consumeInt(0, 7) == 0 ? data.consumeByte() : (byte)data.consumeInt(0, validCodes - 1);
    }

    /**
     * @return a length for a var-data field: short mostly, sometimes up to {@code max}.
     */
    static int length(final FuzzedDataProvider data, final int max)
    {
        return data.consumeBoolean() ? data.consumeInt(0, Math.min(16, max)) : data.consumeInt(0, max);
    }

    private static final long[] EDGES = {-1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, 1L << 32};
    private static final int[] INT_EDGES = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 63, 64};
}

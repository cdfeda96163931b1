package io.raftlog.check;

import java.util.Objects;

/**
 * One operation of a key-value history as its client saw it: what it asked, when it asked and, if it heard back,
 * when and what it heard.
 * <p>
 * Values are strings and {@code null} means absent. An operation whose outcome the client never learnt (it timed
 * out or crashed) has {@link #UNKNOWN_RESPONSE_NS} as its response time: a PUT, DELETE or CAS of that kind may have
 * taken effect at any instant after its invocation, or never, and it has no observed result to match.
 */
public final class KvOperation
{
    /**
     * The response time of an operation whose outcome is unknown: its interval never closes.
     */
    public static final long UNKNOWN_RESPONSE_NS = Long.MAX_VALUE;

    public enum Kind
    {
        /** Sets the key to {@link #value()}. */
        PUT,
        /** Reads the key; {@link #read()} is what it returned. */
        GET,
        /** Makes the key absent. */
        DELETE,
        /** Sets the key to {@link #value()} if and only if it holds {@link #expected()}; {@link #swapped()} says so. */
        CAS
    }

    private final int id;
    private final int clientId;
    private final Kind kind;
    private final String key;
    private final String expected;
    private final String value;
    private final long invokeNs;
    private final long responseNs;
    private final String read;
    private final boolean swapped;

    private KvOperation(
        final int id,
        final int clientId,
        final Kind kind,
        final String key,
        final String expected,
        final String value,
        final long invokeNs,
        final long responseNs,
        final String read,
        final boolean swapped)
    {
        this.id = id;
        this.clientId = clientId;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.key = Objects.requireNonNull(key, "key");
        this.expected = expected;
        this.value = value;
        this.invokeNs = invokeNs;
        this.responseNs = responseNs;
        this.read = read;
        this.swapped = swapped;
        if (responseNs < invokeNs)
        {
            throw new IllegalArgumentException("response before invocation: " + this);
        }
    }

    /**
     * @param responseNs when the client heard it succeed, or {@link #UNKNOWN_RESPONSE_NS}.
     */
    public static KvOperation put(
        final int id, final int clientId, final String key, final String value, final long invokeNs,
        final long responseNs)
    {
        return new KvOperation(id, clientId, Kind.PUT, key, null, value, invokeNs, responseNs, null, false);
    }

    /**
     * @param responseNs when the client heard it succeed, or {@link #UNKNOWN_RESPONSE_NS}.
     */
    public static KvOperation delete(
        final int id, final int clientId, final String key, final long invokeNs, final long responseNs)
    {
        return new KvOperation(id, clientId, Kind.DELETE, key, null, null, invokeNs, responseNs, null, false);
    }

    /**
     * @param read what the read returned, {@code null} for absent; ignored when the outcome is unknown.
     */
    public static KvOperation get(
        final int id, final int clientId, final String key, final String read, final long invokeNs,
        final long responseNs)
    {
        final String observed = responseNs == UNKNOWN_RESPONSE_NS ? null : read;
        return new KvOperation(id, clientId, Kind.GET, key, null, null, invokeNs, responseNs, observed, false);
    }

    /**
     * @param swapped whether the client was told the value was swapped; ignored when the outcome is unknown.
     */
    public static KvOperation cas(
        final int id, final int clientId, final String key, final String expected, final String value,
        final boolean swapped, final long invokeNs, final long responseNs)
    {
        final boolean observed = responseNs != UNKNOWN_RESPONSE_NS && swapped;
        return new KvOperation(id, clientId, Kind.CAS, key, expected, value, invokeNs, responseNs, null, observed);
    }

    /**
     * @return this operation completed at {@code responseNs} with the given observation.
     */
    KvOperation complete(final long responseNs, final String read, final boolean swapped)
    {
        return new KvOperation(id, clientId, kind, key, expected, value, invokeNs, responseNs, read, swapped);
    }

    public int id()
    {
        return id;
    }

    public int clientId()
    {
        return clientId;
    }

    public Kind kind()
    {
        return kind;
    }

    public String key()
    {
        return key;
    }

    /**
     * @return the value a CAS compares against, {@code null} for absent.
     */
    public String expected()
    {
        return expected;
    }

    /**
     * @return the value a PUT or a swapping CAS writes, {@code null} for absent.
     */
    public String value()
    {
        return value;
    }

    public long invokeNs()
    {
        return invokeNs;
    }

    /**
     * @return when the client heard back, or {@link #UNKNOWN_RESPONSE_NS}.
     */
    public long responseNs()
    {
        return responseNs;
    }

    public boolean isUnknown()
    {
        return responseNs == UNKNOWN_RESPONSE_NS;
    }

    /**
     * @return what a completed GET returned, {@code null} for absent.
     */
    public String read()
    {
        return read;
    }

    /**
     * @return whether a completed CAS was told it swapped.
     */
    public boolean swapped()
    {
        return swapped;
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder(64)
            .append('#').append(id).append(" client ").append(clientId).append(' ').append(kind).append(' ')
            .append(key);
        switch (kind)
        {
            case PUT:
                sb.append(" := ").append(quote(value));
                break;

            case GET:
                if (!isUnknown())
                {
                    sb.append(" -> ").append(quote(read));
                }
                break;

            case CAS:
                sb.append(' ').append(quote(expected)).append(" -> ").append(quote(value));
                if (!isUnknown())
                {
                    sb.append(swapped ? " swapped" : " not swapped");
                }
                break;

            default:
                break;
        }
        sb.append(" [").append(invokeNs).append(", ");
        return isUnknown() ? sb.append("?) unknown").toString() : sb.append(responseNs).append(']').toString();
    }

    static String quote(final String value)
    {
        return null == value ? "absent" : '"' + value + '"';
    }
}

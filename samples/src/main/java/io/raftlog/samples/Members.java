package io.raftlog.samples;

import java.util.Map;
import java.util.TreeMap;

/**
 * The members of a cluster as the command line gives them: {@code 1=127.0.0.1:20001,2=127.0.0.1:20002,...}.
 */
public final class Members
{
    private Members()
    {
    }

    /**
     * @return member id to {@code host:port}, in id order.
     * @throws IllegalArgumentException naming the bad part.
     */
    public static Map<Integer, String> parse(final String text)
    {
        final Map<Integer, String> endpoints = new TreeMap<>();
        if (text == null || text.isBlank())
        {
            throw new IllegalArgumentException("--members: empty; expected 1=host:port,2=host:port,...");
        }
        for (final String part : text.split(","))
        {
            final String member = part.trim();
            final int equals = member.indexOf('=');
            if (equals <= 0)
            {
                throw new IllegalArgumentException("--members: '" + member + "' is not id=host:port");
            }
            final int id;
            try
            {
                id = Integer.parseInt(member.substring(0, equals).trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--members: '" + member + "' has no numeric id");
            }
            if (id <= 0)
            {
                throw new IllegalArgumentException("--members: id " + id + " must be positive");
            }
            final String endpoint = member.substring(equals + 1).trim();
            checkEndpoint("--members", endpoint, " of member " + id);
            if (endpoints.put(id, endpoint) != null)
            {
                throw new IllegalArgumentException("--members: member " + id + " given twice");
            }
        }
        return endpoints;
    }

    static int[] ids(final Map<Integer, String> endpoints)
    {
        return endpoints.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * Checks that {@code endpoint} is {@code host:port} with a port in 1..65535.
     *
     * @param option what gave it, for the message.
     * @param whose  whose it is, for the message (" of member 2"), or an empty string.
     * @throws IllegalArgumentException naming the bad part.
     */
    public static void checkEndpoint(final String option, final String endpoint, final String whose)
    {
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1)
        {
            throw new IllegalArgumentException(option + ": '" + endpoint + "'" + whose + " is not host:port");
        }
        final int port;
        try
        {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + ": the port in '" + endpoint + "'" + whose + " is not a number");
        }
        if (port <= 0 || port > 65535)
        {
            throw new IllegalArgumentException(option + ": port " + port + whose + " is not in 1..65535");
        }
    }
}

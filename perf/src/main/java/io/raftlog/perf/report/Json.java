package io.raftlog.perf.report;

/**
 * The little JSON the report writes by hand: strings escaped per RFC 8259, numbers as numbers, null where there is
 * no finite value.
 */
final class Json
{
    private Json()
    {
    }

    static String string(final String value)
    {
        if (value == null)
        {
            return "null";
        }
        final StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    // control characters, and the two line separators JavaScript does not take raw in a string
                    if (c < 0x20 || c == '\u2028' || c == '\u2029')
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * @return the number, integral values without a fraction; {@code null} for NaN or an infinity.
     */
    static String number(final double value)
    {
        if (!Double.isFinite(value))
        {
            return "null";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            return Long.toString((long)value);
        }
        return Double.toString(value); // "1.5", "1.0E-5": both JSON numbers
    }
}

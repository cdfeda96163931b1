package io.raftlog.perf.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain ASCII table with aligned columns: the first column left-aligned, the others right-aligned unless told.
 */
final class TextTable
{
    private final String[] headers;
    private final boolean[] leftAligned;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(final String... headers)
    {
        this.headers = headers.clone();
        this.leftAligned = new boolean[headers.length];
        this.leftAligned[0] = true;
    }

    TextTable leftAligned(final int... columns)
    {
        for (final int column : columns)
        {
            leftAligned[column] = true;
        }
        return this;
    }

    TextTable row(final String... cells)
    {
        if (cells.length != headers.length)
        {
            throw new IllegalArgumentException(
                "expected " + headers.length + " cells, got " + cells.length + ": " + Arrays.toString(cells));
        }
        rows.add(cells.clone());
        return this;
    }

    boolean isEmpty()
    {
        return rows.isEmpty();
    }

    /**
     * @param indent prefix of every line.
     * @return the header, a rule, then the rows, each line ending with a newline, trailing spaces trimmed.
     */
    String render(final String indent)
    {
        final int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++)
        {
            widths[i] = headers[i].length();
        }
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }

        final StringBuilder sb = new StringBuilder();
        line(sb, indent, headers, widths);
        final String[] rule = new String[headers.length];
        for (int i = 0; i < rule.length; i++)
        {
            rule[i] = "-".repeat(widths[i]);
        }
        line(sb, indent, rule, widths);
        for (final String[] row : rows)
        {
            line(sb, indent, row, widths);
        }
        return sb.toString();
    }

    private void line(final StringBuilder sb, final String indent, final String[] cells, final int[] widths)
    {
        final StringBuilder line = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++)
        {
            if (i > 0)
            {
                line.append("  ");
            }
            final String pad = " ".repeat(widths[i] - cells[i].length());
            if (leftAligned[i])
            {
                line.append(cells[i]).append(pad);
            }
            else
            {
                line.append(pad).append(cells[i]);
            }
        }
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ')
        {
            end--;
        }
        sb.append(line, 0, end).append('\n');
    }
}

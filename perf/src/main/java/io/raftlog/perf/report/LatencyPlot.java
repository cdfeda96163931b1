package io.raftlog.perf.report;

import org.HdrHistogram.Histogram;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The latency percentile distribution of the systems of one scenario on one chart, the way HdrHistogram's plotter
 * draws it: the x axis is {@code log10(1 / (1 - percentile))}, so that 90%, 99%, 99.9%... are one decade apart, and
 * is labelled in percentiles; the y axis is the latency in microseconds, logarithmic where the values span more than
 * a decade or so.
 */
final class LatencyPlot
{
    /**
     * Samples per decade of the x axis.
     */
    private static final int STEPS_PER_DECADE = 50;
    private static final int MIN_DECADES = 3;
    private static final int MAX_DECADES = 9;
    private static final double LOG_Y_SPAN = 20.0;
    private static final double MEDIAN_X = Math.log10(2.0);

    static
    {
        // charts need AWT, and the harness has no display
        if (System.getProperty("java.awt.headless") == null)
        {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private LatencyPlot()
    {
    }

    /**
     * One series: a name in the legend and its latencies (nanoseconds).
     */
    record Series(String name, Histogram histogramNs)
    {
    }

    static XYChart chart(final String title, final List<Series> seriesList, final int width, final int height)
    {
        int decades = MIN_DECADES;
        for (final Series series : seriesList)
        {
            decades = Math.max(decades, (int)Math.ceil(lastX(series.histogramNs()) - 1e-9));
        }
        decades = Math.min(decades, MAX_DECADES);

        final XYChart chart = new XYChartBuilder()
            .width(width)
            .height(height)
            .title(title)
            .xAxisTitle("percentile")
            .yAxisTitle("latency (\u00b5s)")
            .build();

        double minY = Double.MAX_VALUE;
        double maxY = 0;
        final List<double[][]> data = new ArrayList<>();
        for (final Series series : seriesList)
        {
            final double[][] xy = sample(series.histogramNs(), decades);
            data.add(xy);
            for (final double y : xy[1])
            {
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
            }
        }
        final boolean logY = minY > 0 && maxY / minY >= LOG_Y_SPAN;

        final XYStyler styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(0xDD, 0xDD, 0xDD));
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setAntiAlias(true);
        styler.setXAxisMin(0.0);
        styler.setXAxisMax((double)decades);
        // the linear axis of log10(1 / (1 - p)) steps one decade at a time when the spacing hint is about a
        // decade's width; the hint is also the smallest height the y axis is drawn with, hence the cap
        final double plotWidth = 0.92 * (width - 110);
        final double plotHeight = 0.92 * (height - 170);
        styler.setXAxisTickMarkSpacingHint((int)Math.max(40, Math.min(plotWidth / decades, 0.8 * plotHeight)));
        styler.setxAxisTickLabelsFormattingFunction(LatencyPlot::percentileLabel);
        styler.setYAxisLogarithmic(logY);
        styler.setYAxisLogarithmicDecadeOnly(true);
        styler.setYAxisDecimalPattern("#,##0.###");
        styler.setAnnotationLineColor(Color.GRAY);
        styler.setAnnotationLineStroke(
            new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        styler.setAnnotationTextFontColor(Color.GRAY);
        styler.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        for (int i = 0; i < seriesList.size(); i++)
        {
            final XYSeries xySeries = chart.addSeries(seriesList.get(i).name(), data.get(i)[0], data.get(i)[1]);
            xySeries.setMarker(SeriesMarkers.NONE);
            xySeries.setLineWidth(2f);
        }

        if (maxY > 0)
        {
            // the median sits between the decade ticks: mark it
            chart.addAnnotation(new AnnotationLine(MEDIAN_X, true, false));
            final double textX = MEDIAN_X + 0.035 * decades;
            final double textY = maxY;
            chart.addAnnotation(new AnnotationText("50%", textX, textY, false));
        }
        return chart;
    }

    static void writePng(final XYChart chart, final Path file) throws IOException
    {
        try (OutputStream out = Files.newOutputStream(file))
        {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /**
     * @return {@code log10(1 / (1 - p))} of the last percentile the histogram resolves, {@code 1 - 1 / count}.
     */
    static double lastX(final Histogram histogram)
    {
        final long count = histogram.getTotalCount();
        return count <= 1 ? 0.0 : Math.log10((double)count);
    }

    /**
     * @return x (decades) and y (microseconds) of the histogram from 0% up to its last resolved percentile or the
     * axis' end, whichever comes first, then its maximum.
     */
    static double[][] sample(final Histogram histogram, final int decades)
    {
        final double lastX = Math.min(lastX(histogram), decades);
        final int steps = (int)Math.floor(lastX * STEPS_PER_DECADE);
        final List<double[]> points = new ArrayList<>(steps + 3);
        boolean medianAdded = false;
        for (int i = 0; i <= steps; i++)
        {
            final double x = (double)i / STEPS_PER_DECADE;
            if (!medianAdded && x >= MEDIAN_X && MEDIAN_X <= lastX)
            {
                medianAdded = true;
                if (x != MEDIAN_X)
                {
                    points.add(point(histogram, MEDIAN_X));
                }
            }
            points.add(point(histogram, x));
        }
        if (lastX > (double)steps / STEPS_PER_DECADE)
        {
            points.add(point(histogram, lastX));
        }
        // beyond the last resolved percentile there is only the maximum
        points.add(new double[] {lastX, histogram.getMaxValue() / 1000.0});

        final double[][] xy = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++)
        {
            xy[0][i] = points.get(i)[0];
            xy[1][i] = points.get(i)[1];
        }
        return xy;
    }

    private static double[] point(final Histogram histogram, final double x)
    {
        final double percentile = Math.min(100.0, 100.0 * (1.0 - Math.pow(10.0, -x)));
        return new double[] {x, histogram.getValueAtPercentile(percentile) / 1000.0};
    }

    /**
     * @return the percentile at {@code x = log10(1 / (1 - p))}: "0%", "90%", "99%", "99.9%"... at whole decades,
     * with as many decimals as its decade needs in between; empty left of the axis.
     */
    static String percentileLabel(final Double x)
    {
        if (x == null || x < -1e-9 || !Double.isFinite(x))
        {
            return "";
        }
        final double rounded = Math.rint(x);
        final boolean wholeDecade = Math.abs(x - rounded) < 1e-6;
        final int decimals = wholeDecade ? Math.max(0, (int)rounded - 2) : Math.max(0, (int)Math.ceil(x) - 1);
        final double percentile = 100.0 * (1.0 - Math.pow(10.0, -(wholeDecade ? rounded : x)));
        return BigDecimal.valueOf(percentile)
            .setScale(decimals, RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString() + "%";
    }
}

package io.raftkit.verifier.report;

import io.raftkit.verifier.runner.Recorded;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code latency.png} (each operation's latency against its start, coloured by outcome) and
 * {@code rate.png} (completions per second by outcome), both with the fault intervals shaded.
 */
public final class Plots {

    private static final Color OK = new Color(0x33, 0xaa, 0x33);
    private static final Color FAIL = new Color(0xcc, 0x33, 0x33);
    private static final Color INFO = new Color(0xee, 0x99, 0x00);
    private static final Color FAULT = new Color(120, 120, 120, 50);

    private Plots() {
    }

    public static void write(List<Recorded> events, Path dir) throws IOException {
        long end = events.isEmpty() ? 1 : events.get(events.size() - 1).timeNanos();
        List<Operation> ops = Timeline.pair(events);
        List<FaultInterval> faults = Timeline.faults(events, end);
        BitmapEncoder.saveBitmap(latency(ops, faults, end), dir.resolve("latency.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(rate(ops, faults, end), dir.resolve("rate.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart latency(List<Operation> ops, List<FaultInterval> faults, long end) {
        XYChart chart = new XYChartBuilder().width(1000).height(450).title("Latency").xAxisTitle("time (s)")
                .yAxisTitle("latency (ms)").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(3);
        double maxLatency = 1;
        for (String type : List.of("ok", "fail", "info")) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (Operation op : ops) {
                if (op.type().equals(type)) {
                    double ms = Math.max(0.01, (op.endNanos(end) - op.startNanos()) / 1e6);
                    x.add(op.startNanos() / 1e9);
                    y.add(ms);
                    maxLatency = Math.max(maxLatency, ms);
                }
            }
            if (!x.isEmpty()) {
                XYSeries s = chart.addSeries(type, x, y);
                s.setMarkerColor(color(type));
                s.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        shade(chart, faults, maxLatency);
        return chart;
    }

    private static XYChart rate(List<Operation> ops, List<FaultInterval> faults, long end) {
        XYChart chart = new XYChartBuilder().width(1000).height(450).title("Throughput").xAxisTitle("time (s)")
                .yAxisTitle("operations completed per second").build();
        int seconds = (int) (end / 1_000_000_000L) + 1;
        double max = 1;
        for (String type : List.of("ok", "fail", "info")) {
            double[] perSecond = new double[seconds];
            for (Operation op : ops) {
                if (op.type().equals(type) && op.completion() != null) {
                    perSecond[(int) Math.min(seconds - 1, op.completion().timeNanos() / 1_000_000_000L)]++;
                }
            }
            double[] x = new double[seconds];
            for (int i = 0; i < seconds; i++) {
                x[i] = i;
                max = Math.max(max, perSecond[i]);
            }
            XYSeries s = chart.addSeries(type, x, perSecond);
            s.setLineColor(color(type));
            s.setMarker(SeriesMarkers.NONE);
        }
        shade(chart, faults, max);
        return chart;
    }

    /** Each fault interval as a filled band behind the data. */
    private static void shade(XYChart chart, List<FaultInterval> faults, double height) {
        int i = 0;
        for (FaultInterval f : faults) {
            double a = f.startNanos() / 1e9;
            double b = f.endNanos() / 1e9;
            XYSeries band = chart.addSeries("fault " + (++i), new double[] {a, a, b, b}, new double[] {0.01, height, height, 0.01});
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
            band.setFillColor(FAULT);
            band.setLineColor(FAULT);
            band.setMarker(SeriesMarkers.NONE);
            band.setShowInLegend(i == 1);
        }
    }

    private static Color color(String type) {
        return switch (type) {
            case "ok" -> OK;
            case "fail" -> FAIL;
            default -> INFO;
        };
    }
}

package io.saliencystream.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * A line chart of one drift distance over consecutive windows of one series: the distance per
 * window, the open (and resolve) threshold, windows spent learning the reference, windows with
 * too few explanations, where the input changed, and the windows an alert was open in.
 */
public final class DriftPlot {

    /** Size of the image in pixels. */
    public static final int WIDTH = 900;
    public static final int HEIGHT = 420;

    /** Plot area: left, top, right, bottom margins in pixels. */
    static final int LEFT = 70;
    static final int TOP = 48;
    static final int RIGHT = 24;
    static final int BOTTOM = 78;

    static final Color LINE = new Color(0x1f, 0x5f, 0xa8);
    static final Color THRESHOLD = new Color(0xd6, 0x27, 0x28);
    static final Color ALERT_SHADE = new Color(0xfc, 0xd5, 0xd0);
    static final Color LEARN_SHADE = new Color(0xe4, 0xea, 0xf2);
    static final Color SWITCH = new Color(0x6a, 0x3d, 0x9a);
    static final Color ALERT_MARK = new Color(0xb0, 0x10, 0x10);

    /**
     * One window of the series.
     *
     * @param value      the distance, null while there is no reference (learning) or the window had too few grids
     * @param learning   whether the window was folded into the learned reference
     * @param sufficient whether it had enough grids to count
     * @param alertOpen  whether an alert was open after this window
     */
    public record Point(double value, boolean hasValue, boolean learning, boolean sufficient, boolean alertOpen) {

        public static Point of(Double value, boolean learning, boolean sufficient, boolean alertOpen) {
            return new Point(value == null ? Double.NaN : value, value != null, learning, sufficient, alertOpen);
        }
    }

    /**
     * What to draw.
     *
     * @param title          heading (series and metric)
     * @param metric         axis label of the distance
     * @param windowLabels   label under each window (e.g. its start time), one per point
     * @param points         the windows in time order
     * @param openThreshold  value above which windows count towards opening an alert
     * @param resolveThreshold value below which windows count towards resolving it (NaN if the same)
     * @param switchBefore   index of the first window after the input changed, or -1 if none
     */
    public record Chart(String title, String metric, List<String> windowLabels, List<Point> points,
                        double openThreshold, double resolveThreshold, int switchBefore) {

        public Chart {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(metric, "metric");
            windowLabels = List.copyOf(windowLabels);
            points = List.copyOf(points);
            if (points.isEmpty()) {
                throw new IllegalArgumentException("a drift plot needs at least one window");
            }
            if (windowLabels.size() != points.size()) {
                throw new IllegalArgumentException("one label per window: " + windowLabels.size() + " labels for "
                        + points.size() + " windows");
            }
            if (!(openThreshold > 0) || Double.isInfinite(openThreshold)) {
                throw new IllegalArgumentException("open threshold must be a positive number, got " + openThreshold);
            }
            if (switchBefore < -1 || switchBefore > points.size()) {
                throw new IllegalArgumentException("switch index " + switchBefore + " outside -1.." + points.size());
            }
        }
    }

    private DriftPlot() {
    }

    /** The chart as a PNG. */
    public static byte[] png(Chart chart) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(render(chart), "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BufferedImage render(Chart chart) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            Axes axes = Axes.of(chart);
            shadeWindows(g, chart, axes);
            drawAxes(g, chart, axes);
            drawThresholds(g, chart, axes);
            drawSwitch(g, chart, axes);
            drawSeries(g, chart, axes);
            drawText(g, chart, axes);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Windows spread evenly across the plot area; the y axis from 0 to a little above the largest value. */
    record Axes(int windows, double yMax) {

        static Axes of(Chart chart) {
            double max = chart.openThreshold();
            for (Point p : chart.points()) {
                if (p.hasValue()) {
                    max = Math.max(max, p.value());
                }
            }
            return new Axes(chart.points().size(), niceCeiling(max * 1.15));
        }

        double slotWidth() {
            return (WIDTH - LEFT - RIGHT) / (double) windows;
        }

        /** Centre of window {@code i}. */
        int x(int i) {
            return (int) Math.round(LEFT + (i + 0.5) * slotWidth());
        }

        /** Left edge of window {@code i} (i == windows: the right edge of the plot). */
        int edge(int i) {
            return (int) Math.round(LEFT + i * slotWidth());
        }

        int y(double value) {
            return (int) Math.round(HEIGHT - BOTTOM - value / yMax * (HEIGHT - TOP - BOTTOM));
        }
    }

    /** 1, 2, 2.5 or 5 times a power of ten at or above {@code v}. */
    static double niceCeiling(double v) {
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * power >= v - 1e-12) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static void shadeWindows(Graphics2D g, Chart chart, Axes a) {
        for (int i = 0; i < a.windows(); i++) {
            Point p = chart.points().get(i);
            Color shade = p.alertOpen() ? ALERT_SHADE : p.learning() ? LEARN_SHADE : null;
            if (shade != null) {
                g.setColor(shade);
                g.fillRect(a.edge(i), TOP, a.edge(i + 1) - a.edge(i), HEIGHT - TOP - BOTTOM);
            }
        }
    }

    private static void drawAxes(Graphics2D g, Chart chart, Axes a) {
        Font font = Fonts.usable(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setStroke(new BasicStroke(1f));
        int ticks = 5;
        for (int t = 0; t <= ticks; t++) {
            double v = a.yMax() * t / ticks;
            int y = a.y(v);
            g.setColor(new Color(0xe0, 0xe0, 0xe0));
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            if (font != null) {
                g.setFont(font);
                g.setColor(Color.DARK_GRAY);
                String label = String.format(Locale.ROOT, "%.2f", v);
                g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
        if (font == null) {
            return;
        }
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        // a window's start under its left edge; every window if the labels fit, else every n-th
        int every = Math.max(1, (int) Math.ceil(fm.stringWidth("00:00:00") * 1.3 / a.slotWidth()));
        for (int i = 0; i < a.windows(); i += every) {
            String label = chart.windowLabels().get(i);
            g.drawLine(a.edge(i), HEIGHT - BOTTOM, a.edge(i), HEIGHT - BOTTOM + 4);
            g.drawString(label, a.edge(i) - fm.stringWidth(label) / 2, HEIGHT - BOTTOM + 18);
        }
        String axis = "window start (event time, UTC)";
        g.drawString(axis, LEFT + (WIDTH - LEFT - RIGHT - fm.stringWidth(axis)) / 2, HEIGHT - BOTTOM + 36);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(chart.metric(), -(TOP + (HEIGHT - TOP - BOTTOM + fm.stringWidth(chart.metric())) / 2), 16);
        rotated.dispose();
    }

    private static void drawThresholds(Graphics2D g, Chart chart, Axes a) {
        g.setColor(THRESHOLD);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
        g.drawLine(LEFT, a.y(chart.openThreshold()), WIDTH - RIGHT, a.y(chart.openThreshold()));
        if (!Double.isNaN(chart.resolveThreshold()) && chart.resolveThreshold() != chart.openThreshold()) {
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 4f}, 0f));
            g.drawLine(LEFT, a.y(chart.resolveThreshold()), WIDTH - RIGHT, a.y(chart.resolveThreshold()));
        }
    }

    private static void drawSwitch(Graphics2D g, Chart chart, Axes a) {
        if (chart.switchBefore() < 0) {
            return;
        }
        g.setColor(SWITCH);
        g.setStroke(new BasicStroke(2f));
        int x = a.edge(chart.switchBefore());
        g.drawLine(x, TOP, x, HEIGHT - BOTTOM);
    }

    private static void drawSeries(Graphics2D g, Chart chart, Axes a) {
        g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.setColor(LINE);
        Path2D.Double line = null;
        for (int i = 0; i < a.windows(); i++) {
            Point p = chart.points().get(i);
            if (!p.hasValue()) {
                line = flush(g, line);
                continue;
            }
            if (line == null) {
                line = new Path2D.Double();
                line.moveTo(a.x(i), a.y(p.value()));
            } else {
                line.lineTo(a.x(i), a.y(p.value()));
            }
        }
        flush(g, line);
        for (int i = 0; i < a.windows(); i++) {
            Point p = chart.points().get(i);
            if (!p.hasValue()) {
                continue;
            }
            boolean opened = p.alertOpen() && (i == 0 || !chart.points().get(i - 1).alertOpen());
            int r = opened ? 7 : 4;
            g.setColor(opened ? ALERT_MARK : p.sufficient() ? LINE : Color.GRAY);
            g.fillOval(a.x(i) - r, a.y(p.value()) - r, 2 * r, 2 * r);
        }
    }

    private static Path2D.Double flush(Graphics2D g, Path2D.Double line) {
        if (line != null) {
            g.draw(line);
        }
        return null;
    }

    private static void drawText(Graphics2D g, Chart chart, Axes a) {
        Font title = Fonts.usable(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        Font small = Fonts.usable(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        if (title == null || small == null) {
            return;
        }
        g.setFont(title);
        g.setColor(Color.BLACK);
        g.drawString(Fonts.fit(chart.title(), g.getFontMetrics(), WIDTH - 2 * LEFT), LEFT, 24);
        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        if (chart.switchBefore() >= 0) {
            g.setColor(SWITCH);
            int x = a.edge(chart.switchBefore());
            String label = "input changed";
            int tx = x + 4 + fm.stringWidth(label) > WIDTH - RIGHT ? x - 4 - fm.stringWidth(label) : x + 4;
            g.drawString(label, tx, TOP + 14);
        }
        g.setColor(THRESHOLD);
        String threshold = String.format(Locale.ROOT, "threshold %.2f", chart.openThreshold());
        g.drawString(threshold, LEFT + 6, a.y(chart.openThreshold()) - 5);
        for (int i = 0; i < a.windows(); i++) {
            Point p = chart.points().get(i);
            if (p.hasValue() && p.alertOpen() && (i == 0 || !chart.points().get(i - 1).alertOpen())) {
                String opened = String.format(Locale.ROOT, "alert opened (%.3f)", p.value());
                int tx = Math.min(a.x(i) - fm.stringWidth(opened) / 2, WIDTH - RIGHT - fm.stringWidth(opened) - 2);
                int ty = a.y(p.value()) - 12;
                // a light backing so that the line under the label does not cross it
                g.setColor(new Color(255, 255, 255, 200));
                g.fillRect(tx - 2, ty - fm.getAscent(), fm.stringWidth(opened) + 4, fm.getHeight());
                g.setColor(ALERT_MARK);
                g.drawString(opened, tx, ty);
            }
        }
        legend(g, fm);
    }

    /** Key along the bottom edge. */
    private static void legend(Graphics2D g, FontMetrics fm) {
        int y = HEIGHT - 16;
        int x = LEFT;
        x = swatch(g, fm, x, y, LEARN_SHADE, "learning the reference");
        x = swatch(g, fm, x, y, ALERT_SHADE, "alert open");
        g.setColor(ALERT_MARK);
        g.fillOval(x, y - 9, 10, 10);
        g.setColor(Color.DARK_GRAY);
        g.drawString("alert opened", x + 14, y);
        x += 14 + fm.stringWidth("alert opened") + 18;
        g.setColor(Color.GRAY);
        g.fillOval(x + 2, y - 7, 7, 7);
        g.setColor(Color.DARK_GRAY);
        g.drawString("too few explanations", x + 14, y);
    }

    private static int swatch(Graphics2D g, FontMetrics fm, int x, int y, Color color, String text) {
        g.setColor(color);
        g.fillRect(x, y - 10, 14, 12);
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, y - 10, 14, 12);
        g.drawString(text, x + 20, y);
        return x + 20 + fm.stringWidth(text) + 18;
    }
}

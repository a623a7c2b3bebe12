package io.saliencystream.render;

import io.saliencystream.render.OverlayOptions.OverlayType;
import io.saliencystream.render.OverlayOptions.Polarity;
import io.saliencystream.render.OverlayOptions.Type;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Locale;

/**
 * The strip under an overlay: the caption on the left, the legend on the right. The legend is
 * a colour bar from the lower to the upper clip value (for outlines, a swatch per sign), drawn
 * pixel by pixel so it shows even where the platform has no fonts; text is added when it has.
 */
final class Footer {

    static final int HEIGHT = 36;

    private static final Color BACKGROUND = new Color(24, 24, 24);
    private static final int LEGEND_MAX_WIDTH = 220;
    /** Gray the legend composites translucent colours over: a typical image pixel. */
    private static final int MID_GRAY = 0x808080;

    private final OverlayOptions options;
    private final ClippedMap map;
    private final Font captionFont;
    private final Font labelFont;

    private Footer(OverlayOptions options, ClippedMap map, Font captionFont, Font labelFont) {
        this.options = options;
        this.map = map;
        this.captionFont = captionFont;
        this.labelFont = labelFont;
    }

    /** The footer these options ask for, or null when there is nothing to draw. */
    static Footer of(OverlayOptions options, ClippedMap map) {
        Font caption = options.caption() == null ? null : UsableFonts.CAPTION;
        Font label = options.legend() ? UsableFonts.LABEL : null;
        if (caption == null && !options.legend()) {
            return null;
        }
        return new Footer(options, map, caption, label);
    }

    /** The footer's fonts, probed once (on first use) instead of for every overlay; null where unusable. */
    private static final class UsableFonts {
        static final Font CAPTION = Fonts.usable(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        static final Font LABEL = Fonts.usable(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }

    /** Draws into {@code out}, an image of the renderer's (TYPE_INT_RGB), from row {@code top} down. */
    void draw(BufferedImage out, int top) {
        int w = out.getWidth();
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, top, w, HEIGHT);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int legendWidth = options.legend() ? Math.min(LEGEND_MAX_WIDTH, (int) (w * 0.45)) : 0;
            if (captionFont != null) {
                g.setFont(captionFont);
                g.setColor(Color.WHITE);
                FontMetrics fm = g.getFontMetrics();
                String text = Fonts.fit(options.caption(), fm, w - legendWidth - 24);
                g.drawString(text, 8, top + (HEIGHT - fm.getHeight()) / 2 + fm.getAscent());
            }
            if (options.legend()) {
                int x0 = w - legendWidth - 8;
                if (options.type() == Type.OUTLINES) {
                    drawSwatches(out, g, x0, top, legendWidth);
                } else {
                    drawBar(out, g, x0, top, legendWidth);
                }
            }
        } finally {
            g.dispose();
        }
    }

    /** Colour bar: left end is the lower clip, right end the upper clip (both signs: -upper .. +upper). */
    private void drawBar(BufferedImage out, Graphics2D g, int x0, int top, int width) {
        boolean twoSided = options.polarity() == Polarity.BOTH && options.colorMap().signed()
                && options.overlayType() != OverlayType.MASK_BLACK;
        for (int x = 0; x < width; x++) {
            double u = width == 1 ? 1 : (double) x / (width - 1);
            double s = twoSided ? 2 * u - 1 : (options.polarity() == Polarity.NEGATIVE ? -u : u);
            int rgb = barColour(s);
            for (int y = top + 6; y < top + 16; y++) {
                put(out, x0 + x, y, rgb);
            }
        }
        if (labelFont == null) {
            return;
        }
        String sign = options.polarity() == Polarity.NEGATIVE ? "-" : "";
        String magnitude = options.polarity() == Polarity.BOTH && !twoSided ? "|a| " : "";
        if (twoSided) {
            label(g, "-" + number(map.high()), x0, top, -1);
            label(g, map.low() > 0 ? "\u00b1" + number(map.low()) : "0", x0 + width / 2, top, 0);
            label(g, "+" + number(map.high()), x0 + width, top, 1);
        } else {
            label(g, magnitude + (map.low() > 0 ? sign : "") + number(map.low()), x0, top, -1);
            label(g, sign + number(map.high()), x0 + width, top, 1);
        }
    }

    /** What a pixel of strength s looks like over a typical background. */
    private int barColour(double s) {
        ColorMap cm = options.colorMap();
        double t = Math.abs(s);
        return switch (options.overlayType()) {
            case MASK_BLACK -> OverlayRenderer.blend(0, 0xffffff, t);
            case NONE -> cm.strengthAsOpacity() ? OverlayRenderer.blend(0, cm.colour(s), t) : cm.colour(s);
            default -> OverlayRenderer.blend(MID_GRAY, cm.colour(s), options.maxAlpha() * cm.opacity(s));
        };
    }

    /** Outlines: a swatch per drawn sign and the magnitude from which regions start. */
    private void drawSwatches(BufferedImage out, Graphics2D g, int x0, int top, int width) {
        boolean positive = options.polarity() != Polarity.NEGATIVE;
        boolean negative = options.polarity() != Polarity.POSITIVE;
        int x = x0;
        for (boolean sign : new boolean[] {true, false}) {
            if (sign ? !positive : !negative) {
                continue;
            }
            int rgb = options.colorMap().colour(sign ? 1 : -1);
            for (int dx = 0; dx < 24; dx++) {
                for (int y = top + 8; y < top + 12; y++) {
                    put(out, x + dx, y, rgb);
                }
            }
            if (labelFont != null) {
                g.setFont(labelFont);
                g.setColor(Color.LIGHT_GRAY);
                g.drawString(sign ? "+" : "-", x + 28, top + 14);
            }
            x += 44;
        }
        if (labelFont != null) {
            String text = "top " + options.outlineRegions() + " regions, |a| \u2265 " + number(map.low());
            label(g, text, x0, top, -1);
        }
    }

    /**
     * One legend pixel, where it falls inside the image: the legend is laid out for overlays of
     * at least 134 pixels, and on narrower ones (a 28x28 map at scale 4 is 112) it is cut.
     * Written into the pixel buffer (setRGB converted each pixel through the colour model, most
     * of the footer's time).
     */
    private static void put(BufferedImage out, int x, int y, int rgb) {
        if (x >= 0 && x < out.getWidth()) {
            ((DataBufferInt) out.getRaster().getDataBuffer()).getData()[y * out.getWidth() + x] = rgb & 0xffffff;
        }
    }

    /** A label under the bar: align -1 starts at x, 0 centres on x, 1 ends at x. */
    private void label(Graphics2D g, String text, int x, int top, int align) {
        g.setFont(labelFont);
        g.setColor(Color.LIGHT_GRAY);
        int tw = g.getFontMetrics().stringWidth(text);
        g.drawString(text, align < 0 ? x : align == 0 ? x - tw / 2 : x - tw, top + 30);
    }

    static String number(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1e-3 && a < 1e4
                ? stripZeros(String.format(Locale.ROOT, "%.3g", v))
                : String.format(Locale.ROOT, "%.2e", v);
    }

    /** Trailing zeros of a decimal fraction cut, and then a trailing point (as the regular expressions 0+$ and \.$ would). */
    private static String stripZeros(String s) {
        if (!s.contains(".")) {
            return s;
        }
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        return s.substring(0, s.charAt(end - 1) == '.' ? end - 1 : end);
    }
}

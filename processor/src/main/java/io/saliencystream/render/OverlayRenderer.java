package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Draws positive attribution as a heat map over a grayscale copy of the image, upscaled, with
 * an optional caption strip underneath, and encodes it as PNG. Pixels with no positive
 * attribution stay gray, so colour always means "the model used this".
 */
public final class OverlayRenderer {

    /** Height of the caption strip in output pixels. */
    public static final int CAPTION_HEIGHT = 28;

    private OverlayRenderer() {
    }

    public static byte[] render(BufferedImage original, AttributionMap map, OverlayOptions options) {
        return png(renderImage(original, map, options));
    }

    /**
     * The overlay as an image: map.width * scale wide, map.height * scale high, plus
     * {@link #CAPTION_HEIGHT} when there is a caption and a font to draw it with. The original
     * is stretched to the map's size, so pass the image as the model saw it.
     */
    public static BufferedImage renderImage(BufferedImage original, AttributionMap map, OverlayOptions options) {
        int s = options.scale();
        int w = map.width() * s;
        int h = map.height() * s;
        float[] heat = normalisedHeat(map, options.clipPercentile());
        float[] gray = grayAtMapSize(original, map.width(), map.height());
        Font font = options.caption() == null ? null : captionFont();
        BufferedImage out = new BufferedImage(w, h + (font == null ? 0 : CAPTION_HEIGHT), BufferedImage.TYPE_INT_RGB);
        for (int oy = 0; oy < h; oy++) {
            double my = (oy + 0.5) / s - 0.5;
            for (int ox = 0; ox < w; ox++) {
                double mx = (ox + 0.5) / s - 0.5;
                // dimmed so the heat stands out; text stays readable
                double g = 60 + 0.7 * sample(gray, map.width(), map.height(), mx, my);
                double v = sample(heat, map.width(), map.height(), mx, my);
                int rgb;
                if (v <= 0) {
                    int gi = (int) Math.round(g);
                    rgb = (gi << 16) | (gi << 8) | gi;
                } else {
                    int c = options.colorMap().rgb(v);
                    // full strength from 60% of the clip value up; faint noise stays nearly invisible
                    double a = options.maxAlpha() * Math.min(1, v / 0.6);
                    rgb = blend(g, (c >> 16) & 0xff, a) << 16 | blend(g, (c >> 8) & 0xff, a) << 8 | blend(g, c & 0xff, a);
                }
                out.setRGB(ox, oy, rgb);
            }
        }
        if (font != null) {
            drawCaption(out, h, options.caption(), font);
        }
        return out;
    }

    /** Positive attribution divided by its clip percentile, in 0..1; negative and zero give 0. */
    static float[] normalisedHeat(AttributionMap map, double percentile) {
        float[] v = map.values();
        float[] positive = new float[v.length];
        int n = 0;
        for (float x : v) {
            if (x > 0) {
                positive[n++] = x;
            }
        }
        float[] heat = new float[v.length];
        if (n == 0) {
            return heat;
        }
        Arrays.sort(positive, 0, n);
        // nearest-rank percentile
        float clip = positive[Math.max(0, (int) Math.ceil(percentile / 100 * n) - 1)];
        for (int i = 0; i < v.length; i++) {
            heat[i] = v[i] > 0 ? Math.min(1f, v[i] / clip) : 0f;
        }
        return heat;
    }

    private static float[] grayAtMapSize(BufferedImage img, int w, int h) {
        float[] gray = new float[w * h];
        for (int y = 0; y < h; y++) {
            int sy = Math.min(img.getHeight() - 1, (int) ((y + 0.5) * img.getHeight() / h));
            for (int x = 0; x < w; x++) {
                int sx = Math.min(img.getWidth() - 1, (int) ((x + 0.5) * img.getWidth() / w));
                int p = img.getRGB(sx, sy);
                gray[y * w + x] = (float) (0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff));
            }
        }
        return gray;
    }

    /** Bilinear sample at map coordinates; edges clamp. */
    private static double sample(float[] v, int w, int h, double x, double y) {
        double cx = Math.max(0, Math.min(w - 1, x));
        double cy = Math.max(0, Math.min(h - 1, y));
        int x0 = (int) cx;
        int y0 = (int) cy;
        int x1 = Math.min(w - 1, x0 + 1);
        int y1 = Math.min(h - 1, y0 + 1);
        double fx = cx - x0;
        double fy = cy - y0;
        double top = v[y0 * w + x0] * (1 - fx) + v[y0 * w + x1] * fx;
        double bottom = v[y1 * w + x0] * (1 - fx) + v[y1 * w + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static int blend(double base, int colour, double alpha) {
        return (int) Math.round(Math.max(0, Math.min(255, base * (1 - alpha) + colour * alpha)));
    }

    /** A caption font, or null where the platform has none (the overlay is then drawn without caption). */
    private static Font captionFont() {
        try {
            Font font = new Font(Font.SANS_SERIF, Font.BOLD, 16);
            BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = probe.createGraphics();
            try {
                g.getFontMetrics(font).stringWidth("0");
            } finally {
                g.dispose();
            }
            return font;
        } catch (RuntimeException | Error e) {
            // missing fontconfig or font files surface as Errors from the font manager
            return null;
        }
    }

    private static void drawCaption(BufferedImage out, int top, String caption, Font font) {
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(new Color(24, 24, 24));
            g.fillRect(0, top, out.getWidth(), CAPTION_HEIGHT);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            g.setColor(Color.WHITE);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(caption, 8, top + (CAPTION_HEIGHT - fm.getHeight()) / 2 + fm.getAscent());
        } finally {
            g.dispose();
        }
    }

    /** Encodes {@code image} as PNG. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e);
        }
        return bytes.toByteArray();
    }
}

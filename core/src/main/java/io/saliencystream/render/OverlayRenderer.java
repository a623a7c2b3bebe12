package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.render.OverlayOptions.OverlayType;
import io.saliencystream.render.OverlayOptions.Type;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;

/**
 * Draws an attribution map over its image as {@link OverlayOptions} say, upscaled, with a
 * footer holding the caption and a colour bar, and encodes it as PNG.
 *
 * <p>Pixels: each highlighted pixel gets the colour map's colour for its signed strength, at
 * the map's {@link ColorMap#opacity opacity} times {@code maxAlpha} over an image; over none
 * sequential maps are opaque and the others take the strength as opacity. Outlines: the borders of the largest connected
 * highlighted regions (see {@link Regions}), in the colour map's full-strength colour of the
 * region's sign, insides left as they are. Under mask_black the image is multiplied by the
 * strength (pixels) or by region membership (outlines) and no colour is added for pixels.
 */
public final class OverlayRenderer {

    /** Height of the footer (caption and colour bar) in output pixels. */
    public static final int FOOTER_HEIGHT = Footer.HEIGHT;

    /**
     * Most output pixels the upscaling may produce: a 192x48 text line at scale 4. Larger maps
     * get a smaller scale (a 224x224 map is drawn at 224x224), since drawing and PNG encoding grow
     * with the pixel count and an overlay must stay small next to the explanation and the topic's
     * message limit.
     */
    static final int MAX_UPSCALED_PIXELS = 768 * 192;

    private OverlayRenderer() {
    }

    public static byte[] render(BufferedImage original, AttributionMap map, OverlayOptions options) {
        return png(renderImage(original, map, options));
    }

    /**
     * The overlay as an image: map.width * s wide, map.height * s high, plus
     * {@link #FOOTER_HEIGHT} when there is a legend, or a caption and a font to draw it with;
     * s is {@link #scale}. The original is stretched to the map's size, so pass the image as the
     * model saw it.
     */
    public static BufferedImage renderImage(BufferedImage original, AttributionMap map, OverlayOptions options) {
        int s = scale(map, options);
        int w = map.width() * s;
        int h = map.height() * s;
        ClippedMap clipped = ClippedMap.of(map, options.polarity(), options.clipBelowPercentile(), options.clipAbovePercentile(),
                options.fullStrengthScale());
        Footer footer = Footer.of(options, clipped);
        BufferedImage out = new BufferedImage(w, h + (footer == null ? 0 : Footer.HEIGHT), BufferedImage.TYPE_INT_RGB);
        // drawn straight into the image's pixels: setRGB would convert each through the colour model
        int[] pixels = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        background(original, w, h, options.overlayType(), pixels);
        if (options.type() == Type.PIXELS) {
            pixelOverlay(pixels, clipped, options, s, w, h);
        } else {
            outlineOverlay(pixels, clipped, options, s, w, h);
        }
        if (footer != null) {
            footer.draw(out, h);
        }
        return out;
    }

    /** The options' scale, or less where it would make more than {@link #MAX_UPSCALED_PIXELS}; at least 1. */
    static int scale(AttributionMap map, OverlayOptions options) {
        return scale(map.width(), map.height(), options.scale());
    }

    /** {@code requested}, or less where a {@code width x height} map would grow beyond {@link #MAX_UPSCALED_PIXELS}. */
    static int scale(int width, int height, int requested) {
        int s = requested;
        while (s > 1 && (long) width * s * height * s > MAX_UPSCALED_PIXELS) {
            s--;
        }
        return s;
    }

    /** The image under the highlight, at output size, into the first w * h of {@code px}; mask_black starts from the original. */
    private static void background(BufferedImage original, int w, int h, OverlayType type, int[] px) {
        if (type == OverlayType.NONE) {
            return;
        }
        if (!(original.getWidth() == w && original.getHeight() == h && copyOpaque(original, px))) {
            BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(original, 0, 0, w, h, null);
            } finally {
                g.dispose();
            }
            System.arraycopy(((DataBufferInt) scaled.getRaster().getDataBuffer()).getData(), 0, px, 0, w * h);
        }
        if (type == OverlayType.GRAYSCALE) {
            for (int i = 0; i < w * h; i++) {
                int y = luminance(px[i]);
                px[i] = y << 16 | y << 8 | y;
            }
        }
    }

    /**
     * Copies an opaque image's pixels as 0xRRGGBB where its layout is the plain one of
     * TYPE_INT_RGB or TYPE_3BYTE_BGR (what the decoder and ImageIO produce), the same values as
     * drawing it; false for any other image.
     */
    static boolean copyOpaque(BufferedImage image, int[] px) {
        int n = image.getWidth() * image.getHeight();
        WritableRaster raster = image.getRaster();
        if (raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return false;
        }
        if (image.getType() == BufferedImage.TYPE_INT_RGB && raster.getDataBuffer() instanceof DataBufferInt ints
                && raster.getSampleModel() instanceof SinglePixelPackedSampleModel model
                && model.getScanlineStride() == image.getWidth() && ints.getOffset() == 0) {
            int[] data = ints.getData();
            for (int i = 0; i < n; i++) {
                px[i] = data[i] & 0xffffff;
            }
            return true;
        }
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getDataBuffer() instanceof DataBufferByte bytes
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel model
                && model.getScanlineStride() == 3 * image.getWidth() && bytes.getOffset() == 0) {
            byte[] data = bytes.getData();
            for (int i = 0, o = 0; i < n; i++, o += 3) {
                px[i] = (data[o + 2] & 0xff) << 16 | (data[o + 1] & 0xff) << 8 | (data[o] & 0xff);
            }
            return true;
        }
        return false;
    }

    /** Paints the highlight over the background in {@code px}. */
    private static void pixelOverlay(int[] px, ClippedMap map, OverlayOptions options, int s, int w, int h) {
        ColorMap cm = options.colorMap();
        boolean mask = options.overlayType() == OverlayType.MASK_BLACK;
        boolean overNone = options.overlayType() == OverlayType.NONE;
        if (s == 1 && !mask) {
            pixelOverlayAtScaleOne(px, map, cm, overNone, options.maxAlpha());
            return;
        }
        Axis columns = new Axis(w, s, map.width());
        Axis rows = new Axis(h, s, map.height());
        float[] strength = map.strength();
        float[] highlighted = map.highlighted();
        int mw = map.width();
        for (int oy = 0; oy < h; oy++) {
            for (int ox = 0; ox < w; ox++) {
                int i = oy * w + ox;
                // at scale 1 the sample is the map's own value, read directly
                double sv = s == 1 ? strength[i] : sample(strength, mw, columns, rows, ox, oy);
                if (mask) {
                    px[i] = scale(px[i], Math.abs(sv));
                    continue;
                }
                double hv = s == 1 ? highlighted[i] : sample(highlighted, mw, columns, rows, ox, oy);
                if (hv <= 0) {
                    continue;
                }
                // strength over coverage: the mean strength of the highlighted neighbours, so
                // region edges fade in opacity instead of sliding down the ramp
                double strengthOverCoverage = s == 1 ? sv : sv / hv; // hv is 1 at scale 1
                int c = cm.colour(strengthOverCoverage);
                // over none every highlight is opaque up to its strength-as-opacity
                double a = overNone
                        ? (cm.strengthAsOpacity() ? Math.abs(sv) : hv)
                        : options.maxAlpha() * hv * cm.opacity(strengthOverCoverage);
                px[i] = blend(px[i], c, a);
            }
        }
    }

    /**
     * {@link #pixelOverlay} at scale 1 (every overlay on an original image), the same pixels:
     * each output pixel is a map pixel, so its coverage is 1 where highlighted, and only the
     * highlighted pixels are visited, listed first without a branch per pixel (on a noisy map
     * whether a pixel is highlighted is a coin flip the processor would mispredict).
     */
    private static void pixelOverlayAtScaleOne(int[] px, ClippedMap map, ColorMap cm, boolean overNone, double maxAlpha) {
        float[] strength = map.strength();
        float[] highlighted = map.highlighted();
        int[] at = new int[highlighted.length];
        int n = 0;
        for (int i = 0; i < highlighted.length; i++) {
            at[n] = i;
            n += highlighted[i] > 0 ? 1 : 0;
        }
        // the opacity as scale * (base + slope |s|), the same products and sums as ColorMap.opacity
        // (strengths are in -1..1) and the choice over none, without a choice per pixel
        boolean strengthAsOpacity = cm.strengthAsOpacity();
        double scale = overNone ? 1 : maxAlpha;
        double base = overNone ? (strengthAsOpacity ? 0 : 1) : (strengthAsOpacity ? 0 : 0.5);
        double slope = overNone ? (strengthAsOpacity ? 1 : 0) : (strengthAsOpacity ? 1 : 0.5);
        for (int k = 0; k < n; k++) {
            int i = at[k];
            float sv = strength[i];
            px[i] = over(px[i], cm.pixelColour(sv), scale * (base + slope * Math.abs(sv)));
        }
    }

    /**
     * Where each output pixel samples one axis of the map, computed once per axis instead of per
     * pixel: the two map cells and the weight of the second, as {@link #sample(float[], int, int, double, double)} takes them.
     */
    private static final class Axis {
        final int[] lo;
        final int[] hi;
        final double[] weight;

        Axis(int out, int s, int cells) {
            lo = new int[out];
            hi = new int[out];
            weight = new double[out];
            for (int o = 0; o < out; o++) {
                double c = Math.max(0, Math.min(cells - 1, (o + 0.5) / s - 0.5));
                lo[o] = (int) c;
                hi[o] = Math.min(cells - 1, lo[o] + 1);
                weight[o] = c - lo[o];
            }
        }
    }

    private static double sample(float[] v, int w, Axis columns, Axis rows, int ox, int oy) {
        int x0 = columns.lo[ox];
        int x1 = columns.hi[ox];
        double fx = columns.weight[ox];
        int r0 = rows.lo[oy] * w;
        int r1 = rows.hi[oy] * w;
        double fy = rows.weight[oy];
        double top = v[r0 + x0] * (1 - fx) + v[r0 + x1] * fx;
        double bottom = v[r1 + x0] * (1 - fx) + v[r1 + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    /** Traces the largest regions' borders over the background in {@code out}. */
    private static void outlineOverlay(int[] out, ClippedMap map, OverlayOptions options, int s, int w, int h) {
        Regions regions = Regions.largest(map, options.outlineRegions());
        // a map without signal is drawn on an absolute scale: its borders as faint as its pixels would be
        double alpha = 1 / options.fullStrengthScale();
        if (s == 1) {
            outlinesAtScaleOne(out, regions.sides(), options, w, h, alpha);
            return;
        }
        boolean[] insidePositive = inside(regions.mask(true), map, s, w, h);
        boolean[] insideNegative = inside(regions.mask(false), map, s, w, h);
        if (options.overlayType() == OverlayType.MASK_BLACK) {
            for (int i = 0; i < w * h; i++) {
                if (!insidePositive[i] && !insideNegative[i]) {
                    out[i] = 0;
                }
            }
        }
        // a line of at least two pixels reads at a glance
        int r = Math.max(2, Math.round(s / 2f));
        drawBorder(out, insidePositive, w, h, r, options.colorMap().colour(1), alpha);
        drawBorder(out, insideNegative, w, h, r, options.colorMap().colour(-1), alpha);
    }

    /**
     * {@link #outlineOverlay} at scale 1 (every overlay on an original image), the same pixels:
     * membership is the regions' own ({@link Regions#sides}, one pass, no interpolated mask), and
     * a region pixel is a border pixel where a neighbour (8-connected; a line of one map pixel is
     * all there is) is not in a region of its sign or lies beyond the edge. Each pixel belongs to
     * one sign at most, so both signs' borders are drawn in one pass.
     */
    private static void outlinesAtScaleOne(int[] out, byte[] side, OverlayOptions options, int w, int h, double alpha) {
        if (options.overlayType() == OverlayType.MASK_BLACK) {
            for (int i = 0; i < w * h; i++) {
                out[i] = side[i] == 0 ? 0 : out[i];
            }
        }
        int[] colour = {0, options.colorMap().colour(1), options.colorMap().colour(-1)};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                byte own = side[i];
                if (own != 0 && (x == 0 || y == 0 || x == w - 1 || y == h - 1
                        || side[i - w - 1] != own || side[i - w] != own || side[i - w + 1] != own
                        || side[i - 1] != own || side[i + 1] != own
                        || side[i + w - 1] != own || side[i + w] != own || side[i + w + 1] != own)) {
                    out[i] = blend(out[i], colour[own], alpha);
                }
            }
        }
    }

    /** Region membership at output size: the interpolated mask at least one half. */
    private static boolean[] inside(float[] mask, ClippedMap map, int s, int w, int h) {
        boolean[] in = new boolean[w * h];
        Axis columns = new Axis(w, s, map.width());
        Axis rows = new Axis(h, s, map.height());
        for (int oy = 0; oy < h; oy++) {
            for (int ox = 0; ox < w; ox++) {
                int i = oy * w + ox;
                in[i] = (s == 1 ? mask[i] : sample(mask, map.width(), columns, rows, ox, oy)) >= 0.5;
            }
        }
        return in;
    }

    /** Paints inside pixels within {@code r} (chessboard distance) of an outside pixel or the image edge. */
    private static void drawBorder(int[] out, boolean[] in, int w, int h, int r, int rgb, double alpha) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (in[y * w + x] && nearOutside(in, w, h, x, y, r)) {
                    out[y * w + x] = blend(out[y * w + x], rgb, alpha);
                }
            }
        }
    }

    private static boolean nearOutside(boolean[] in, int w, int h, int x, int y, int r) {
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                int nx = x + dx;
                int ny = y + dy;
                if (nx < 0 || ny < 0 || nx >= w || ny >= h || !in[ny * w + nx]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Bilinear sample at map coordinates; edges clamp. */
    static double sample(float[] v, int w, int h, double x, double y) {
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

    /** ITU-R BT.601 luma, as java.awt and PIL compute grayscale. */
    public static int luminance(int rgb) {
        return roundNonNegative(0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff));
    }

    /**
     * {@link Math#round(double)} for 0 <= x < 2^31 (NaN gives 0 like it), a few times cheaper
     * than its general bit manipulation, which was the largest single cost of drawing a large
     * overlay: x plus the largest double below one half, truncated, one addition and no
     * comparison. Unlike x + 0.5 the sum does not round x = 0.49999999999999994 up to 1; at a
     * tie k + 0.5 it still rounds to k + 1, and below a tie it stays below k + 1.
     */
    static int roundNonNegative(double x) {
        return (int) (x + 0.49999999999999994);
    }

    /** {@code colour} over {@code base} at opacity {@code alpha}, per channel rounded to nearest. */
    static int blend(int base, int colour, double alpha) {
        double keep = 1 - alpha;
        return channel((base >> 16) & 0xff, (colour >> 16) & 0xff, keep, alpha) << 16
                | channel((base >> 8) & 0xff, (colour >> 8) & 0xff, keep, alpha) << 8
                | channel(base & 0xff, colour & 0xff, keep, alpha);
    }

    /** One channel of {@link #blend}, clamped to 0..255 by comparisons (Math.min and max were a third of its time). */
    private static int channel(int b, int c, double keep, double alpha) {
        double x = b * keep + c * alpha;
        x = x > 255 ? 255 : x;
        return roundNonNegative(x > 0 ? x : 0);
    }

    /**
     * {@link #blend} for an opacity in 0..1, the same colour without clamping: each channel's
     * b (1 - alpha) + c alpha then lies in 0..255 up to a rounding error far below one half.
     */
    static int over(int base, int colour, double alpha) {
        double keep = 1 - alpha;
        int r = roundNonNegative(((base >> 16) & 0xff) * keep + ((colour >> 16) & 0xff) * alpha);
        int g = roundNonNegative(((base >> 8) & 0xff) * keep + ((colour >> 8) & 0xff) * alpha);
        int b = roundNonNegative((base & 0xff) * keep + (colour & 0xff) * alpha);
        return r << 16 | g << 8 | b;
    }

    private static int scale(int rgb, double f) {
        return blend(0, rgb, Math.max(0, Math.min(1, f)));
    }

    /** Encodes {@code image} as PNG ({@link PngEncoder}). */
    public static byte[] png(BufferedImage image) {
        return PngEncoder.encode(image);
    }
}

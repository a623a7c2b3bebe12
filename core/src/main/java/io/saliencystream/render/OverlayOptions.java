package io.saliencystream.render;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How an overlay looks: the options of Vertex AI's image visualization config, plus size,
 * opacity, outline count and legend.
 *
 * @param type                pixels (paint every highlighted pixel) or outlines (trace the borders
 *                            of the largest connected highlighted regions)
 * @param polarity            which attributions to highlight: positive, negative or both
 * @param clipBelowPercentile attributions below this percentile of the highlighted magnitudes are
 *                            not highlighted (0 keeps all); the strength scale starts here
 * @param clipAbovePercentile attributions at or above this percentile are drawn at full strength,
 *                            so one extreme pixel cannot wash out the rest
 * @param colorMap            colours of the highlight
 * @param overlayType         what lies under the highlight: none (black), the original, a
 *                            grayscale copy, or mask_black (the original multiplied by the strength,
 *                            so only the highlighted parts show; no colour is added for pixels)
 * @param scale               output pixels per map pixel (4 turns a 192x48 input into 768x192)
 * @param maxAlpha            opacity of the highlight at full strength over an image, 0..1 (over
 *                            {@code none} the highlight is always opaque)
 * @param outlineRegions      how many of the largest regions (per sign) outlines draws
 * @param legend              draw a colour bar with the clip values in the footer
 * @param caption             footer text, e.g. predicted label and score; null for none
 * @param space               where the map is drawn: on the original image, in its own size and
 *                            shape (preprocessing's resize and padding undone), or on the model's
 *                            input as the model saw it, padding included (drawn without attribution)
 * @param maxSide             longest side of an overlay on the original image, in pixels; larger
 *                            images are scaled down, smaller ones up by at most {@code scale}
 * @param fullStrengthScale   1, or more for a map without signal: the value drawn at full strength
 *                            is the upper clip times this, so such a map is drawn faintly on an
 *                            absolute scale instead of its noise being stretched to full colour
 */
public record OverlayOptions(Type type, Polarity polarity, double clipBelowPercentile, double clipAbovePercentile,
                             ColorMap colorMap, OverlayType overlayType, int scale, double maxAlpha,
                             int outlineRegions, boolean legend, String caption, Space space, int maxSide,
                             double fullStrengthScale) {

    public enum Type { PIXELS, OUTLINES }

    public enum Polarity { POSITIVE, NEGATIVE, BOTH }

    public enum OverlayType { NONE, ORIGINAL, GRAYSCALE, MASK_BLACK }

    public enum Space { ORIGINAL, MODEL }

    /** Longest side of an overlay on the original image unless configured. */
    public static final int DEFAULT_MAX_SIDE = 768;

    /** Keys {@link #from} and {@link #with(Map)} read and {@link #toMap} writes. */
    public static final List<String> KEYS = List.of("type", "polarity", "clip_above_percentile",
            "clip_below_percentile", "color_map", "overlay_type", "scale", "max_alpha", "outline_regions", "legend", "space", "max_side");

    /**
     * For methods without defaults of their own: every positive pixel in viridis over grayscale,
     * clipped at the 99.9th percentile (Vertex AI's default upper clip).
     */
    public static final OverlayOptions DEFAULT = new OverlayOptions(Type.PIXELS, Polarity.POSITIVE, 0, 99.9,
            ColorMap.VIRIDIS, OverlayType.GRAYSCALE, 4, 0.85, 5, true, null);

    public OverlayOptions {
        require(type != null, "type is required");
        require(polarity != null, "polarity is required");
        require(colorMap != null, "color_map is required");
        require(overlayType != null, "overlay_type is required");
        require(clipAbovePercentile > 0 && clipAbovePercentile <= 100,
                "clip_above_percentile must be in (0, 100], got " + clipAbovePercentile);
        require(clipBelowPercentile >= 0 && clipBelowPercentile < clipAbovePercentile,
                "clip_below_percentile must be in [0, clip_above_percentile = " + clipAbovePercentile + "), got " + clipBelowPercentile);
        require(scale >= 1 && scale <= 16, "scale must be 1..16, got " + scale);
        require(maxAlpha >= 0 && maxAlpha <= 1, "max_alpha must be in [0, 1], got " + maxAlpha);
        require(outlineRegions >= 1 && outlineRegions <= 64, "outline_regions must be 1..64, got " + outlineRegions);
        require(space != null, "space is required");
        require(maxSide >= 16 && maxSide <= 8192, "max_side must be 16..8192, got " + maxSide);
        require(fullStrengthScale >= 1 && Double.isFinite(fullStrengthScale), "full strength scale must be at least 1");
    }

    /** Options drawn on the original image, at most {@link #DEFAULT_MAX_SIDE} pixels on the longest side. */
    public OverlayOptions(Type type, Polarity polarity, double clipBelowPercentile, double clipAbovePercentile,
                          ColorMap colorMap, OverlayType overlayType, int scale, double maxAlpha,
                          int outlineRegions, boolean legend, String caption) {
        this(type, polarity, clipBelowPercentile, clipAbovePercentile, colorMap, overlayType, scale, maxAlpha,
                outlineRegions, legend, caption, Space.ORIGINAL, DEFAULT_MAX_SIDE, 1);
    }

    /** {@link #DEFAULT} with the given caption. */
    public static OverlayOptions defaults(String caption) {
        return DEFAULT.withCaption(caption);
    }

    /**
     * The defaults for an attribution method, as the hosted explainers choose them where they
     * offer the method (by the method's exact name, as the engine knows it: no aliases):
     * <ul>
     *   <li>integrated gradients and the other gradient maps (vanilla gradient, SmoothGrad):
     *       Vertex AI's integrated-gradients defaults, outlines of positive attribution in
     *       pink_green, clipped to the 70th..99.9th percentile, over grayscale;</li>
     *   <li>xrai: Vertex AI's XRAI defaults, pixels, positive, viridis, 99.9th percentile upper
     *       clip and no lower clip, so the whole region ranking shows, over grayscale;</li>
     *   <li>occlusion: pixels, both polarities in pink_green. Occlusion maps are smooth and
     *       window-sized, and their negative values are real evidence (hiding that patch raised
     *       the score), not gradient noise, so both signs are shown, opacity for strength;</li>
     *   <li>rise: pixels, positive, viridis above the median. RISE maps are mask-weighted mean
     *       scores with a large common floor; cutting at the 50th percentile drops that floor;</li>
     *   <li>kernelshap: pixels, both polarities in pink_white_green. The values are additive
     *       Shapley contributions per superpixel, signed by nature, and already regions.</li>
     * </ul>
     * The three gradient-free methods clip at the 99th percentile, not 99.9: their maps are
     * smooth or piecewise constant, so the top 0.1% is one window's or one superpixel's peak,
     * and clipping there would leave everything else faint.
     * Vertex AI's API default overlay is none; here every method draws over grayscale, so the
     * viewer sees what the highlight sits on without the image's own colours competing.
     * Other methods get {@link #DEFAULT}.
     */
    public static OverlayOptions forMethod(String method) {
        return switch (method == null ? "" : method) {
            case "integrated_gradients", "vanilla_gradient", "smoothgrad" ->
                    new OverlayOptions(Type.OUTLINES, Polarity.POSITIVE, 70, 99.9, ColorMap.PINK_GREEN,
                            OverlayType.GRAYSCALE, 4, 0.85, 5, true, null);
            // CAM maps are smooth, coarse and non-negative: a heat map over the whole image
            case "activation_map", "gradcam", "gradcam_plus_plus", "reciprocam", "vit_reciprocam", "attention_rollout" ->
                    new OverlayOptions(Type.PIXELS, Polarity.POSITIVE, 0, 99.9, ColorMap.VIRIDIS,
                            OverlayType.GRAYSCALE, 4, 0.85, 5, true, null);
            case "xrai" -> new OverlayOptions(Type.PIXELS, Polarity.POSITIVE, 0, 99.9, ColorMap.VIRIDIS,
                    OverlayType.GRAYSCALE, 4, 0.85, 5, true, null);
            case "occlusion" -> new OverlayOptions(Type.PIXELS, Polarity.BOTH, 0, 99, ColorMap.PINK_GREEN,
                    OverlayType.GRAYSCALE, 4, 0.85, 5, true, null);
            case "rise" -> new OverlayOptions(Type.PIXELS, Polarity.POSITIVE, 50, 99, ColorMap.VIRIDIS,
                    OverlayType.GRAYSCALE, 4, 0.85, 5, true, null);
            case "kernelshap" -> new OverlayOptions(Type.PIXELS, Polarity.BOTH, 0, 99, ColorMap.PINK_WHITE_GREEN,
                    OverlayType.GRAYSCALE, 4, 0.85, 5, true, null);
            default -> DEFAULT;
        };
    }

    /** {@link #DEFAULT} with the given settings; see {@link #with(Map)}. */
    public static OverlayOptions from(Map<String, String> settings) {
        return DEFAULT.with(settings);
    }

    /**
     * These options with some changed. Keys are those of {@link #KEYS} ('-' may stand for '_',
     * any case); values as their enums spell them in any case, percentiles and max_alpha as
     * numbers, legend as true/false. An unknown key or value is an {@link IllegalArgumentException}
     * naming the key and the values it accepts.
     */
    public OverlayOptions with(Map<String, String> settings) {
        Type t = type;
        Polarity p = polarity;
        double below = clipBelowPercentile;
        double above = clipAbovePercentile;
        ColorMap cm = colorMap;
        OverlayType ot = overlayType;
        int sc = scale;
        double alpha = maxAlpha;
        int regions = outlineRegions;
        boolean leg = legend;
        Space sp = space;
        int side = maxSide;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey() == null ? "" : e.getKey().trim().toLowerCase(Locale.ROOT).replace('-', '_');
            String value = e.getValue() == null ? "" : e.getValue().trim();
            switch (key) {
                case "type" -> t = enumValue(key, Type.class, value);
                case "polarity" -> p = enumValue(key, Polarity.class, value);
                case "clip_above_percentile" -> above = number(key, value);
                case "clip_below_percentile" -> below = number(key, value);
                case "color_map" -> {
                    try {
                        cm = ColorMap.of(value);
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException("overlay option color_map: " + ex.getMessage(), ex);
                    }
                }
                case "overlay_type" -> ot = enumValue(key, OverlayType.class, value);
                case "scale" -> sc = (int) wholeNumber(key, value);
                case "max_alpha" -> alpha = number(key, value);
                case "outline_regions" -> regions = (int) wholeNumber(key, value);
                case "legend" -> leg = bool(key, value);
                case "space" -> sp = enumValue(key, Space.class, value);
                case "max_side" -> side = (int) wholeNumber(key, value);
                default -> throw new IllegalArgumentException("unknown overlay option '" + e.getKey()
                        + "'; known: " + String.join(", ", KEYS));
            }
        }
        try {
            return new OverlayOptions(t, p, below, above, cm, ot, sc, alpha, regions, leg, caption, sp, side, fullStrengthScale);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("overlay options: " + ex.getMessage(), ex);
        }
    }

    /** The settings as {@link #with(Map)} reads them (the caption is not a setting). */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", id(type));
        m.put("polarity", id(polarity));
        m.put("clip_above_percentile", number(clipAbovePercentile));
        m.put("clip_below_percentile", number(clipBelowPercentile));
        m.put("color_map", colorMap.id());
        m.put("overlay_type", id(overlayType));
        m.put("scale", Integer.toString(scale));
        m.put("max_alpha", number(maxAlpha));
        m.put("outline_regions", Integer.toString(outlineRegions));
        m.put("legend", Boolean.toString(legend));
        m.put("space", id(space));
        m.put("max_side", Integer.toString(maxSide));
        return m;
    }

    public OverlayOptions withCaption(String text) {
        return new OverlayOptions(type, polarity, clipBelowPercentile, clipAbovePercentile, colorMap, overlayType,
                scale, maxAlpha, outlineRegions, legend, text, space, maxSide, fullStrengthScale);
    }

    /**
     * These options for a map whose signal figure is {@code figure}, below {@code threshold}: full
     * strength at threshold / figure times the upper clip (at most 20 times), so the map is drawn as
     * faint as its figure is short of the threshold.
     */
    public OverlayOptions withoutSignal(double figure, double threshold) {
        double scale = threshold / Math.max(figure, threshold / 20);
        return new OverlayOptions(type, polarity, clipBelowPercentile, clipAbovePercentile, colorMap, overlayType,
                this.scale, maxAlpha, outlineRegions, legend, caption, space, maxSide, Math.max(1, scale));
    }

    /** Lower-case name of an option value, as {@link #toMap} writes it. */
    public static String id(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> E enumValue(String key, Class<E> type, String value) {
        for (E v : type.getEnumConstants()) {
            if (v.name().equalsIgnoreCase(value.replace('-', '_'))) {
                return v;
            }
        }
        throw new IllegalArgumentException("overlay option " + key + ": unknown value '" + value + "'; known: "
                + Arrays.stream(type.getEnumConstants()).map(OverlayOptions::id).collect(Collectors.joining(", ")));
    }

    private static double number(String key, String value) {
        try {
            double d = Double.parseDouble(value);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("overlay option " + key + ": '" + value + "' is not a finite number");
    }

    private static long wholeNumber(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("overlay option " + key + ": '" + value + "' is not a whole number", e);
        }
    }

    private static boolean bool(String key, String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("overlay option " + key + ": '" + value + "' is not true or false");
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }
}

package io.saliencystream.render;

/**
 * How an overlay looks.
 *
 * @param colorMap       colour of the heat, from low to high positive attribution
 * @param clipPercentile positive attribution at this percentile (of the positive values) and above
 *                       shows at full strength, so one extreme pixel cannot wash out the rest
 * @param scale          output pixels per map pixel (4 turns a 192x48 input into 768x192)
 * @param maxAlpha       opacity of the heat at full strength, 0..1
 * @param caption        text under the image, e.g. predicted label and score; null for none
 */
public record OverlayOptions(ColorMap colorMap, double clipPercentile, int scale, double maxAlpha, String caption) {

    public OverlayOptions {
        if (colorMap == null) {
            throw new IllegalArgumentException("colorMap is required");
        }
        if (!(clipPercentile > 0 && clipPercentile <= 100)) {
            throw new IllegalArgumentException("clipPercentile must be in (0, 100], got " + clipPercentile);
        }
        if (scale < 1 || scale > 16) {
            throw new IllegalArgumentException("scale must be 1..16, got " + scale);
        }
        if (!(maxAlpha >= 0 && maxAlpha <= 1)) {
            throw new IllegalArgumentException("maxAlpha must be in [0, 1], got " + maxAlpha);
        }
    }

    /** Viridis, clipped at the 99th percentile, 4x, with the given caption. */
    public static OverlayOptions defaults(String caption) {
        return new OverlayOptions(ColorMap.VIRIDIS, 99.0, 4, 0.85, caption);
    }

    public OverlayOptions withCaption(String text) {
        return new OverlayOptions(colorMap, clipPercentile, scale, maxAlpha, text);
    }
}

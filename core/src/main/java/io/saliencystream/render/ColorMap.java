package io.saliencystream.render;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The colour maps of the hosted image explainers (Vertex AI's visualization config names the
 * same six). Three kinds:
 * <ul>
 *   <li>{@link Kind#SEQUENTIAL} (viridis, red, green): a ramp over the attribution's magnitude;
 *       the sign is not shown. Every highlighted pixel is painted, the ramp says how strong;
 *       over an image the weak end is half transparent so the image still shows through.</li>
 *   <li>{@link Kind#TWO_HUE} (pink_green, red_green): one pure colour per sign, as in the
 *       integrated-gradients visualisations; the strength is the colour's opacity.</li>
 *   <li>{@link Kind#DIVERGING} (pink_white_green): a ramp from the negative colour through white
 *       to the positive colour; the strength is also the opacity, so near-zero stays clear.</li>
 * </ul>
 * Positive attribution is always the green end of the signed maps.
 */
public enum ColorMap {

    /**
     * Matplotlib's viridis (van der Walt and Smith, CC0): entries 0, 32, 64, ..., 224 and 255 of
     * its 256-entry table {@code _viridis_data}; between them the curve is nearly linear.
     */
    VIRIDIS(Kind.SEQUENTIAL, new double[][] {
            {0.267004, 0.004874, 0.329415},
            {0.278826, 0.175490, 0.483397},
            {0.229739, 0.322361, 0.545706},
            {0.172719, 0.448791, 0.557885},
            {0.127568, 0.566949, 0.550556},
            {0.157851, 0.683765, 0.501686},
            {0.369214, 0.788888, 0.382914},
            {0.678489, 0.863742, 0.189503},
            {0.993248, 0.906157, 0.143936},
    }, new double[] {0, 32, 64, 96, 128, 160, 192, 224, 255}),

    /** ColorBrewer's sequential "Reds", 9 classes (Brewer, Penn State; as in matplotlib "Reds"). */
    RED(Kind.SEQUENTIAL, hex("fff5f0", "fee0d2", "fcbba1", "fc9272", "fb6a4a", "ef3b2c", "cb181d", "a50f15", "67000d"), null),

    /** ColorBrewer's sequential "Greens", 9 classes. */
    GREEN(Kind.SEQUENTIAL, hex("f7fcf5", "e5f5e0", "c7e9c0", "a1d99b", "74c476", "41ab5d", "238b45", "006d2c", "00441b"), null),

    /** Negative magenta-pink #ff00ff, positive pure green #00ff00 (Vertex AI's default for integrated gradients). */
    PINK_GREEN(Kind.TWO_HUE, hex("ff00ff", "00ff00"), null),

    /** Negative pure red #ff0000, positive pure green #00ff00 (the integrated-gradients paper's figures). */
    RED_GREEN(Kind.TWO_HUE, hex("ff0000", "00ff00"), null),

    /**
     * ColorBrewer's diverging "PiYG", 11 classes (matplotlib "PiYG"): dark pink #8e0152 for the
     * most negative, #f7f7f7 at zero, dark green #276419 for the most positive.
     */
    PINK_WHITE_GREEN(Kind.DIVERGING, hex("8e0152", "c51b7d", "de77ae", "f1b6da", "fde0ef", "f7f7f7",
            "e6f5d0", "b8e186", "7fbc41", "4d9221", "276419"), null);

    /** How a map shows sign and strength; see the class comment. */
    public enum Kind { SEQUENTIAL, TWO_HUE, DIVERGING }

    private final Kind kind;
    private final double[][] anchors;
    private final double[] positions;
    /** The first and the last anchor packed, a two-hue map's two colours: packed once, not per pixel. */
    private final int first;
    private final int last;
    /** {@link #pixelColour}'s table, built on first use; shared by the threads drawing with this map. */
    private volatile Palette palette;

    ColorMap(Kind kind, double[][] anchors, double[] indices) {
        this.kind = kind;
        this.anchors = anchors;
        this.positions = new double[anchors.length];
        for (int i = 0; i < anchors.length; i++) {
            positions[i] = indices == null
                    ? (double) i / (anchors.length - 1)
                    : indices[i] / indices[indices.length - 1];
        }
        this.first = pack(anchors[0]);
        this.last = pack(anchors[anchors.length - 1]);
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the map shows the sign of the attribution (two-hue and diverging maps). */
    public boolean signed() {
        return kind != Kind.SEQUENTIAL;
    }

    /**
     * Whether strength is drawn as opacity (two-hue and diverging maps, whose weak end means
     * "nothing") rather than as a position on the ramp (sequential maps).
     */
    public boolean strengthAsOpacity() {
        return kind != Kind.SEQUENTIAL;
    }

    /**
     * Opacity, 0..1, of a highlighted pixel of strength |s| over an image: |s| for two-hue and
     * diverging maps; from one half at the weak end to 1 at the top for sequential maps, whose
     * weak end is a real colour that would otherwise hide the image under it.
     */
    public double opacity(double s) {
        double t = Double.isNaN(s) ? 0 : Math.min(1, Math.abs(s));
        return strengthAsOpacity() ? t : 0.5 + 0.5 * t;
    }

    /**
     * Packed 0xRRGGBB at position {@code t} along the anchors, clamped to 0..1: for sequential
     * maps low to high, for diverging maps most negative (0) through zero (0.5) to most
     * positive (1), for two-hue maps the negative colour below 0.5 and the positive one from 0.5.
     */
    public int rgb(double t) {
        double v = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
        if (kind == Kind.TWO_HUE) {
            return v < 0.5 ? first : last;
        }
        int i = segment(v);
        double f = (v - positions[i - 1]) / (positions[i] - positions[i - 1]);
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
            double x = anchors[i - 1][c] + f * (anchors[i][c] - anchors[i - 1][c]);
            rgb = (rgb << 8) | OverlayRenderer.roundNonNegative(x * 255);
        }
        return rgb;
    }

    /**
     * The anchor {@link #rgb} interpolates towards at position v in 0..1: the first one at or
     * above v (the last one at most), counted rather than searched for, since a search's exit is
     * a branch that mispredicts on every other pixel of a noisy map.
     */
    int segment(double v) {
        int i = 1;
        for (int k = 1; k < positions.length - 1; k++) {
            i += positions[k] < v ? 1 : 0;
        }
        return i;
    }

    /**
     * Colour for a signed strength {@code s} in -1..1 (clipped attribution over the clip value):
     * sequential maps use |s| along their ramp; signed maps place s on their negative or
     * positive side.
     */
    public int colour(double s) {
        return kind == Kind.TWO_HUE ? rgb(s < 0 ? 0 : 1) : rgb(position(s));
    }

    /** Where a sequential or diverging map reads its ramp for strength s: |s|, or (s + 1) / 2, s clamped to -1..1. */
    double position(double s) {
        double v = Double.isNaN(s) ? 0 : Math.max(-1, Math.min(1, s));
        return kind == Kind.SEQUENTIAL ? Math.abs(v) : (v + 1) / 2;
    }

    /**
     * {@link #colour(double)} of a float strength, the same colour, from a table built on first
     * use (see {@link Palette}): a pixel's colour without interpolating anchors.
     */
    int pixelColour(float s) {
        if (kind == Kind.TWO_HUE) {
            // s < 0 chosen by masking bits, not by a branch a map of both signs would mispredict:
            // the sign set and the magnitude from the smallest subnormal to infinity (-0 and NaN are not)
            int bits = Float.floatToRawIntBits(s);
            int magnitude = bits & 0x7fffffff;
            int negative = (bits & -magnitude & (magnitude - 0x7f800001)) >> 31;
            return last ^ ((first ^ last) & negative);
        }
        Palette p = palette;
        return (p != null ? p : palette()).colour(s);
    }

    private synchronized Palette palette() {
        if (palette == null) {
            palette = new Palette(this);
        }
        return palette;
    }

    /** Lower-case name as options spell it, e.g. "pink_white_green". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** By name, case-insensitive, '-' or '_' between words ("viridis", "pink-green", "PINK_WHITE_GREEN"). */
    public static ColorMap of(String name) {
        String key = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ColorMap m : values()) {
            if (m.name().equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown colour map '" + name + "'; known: "
                + Arrays.stream(values()).map(ColorMap::id).collect(Collectors.joining(", ")));
    }

    private static int pack(double[] c) {
        return (int) Math.round(c[0] * 255) << 16 | (int) Math.round(c[1] * 255) << 8 | (int) Math.round(c[2] * 255);
    }

    private static double[][] hex(String... colours) {
        double[][] out = new double[colours.length][3];
        for (int i = 0; i < colours.length; i++) {
            int v = Integer.parseInt(colours[i], 16);
            out[i] = new double[] {(v >> 16 & 0xff) / 255.0, (v >> 8 & 0xff) / 255.0, (v & 0xff) / 255.0};
        }
        return out;
    }
}

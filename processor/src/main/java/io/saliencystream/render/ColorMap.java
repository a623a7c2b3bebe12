package io.saliencystream.render;

import java.util.Locale;

/**
 * Colour maps from 0..1 to sRGB, by linear interpolation between published anchor colours.
 */
public enum ColorMap {

    /**
     * Matplotlib's viridis (van der Walt and Smith, CC0): entries 0, 32, 64, ..., 224 and 255 of
     * its 256-entry table {@code _viridis_data}; between them the curve is nearly linear.
     */
    VIRIDIS(new double[][] {
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
    RED(hex("fff5f0", "fee0d2", "fcbba1", "fc9272", "fb6a4a", "ef3b2c", "cb181d", "a50f15", "67000d"), null),

    /** ColorBrewer's sequential "Greens", 9 classes. */
    GREEN(hex("f7fcf5", "e5f5e0", "c7e9c0", "a1d99b", "74c476", "41ab5d", "238b45", "006d2c", "00441b"), null);

    private final double[][] anchors;
    private final double[] positions;

    ColorMap(double[][] anchors, double[] indices) {
        this.anchors = anchors;
        this.positions = new double[anchors.length];
        for (int i = 0; i < anchors.length; i++) {
            positions[i] = indices == null
                    ? (double) i / (anchors.length - 1)
                    : indices[i] / indices[indices.length - 1];
        }
    }

    /** Packed 0xRRGGBB for {@code t}, clamped to 0..1. */
    public int rgb(double t) {
        double v = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
        int i = 1;
        while (i < positions.length - 1 && positions[i] < v) {
            i++;
        }
        double f = (v - positions[i - 1]) / (positions[i] - positions[i - 1]);
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
            double x = anchors[i - 1][c] + f * (anchors[i][c] - anchors[i - 1][c]);
            rgb = (rgb << 8) | (int) Math.round(x * 255);
        }
        return rgb;
    }

    /** By name, case-insensitive ("viridis", "red", "green"). */
    public static ColorMap of(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown colour map '" + name + "'; known: viridis, red, green", e);
        }
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

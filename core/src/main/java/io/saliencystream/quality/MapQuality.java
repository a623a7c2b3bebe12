package io.saliencystream.quality;

import io.saliencystream.engine.AttributionMap;

import java.util.Arrays;
import java.util.List;

/**
 * Quality scores of an attribution map that need no model: how concentrated it is (Gini of
 * |attribution|), how much of it lies in known regions of interest, and whether its peak hits
 * one (pointing game). The faithfulness scores that do need the model (deletion and insertion
 * AUC) are in {@code io.saliencystream.engine.method.Faithfulness}.
 */
public final class MapQuality {

    private MapQuality() {
    }

    /**
     * Gini coefficient of |attribution| over pixels: 0 when every pixel has the same magnitude,
     * approaching 1 when one pixel holds everything ((n - 1) / n exactly then). An all-zero map
     * scores 0.
     */
    public static double gini(AttributionMap map) {
        float[] v = map.values();
        double[] a = new double[v.length];
        double total = 0;
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
            total += a[i];
        }
        if (total == 0) {
            return 0;
        }
        Arrays.sort(a);
        // G = sum_i (2 i - n - 1) a_(i) / (n sum a), ranks i = 1..n ascending
        int n = a.length;
        double weighted = 0;
        for (int i = 0; i < n; i++) {
            weighted += (2.0 * (i + 1) - n - 1) * a[i];
        }
        return weighted / (n * total);
    }

    /**
     * Share of the positive attribution inside the union of {@code rois} (negative values count
     * as 0: they argue against the class, not for a place). 0 when the map has no positive mass.
     */
    public static double roiMass(AttributionMap map, List<Roi> rois) {
        double inside = 0;
        double total = 0;
        for (int y = 0; y < map.height(); y++) {
            for (int x = 0; x < map.width(); x++) {
                double v = Math.max(0, map.get(x, y));
                total += v;
                if (inside(rois, x, y, map)) {
                    inside += v;
                }
            }
        }
        return total == 0 ? 0 : inside / total;
    }

    /**
     * Pointing game (Zhang et al., 2016): whether the map's maximum, after a box blur of
     * {@code smoothRadius} pixels (0 = none; a light blur keeps one noisy pixel from deciding),
     * falls inside any of {@code rois}. Ties go to the first pixel in row-major order.
     */
    public static boolean pointingGame(AttributionMap map, List<Roi> rois, int smoothRadius) {
        AttributionMap m = smoothRadius > 0 ? boxBlur(map, smoothRadius) : map;
        int best = 0;
        float[] v = m.values();
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return inside(rois, best % m.width(), best / m.width(), m);
    }

    /** Mean over the (2 r + 1)^2 window, clipped at the borders (divides by the pixels inside). */
    public static AttributionMap boxBlur(AttributionMap map, int r) {
        if (r < 0) {
            throw new IllegalArgumentException("blur radius must be >= 0, got " + r);
        }
        int w = map.width();
        int h = map.height();
        float[] rows = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                int n = 0;
                for (int k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) {
                    s += map.get(k, y);
                    n++;
                }
                rows[y * w + x] = (float) (s / n);
            }
        }
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                int n = 0;
                for (int k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) {
                    s += rows[k * w + x];
                    n++;
                }
                out[y * w + x] = (float) (s / n);
            }
        }
        return new AttributionMap(w, h, out);
    }

    private static boolean inside(List<Roi> rois, int x, int y, AttributionMap map) {
        for (Roi r : rois) {
            if (r.contains(x, y, map.width(), map.height())) {
                return true;
            }
        }
        return false;
    }
}

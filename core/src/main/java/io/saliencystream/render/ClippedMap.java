package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.render.OverlayOptions.Polarity;

import java.util.Arrays;

/**
 * An attribution map reduced to what an overlay draws: per pixel a signed strength in -1..1
 * and whether it is highlighted at all.
 *
 * <p>The polarity picks the magnitudes: positive values, the size of negative values, or |value|.
 * Both clip values are nearest-rank percentiles of the non-zero magnitudes (zeros would
 * otherwise dominate a map where most pixels carry no attribution of that sign). A pixel is
 * highlighted when its magnitude is non-zero and at least {@code low}; its strength is
 * (magnitude - low) / (high - low), capped at 1, where {@code low} is 0 without a lower clip.
 * The sign of the strength is the sign of the attribution.
 *
 * @param width       map width
 * @param height      map height
 * @param strength    signed strength per pixel, row-major; 0 where not highlighted
 * @param highlighted 1 where highlighted, else 0 (floats so they can be interpolated)
 * @param low         magnitude where highlighting starts (0 without a lower clip)
 * @param high        magnitude drawn at full strength; 0 when nothing is highlighted
 */
public record ClippedMap(int width, int height, float[] strength, float[] highlighted, double low, double high) {

    public static ClippedMap of(AttributionMap map, Polarity polarity, double clipBelowPercentile, double clipAbovePercentile) {
        return of(map, polarity, clipBelowPercentile, clipAbovePercentile, 1);
    }

    /** As {@link #of(AttributionMap, Polarity, double, double)}, with full strength at {@code fullStrengthScale} times the upper clip. */
    public static ClippedMap of(AttributionMap map, Polarity polarity, double clipBelowPercentile, double clipAbovePercentile,
                                double fullStrengthScale) {
        float[] v = map.values();
        float[] magnitude = new float[v.length];
        float[] nonZero = new float[v.length];
        int n = 0;
        for (int i = 0; i < v.length; i++) {
            float m = switch (polarity) {
                case POSITIVE -> Math.max(v[i], 0f);
                case NEGATIVE -> Math.max(-v[i], 0f);
                case BOTH -> Math.abs(v[i]);
            };
            // NaN would poison the sort and every colour after it; treat it as no attribution
            magnitude[i] = Float.isNaN(m) ? 0f : m;
            if (magnitude[i] > 0) {
                nonZero[n++] = magnitude[i];
            }
        }
        float[] strength = new float[v.length];
        float[] highlighted = new float[v.length];
        if (n == 0) {
            return new ClippedMap(map.width(), map.height(), strength, highlighted, 0, 0);
        }
        Arrays.sort(nonZero, 0, n);
        double high = nearestRank(nonZero, n, clipAbovePercentile) * fullStrengthScale;
        double low = clipBelowPercentile <= 0 ? 0 : nearestRank(nonZero, n, clipBelowPercentile);
        for (int i = 0; i < v.length; i++) {
            float m = magnitude[i];
            if (m > 0 && m >= low) {
                double t = high > low ? Math.min(1, (m - low) / (high - low)) : 1;
                strength[i] = (float) (v[i] < 0 ? -t : t);
                highlighted[i] = 1f;
            }
        }
        return new ClippedMap(map.width(), map.height(), strength, highlighted, low, high);
    }

    /** The value at percentile p of the first n sorted values, nearest-rank definition. */
    private static double nearestRank(float[] sorted, int n, double p) {
        int rank = (int) Math.ceil(p / 100 * n);
        return sorted[Math.max(0, Math.min(n, rank) - 1)];
    }

    public float strength(int x, int y) {
        return strength[y * width + x];
    }

    public boolean highlighted(int x, int y) {
        return highlighted[y * width + x] > 0;
    }
}

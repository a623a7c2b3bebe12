package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.render.OverlayOptions.Polarity;

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
        // the polarity's magnitude from the value's bits without a choice per pixel: the sign
        // flipped for negative, then the magnitude kept where the sign is clear (or always, for both)
        int flip = polarity == Polarity.NEGATIVE ? 0x80000000 : 0;
        int both = polarity == Polarity.BOTH ? -1 : 0;
        // the magnitudes' bit patterns: positive floats order as their bits do, so the clip
        // values are found by a radix selection (a sort was most of an overlay's drawing time)
        // this thread's working arrays (see Scratch), written before they are read
        Scratch working = Scratch.get();
        int[] bits = working.ints(Scratch.Ints.CLIP_BITS, v.length);
        int n = 0;
        for (float x : v) {
            // written always and kept by the count only where positive (NaN is no attribution),
            // without a branch a noisy map would mispredict
            int m = magnitude(Float.floatToRawIntBits(x), flip, both);
            bits[n] = m;
            n += inRange(m, 1) >>> 31;
        }
        float[] strength = new float[v.length];
        float[] highlighted = new float[v.length];
        if (n == 0) {
            return new ClippedMap(map.width(), map.height(), strength, highlighted, 0, 0);
        }
        int[] scratch = working.ints(Scratch.Ints.CLIP_CANDIDATES, n);
        double high = select(bits, n, nearestRank(n, clipAbovePercentile), scratch) * fullStrengthScale;
        float low = clipBelowPercentile <= 0 ? 0 : select(bits, n, nearestRank(n, clipBelowPercentile), scratch);
        // highlighted where m > 0 and m >= low: magnitudes from this bit pattern on, up to infinity
        int from = Math.max(1, Float.floatToRawIntBits(low));
        // with no spread between the clips every highlighted pixel is at full strength: the
        // quotient is then infinite or NaN, and both give 1 below
        double range = high > low ? high - low : 0;
        for (int i = 0; i < v.length; i++) {
            int value = Float.floatToRawIntBits(v[i]);
            int m = magnitude(value, flip, both);
            double q = ((double) Float.intBitsToFloat(m) - low) / range;
            float t = (float) (q < 1 ? q : 1);
            // chosen by masking bits rather than by a branch a noisy map would mispredict; t >= 0
            // where highlighted, so the value's sign bit makes the strength signed
            int keep = inRange(m, from) >> 31;
            strength[i] = Float.intBitsToFloat((Float.floatToRawIntBits(t) | value & 0x80000000) & keep);
            highlighted[i] = Float.intBitsToFloat(Float.floatToRawIntBits(1f) & keep);
        }
        return new ClippedMap(map.width(), map.height(), strength, highlighted, low, high);
    }

    /**
     * The bits of max(v, 0) (flip 0, both 0), max(-v, 0) (flip the sign bit, both 0) or |v|
     * (flip 0, both -1) from v's bits; a NaN stays NaN or becomes 0, either no attribution.
     */
    private static int magnitude(int value, int flip, int both) {
        int y = value ^ flip;
        return y & 0x7fffffff & (~(y >> 31) | both);
    }

    /**
     * Sign bit set (negative) where the float bit pattern {@code m} is that of a magnitude from the
     * pattern {@code from} (at least 1) to infinity, NaN and negative patterns excluded; clear elsewhere.
     */
    private static int inRange(int m, int from) {
        return ~(m | (m - from) | (0x7f800000 - m));
    }

    /** The index into n sorted values of percentile p, nearest-rank definition. */
    private static int nearestRank(int n, double p) {
        int rank = (int) Math.ceil(p / 100 * n);
        return Math.max(0, Math.min(n, rank) - 1);
    }

    /** Radix digits of a positive float's 31 bits, most significant first: shift and width. */
    private static final int[][] DIGITS = {{20, 11}, {9, 11}, {0, 9}};

    /**
     * The value at index k of the first n of {@code bits} (bit patterns of positive floats, NaN
     * excluded) sorted ascending, by a most-significant-digit radix selection: count the digit,
     * keep the bucket that holds rank k, repeat on the next digit. {@code bits} is left as it is;
     * {@code scratch} (n long at least) holds the candidates.
     */
    static float select(int[] bits, int n, int k, int[] scratch) {
        int[] candidates = bits;
        int m = n;
        int rank = k;
        for (int[] digit : DIGITS) {
            int shift = digit[0];
            int mask = (1 << digit[1]) - 1;
            int[] count = new int[mask + 1];
            for (int i = 0; i < m; i++) {
                count[(candidates[i] >>> shift) & mask]++;
            }
            int bucket = 0;
            while (rank >= count[bucket]) {
                rank -= count[bucket++];
            }
            if (count[bucket] == m && candidates == scratch) {
                continue; // every candidate shares this digit
            }
            int kept = 0;
            for (int i = 0; i < m; i++) {
                int c = candidates[i];
                scratch[kept] = c; // kept by the count only where in the bucket: no branch to mispredict
                kept += ((c >>> shift) & mask) == bucket ? 1 : 0;
            }
            candidates = scratch;
            m = kept;
        }
        return Float.intBitsToFloat(candidates[0]);
    }

    public float strength(int x, int y) {
        return strength[y * width + x];
    }

    public boolean highlighted(int x, int y) {
        return highlighted[y * width + x] > 0;
    }
}

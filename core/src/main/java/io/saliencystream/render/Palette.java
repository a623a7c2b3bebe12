package io.saliencystream.render;

/**
 * {@link ColorMap#colour(double)} of a float strength by table lookup, exactly: interpolating
 * the anchors per pixel (a segment count, a division and three roundings) was the largest part
 * of drawing a sequential or diverging map.
 *
 * <p>For a float strength the colour is a step function: the map reads its ramp at a position
 * that grows with the strength (|s| for sequential maps, s for diverging ones, clamped), and
 * within one anchor segment each channel is a rounded linear function of the position, so each
 * colour holds over one interval of floats per segment (floating-point subtraction, division,
 * multiplication and addition are monotone). The position's range is cut into {@link #BUCKETS}
 * buckets; the table holds per bucket the colour at its start and, where the colour changes
 * once inside it, the first float of the new colour and that colour. The steps are found by
 * bisecting over the floats in order with the map's own {@code colour}, so the table gives the
 * same colour for every float; the few buckets where the colour changes twice or more (a few
 * hundred steps over 4096 buckets) are marked and answered by {@code colour} itself.
 */
final class Palette {

    /** Buckets over the position's range: 4096, a 48 KiB table, about 1 % of them marked. */
    static final int BUCKETS = 4096;
    /** A marked bucket's colours: more than one change inside it. */
    private static final int MIXED = -1;

    private final ColorMap map;
    /** Diverging: strengths -1..1 in order; sequential: |s| in 0..1. */
    private final boolean signed;
    /** Per bucket: the order key of its first float of the second colour (or above all), the first colour, the second. */
    private final int[] table = new int[3 * (BUCKETS + 1)];

    Palette(ColorMap map) {
        if (map.kind() == ColorMap.Kind.TWO_HUE) {
            throw new IllegalArgumentException(map + " has two colours and no ramp");
        }
        this.map = map;
        this.signed = map.kind() == ColorMap.Kind.DIVERGING;
        int[] runs = new int[BUCKETS + 1];
        int end = key(1f);
        int k = key(signed ? -1f : 0f);
        while (true) {
            float x = value(k);
            int bucket = bucket(x);
            int segment = map.segment(map.position(x));
            int colour = map.colour(x);
            int last = lastAlike(k, end, bucket, segment, colour);
            int at = 3 * bucket;
            if (runs[bucket] == 0) {
                table[at] = Integer.MAX_VALUE;
                table[at + 1] = colour;
                table[at + 2] = colour;
            } else if (runs[bucket] == 1) {
                table[at] = k;
                table[at + 2] = colour;
            } else {
                table[at + 1] = MIXED;
                table[at + 2] = MIXED;
            }
            runs[bucket]++;
            if (last == end) {
                break;
            }
            k = last + 1;
        }
    }

    /** The colour {@code map.colour(s)} gives. */
    int colour(float s) {
        float x = signed ? Math.max(-1f, Math.min(1f, s)) : Math.min(Math.abs(s), 1f);
        if (x != x) {
            return map.colour(s); // NaN
        }
        int at = 3 * bucket(x);
        int c = key(x) < table[at] ? table[at + 1] : table[at + 2];
        return c != MIXED ? c : map.colour(s);
    }

    /** Whether {@link #colour(float)} answers from its table for s (false in a marked bucket): for tests. */
    boolean tabled(float s) {
        float x = signed ? Math.max(-1f, Math.min(1f, s)) : Math.min(Math.abs(s), 1f);
        return x == x && table[3 * bucket(x) + 1] != MIXED;
    }

    /** The order key of every float of this palette where the colour changes inside a bucket: for tests. */
    int[] changes() {
        return java.util.stream.IntStream.rangeClosed(0, BUCKETS)
                .filter(b -> table[3 * b + 1] != MIXED && table[3 * b] != Integer.MAX_VALUE)
                .map(b -> table[3 * b]).toArray();
    }

    /** The bucket of a clamped position, growing with it: 0..BUCKETS. */
    private int bucket(float x) {
        return signed ? (int) ((x + 1f) * (BUCKETS / 2)) : (int) (x * BUCKETS);
    }

    /**
     * The last key from {@code from} to {@code end} whose float has the same bucket, segment and
     * colour as {@code from}'s: those three only change once each way along the keys within a
     * segment, so alike keys are contiguous and bisection finds the last.
     */
    private int lastAlike(int from, int end, int bucket, int segment, int colour) {
        if (alike(end, bucket, segment, colour)) {
            return end;
        }
        long lo = from;
        long hi = end;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (alike((int) mid, bucket, segment, colour)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (int) lo;
    }

    private boolean alike(int k, int bucket, int segment, int colour) {
        float x = value(k);
        return bucket(x) == bucket && map.segment(map.position(x)) == segment && map.colour(x) == colour;
    }

    /** A key that orders floats as their values do (-0 just below +0): the bits, the magnitude's flipped for negatives. */
    static int key(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    static float value(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }
}

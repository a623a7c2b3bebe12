package io.saliencystream.engine.method;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * RISE's random masks (Petsiuk et al., 2018) for one input size: {@code count} binary
 * {@code cells x cells} grids, each cell on with probability {@code p}, stretched bilinearly
 * over (cells + 1) x cell-size pixels and cropped at a random shift of less than one cell, so
 * the smooth masks do not all share the same cell borders.
 *
 * <p>A bank is built once per (width, height, cells, p, count, seed) and cached ({@link #of}):
 * it keeps only the grids and shifts (count x cells^2 bits), and {@link #mask} expands one mask
 * to pixels when needed, which costs a few operations per pixel, far less than a model call, and
 * keeps a 10000-mask bank for a large input at a few megabytes instead of gigabytes.
 */
final class RiseMaskBank {

    record Key(int width, int height, int cells, double p, int count, long seed) {
    }

    private static final int CACHED_BANKS = 16;
    private static final Map<Key, RiseMaskBank> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, RiseMaskBank> eldest) {
            return size() > CACHED_BANKS;
        }
    };

    private final Key key;
    private final boolean[] grids;
    private final int[] shifts;
    // for each upsampled column (row): the two grid columns (rows) it mixes and the weight of the second
    private final int[] col0;
    private final int[] col1;
    private final float[] colWeight;
    private final int[] row0;
    private final int[] row1;
    private final float[] rowWeight;

    private RiseMaskBank(Key key) {
        this.key = key;
        int s = key.cells();
        int cellW = ceilDiv(key.width(), s);
        int cellH = ceilDiv(key.height(), s);
        SplittableRandom rnd = new SplittableRandom(key.seed());
        grids = new boolean[key.count() * s * s];
        shifts = new int[key.count() * 2];
        for (int i = 0; i < key.count(); i++) {
            for (int j = 0; j < s * s; j++) {
                grids[i * s * s + j] = rnd.nextDouble() < key.p();
            }
            shifts[2 * i] = rnd.nextInt(cellW);
            shifts[2 * i + 1] = rnd.nextInt(cellH);
        }
        int upW = (s + 1) * cellW;
        int upH = (s + 1) * cellH;
        col0 = new int[upW];
        col1 = new int[upW];
        colWeight = new float[upW];
        axis(upW, s, col0, col1, colWeight);
        row0 = new int[upH];
        row1 = new int[upH];
        rowWeight = new float[upH];
        axis(upH, s, row0, row1, rowWeight);
    }

    /** The cached bank for {@code key}, built on first request. */
    static RiseMaskBank of(Key key) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(key, RiseMaskBank::new);
        }
    }

    /** Whether the bank for {@code key} is in the cache. */
    static boolean isCached(Key key) {
        synchronized (CACHE) {
            return CACHE.containsKey(key);
        }
    }

    Key key() {
        return key;
    }

    /** Writes mask {@code index} (values in [0, 1], row-major width x height) into {@code out}. */
    void mask(int index, float[] out) {
        int s = key.cells();
        int base = index * s * s;
        int dx = shifts[2 * index];
        int dy = shifts[2 * index + 1];
        int w = key.width();
        // each output row mixes two grid rows: mix them once per row for every grid column, so a
        // pixel costs one mix of two columns instead of four grid look-ups (1000 masks of 224x224:
        // 106 -> 51 ms, against about 1.3 s of model calls)
        float[] rowMix = new float[s];
        for (int y = 0; y < key.height(); y++) {
            int u = y + dy;
            int r0 = base + row0[u] * s;
            int r1 = base + row1[u] * s;
            float wy = rowWeight[u];
            for (int c = 0; c < s; c++) {
                rowMix[c] = (grids[r0 + c] ? 1 - wy : 0) + (grids[r1 + c] ? wy : 0);
            }
            int at = y * w;
            for (int x = 0; x < w; x++) {
                int v = x + dx;
                float wx = colWeight[v];
                out[at + x] = rowMix[col0[v]] * (1 - wx) + rowMix[col1[v]] * wx;
            }
        }
    }

    /** Bilinear sampling of {@code cells} grid values over {@code n} pixels, half-pixel centres, edges clamped. */
    private static void axis(int n, int cells, int[] i0, int[] i1, float[] weight) {
        double scale = (double) cells / n;
        for (int u = 0; u < n; u++) {
            double f = Math.max(0, Math.min(cells - 1, (u + 0.5) * scale - 0.5));
            i0[u] = (int) Math.floor(f);
            i1[u] = Math.min(i0[u] + 1, cells - 1);
            weight[u] = (float) (f - i0[u]);
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}

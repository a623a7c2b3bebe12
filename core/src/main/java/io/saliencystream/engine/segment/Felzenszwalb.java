package io.saliencystream.engine.segment;

import java.util.Arrays;

/**
 * Graph-based image segmentation (Felzenszwalb and Huttenlocher, 2004) on the 8-connected pixel
 * grid: edges weighted by the Euclidean colour distance are taken in increasing order, and two
 * components merge when the edge is no heavier than either's internal difference plus
 * {@code scale / size}; components smaller than {@code minSize} are then merged into a neighbour.
 * Larger scales give larger segments. No pre-smoothing: callers blur first if they want it.
 */
public final class Felzenszwalb {

    private Felzenszwalb() {
    }

    /**
     * @param channels one w*h row-major plane per colour channel
     * @return a label per pixel, labels numbered 0..segments-1 in order of first appearance
     */
    public static int[] segment(float[][] channels, int w, int h, double scale, int minSize) {
        return graph(channels, w, h).segment(scale, minSize);
    }

    /** The image's pixel graph with its edges sorted, to segment at several scales without sorting again. */
    public static Graph graph(float[][] channels, int w, int h) {
        if (channels.length == 0 || w <= 0 || h <= 0) {
            throw new IllegalArgumentException("segmentation needs channels and a positive size; got "
                    + channels.length + " channels, " + w + "x" + h);
        }
        for (float[] c : channels) {
            if (c.length != w * h) {
                throw new IllegalArgumentException("channel of " + c.length + " values for a " + w + "x" + h + " image");
            }
        }
        int[][] offsets = {{1, 0}, {0, 1}, {1, 1}, {1, -1}};
        int edges = 0;
        int[] ends = new int[w * h * 8];
        float[] weight = new float[w * h * 4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                for (int[] o : offsets) {
                    int nx = x + o[0];
                    int ny = y + o[1];
                    if (nx < w && ny >= 0 && ny < h) {
                        int q = ny * w + nx;
                        double d = 0;
                        for (float[] c : channels) {
                            d += (c[p] - c[q]) * (c[p] - c[q]);
                        }
                        weight[edges] = (float) Math.sqrt(d);
                        ends[2 * edges] = p;
                        ends[2 * edges + 1] = q;
                        edges++;
                    }
                }
            }
        }
        int[] order = sortedByWeight(weight, edges);
        int[] sortedEnds = new int[2 * edges];
        float[] sortedWeight = new float[edges];
        for (int i = 0; i < edges; i++) {
            int e = order[i];
            sortedEnds[2 * i] = ends[2 * e];
            sortedEnds[2 * i + 1] = ends[2 * e + 1];
            sortedWeight[i] = weight[e];
        }
        return new Graph(w * h, sortedEnds, sortedWeight);
    }

    /**
     * The edge indices by increasing weight, ties in index order (as a stable sort): a radix sort,
     * two passes of 16 bits, of the weights' bits, which order as the weights do because they are
     * >= 0 (a NaN, positive and canonical, sorts last as with Float.compare).
     */
    private static int[] sortedByWeight(float[] weight, int edges) {
        int[] bits = new int[edges];
        int[] order = new int[edges];
        for (int e = 0; e < edges; e++) {
            bits[e] = Float.floatToIntBits(weight[e]);
            order[e] = e;
        }
        int[] next = new int[edges];
        int[] count = new int[1 << 16];
        for (int shift = 0; shift < 32; shift += 16) {
            Arrays.fill(count, 0);
            for (int e = 0; e < edges; e++) {
                count[(bits[e] >>> shift) & 0xffff]++;
            }
            for (int k = 0, at = 0; k < count.length; k++) {
                int c = count[k];
                count[k] = at;
                at += c;
            }
            for (int i = 0; i < edges; i++) {
                int e = order[i];
                next[count[(bits[e] >>> shift) & 0xffff]++] = e;
            }
            int[] t = order;
            order = next;
            next = t;
        }
        return order;
    }

    /** The 8-connected grid's edges in increasing weight. */
    public static final class Graph {

        private final int pixels;
        private final int[] ends;
        private final float[] weight;

        private Graph(int pixels, int[] ends, float[] weight) {
            this.pixels = pixels;
            this.ends = ends;
            this.weight = weight;
        }

        /** @return a label per pixel, labels numbered 0..segments-1 in order of first appearance */
        public int[] segment(double scale, int minSize) {
            if (scale < 0 || minSize < 1) {
                throw new IllegalArgumentException("segmentation needs scale >= 0 and minSize >= 1; got " + scale + ", " + minSize);
            }
            int n = pixels;
            int[] parent = new int[n];
            int[] size = new int[n];
            double[] threshold = new double[n];
            for (int i = 0; i < n; i++) {
                parent[i] = i;
                size[i] = 1;
                threshold[i] = scale;
            }
            for (int e = 0; e < weight.length; e++) {
                int p = find(parent, ends[2 * e]);
                int q = find(parent, ends[2 * e + 1]);
                if (p != q && weight[e] <= threshold[p] && weight[e] <= threshold[q]) {
                    int r = union(parent, size, p, q);
                    threshold[r] = weight[e] + scale / size[r];
                }
            }
            for (int e = 0; e < weight.length; e++) {
                int p = find(parent, ends[2 * e]);
                int q = find(parent, ends[2 * e + 1]);
                if (p != q && (size[p] < minSize || size[q] < minSize)) {
                    union(parent, size, p, q);
                }
            }
            int[] labels = new int[n];
            int[] relabel = new int[n];
            Arrays.fill(relabel, -1);
            int next = 0;
            for (int i = 0; i < n; i++) {
                int r = find(parent, i);
                if (relabel[r] < 0) {
                    relabel[r] = next++;
                }
                labels[i] = relabel[r];
            }
            return labels;
        }
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static int union(int[] parent, int[] size, int p, int q) {
        if (size[p] < size[q]) {
            int t = p;
            p = q;
            q = t;
        }
        parent[q] = p;
        size[p] += size[q];
        return p;
    }
}

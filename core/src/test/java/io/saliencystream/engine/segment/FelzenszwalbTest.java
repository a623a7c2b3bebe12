package io.saliencystream.engine.segment;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FelzenszwalbTest {

    private static final int W = 40;
    private static final int H = 30;

    /** Background 0.1, a rectangle at 0.9 in channel 0, a disc at 0.9 in channel 1; noise of 0.02. */
    private static int region(int x, int y) {
        if (x >= 5 && x < 18 && y >= 4 && y < 20) {
            return 1;
        }
        return (x - 29) * (x - 29) + (y - 15) * (y - 15) < 49 ? 2 : 0;
    }

    @Test
    void findsTheThreeKnownRegionsOfASyntheticImage() {
        Random r = new Random(3);
        float[][] planes = new float[3][W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int k = region(x, y);
                for (int c = 0; c < 3; c++) {
                    planes[c][y * W + x] = (float) ((k == c + 1 ? 0.9 : 0.1) + 0.02 * r.nextGaussian());
                }
            }
        }
        int[] labels = Felzenszwalb.segment(planes, W, H, 5.0, 5);
        for (int k = 0; k < 3; k++) {
            Set<Integer> inside = new HashSet<>();
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    if (region(x, y) == k) {
                        inside.add(labels[y * W + x]);
                    }
                }
            }
            assertThat(inside).as("region %d is one segment", k).hasSize(1);
        }
        Set<Integer> all = new HashSet<>();
        for (int l : labels) {
            all.add(l);
        }
        assertThat(all).as("and the segments differ").hasSize(3);
    }

    @Test
    void aLargerScaleNeverGivesMoreSegments() {
        Random r = new Random(4);
        float[][] planes = {new float[W * H]};
        for (int i = 0; i < planes[0].length; i++) {
            planes[0][i] = r.nextFloat();
        }
        int previous = Integer.MAX_VALUE;
        for (double scale : new double[] {0.1, 1, 10, 100}) {
            int count = java.util.Arrays.stream(Felzenszwalb.segment(planes, W, H, scale, 1)).max().getAsInt() + 1;
            assertThat(count).isLessThanOrEqualTo(previous);
            previous = count;
        }
        assertThat(previous).isLessThan(W * H / 10);
    }

    @Test
    void segmentsAsAStraightforwardImplementationDoesAtEveryScale() {
        Random r = new Random(5);
        for (int trial = 0; trial < 4; trial++) {
            float[][] planes = new float[3][W * H];
            for (float[] plane : planes) {
                for (int i = 0; i < plane.length; i++) {
                    // quantised in odd trials: many equal edge weights, so the order of ties matters
                    plane[i] = trial % 2 == 1 ? r.nextInt(4) / 4f : (float) ((i % W) / 10 * 0.3 + 0.05 * r.nextGaussian());
                }
            }
            Felzenszwalb.Graph graph = Felzenszwalb.graph(planes, W, H);
            for (double scale : new double[] {0, 0.5, 2, 10, 100}) {
                for (int minSize : new int[] {1, 7}) {
                    assertThat(graph.segment(scale, minSize)).as("scale %s, min size %d", scale, minSize)
                            .containsExactly(reference(planes, W, H, scale, minSize));
                }
            }
        }
    }

    /** Every edge made and sorted per call, boxed, with a comparator: the segmentation as first written. */
    private static int[] reference(float[][] channels, int w, int h, double scale, int minSize) {
        int[][] offsets = {{1, 0}, {0, 1}, {1, 1}, {1, -1}};
        int edges = 0;
        int[][] ends = new int[w * h * 4][];
        float[] weight = new float[w * h * 4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int[] o : offsets) {
                    int nx = x + o[0];
                    int ny = y + o[1];
                    if (nx < w && ny >= 0 && ny < h) {
                        int p = y * w + x;
                        int q = ny * w + nx;
                        double d = 0;
                        for (float[] c : channels) {
                            d += (c[p] - c[q]) * (c[p] - c[q]);
                        }
                        weight[edges] = (float) Math.sqrt(d);
                        ends[edges] = new int[] {p, q};
                        edges++;
                    }
                }
            }
        }
        Integer[] order = new Integer[edges];
        for (int i = 0; i < edges; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (i, j) -> Float.compare(weight[i], weight[j]));
        int n = w * h;
        int[] parent = new int[n];
        int[] size = new int[n];
        double[] threshold = new double[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            size[i] = 1;
            threshold[i] = scale;
        }
        for (int e : order) {
            int p = root(parent, ends[e][0]);
            int q = root(parent, ends[e][1]);
            if (p != q && weight[e] <= threshold[p] && weight[e] <= threshold[q]) {
                int m = merge(parent, size, p, q);
                threshold[m] = weight[e] + scale / size[m];
            }
        }
        for (int e : order) {
            int p = root(parent, ends[e][0]);
            int q = root(parent, ends[e][1]);
            if (p != q && (size[p] < minSize || size[q] < minSize)) {
                merge(parent, size, p, q);
            }
        }
        int[] labels = new int[n];
        int[] relabel = new int[n];
        Arrays.fill(relabel, -1);
        int next = 0;
        for (int i = 0; i < n; i++) {
            int root = root(parent, i);
            if (relabel[root] < 0) {
                relabel[root] = next++;
            }
            labels[i] = relabel[root];
        }
        return labels;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            i = parent[i];
        }
        return i;
    }

    private static int merge(int[] parent, int[] size, int p, int q) {
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

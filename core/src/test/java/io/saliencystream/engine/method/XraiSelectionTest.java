package io.saliencystream.engine.method;

import io.saliencystream.engine.segment.Felzenszwalb;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** XRAI's incremental region selection against a full rescan of every region per choice. */
class XraiSelectionTest {

    private static final int W = 48;
    private static final int H = 40;

    @Test
    void choosesTheRegionsAFullRescanChoosesOnFelzenszwalbSegmentations() {
        Random random = new Random(11);
        for (int trial = 0; trial < 8; trial++) {
            float[][] planes = new float[3][W * H];
            for (float[] plane : planes) {
                for (int i = 0; i < plane.length; i++) {
                    // blocks of colour plus noise, so segments nest across scales as on photographs
                    plane[i] = ((i % W) / 12 * 37 + (i / W) / 10 * 11) % 7 / 7f + 0.05f * (float) random.nextGaussian();
                }
            }
            Felzenszwalb.Graph graph = Felzenszwalb.graph(planes, W, H);
            double[] scales = {0.5, 1, 2, 5, 20, 100};
            int[][] labels = new int[scales.length][];
            for (int s = 0; s < scales.length; s++) {
                labels[s] = graph.segment(scales[s], 1 + trial);
            }
            assertSameAsRescan(randomMap(random, trial), labels);
        }
    }

    @Test
    void choosesTheRegionsAFullRescanChoosesOnRandomLabelsWithTies() {
        Random random = new Random(12);
        for (int trial = 0; trial < 8; trial++) {
            int[][] labels = new int[4][W * H];
            for (int s = 0; s < labels.length; s++) {
                int count = 2 + random.nextInt(60);
                for (int p = 0; p < W * H; p++) {
                    labels[s][p] = random.nextInt(count);
                }
                compact(labels[s]);
            }
            // the same segmentation twice: equal regions tie, and the first scale's must win
            labels[3] = labels[1].clone();
            float[] map = randomMap(random, trial);
            for (int p = 0; p < map.length; p += 2) {
                map[p] = random.nextInt(3);
            }
            assertSameAsRescan(map, labels);
        }
    }

    @Test
    void aNonFiniteAttributionIsAClearError() {
        float[] map = new float[4];
        map[2] = Float.NaN;
        int[][] labels = {{0, 0, 1, 1}};
        assertThatThrownBy(() -> Xrai.select(map, labels)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    }

    private static float[] randomMap(Random random, int trial) {
        float[] map = new float[W * H];
        for (int p = 0; p < map.length; p++) {
            map[p] = (float) (random.nextGaussian() * Math.pow(10, trial % 4 - 2));
        }
        return map;
    }

    /** Labels numbered 0..n-1 with none missing. */
    private static void compact(int[] labels) {
        int[] relabel = new int[labels.length + 64];
        java.util.Arrays.fill(relabel, -1);
        int next = 0;
        for (int p = 0; p < labels.length; p++) {
            if (relabel[labels[p]] < 0) {
                relabel[labels[p]] = next++;
            }
            labels[p] = relabel[labels[p]];
        }
    }

    private static void assertSameAsRescan(float[] pixels, int[][] labels) {
        Xrai.Selection expected = rescan(pixels, labels);
        Xrai.Selection actual = Xrai.select(pixels, labels);
        assertThat(actual.regions()).hasSizeGreaterThan(1).isEqualTo(expected.regions());
        assertThat(actual.map()).containsExactly(expected.map());
    }

    /** The selection as first written: every choice sums every unused region's uncovered pixels again. */
    private static Xrai.Selection rescan(float[] pixels, int[][] labels) {
        List<int[]> regions = new ArrayList<>();
        List<int[]> origin = new ArrayList<>();
        for (int s = 0; s < labels.length; s++) {
            int count = java.util.Arrays.stream(labels[s]).max().getAsInt() + 1;
            for (int l = 0; l < count; l++) {
                List<Integer> members = new ArrayList<>();
                for (int p = 0; p < pixels.length; p++) {
                    if (labels[s][p] == l) {
                        members.add(p);
                    }
                }
                regions.add(members.stream().mapToInt(Integer::intValue).toArray());
                origin.add(new int[] {s, l});
            }
        }
        float[] map = new float[pixels.length];
        boolean[] covered = new boolean[pixels.length];
        boolean[] used = new boolean[regions.size()];
        List<Xrai.Region> chosen = new ArrayList<>();
        int remaining = pixels.length;
        while (remaining > 0) {
            int best = -1;
            double bestDensity = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < regions.size(); i++) {
                if (used[i]) {
                    continue;
                }
                double sum = 0;
                int n = 0;
                for (int p : regions.get(i)) {
                    if (!covered[p]) {
                        sum += pixels[p];
                        n++;
                    }
                }
                if (n == 0) {
                    used[i] = true;
                } else if (sum / n > bestDensity) {
                    bestDensity = sum / n;
                    best = i;
                }
            }
            used[best] = true;
            int added = 0;
            for (int p : regions.get(best)) {
                if (!covered[p]) {
                    covered[p] = true;
                    map[p] = (float) bestDensity;
                    added++;
                }
            }
            remaining -= added;
            chosen.add(new Xrai.Region(origin.get(best)[0], origin.get(best)[1], bestDensity, added));
        }
        return new Xrai.Selection(map, chosen);
    }
}

package io.saliencystream.engine.segment;

import org.junit.jupiter.api.Test;

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
}

package io.saliencystream.engine.segment;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlicTest {

    private static final int W = 40;
    private static final int H = 30;

    /** Red disc of radius 9 at (14, 15) on a blue background. */
    private static float[][] disc() {
        float[][] rgb = new float[3][W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean in = (x - 14) * (x - 14) + (y - 15) * (y - 15) <= 81;
                rgb[0][y * W + x] = in ? 220 : 20;
                rgb[2][y * W + x] = in ? 20 : 200;
            }
        }
        return rgb;
    }

    @Test
    void segmentsFollowColourEdgesAndAreConnected() {
        float[][] rgb = disc();
        Segmentation seg = Slic.segment(rgb, W, H, 24, 10);

        assertThat(seg.count()).isBetween(12, 40);
        // no segment mixes disc and background
        for (int label = 0; label < seg.count(); label++) {
            Set<Boolean> sides = new HashSet<>();
            for (int p = 0; p < W * H; p++) {
                if (seg.labels()[p] == label) {
                    sides.add(rgb[0][p] > 100);
                }
            }
            assertThat(sides).as("segment %d", label).hasSize(1);
        }
        // every segment is one 4-connected piece
        int[] sizes = seg.sizes();
        for (int label = 0; label < seg.count(); label++) {
            int start = -1;
            for (int p = 0; p < W * H && start < 0; p++) {
                start = seg.labels()[p] == label ? p : -1;
            }
            assertThat(reach(seg, start)).as("segment %d", label).isEqualTo(sizes[label]);
        }
    }

    private static int reach(Segmentation seg, int start) {
        boolean[] seen = new boolean[W * H];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(start);
        seen[start] = true;
        int n = 0;
        while (!queue.isEmpty()) {
            int p = queue.poll();
            n++;
            int x = p % W;
            int y = p / W;
            int[][] next = {{x + 1, y}, {x - 1, y}, {x, y + 1}, {x, y - 1}};
            for (int[] q : next) {
                if (q[0] >= 0 && q[1] >= 0 && q[0] < W && q[1] < H) {
                    int i = q[1] * W + q[0];
                    if (!seen[i] && seg.labels()[i] == seg.labels()[start]) {
                        seen[i] = true;
                        queue.add(i);
                    }
                }
            }
        }
        return n;
    }

    @Test
    void gridCellsAndBadInput() {
        Segmentation g = Segmentation.grid(10, 7, 2, 3);
        assertThat(g.count()).isEqualTo(6);
        assertThat(g.labels()[0]).isZero();
        assertThat(g.labels()[9]).isEqualTo(2);       // x 9 -> column 2
        assertThat(g.labels()[6 * 10 + 3]).isEqualTo(3); // y 6 -> row 1, x 3 -> column 0
        assertThat(g.sizes()).containsExactly(16, 12, 12, 12, 9, 9); // columns 4, 3, 3 wide; rows 4, 3 high
        assertThatThrownBy(() -> Slic.segment(new float[2][4], 2, 2, 4, 10)).hasMessageContaining("1 or 3 channels");
        assertThatThrownBy(() -> new Segmentation(2, 2, 3, new int[] {0, 0, 1, 1})).hasMessageContaining("segment 2 has no pixels");
    }
}

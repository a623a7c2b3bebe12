package io.saliencystream.quality;

import io.saliencystream.engine.AttributionMap;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MapQualityTest {

    @Test
    void giniMatchesTheMeanAbsoluteDifferenceDefinition() {
        assertThat(MapQuality.gini(new AttributionMap(2, 2, new float[] {3, 3, -3, 3}))).isCloseTo(0, within(1e-12));
        float[] oneHot = new float[100];
        oneHot[37] = -5;
        assertThat(MapQuality.gini(new AttributionMap(10, 10, oneHot))).isCloseTo(0.99, within(1e-12));
        assertThat(MapQuality.gini(new AttributionMap(2, 2, new float[4]))).isZero();

        // G = sum_i sum_j |a_i - a_j| / (2 n^2 mean)
        Random r = new Random(3);
        float[] v = new float[48];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        double diff = 0;
        double sum = 0;
        for (float a : v) {
            sum += Math.abs(a);
            for (float b : v) {
                diff += Math.abs(Math.abs(a) - Math.abs(b));
            }
        }
        double expected = diff / (2.0 * v.length * sum);
        assertThat(MapQuality.gini(new AttributionMap(8, 6, v))).isCloseTo(expected, within(1e-9));
    }

    @Test
    void roiMassCountsPositiveAttributionWhosePixelCentresLieInside() {
        // 4x4 map: value 1 everywhere, 5 in the top-left 2x2, -7 in the bottom-right pixel
        float[] v = new float[16];
        java.util.Arrays.fill(v, 1);
        v[0] = v[1] = v[4] = v[5] = 5;
        v[15] = -7;
        AttributionMap map = new AttributionMap(4, 4, v);
        // positives: 4 * 5 + 11 * 1 = 31; top-left quarter holds 20
        assertThat(MapQuality.roiMass(map, List.of(new Roi(0, 0, 0.5, 0.5)))).isCloseTo(20 / 31.0, within(1e-12));
        // overlapping boxes count each pixel once: top half = 20 + 4
        assertThat(MapQuality.roiMass(map, List.of(new Roi(0, 0, 0.5, 0.5), new Roi(0, 0, 1, 0.5))))
                .isCloseTo(24 / 31.0, within(1e-12));
        // a box that covers no pixel centre holds nothing
        assertThat(MapQuality.roiMass(map, List.of(new Roi(0.3, 0.3, 0.35, 0.35)))).isZero();
        assertThat(MapQuality.roiMass(new AttributionMap(2, 2, new float[] {-1, -1, 0, 0}), List.of(new Roi(0, 0, 1, 1)))).isZero();
        assertThat(Roi.ofPixels(2, 1, 4, 3, 4, 4)).isEqualTo(new Roi(0.5, 0.25, 1, 0.75));
        assertThatThrownBy(() -> new Roi(0.5, 0, 0.5, 1)).hasMessageContaining("0 <= x0 < x1 <= 1");
    }

    @Test
    void pointingGameWithAndWithoutSmoothing() {
        // a broad bump inside the box at (2..4, 2..4) and one hot pixel outside at (8, 8)
        float[] v = new float[100];
        for (int y = 2; y <= 4; y++) {
            for (int x = 2; x <= 4; x++) {
                v[y * 10 + x] = 3;
            }
        }
        v[88] = 5;
        AttributionMap map = new AttributionMap(10, 10, v);
        List<Roi> box = List.of(Roi.ofPixels(2, 2, 5, 5, 10, 10));
        assertThat(MapQuality.pointingGame(map, box, 0)).isFalse();
        // radius 1: the bump's centre averages 3, the spike 5 / 9
        assertThat(MapQuality.pointingGame(map, box, 1)).isTrue();
        AttributionMap blurred = MapQuality.boxBlur(map, 1);
        assertThat(blurred.get(3, 3)).isCloseTo(3f, within(1e-6f));
        assertThat(blurred.get(8, 8)).isCloseTo(5f / 9, within(1e-6f));
        assertThat(blurred.get(0, 0)).isCloseTo(0f, within(1e-6f));
        assertThat(blurred.get(9, 9)).isCloseTo(5f / 4, within(1e-6f)); // corner: 4 pixels in the window
    }
}

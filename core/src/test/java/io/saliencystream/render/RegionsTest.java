package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.render.OverlayOptions.Polarity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RegionsTest {

    @Test
    void percentilesAreNearestRankOfTheNonZeroMagnitudes() {
        // 1..100 shuffled, with 50 zeros and 20 negatives that positive polarity must ignore
        List<Float> values = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            values.add((float) i);
        }
        for (int i = 0; i < 50; i++) {
            values.add(0f);
        }
        for (int i = 0; i < 20; i++) {
            values.add(-1000f);
        }
        Collections.shuffle(values, new Random(3));
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        ClippedMap clipped = ClippedMap.of(new AttributionMap(v.length, 1, v), Polarity.POSITIVE, 10, 90);
        assertThat(clipped.low()).isEqualTo(10);
        assertThat(clipped.high()).isEqualTo(90);
        for (int i = 0; i < v.length; i++) {
            float expected = v[i] < 10 ? 0f : (float) Math.min(1, (v[i] - 10) / 80.0);
            assertThat(clipped.strength()[i]).as("value %s", v[i]).isCloseTo(expected, within(1e-6f));
            assertThat(clipped.highlighted()[i]).isEqualTo(v[i] >= 10 ? 1f : 0f);
        }
        ClippedMap negative = ClippedMap.of(new AttributionMap(v.length, 1, v), Polarity.NEGATIVE, 0, 100);
        assertThat(negative.high()).isEqualTo(1000);
        for (int i = 0; i < v.length; i++) {
            assertThat(negative.strength()[i]).isEqualTo(v[i] < 0 ? -1f : 0f);
        }
    }

    @Test
    void nanAndEmptyMapsHighlightNothing() {
        ClippedMap c = ClippedMap.of(new AttributionMap(3, 1, new float[] {Float.NaN, 0f, -2f}), Polarity.POSITIVE, 0, 99);
        assertThat(c.highlighted()).containsOnly(0f);
        assertThat(c.high()).isZero();
    }

    @Test
    void regionsAreEightConnectedSameSignComponentsLargestFirst() {
        // . = 0, + = 1, - = -1
        String[] rows = {
                "++....-.",
                "+.+...-.",
                "...+..-.",
                "........",
                ".++++...",
                ".++++...",
        };
        int w = rows[0].length();
        float[] v = new float[w * rows.length];
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < w; x++) {
                char c = rows[y].charAt(x);
                v[y * w + x] = c == '+' ? 1f : c == '-' ? -1f : 0f;
            }
        }
        ClippedMap map = ClippedMap.of(new AttributionMap(w, rows.length, v), Polarity.BOTH, 0, 100);
        Regions all = Regions.largest(map, 10);
        // the diagonal chain at the top left is one region of 5 (corners touch), the block is 8
        assertThat(all.regions()).extracting(Regions.Region::area).containsExactly(8, 5, 3);
        assertThat(all.regions()).extracting(Regions.Region::positive).containsExactly(true, true, false);
        int[] labels = all.labels();
        assertThat(labels[0]).isEqualTo(labels[2 * w + 3]);
        assertThat(labels[0]).isNotEqualTo(labels[4 * w + 1]);

        Regions one = Regions.largest(map, 1);
        assertThat(one.regions()).extracting(Regions.Region::area).containsExactly(8, 3);
        assertThat(one.mask(true)[0]).as("smaller positive region dropped").isZero();
        assertThat(one.mask(true)[4 * w + 1]).isEqualTo(1f);
        assertThat(one.mask(false)[6]).isEqualTo(1f);
        assertThat(one.mask(true)[6]).isZero();
    }

    /**
     * The working arrays a thread reuses (Scratch) hold the previous map's values: maps of other
     * sizes drawn before give the same clip values, regions and labels as a fresh thread does.
     */
    @Test
    void mapsDrawnAfterMapsOfOtherSizesOnTheSameThreadGetTheSameRegions() throws Exception {
        Random random = new Random(9);
        List<AttributionMap> maps = new ArrayList<>();
        for (int[] size : new int[][] {{224, 224}, {31, 17}, {64, 48}, {5, 300}, {300, 5}, {1, 1}, {224, 224}}) {
            float[] v = new float[size[0] * size[1]];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextInt(3) == 0 ? 0 : (float) random.nextGaussian();
            }
            maps.add(new AttributionMap(size[0], size[1], v));
        }
        List<String> sameThread = new ArrayList<>();
        for (AttributionMap map : maps) {
            sameThread.add(describe(map));
        }
        for (int i = maps.size() - 1; i >= 0; i--) {
            AttributionMap map = maps.get(i);
            String[] fresh = new String[1];
            Thread thread = new Thread(() -> fresh[0] = describe(map));
            thread.start();
            thread.join();
            assertThat(sameThread.get(i)).as("map %d", i).isEqualTo(fresh[0]);
        }
    }

    private static String describe(AttributionMap map) {
        ClippedMap clipped = ClippedMap.of(map, Polarity.BOTH, 40, 99);
        Regions regions = Regions.largest(clipped, 3);
        return clipped.low() + " " + clipped.high() + " " + java.util.Arrays.toString(clipped.strength()) + " "
                + regions.regions() + " " + java.util.Arrays.toString(regions.labels());
    }
}

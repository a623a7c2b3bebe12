package io.saliencystream.render;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The table gives every float strength the colour the map computes for it. */
class PaletteTest {

    private static void assertSame(ColorMap map, float s) {
        assertThat(map.pixelColour(s)).as("%s at %s (key %d)", map, s, Palette.key(s)).isEqualTo(map.colour(s));
    }

    @Test
    void everyFloatAroundEveryChangeInABucketGetsTheComputedColour() {
        for (ColorMap map : ColorMap.values()) {
            if (map.kind() == ColorMap.Kind.TWO_HUE) {
                continue;
            }
            Palette palette = new Palette(map);
            int[] changes = palette.changes();
            assertThat(changes.length).as(map + ": colour changes inside buckets").isGreaterThan(100);
            for (int key : changes) {
                for (int d = -3; d <= 3; d++) {
                    float s = Palette.value(key + d);
                    assertSame(map, s);
                    assertSame(map, -s);
                }
            }
        }
    }

    @Test
    void randomAndSpecialStrengthsGetTheComputedColour() {
        SplittableRandom random = new SplittableRandom(11);
        float[] special = {0f, -0f, 1f, -1f, Float.intBitsToFloat(0xffc00000), 1.5f, -7f, Float.MIN_VALUE, -Float.MIN_VALUE, 0.5f, -0.5f, 0.125f,
                Math.nextDown(1f), Math.nextUp(-1f), Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f};
        for (ColorMap map : ColorMap.values()) {
            for (float s : special) {
                assertSame(map, s);
            }
            // uniform strengths, and bucket edges k / 4096 with their neighbours
            for (int i = 0; i < 200_000; i++) {
                assertSame(map, (float) (random.nextDouble() * 2.2 - 1.1));
            }
            for (int k = -Palette.BUCKETS; k <= Palette.BUCKETS; k++) {
                float edge = k / (float) Palette.BUCKETS;
                assertSame(map, edge);
                assertSame(map, Math.nextUp(edge));
                assertSame(map, Math.nextDown(edge));
            }
        }
    }

    @Test
    void almostEveryBucketIsAnsweredFromTheTable() {
        for (ColorMap map : new ColorMap[] {ColorMap.VIRIDIS, ColorMap.RED, ColorMap.GREEN, ColorMap.PINK_WHITE_GREEN}) {
            Palette palette = new Palette(map);
            int tabled = 0;
            int n = 100_000;
            for (int i = 0; i < n; i++) {
                tabled += palette.tabled((i + 0.5f) / n) ? 1 : 0;
            }
            assertThat(tabled).as(map.toString()).isGreaterThan(n * 95 / 100);
        }
        assertThatThrownBy(() -> new Palette(ColorMap.PINK_GREEN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void floatOrderKeysFollowTheValues() {
        float[] ordered = {Float.NEGATIVE_INFINITY, -1f, -0.5f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 0.5f, 1f, Float.POSITIVE_INFINITY};
        for (int i = 1; i < ordered.length; i++) {
            assertThat(Palette.key(ordered[i])).isGreaterThan(Palette.key(ordered[i - 1]));
            assertThat(Float.floatToRawIntBits(Palette.value(Palette.key(ordered[i])))).isEqualTo(Float.floatToRawIntBits(ordered[i]));
        }
        assertThat(Palette.key(0f)).isEqualTo(Palette.key(-0f) + 1);
    }
}

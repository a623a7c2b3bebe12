package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.render.OverlayOptions.Polarity;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The clip values are the nearest-rank percentiles of the non-zero magnitudes, as a full sort finds them. */
class ClippedMapTest {

    /** Nearest rank by sorting: the definition the selection must reproduce. */
    private static double percentile(float[] v, Polarity polarity, double p) {
        float[] m = new float[v.length];
        int n = 0;
        for (float x : v) {
            float magnitude = polarity == Polarity.POSITIVE ? x : polarity == Polarity.NEGATIVE ? -x : Math.abs(x);
            if (magnitude > 0) {
                m[n++] = magnitude;
            }
        }
        Arrays.sort(m, 0, n);
        int rank = (int) Math.ceil(p / 100 * n);
        return m[Math.max(0, Math.min(n, rank) - 1)];
    }

    @Test
    void clipValuesMatchASortedReferenceOnMapsWithNoiseRunsOfEqualValuesAndSpecialValues() {
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(trial < 100 ? 20 : 5000);
            float[] v = new float[n];
            int levels = 1 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                v[i] = switch (trial % 4) {
                    case 0 -> (float) random.nextGaussian();
                    // a few levels: long runs of equal values
                    case 1 -> (random.nextInt(levels) - levels / 2) * 0.25f;
                    // magnitudes across many orders, subnormals to huge
                    case 2 -> (float) (Math.signum(random.nextGaussian()) * Math.pow(10, -44 + 80 * random.nextDouble()));
                    default -> random.nextInt(10) == 0 ? Float.NaN : random.nextInt(50) == 0 ? Float.POSITIVE_INFINITY
                            : (float) random.nextGaussian();
                };
            }
            double below = random.nextInt(4) == 0 ? 0 : 100 * random.nextDouble() * 0.9;
            double above = below + (100 - below) * (0.01 + 0.99 * random.nextDouble());
            for (Polarity polarity : Polarity.values()) {
                float[] clean = v.clone();
                for (int i = 0; i < clean.length; i++) {
                    clean[i] = Float.isNaN(clean[i]) ? 0 : clean[i];
                }
                boolean any = false;
                for (float x : clean) {
                    any |= (polarity == Polarity.POSITIVE ? x : polarity == Polarity.NEGATIVE ? -x : Math.abs(x)) > 0;
                }
                ClippedMap clipped = ClippedMap.of(new AttributionMap(n, 1, v), polarity, below, above);
                String what = "trial " + trial + " " + polarity + " " + below + ".." + above;
                if (!any) {
                    assertThat(clipped.high()).as(what).isZero();
                    continue;
                }
                assertThat(clipped.high()).as(what).isEqualTo(percentile(clean, polarity, above));
                assertThat(clipped.low()).as(what).isEqualTo(below <= 0 ? 0 : percentile(clean, polarity, below));
            }
        }
    }

    @Test
    void eachPixelIsHighlightedAndStrongAsDefinedForEveryPolarityAndSpecialValue() {
        Random random = new Random(5);
        float negativeNaN = Float.intBitsToFloat(0xffc00000);
        float[] special = {0f, -0f, Float.NaN, negativeNaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};
        for (int trial = 0; trial < 40; trial++) {
            float[] v = new float[2000];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextInt(8) == 0 ? special[random.nextInt(special.length)]
                        : trial % 2 == 0 ? (float) random.nextGaussian() : (random.nextInt(5) - 2) * 0.5f;
            }
            for (Polarity polarity : Polarity.values()) {
                double below = trial % 3 == 0 ? 0 : 60;
                ClippedMap clipped = ClippedMap.of(new AttributionMap(v.length, 1, v), polarity, below, 95);
                for (int i = 0; i < v.length; i++) {
                    float x = v[i];
                    float m = polarity == Polarity.POSITIVE ? x : polarity == Polarity.NEGATIVE ? -x : Math.abs(x);
                    boolean on = m > 0 && m >= clipped.low();
                    // capped at 1; an infinite or NaN quotient (no spread, or infinite magnitudes) is 1
                    double q = (m - clipped.low()) / (clipped.high() - clipped.low());
                    float expected = !on ? 0 : (float) (clipped.high() > clipped.low() && q < 1 ? q : 1) * (x < 0 ? -1 : 1);
                    String what = "trial " + trial + " " + polarity + " pixel " + i + " value " + x;
                    assertThat(clipped.highlighted(i, 0)).as(what).isEqualTo(on);
                    assertThat(clipped.strength(i, 0)).as(what).isEqualTo(expected);
                    assertThat(Float.floatToRawIntBits(clipped.strength(i, 0)) < 0).as(what + " sign").isEqualTo(on && x < 0);
                }
            }
        }
    }
}

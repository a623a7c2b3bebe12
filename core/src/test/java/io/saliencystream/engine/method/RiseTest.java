package io.saliencystream.engine.method;

import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * RISE on a linear model whose class-0 score w . x reads only a known square region R, class 1
 * a constant. With baseline 0 the masked score is sum over R of w x M, so the RISE map is
 * sum_i (sum over R of w x M_i) M_i / (n p), recomputed here from the bank's masks; and the
 * map should peak inside R. Class 1's map is c times the mean mask over p (about c).
 */
class RiseTest {

    private static final int C = 3;
    private static final int S = 24;
    private static final float CONSTANT = 0.4f;
    // R = [14, 20) x [4, 10)
    private static final int RX0 = 14;
    private static final int RY0 = 4;
    private static final int RS = 6;

    @TempDir
    Path dir;

    private CatalogModel model;

    @AfterEach
    void close() throws Exception {
        if (model != null) {
            model.close();
        }
    }

    private static ModelSpec spec() {
        return new ModelSpec("m", "1", "m.onnx", null, "x", ModelSpec.Layout.NCHW, S, S, C,
                ModelSpec.ColorOrder.RGB, 1.0, new double[] {0, 0, 0}, new double[] {1, 1, 1},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.PROBABILITIES, List.of("region", "constant"),
                new ModelSpec.MethodSpec("rise", Map.of()));
    }

    private static boolean inRegion(int x, int y) {
        return x >= RX0 && x < RX0 + RS && y >= RY0 && y < RY0 + RS;
    }

    private float[] weights;
    private float[] input;

    private CatalogModel regionModel() throws Exception {
        Random r = new Random(1);
        weights = new float[C * S * S];
        input = new float[C * S * S];
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    int i = (c * S + y) * S + x;
                    input[i] = (float) r.nextGaussian();
                    // positive contributions w x inside R only
                    weights[i] = inRegion(x, y) ? (float) (0.05 * Math.signum(input[i]) * (0.5 + r.nextDouble())) : 0f;
                }
            }
        }
        model = CatalogModel.of(spec(), TinyOnnxModels.linearTwoClass(dir, new long[] {C, S, S}, weights, CONSTANT));
        return model;
    }

    @Test
    void matchesTheDefinitionOverTheBankAndPeaksInTheRegion() throws Exception {
        CatalogModel m = regionModel();
        Rise.Params params = new Rise.Params(4, 500, 0.5, "0", 64, 0, 0, 100, 3L, TargetScore.RAW);

        Rise.AllClasses all = new Rise(params).explainAllClasses(m, input, 0, 5L);

        RiseMaskBank bank = RiseMaskBank.of(new RiseMaskBank.Key(S, S, 4, 0.5, 500, 3L));
        double[] expected0 = new double[S * S];
        double[] expected1 = new double[S * S];
        float[] mask = new float[S * S];
        for (int i = 0; i < 500; i++) {
            bank.mask(i, mask);
            double f = 0;
            for (int c = 0; c < C; c++) {
                for (int p = 0; p < S * S; p++) {
                    f += weights[c * S * S + p] * input[c * S * S + p] * mask[p];
                }
            }
            for (int p = 0; p < S * S; p++) {
                expected0[p] += f * mask[p] / (500 * 0.5);
                expected1[p] += CONSTANT * mask[p] / (500 * 0.5);
            }
        }
        for (int p = 0; p < S * S; p++) {
            assertThat((double) all.maps()[0][p]).isCloseTo(expected0[p], within(1e-4 + 1e-4 * Math.abs(expected0[p])));
            assertThat((double) all.maps()[1][p]).isCloseTo(expected1[p], within(1e-4));
        }
        assertThat(all.masksUsed()).isEqualTo(500);
        assertThat(all.converged()).isFalse();
        Explanation e = all.target();
        assertThat(e.modelCalls()).isEqualTo(1 + 8); // ceil(500 / 64) batches
        assertThat(e.modelEvaluations()).isEqualTo(501);
        assertThat(all.forClass(1).map().values()).containsExactly(all.maps()[1]);

        // the peak lies in R, and R's mean saliency stands clear of the rest
        float[] map = e.map().values();
        int best = 0;
        double in = 0;
        double out = 0;
        for (int p = 0; p < map.length; p++) {
            best = map[p] > map[best] ? p : best;
            if (inRegion(p % S, p / S)) {
                in += map[p] / (RS * RS);
            } else {
                out += map[p] / (S * S - RS * RS);
            }
        }
        assertThat(inRegion(best % S, best / S)).isTrue();
        // far from R the expected saliency is p f(x) (independent masks), in R up to E[M^2] f(x) / p: measured 1.27x
        assertThat(in).isGreaterThan(1.2 * out);
    }

    @ParameterizedTest
    @EnumSource(TargetScore.class)
    void theTargetOnlyRunGivesTheAllClassesRunsMapsClassByClass(TargetScore score) throws Exception {
        CatalogModel m = regionModel();
        Rise rise = new Rise(new Rise.Params(4, 300, 0.5, "0", 64, 0, 0, 100, 3L, score));

        Rise.AllClasses all = rise.explainAllClasses(m, input, 0, 5L);

        for (int k = 0; k < 2; k++) {
            Explanation one = rise.explain(m, input, k, 5L);
            float[] expected = all.maps()[k];
            float scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertThat(one.modelEvaluations()).isEqualTo(all.target().modelEvaluations());
            for (int p = 0; p < expected.length; p++) {
                assertThat(one.map().values()[p]).isCloseTo(expected[p], within(1e-5f * scale + 1e-6f));
            }
        }
    }

    @Test
    void masksAreSmoothKeepAboutPAndAreCachedPerKey() {
        RiseMaskBank.Key key = new RiseMaskBank.Key(30, 20, 5, 0.3, 2000, 11L);
        RiseMaskBank bank = RiseMaskBank.of(key);
        assertThat(RiseMaskBank.of(key)).isSameAs(bank);
        assertThat(RiseMaskBank.isCached(key)).isTrue();
        double mean = 0;
        float[] mask = new float[600];
        boolean fractional = false;
        for (int i = 0; i < 2000; i++) {
            bank.mask(i, mask);
            for (float v : mask) {
                assertThat(v).isBetween(0f, 1f);
                mean += v / (2000.0 * 600);
                fractional |= v > 0.05f && v < 0.95f;
            }
        }
        assertThat(mean).isCloseTo(0.3, within(0.01));
        assertThat(fractional).as("bilinear upsampling leaves soft edges").isTrue();
    }

    @Test
    void stopsEarlyWhenTheMapConverges() throws Exception {
        CatalogModel m = regionModel();
        Rise.Params params = new Rise.Params(4, 5000, 0.5, "0", 100, 0.05, 300, 100, 0L, TargetScore.RAW);

        Rise.AllClasses all = new Rise(params).explainAllClasses(m, input, 0, 0L);

        assertThat(all.converged()).isTrue();
        assertThat(all.masksUsed()).isBetween(500, 4900);
        assertThat(all.masksUsed() % 100).isZero();
        assertThat(all.target().modelEvaluations()).isEqualTo(1L + all.masksUsed());
        assertThat(all.target().modelCalls()).isEqualTo(1 + all.masksUsed() / 100);
    }

    @Test
    void presetsAndBadParameters() {
        Rise.Params p = Rise.Params.from(Map.of("preset", "8x8"));
        assertThat(p.cells()).isEqualTo(8);
        assertThat(p.masks()).isEqualTo(5000);
        assertThat(p.minMasks()).isEqualTo(1250);
        assertThat(Rise.Params.from(Map.of("preset", "12x12", "masks", "300")).masks()).isEqualTo(300);
        assertThat(Rise.Params.from(Map.of()).asMap()).containsEntry("cells", "4").containsEntry("masks", "1000")
                .containsEntry("p", "0.5").containsEntry("score", "probability");
        assertThatThrownBy(() -> Rise.Params.from(Map.of("preset", "3x3"))).hasMessageContaining("preset: unknown value '3x3'");
        assertThatThrownBy(() -> Rise.Params.from(Map.of("p", "1"))).hasMessageContaining("between 0 and 1");
        assertThat(new ExplanationEngine().defaultExplainer(spec())).isInstanceOf(Rise.class);
    }
}

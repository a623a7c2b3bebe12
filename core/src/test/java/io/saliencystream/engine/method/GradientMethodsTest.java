package io.saliencystream.engine.method;

import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/**
 * Gradient methods on the linear two-class model of {@link TinyOnnxModels}, whose raw class-0
 * output is w . x: its gradient is w, and Integrated Gradients of it is (x - b) w exactly.
 */
class GradientMethodsTest {

    private static final int C = 3;
    private static final int H = 5;
    private static final int W = 7;

    @TempDir
    Path dir;

    private CatalogModel model;
    private final GradientModels cache = new GradientModels();

    @AfterEach
    void close() throws Exception {
        cache.close();
        if (model != null) {
            model.close();
        }
    }

    private CatalogModel linear(ModelSpec.Layout layout, float[] weights) throws Exception {
        ModelSpec spec = new ModelSpec("linear", "1", "linear.onnx", null, "x", layout, W, H, C,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.5, 0.4, 0.3}, new double[] {0.5, 0.25, 0.2},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS, List.of("weighted-sum", "constant"),
                new ModelSpec.MethodSpec(VanillaGradient.NAME, Map.of()));
        model = CatalogModel.of(spec, TinyOnnxModels.linearTwoClass(dir, Arrays.copyOfRange(spec.inputShape(1), 1, 4), weights, 0.25f));
        return model;
    }

    private static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** Sum over channels of v, per pixel, by the layout's index. */
    private static float[] channelSum(ModelSpec spec, double[] v) {
        Preprocessor layout = new Preprocessor(spec);
        float[] m = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                for (int c = 0; c < C; c++) {
                    m[y * W + x] += (float) v[layout.index(c, y, x)];
                }
            }
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(ModelSpec.Layout.class)
    void vanillaGradientOfALinearModelIsItsWeights(ModelSpec.Layout layout) throws Exception {
        float[] w = random(1, C * H * W);
        CatalogModel m = linear(layout, w);
        float[] x = random(2, w.length);
        Explanation e = new VanillaGradient(VanillaGradient.Params.from(Map.of("score", "raw")), cache).explain(m, x, 0, 3L);
        double[] weights = new double[w.length];
        double[] times = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            weights[i] = w[i];
            times[i] = (double) w[i] * x[i];
        }
        assertThat(e.map().values()).containsExactly(channelSum(m.spec(), weights), offset(1e-5f));
        assertThat(e.targetClass()).isEqualTo(0);
        assertThat(e.modelCalls()).isEqualTo(2);

        Explanation gx = new VanillaGradient(VanillaGradient.Params.from(Map.of("score", "raw", "times_input", "true")), cache)
                .explain(m, x, 0, 3L);
        assertThat(gx.map().values()).containsExactly(channelSum(m.spec(), times), offset(1e-5f));
        assertThat(cache.size()).as("one gradient model per file and score").isEqualTo(1);
    }

    @Test
    void smoothGradWithoutNoiseIsTheVanillaGradient() throws Exception {
        CatalogModel m = linear(ModelSpec.Layout.NCHW, random(4, C * H * W));
        float[] x = random(5, C * H * W);
        // the probability of a linear model is not linear in x: a gradient that depends on x
        Explanation vanilla = new VanillaGradient(VanillaGradient.Params.from(Map.of("score", "probability")), cache).explain(m, x, 1, 9L);
        Explanation smooth = new SmoothGrad(SmoothGrad.Params.from(Map.of("score", "probability", "noise", "0", "samples", "5",
                "batch_size", "2")), cache).explain(m, x, 1, 9L);
        assertThat(smooth.map().values()).containsExactly(vanilla.map().values(), offset(1e-6f));
        assertThat(smooth.modelCalls()).isEqualTo(1 + 3);
        Explanation noisy = new SmoothGrad(SmoothGrad.Params.from(Map.of("score", "probability", "noise", "0.5")), cache).explain(m, x, 1, 9L);
        assertThat(noisy.map().values()).as("noise changes the log-odds gradient").isNotEqualTo(vanilla.map().values());
        assertThat(new SmoothGrad(SmoothGrad.Params.from(Map.of("score", "probability", "noise", "0.5")), cache).explain(m, x, 1, 9L).map().values())
                .as("seeded").containsExactly(noisy.map().values());
    }

    @ParameterizedTest
    @EnumSource(IntegrationRule.class)
    void integratedGradientsOfALinearScoreIsInputMinusBaselineTimesWeights(IntegrationRule rule) throws Exception {
        float[] w = random(6, C * H * W);
        CatalogModel m = linear(ModelSpec.Layout.NHWC, w);
        float[] x = random(7, w.length);
        Map<String, String> p = Map.of("score", "raw", "baseline", "black,white,blurred", "steps", "3",
                "rule", ParameterReader.id(rule), "batch_size", "4");
        Explanation e = new IntegratedGradients(IntegratedGradients.Params.from(p), cache).explain(m, x, 0, 11L);
        float[] black = Baseline.BLACK.of(x, m.spec(), 5, null);
        float[] white = Baseline.WHITE.of(x, m.spec(), 5, null);
        float[] blurred = Baseline.BLURRED.of(x, m.spec(), 5, null);
        double[] expected = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            expected[i] = w[i] * (x[i] - (black[i] + white[i] + blurred[i]) / 3.0);
        }
        assertThat(e.map().values()).containsExactly(channelSum(m.spec(), expected), offset(1e-4f));
        assertThat(e.diagnostics().get("completenessError")).isCloseTo(0, offset(1e-3));
        // black of channel 0 is (0 - 0.5) / 0.5 = -1, white (1 - 0.5) / 0.5 = 1
        assertThat(black[new Preprocessor(m.spec()).index(0, 2, 3)]).isEqualTo(-1f);
        assertThat(white[new Preprocessor(m.spec()).index(0, 2, 3)]).isEqualTo(1f);
    }

    @Test
    void badParametersAreRefusedWithTheReason() {
        assertThatThrownBy(() -> IntegratedGradients.Params.from(Map.of("rule", "simpson")))
                .hasMessageContaining("rule: unknown value 'simpson'; valid: riemann_left");
        assertThatThrownBy(() -> IntegratedGradients.Params.from(Map.of("baseline", "grey")))
                .hasMessageContaining("baseline: unknown value 'grey'; valid: black, white, blurred, uniform");
        assertThatThrownBy(() -> SmoothGrad.Params.from(Map.of("noise", "-1"))).hasMessageContaining("noise >= 0");
        assertThatThrownBy(() -> VanillaGradient.Params.from(Map.of("times_input", "yes"))).hasMessageContaining("true or false");
    }

    @ParameterizedTest
    @EnumSource(IntegrationRule.class)
    void quadratureRulesIntegratePolynomialsAsTheirOrderPromises(IntegrationRule rule) {
        for (int steps : new int[] {1, 2, 5, 16}) {
            double[][] nw = rule.nodesAndWeights(steps);
            assertThat(Arrays.stream(nw[1]).sum()).isCloseTo(1, offset(1e-12));
            // exact degree: left/right 0, middle/trapezoid 1, Gauss-Legendre 2 steps - 1
            int exact = switch (rule) {
                case RIEMANN_LEFT, RIEMANN_RIGHT -> 0;
                case RIEMANN_MIDDLE, TRAPEZOID -> 1;
                case GAUSS_LEGENDRE -> 2 * steps - 1;
            };
            for (int d = 0; d <= Math.min(exact, 12); d++) {
                double q = 0;
                for (int k = 0; k < nw[0].length; k++) {
                    q += nw[1][k] * Math.pow(nw[0][k], d);
                }
                assertThat(q).as("%s %d steps, x^%d", rule, steps, d).isCloseTo(1.0 / (d + 1), offset(1e-12));
            }
            if (exact > 9) {
                continue; // beyond that the error of x^(exact+1) is below double rounding
            }
            double q = 0;
            for (int k = 0; k < nw[0].length; k++) {
                q += nw[1][k] * Math.pow(nw[0][k], exact + 1);
            }
            assertThat(Math.abs(q - 1.0 / (exact + 2))).as("%s %d steps not exact beyond degree %d", rule, steps, exact).isGreaterThan(1e-9);
        }
    }
}

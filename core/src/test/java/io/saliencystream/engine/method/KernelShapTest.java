package io.saliencystream.engine.method;

import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.segment.Segmentation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * KernelSHAP against closed forms. For a model linear in the input, w . x, a grid cell S kept or
 * replaced by baseline b changes the score by exactly sum over S of w (x - b), so the model is
 * linear in the superpixels and its Shapley values are those sums, whether coalitions are
 * enumerated or sampled. For the squared model (w . x)^2 the exact Shapley values come from the
 * Shapley formula over all subsets, computed here by brute force.
 */
class KernelShapTest {

    private static final int C = 3;
    private static final int H = 8;
    private static final int W = 8;

    @TempDir
    Path dir;

    private CatalogModel model;

    @AfterEach
    void close() throws Exception {
        if (model != null) {
            model.close();
        }
    }

    private static ModelSpec spec(String method) {
        return new ModelSpec("m", "1", "m.onnx", null, "x", ModelSpec.Layout.NCHW, W, H, C,
                ModelSpec.ColorOrder.RGB, 1.0, new double[] {0, 0, 0}, new double[] {1, 1, 1},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.PROBABILITIES, List.of("a", "b"),
                new ModelSpec.MethodSpec(method, Map.of()));
    }

    private static float[] random(long seed, int n, double scale) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /** Per grid cell: sum over its pixels and channels of w (x - b). */
    private static double[] cellSums(Segmentation seg, float[] w, float[] x, float b) {
        double[] sums = new double[seg.count()];
        for (int c = 0; c < C; c++) {
            for (int p = 0; p < W * H; p++) {
                int i = c * W * H + p;
                sums[seg.labels()[p]] += w[i] * (x[i] - b);
            }
        }
        return sums;
    }

    @ParameterizedTest(name = "grid {0}, samples {1}")
    @CsvSource({
            "3, 600",  // 9 superpixels: 510 coalitions, enumerated
            "4, 400",  // 16 superpixels: sampled
            "8, 2000", // 64 superpixels: sampled
    })
    void recoversTheCoefficientsOfAModelLinearInItsSuperpixels(int grid, int samples) throws Exception {
        float[] w = random(1, C * H * W, 1);
        float[] x = random(2, C * H * W, 1);
        model = CatalogModel.of(spec("kernelshap"), TinyOnnxModels.linearTwoClass(dir, new long[] {C, H, W}, w, 0.3f));
        KernelShap shap = new KernelShap(new KernelShap.Params(KernelShap.Superpixels.GRID, grid, 50, 10, samples, "0.25",
                32, TargetScore.RAW));

        KernelShap.Result r = shap.shapleyValues(model, x, 0, 42L);

        double[] expected = cellSums(r.superpixels(), w, x, 0.25f);
        assertThat(r.superpixels().count()).isEqualTo(grid * grid);
        assertThat(r.enumerated()).isEqualTo(grid == 3);
        for (int j = 0; j < expected.length; j++) {
            assertThat(r.phi()[j]).as("phi %d", j).isCloseTo(expected[j], within(2e-4 + 1e-4 * Math.abs(expected[j])));
        }
        // the map spreads phi over the superpixel: its sum per cell is phi
        double[] mapSums = new double[expected.length];
        for (int p = 0; p < W * H; p++) {
            mapSums[r.superpixels().labels()[p]] += r.explanation().map().values()[p];
        }
        for (int j = 0; j < expected.length; j++) {
            assertThat(mapSums[j]).isCloseTo(expected[j], within(1e-3));
        }
        Explanation e = r.explanation();
        assertThat(e.modelEvaluations()).isEqualTo(1 + r.coalitions() + 1L);
        assertThat(e.modelCalls()).isEqualTo(1 + (r.coalitions() + 1 + 31) / 32);
        assertThat(r.coalitions()).isLessThanOrEqualTo(Math.max(samples, 510));
        assertThat(e.parameters()).containsEntry("superpixels", "grid").containsEntry("samples", "" + samples);
    }

    @Test
    void enumeratedCoalitionsGiveTheExactShapleyValuesOfANonLinearModel() throws Exception {
        float[] w = random(3, C * H * W, 0.3);
        float[] x = random(4, C * H * W, 1);
        model = CatalogModel.of(spec("kernelshap"), SquaredModels.squaredTwoClass(dir, new long[] {C, H, W}, w, 0.5f));
        KernelShap shap = new KernelShap(new KernelShap.Params(KernelShap.Superpixels.GRID, 2, 50, 10, 64, "0",
                8, TargetScore.RAW));

        KernelShap.Result r = shap.shapleyValues(model, x, 0, 0L);

        // v(S) = (sum over kept cells of a_j)^2 with a_j = cell sum of w x
        double[] a = cellSums(r.superpixels(), w, x, 0f);
        int m = a.length;
        double[] exact = new double[m];
        for (int j = 0; j < m; j++) {
            for (int s = 0; s < (1 << m); s++) {
                if ((s & (1 << j)) != 0) {
                    continue;
                }
                int size = Integer.bitCount(s);
                double weight = factorial(size) * factorial(m - size - 1) / factorial(m);
                exact[j] += weight * (value(a, s | (1 << j)) - value(a, s));
            }
        }
        assertThat(r.enumerated()).isTrue();
        for (int j = 0; j < m; j++) {
            assertThat(r.phi()[j]).as("phi %d", j).isCloseTo(exact[j], within(1e-4 * (1 + Math.abs(exact[j]))));
        }
        assertThat(r.inputScore() - r.baselineScore()).isCloseTo(value(a, (1 << m) - 1), within(1e-3));
    }

    private static double value(double[] a, int subset) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            if ((subset & (1 << j)) != 0) {
                s += a[j];
            }
        }
        return s * s;
    }

    private static double factorial(int n) {
        double f = 1;
        for (int i = 2; i <= n; i++) {
            f *= i;
        }
        return f;
    }

    @Test
    void sameSeedSameMapAndSlicSuperpixelsRespectEfficiency() throws Exception {
        float[] w = random(5, C * H * W, 0.3);
        float[] x = random(6, C * H * W, 1);
        model = CatalogModel.of(spec("kernelshap"), SquaredModels.squaredTwoClass(dir, new long[] {C, H, W}, w, 0.5f));
        KernelShap shap = new KernelShap(KernelShap.Params.from(Map.of("superpixels", "slic", "segments", "12",
                "samples", "200", "score", "raw")));

        KernelShap.Result a = shap.shapleyValues(model, x, 0, 9L);
        KernelShap.Result b = shap.shapleyValues(model, x, 0, 9L);

        assertThat(a.explanation().map().values()).containsExactly(b.explanation().map().values());
        double sum = 0;
        for (double v : a.phi()) {
            sum += v;
        }
        assertThat(sum).isCloseTo(a.inputScore() - a.baselineScore(), within(1e-6 * (1 + Math.abs(sum))));
        assertThat(a.superpixels().count()).isBetween(4, 30);
    }

    @Test
    void engineKnowsKernelShapAndRejectsBadParameters() throws Exception {
        assertThat(new ExplanationEngine().defaultExplainer(spec("kernelshap"))).isInstanceOf(KernelShap.class);
        assertThatThrownBy(() -> KernelShap.Params.from(Map.of("superpixels", "watershed")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("superpixels");
        assertThatThrownBy(() -> KernelShap.Params.from(Map.of("samples", "1")))
                .hasMessageContaining("samples >= 2");
        assertThatThrownBy(() -> KernelShap.Params.from(Map.of("baseline", "grey")))
                .hasMessageContaining("baseline");
    }
}

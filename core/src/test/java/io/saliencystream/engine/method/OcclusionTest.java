package io.saliencystream.engine.method;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Occlusion on a linear model whose class-0 score is w . x and class-1 score a constant. Then
 * occluding window S with baseline b lowers class 0 by exactly sum over S of w (x - b), so each
 * pixel's attribution is the mean of that over the windows covering it, computed here
 * independently by brute force.
 */
class OcclusionTest {

    private static final int C = 3;
    private static final int H = 5;
    private static final int W = 7;
    private static final float CONSTANT = 0.25f;

    @TempDir
    Path dir;

    private CatalogModel model;

    @AfterEach
    void close() throws Exception {
        if (model != null) {
            model.close();
        }
    }

    private static ModelSpec spec(ModelSpec.Layout layout, ModelSpec.OutputKind kind) {
        return new ModelSpec("linear", "1", "linear.onnx", null, "x", layout, W, H, C,
                ModelSpec.ColorOrder.RGB, 1.0, new double[] {0, 0, 0}, new double[] {1, 1, 1},
                ModelSpec.ResizeMode.STRETCH, kind, List.of("weighted-sum", "constant"),
                new ModelSpec.MethodSpec("occlusion", Map.of()));
    }

    private static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private CatalogModel linearModel(ModelSpec spec, float[] weights) throws Exception {
        long[] shape = Arrays.copyOfRange(spec.inputShape(1), 1, 4);
        model = CatalogModel.of(spec, TinyOnnxModels.linearTwoClass(dir, shape, weights, CONSTANT));
        return model;
    }

    /** Window starts by the closed form: k * stride for k = 0..max(0, ceil((n - window) / stride)). */
    private static List<Integer> starts(int n, int window, int stride) {
        int last = Math.max(0, (int) Math.ceil((double) (n - window) / stride));
        List<Integer> s = new ArrayList<>();
        for (int k = 0; k <= last; k++) {
            s.add(k * stride);
        }
        return s;
    }

    /** Reference attribution: mean over covering windows of sum over the window of w (x - b). */
    private static double[] expected(ModelSpec spec, float[] x, float[] w, float[] baseline, int window, int stride) {
        Preprocessor layout = new Preprocessor(spec);
        double[] sum = new double[W * H];
        int[] count = new int[W * H];
        for (int y0 : starts(H, window, stride)) {
            for (int x0 : starts(W, window, stride)) {
                double delta = 0;
                for (int y = y0; y < Math.min(H, y0 + window); y++) {
                    for (int xx = x0; xx < Math.min(W, x0 + window); xx++) {
                        for (int c = 0; c < C; c++) {
                            int i = layout.index(c, y, xx);
                            delta += w[i] * (x[i] - baseline[c]);
                        }
                    }
                }
                for (int y = y0; y < Math.min(H, y0 + window); y++) {
                    for (int xx = x0; xx < Math.min(W, x0 + window); xx++) {
                        sum[y * W + xx] += delta;
                        count[y * W + xx]++;
                    }
                }
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] = count[i] == 0 ? 0 : sum[i] / count[i];
        }
        return sum;
    }

    private static void assertMap(AttributionMap map, double[] expected) {
        assertThat(map.width()).isEqualTo(W);
        assertThat(map.height()).isEqualTo(H);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) map.values()[i]).as("pixel %d", i).isCloseTo(expected[i], within(1e-4 + 1e-4 * Math.abs(expected[i])));
        }
    }

    @ParameterizedTest(name = "window {0} stride {1} batch {2} {3}")
    @CsvSource({
            "2, 1, 4, NCHW",   // stride < window: pixels covered by up to 4 windows
            "3, 2, 5, NCHW",   // windows overhang the right and bottom edges
            "3, 3, 64, NHWC",  // tiling, one batch holds every window
            "1, 1, 7, NCHW",   // single pixels
            "8, 4, 2, NCHW",   // window larger than the input: one window covers everything
            "2, 3, 3, NHWC",   // stride > window: uncovered pixels get 0
    })
    void matchesClosedFormAndCountsCalls(int window, int stride, int batch, ModelSpec.Layout layout) throws Exception {
        ModelSpec spec = spec(layout, ModelSpec.OutputKind.PROBABILITIES);
        float[] w = random(1, C * H * W);
        float[] x = random(2, C * H * W);
        CatalogModel m = linearModel(spec, w);
        Occlusion occlusion = new Occlusion(new Occlusion.Params(window, stride, "0.5", batch, TargetScore.RAW));

        Explanation e = occlusion.explain(m, x, 0, 7L);

        assertMap(e.map(), expected(spec, x, w, new float[] {0.5f, 0.5f, 0.5f}, window, stride));
        int windows = starts(H, window, stride).size() * starts(W, window, stride).size();
        assertThat(e.modelCalls()).isEqualTo(1 + (windows + batch - 1) / batch);
        assertThat(e.modelEvaluations()).isEqualTo(1 + windows);
        assertThat(e.targetClass()).isZero();
        assertThat(e.seed()).isEqualTo(7L);
        assertThat(e.parameters()).containsEntry("window", "" + window).containsEntry("stride", "" + stride)
                .containsEntry("baseline", "0.5").containsEntry("batch_size", "" + batch).containsEntry("score", "raw");
        double wx = 0;
        for (int i = 0; i < w.length; i++) {
            wx += w[i] * x[i];
        }
        assertThat((double) e.scores()[0]).isCloseTo(wx, within(1e-4));
        assertThat(e.scores()[1]).isEqualTo(CONSTANT);
    }

    @Test
    void classThatIgnoresThePixelsGetsZeroAttribution() throws Exception {
        ModelSpec spec = spec(ModelSpec.Layout.NCHW, ModelSpec.OutputKind.PROBABILITIES);
        CatalogModel m = linearModel(spec, random(3, C * H * W));
        Explanation e = new Occlusion(new Occlusion.Params(2, 1, "0", 8, TargetScore.RAW))
                .explain(m, random(4, C * H * W), 1, 0L);
        assertThat(e.targetClass()).isEqualTo(1);
        for (float v : e.map().values()) {
            assertThat(v).isEqualTo(0f);
        }
    }

    @Test
    void logOddsOfLogitsIsLinearAndMedianBaselineIsPerChannel() throws Exception {
        // for logits (z0 = w.x, z1 = c) the log-odds of class 0 is z0 - c, linear in x again;
        // for class 1 it is c - z0, so its map is the exact negative
        ModelSpec spec = spec(ModelSpec.Layout.NCHW, ModelSpec.OutputKind.LOGITS);
        float[] w = random(5, C * H * W);
        float[] x = random(6, C * H * W);
        CatalogModel m = linearModel(spec, w);
        float[] medians = new float[C];
        for (int c = 0; c < C; c++) {
            float[] ch = Arrays.copyOfRange(x, c * H * W, (c + 1) * H * W);
            Arrays.sort(ch);
            medians[c] = ch[ch.length / 2];
        }
        Occlusion occlusion = new Occlusion(new Occlusion.Params(2, 1, "median", 16, TargetScore.LOGODDS));

        double[] expected = expected(spec, x, w, medians, 2, 1);
        assertMap(occlusion.explain(m, x, 0, 0L).map(), expected);
        double[] negated = Arrays.stream(expected).map(v -> -v).toArray();
        assertMap(occlusion.explain(m, x, 1, 0L).map(), negated);
    }

    @Test
    void probabilityScoreOfLogitsUsesSoftmax() throws Exception {
        ModelSpec spec = spec(ModelSpec.Layout.NCHW, ModelSpec.OutputKind.LOGITS);
        float[] w = random(8, C * H * W);
        for (int i = 0; i < w.length; i++) {
            w[i] *= 0.1f; // keeps the softmax away from saturation
        }
        float[] x = random(9, C * H * W);
        CatalogModel m = linearModel(spec, w);
        Explanation e = new Occlusion(new Occlusion.Params(W, W, "0", 1, TargetScore.PROBABILITY))
                .explain(m, x, 0, 0L);
        // one window covers everything: occluded z0 = 0, so delta = sigmoid(z0 - c) - sigmoid(-c)
        double z0 = 0;
        for (int i = 0; i < w.length; i++) {
            z0 += w[i] * x[i];
        }
        double delta = 1 / (1 + Math.exp(CONSTANT - z0)) - 1 / (1 + Math.exp(CONSTANT));
        for (float v : e.map().values()) {
            assertThat((double) v).isCloseTo(delta, within(1e-5));
        }
        assertThat((double) e.targetScore()).isCloseTo(1 / (1 + Math.exp(CONSTANT - z0)), within(1e-6));
    }

    @Test
    void engineExplainsThePredictedClassWithTheCatalogMethod() throws Exception {
        ModelSpec base = spec(ModelSpec.Layout.NCHW, ModelSpec.OutputKind.PROBABILITIES);
        ModelSpec spec = new ModelSpec(base.name(), base.version(), base.onnxFile(), null, base.inputName(), base.layout(),
                W, H, C, base.colorOrder(), 1.0, base.mean(), base.std(), base.resize(), base.output(), base.labels(),
                new ModelSpec.MethodSpec("occlusion", Map.of("window", "3", "stride", "2", "baseline", "0", "batch_size", "4", "score", "raw")));
        float[] w = new float[C * H * W];
        Arrays.fill(w, 1f);
        float[] x = new float[C * H * W];
        Arrays.fill(x, -1f); // class 0 scores -105 < 0.25: class 1 is predicted
        CatalogModel m = linearModel(spec, w);

        Explanation e = new ExplanationEngine().explain(m, x, 11L);

        assertThat(e.method()).isEqualTo("occlusion");
        assertThat(e.targetClass()).isEqualTo(1);
        assertThat(e.parameters()).containsEntry("window", "3").containsEntry("batch_size", "4");
        // starts 0, 2 over 5 rows and 0, 2, 4 over 7 columns: 6 windows in batches of 4
        assertThat(e.modelEvaluations()).isEqualTo(1 + 2 * 3);
        assertThat(e.modelCalls()).isEqualTo(1 + 2);
    }

    @Test
    void rejectsWrongInputLengthAndBadParameters() throws Exception {
        CatalogModel m = linearModel(spec(ModelSpec.Layout.NCHW, ModelSpec.OutputKind.PROBABILITIES), new float[C * H * W]);
        Occlusion occlusion = new Occlusion(Occlusion.Params.from(Map.of()));
        assertThatThrownBy(() -> occlusion.explain(m, new float[3], 0, 0L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes " + C * H * W);
        assertThatThrownBy(() -> Occlusion.Params.from(Map.of("window", "0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Occlusion.Params.from(Map.of("baseline", "NaN")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Occlusion.Params.from(Map.of("score", "gradient")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

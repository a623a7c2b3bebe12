package io.saliencystream.engine.method;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The signal figure on a linear model whose class-0 logit is the sum of one rectangle's pixels. */
class SignalCheckTest {

    private static final int W = 20;
    private static final int H = 20;

    @TempDir
    Path dir;

    private CatalogModel model;
    private float[] input;

    @AfterEach
    void close() throws Exception {
        model.close();
    }

    private static boolean inside(int x, int y) {
        return x >= 2 && x < 10 && y >= 4 && y < 14;
    }

    private void build() throws Exception {
        ModelSpec spec = new ModelSpec("box", "1", "linear.onnx", null, "x", ModelSpec.Layout.NCHW, W, H, 1,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.5}, new double[] {0.5},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS, List.of("box", "constant"),
                new ModelSpec.MethodSpec(Occlusion.NAME, Map.of()));
        Preprocessor layout = new Preprocessor(spec);
        float[] weights = new float[spec.inputSize()];
        input = new float[spec.inputSize()];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                weights[layout.index(0, y, x)] = inside(x, y) ? 0.1f : 0f;
                input[layout.index(0, y, x)] = inside(x, y) ? 1f : 0.3f;
            }
        }
        model = CatalogModel.of(spec, TinyOnnxModels.linearTwoClass(dir, new long[] {1, H, W}, weights, 0f));
    }

    @Test
    void aMapOnTheEvidenceHasSignalAndAFlatOneHasNone() throws Exception {
        build();
        float[] evidence = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                evidence[y * W + x] = inside(x, y) ? 1f : 0f;
            }
        }
        SignalCheck.Result good = SignalCheck.evaluate(model, input, new AttributionMap(W, H, evidence), 0, 1L);
        SignalCheck.Result flat = SignalCheck.evaluate(model, input, new AttributionMap(W, H, new float[W * H]), 0, 1L);

        // logit 8 -> p = 0.9997; the mask deletes the whole box: logit 0, p = 0.5
        assertThat(good.score()).isGreaterThan(0.999);
        assertThat(good.topDrop()).isBetween(0.49, 0.5);
        assertThat(good.figure()).isGreaterThan(0.2);
        assertThat(good.verdict()).isEqualTo(SignalCheck.Verdict.SIGNAL);
        assertThat(Math.abs(flat.figure())).isLessThan(SignalCheck.THRESHOLD);
        assertThat(flat.verdict()).isEqualTo(SignalCheck.Verdict.NO_SIGNAL);
        assertThat(good.evaluations()).isEqualTo(2 + SignalCheck.SHIFTS);
        assertThat(good.modelCalls()).isEqualTo(1);
    }
}

package io.saliencystream.engine.method;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Deletion and insertion on a gray 4x4 model whose class-0 "probability" is the pixel sum, with
 * pixel i worth (i + 1) / 136 (all 16 sum to 1). With the map equal to the pixels and 16 steps,
 * step k deletes the k most valuable pixels, leaving sum_{i < 16-k} (i + 1) / 136 =
 * (16 - k)(17 - k) / 272; insertion from a zero baseline scores 1 minus that.
 */
class FaithfulnessTest {

    @TempDir
    Path dir;

    private CatalogModel model;

    @AfterEach
    void close() throws Exception {
        if (model != null) {
            model.close();
        }
    }

    private CatalogModel sumModel() throws Exception {
        ModelSpec spec = new ModelSpec("sum", "1", "sum.onnx", null, "x", ModelSpec.Layout.NCHW, 4, 4, 1,
                ModelSpec.ColorOrder.RGB, 1.0, new double[] {0}, new double[] {1}, ModelSpec.ResizeMode.STRETCH,
                ModelSpec.OutputKind.PROBABILITIES, List.of("sum", "other"), new ModelSpec.MethodSpec("occlusion", Map.of()));
        float[] ones = new float[16];
        Arrays.fill(ones, 1f);
        model = CatalogModel.of(spec, TinyOnnxModels.linearTwoClass(dir, new long[] {1, 4, 4}, ones, 0f));
        return model;
    }

    private static float[] pixels() {
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = (i + 1) / 136f;
        }
        return x;
    }

    @Test
    void curvesAndAreasMatchTheClosedForm() throws Exception {
        CatalogModel m = sumModel();
        float[] x = pixels();
        Faithfulness.Curves curves = new Faithfulness(new Faithfulness.Params(16, "0", Faithfulness.Start.BASELINE, 1, 10))
                .evaluate(m, x, new AttributionMap(4, 4, x.clone()), 0);

        double deletionArea = 0;
        double insertionArea = 0;
        for (int k = 0; k <= 16; k++) {
            double left = (16 - k) * (17 - k) / 272.0;
            assertThat(curves.fractions()[k]).isCloseTo(k / 16.0, within(1e-12));
            assertThat(curves.deletion()[k]).isCloseTo(left, within(1e-6));
            assertThat(curves.insertion()[k]).isCloseTo(1 - left, within(1e-6));
            double weight = (k == 0 || k == 16) ? 0.5 : 1; // trapezoid rule on a 1/16 grid
            deletionArea += weight * left / 16;
            insertionArea += weight * (1 - left) / 16;
        }
        assertThat(curves.deletionAuc()).isCloseTo(deletionArea, within(1e-6));
        assertThat(curves.insertionAuc()).isCloseTo(insertionArea, within(1e-6));
        assertThat(curves.deletionAuc() + curves.insertionAuc()).isCloseTo(1.0, within(1e-6));
        assertThat(curves.modelEvaluations()).isEqualTo(34);
        assertThat(curves.modelCalls()).isEqualTo(4);

        // the reversed map deletes the least valuable pixels first: a worse (higher) deletion AUC
        float[] reversed = new float[16];
        for (int i = 0; i < 16; i++) {
            reversed[i] = -x[i];
        }
        Faithfulness.Curves worse = new Faithfulness(Faithfulness.Params.from(Map.of("start", "baseline")))
                .evaluate(m, x, new AttributionMap(4, 4, reversed), 0);
        assertThat(worse.deletionAuc()).isGreaterThan(curves.deletionAuc() + 0.2);
        assertThat(worse.insertionAuc()).isLessThan(curves.insertionAuc() - 0.2);
    }

    @Test
    void blurredStartKeepsTheMeanOfALinearModel() throws Exception {
        // a Gaussian blur with border renormalisation does not preserve the sum exactly, but a
        // constant image stays constant: insertion then starts and ends at the same score
        CatalogModel m = sumModel();
        float[] x = new float[16];
        Arrays.fill(x, 1 / 16f);
        Faithfulness.Curves c = new Faithfulness(new Faithfulness.Params(4, "0", Faithfulness.Start.BLUR, 2, 64))
                .evaluate(m, x, new AttributionMap(4, 4, x.clone()), 0);
        for (double v : c.insertion()) {
            assertThat(v).isCloseTo(1.0, within(1e-5));
        }
        assertThat(c.deletion()[4]).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void rejectsAMapOfAnotherSize() throws Exception {
        CatalogModel m = sumModel();
        Faithfulness f = new Faithfulness(Faithfulness.Params.from(Map.of()));
        assertThatThrownBy(() -> f.evaluate(m, pixels(), new AttributionMap(2, 2, new float[4]), 0))
                .hasMessageContaining("map is 2x2");
        assertThatThrownBy(() -> Faithfulness.Params.from(Map.of("steps", "0"))).hasMessageContaining("positive steps");
    }
}

package io.saliencystream.engine.method;

import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.cam.CamModels;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ContentRegion;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CAM-family methods through the engine's method table, as the processor calls them. */
class CamMethodsTest {

    private static ModelCatalog catalog;
    private static CatalogModel shapes;
    private static CatalogModel vit;
    private static final ExplanationEngine ENGINE = new ExplanationEngine();

    @BeforeAll
    static void open() throws Exception {
        catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore());
        shapes = catalog.require("shapes", "v1");
        ModelSpec spec = new ModelSpec("vit", "tiny", "vit_tiny.onnx", null, "x", ModelSpec.Layout.NCHW, 32, 32, 3,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS,
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), new ModelSpec.MethodSpec("gradcam", Map.of()));
        vit = CatalogModel.of(spec, Path.of("src", "test", "resources", "architectures", "vit_tiny.onnx"));
    }

    @AfterAll
    static void close() throws Exception {
        vit.close();
        catalog.close();
    }

    private static float[] input(CatalogModel m, long seed) {
        Random r = new Random(seed);
        float[] x = new float[m.spec().inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static boolean finite(float[] v) {
        for (float f : v) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return true;
    }

    private static Explanation explain(CatalogModel m, String method, Map<String, String> params) throws Exception {
        return ENGINE.explainer(new ModelSpec.MethodSpec(method, params)).explain(m, input(m, 3), Explainer.PREDICTED_CLASS, 7);
    }

    @ParameterizedTest
    @ValueSource(strings = {"activation_map", "gradcam", "gradcam_plus_plus", "reciprocam"})
    void cnnMethodsGiveAFullSizeRepeatableMapAtAFewForwardPasses(String method) throws Exception {
        Explanation e = explain(shapes, method, Map.of());
        assertThat(e.map().width()).isEqualTo(64);
        assertThat(e.map().height()).isEqualTo(64);
        assertThat(finite(e.map().values())).isTrue();
        float max = 0;
        for (float v : e.map().values()) {
            max = Math.max(max, v);
        }
        assertThat(max).as("some positive attribution").isGreaterThan(0);
        assertThat(e.parameters()).containsEntry("target_layer", "auto");
        // shapes:v1's last feature map is 8x8: ReciproCAM runs its head on 64 masked maps in one batch
        // the forward pass that picks the target, then one exposed forward, gradient or batched head call
        assertThat(e.modelCalls()).isEqualTo(method.equals("reciprocam") ? 3 : 2);
        assertThat(e.modelEvaluations()).isEqualTo(method.equals("reciprocam") ? 66L : 2L);
        assertThat(explain(shapes, method, Map.of()).map().values()).as("same input, same map").containsExactly(e.map().values());
        assertThat(e.targetClass()).isEqualTo(ModelRunner.argmax(e.scores()));
    }

    @Test
    void reciproCamBatchesTheHeadAndScalesToTheUnitRange() throws Exception {
        Explanation e = explain(shapes, "reciprocam", Map.of("batch_size", "10"));
        assertThat(e.modelCalls()).isEqualTo(2 + 7);
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float v : e.map().values()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertThat(lo).isGreaterThanOrEqualTo(0f);
        assertThat(hi).isLessThanOrEqualTo(1f);
        assertThat(e.map().values()).containsExactly(explain(shapes, "reciprocam", Map.of()).map().values());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gradcam", "gradcam_plus_plus", "vit_reciprocam", "attention_rollout"})
    void transformerMethodsMapThePatchGrid(String method) throws Exception {
        Explanation e = explain(vit, method, Map.of());
        assertThat(e.map().values()).hasSize(32 * 32);
        assertThat(finite(e.map().values())).isTrue();
        assertThat(e.diagnostics()).containsEntry("gridCells", 16.0);
    }

    @Test
    void methodsForTheOtherKindOfModelAreRefusedWithTheOneToUse() {
        assertThatThrownBy(() -> explain(vit, "reciprocam", Map.of())).hasMessageContaining("use vit_reciprocam");
        assertThatThrownBy(() -> explain(shapes, "vit_reciprocam", Map.of())).hasMessageContaining("use reciprocam");
        assertThatThrownBy(() -> explain(shapes, "attention_rollout", Map.of())).hasMessageContaining("needs a transformer");
        assertThatThrownBy(() -> explain(vit, "activation_map", Map.of())).hasMessageContaining("needs a spatial feature map");
    }

    @Test
    void parametersAreCheckedByName() throws Exception {
        assertThatThrownBy(() -> ENGINE.explainer(new ModelSpec.MethodSpec("gradcam", Map.of("targetLayer", "x"))))
                .hasMessageContaining("'targetLayer' is spelt 'target_layer'");
        assertThatThrownBy(() -> ENGINE.explainer(new ModelSpec.MethodSpec("reciprocam", Map.of("batch_size", "0"))))
                .hasMessageContaining("batch_size");
        Explanation named = explain(shapes, "gradcam", Map.of("target_layer", "/10/Relu"));
        assertThat(named.diagnostics()).containsEntry("gridCells", 256.0);
        assertThat(named.parameters()).containsEntry("target_layer", "/10/Relu").containsEntry("score", "logodds");
    }

    @Test
    void aContentViewGetsTheWholeInputsMapCutToItsRegion() throws Exception {
        float[] x = input(shapes, 3);
        Explainer gradcam = ENGINE.explainer(new ModelSpec.MethodSpec("gradcam", Map.of()));
        Explanation whole = gradcam.explain(shapes, x, 1, 0);
        ContentRegion region = new ContentRegion(0, 0, 40, 64);
        CatalogModel view = shapes.content(region, x);
        float[] content = new float[view.spec().inputSize()];
        Preprocessor outer = new Preprocessor(shapes.spec());
        Preprocessor inner = new Preprocessor(view.spec());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 64; y++) {
                for (int col = 0; col < 40; col++) {
                    content[inner.index(c, y, col)] = x[outer.index(c, y, col)];
                }
            }
        }
        Explanation cut = gradcam.explain(view, content, 1, 0);
        assertThat(cut.map().width()).isEqualTo(40);
        for (int y = 0; y < 64; y++) {
            for (int col = 0; col < 40; col++) {
                assertThat(cut.map().get(col, y)).isEqualTo(whole.map().get(col, y));
            }
        }
    }

    @Test
    void modelsOpenedAtTheirLayerAreCachedPerFile() {
        CamModels cache = new CamModels();
        assertThat(cache.get(shapes, "auto")).isSameAs(cache.get(shapes, "auto"));
        assertThat(cache.get(shapes, "auto")).isNotSameAs(cache.get(shapes, "/10/Relu"));
    }
}

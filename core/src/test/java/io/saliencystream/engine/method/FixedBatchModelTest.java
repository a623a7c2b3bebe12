package io.saliencystream.engine.method;

import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.OrtRuntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A model exported the way PyTorch exports by default, without a dynamic batch axis
 * ({@code models/architectures/export.py --fixed-batch 1 ... vit_tiny}: the tiny ViT, whose
 * reshapes bake the batch size in), is explained by every method, and each map equals the one the
 * same weights exported with a dynamic batch axis give: the engine splits its batches into runs of one.
 */
class FixedBatchModelTest {

    private static final Path DIR = Path.of("src", "test", "resources", "architectures");

    private final GradientModels cache = new GradientModels();
    private final CatalogModel fixed = CatalogModel.of(spec("vit_tiny_b1"), DIR.resolve("vit_tiny_b1.onnx"));
    private final CatalogModel dynamic = CatalogModel.of(spec("vit_tiny"), DIR.resolve("vit_tiny.onnx"));

    @AfterEach
    void close() throws Exception {
        cache.close();
        fixed.close();
        dynamic.close();
    }

    private static ModelSpec spec(String name) {
        return new ModelSpec(name, "1", name + ".onnx", null, "x", ModelSpec.Layout.NCHW, 32, 32, 3,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.5, 0.5, 0.5}, new double[] {0.25, 0.25, 0.25},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS,
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), new ModelSpec.MethodSpec(Occlusion.NAME, Map.of()));
    }

    private static float[] input() {
        Random r = new Random(3);
        float[] x = new float[3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 0.5f;
        }
        return x;
    }

    @Test
    void plainOnnxRuntimeRefusesABatchOfTwoThatTheRunnerSplits() throws Exception {
        assertThat(fixed.fixedBatch()).isEqualTo(1);
        assertThat(dynamic.fixedBatch()).isZero();
        float[] two = new float[2 * 3 * 32 * 32];
        assertThatThrownBy(() -> {
            try (OnnxTensor t = OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(two), new long[] {2, 3, 32, 32})) {
                fixed.session().run(Map.of("x", t)).close();
            }
        }).isInstanceOf(OrtException.class);

        ModelRunner runner = new ModelRunner(fixed);
        float[][] rows = runner.raw(two, 2);
        assertThat(rows).hasNumberOfRows(2);
        assertThat(runner.calls()).isEqualTo(2);
        assertThat(runner.evaluations()).isEqualTo(2);
        assertThat(rows[1]).containsExactly(new ModelRunner(dynamic).raw(two, 2)[1], org.assertj.core.data.Offset.offset(1e-4f));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "occlusion; window=8,stride=8,batch_size=5",
            "rise; masks=40,batch_size=16,tolerance=0",
            "kernelshap; superpixels=grid,grid=4,samples=40,batch_size=16",
            "vanilla_gradient; ",
            "smoothgrad; samples=5,batch_size=4",
            "integrated_gradients; steps=6,batch_size=4",
            "xrai; steps=6,batch_size=4",
    })
    void everyMethodExplainsTheFixedBatchModelAsTheDynamicOne(String method, String parameters) throws Exception {
        Map<String, String> p = new java.util.HashMap<>();
        if (parameters != null) {
            for (String kv : parameters.split(",")) {
                p.put(kv.split("=")[0], kv.split("=")[1]);
            }
        }
        Map<String, Function<Map<String, String>, Explainer>> methods = Map.of(
                Occlusion.NAME, q -> new Occlusion(Occlusion.Params.from(q)),
                Rise.NAME, q -> new Rise(Rise.Params.from(q)),
                KernelShap.NAME, q -> new KernelShap(KernelShap.Params.from(q)),
                VanillaGradient.NAME, q -> new VanillaGradient(VanillaGradient.Params.from(q), cache),
                SmoothGrad.NAME, q -> new SmoothGrad(SmoothGrad.Params.from(q), cache),
                IntegratedGradients.NAME, q -> new IntegratedGradients(IntegratedGradients.Params.from(q), cache),
                Xrai.NAME, q -> new Xrai(Xrai.Params.from(q), cache));
        Explainer explainer = new ExplanationEngine(methods).explainer(new ModelSpec.MethodSpec(method, p, Map.of()));
        float[] x = input();
        Explanation a = explainer.explain(fixed, x, Explainer.PREDICTED_CLASS, 7L);
        Explanation b = explainer.explain(dynamic, x, Explainer.PREDICTED_CLASS, 7L);

        assertThat(a.targetClass()).isEqualTo(b.targetClass());
        assertThat(a.modelEvaluations()).isEqualTo(b.modelEvaluations());
        // one run per input on the fixed model, fewer batched runs on the dynamic one
        assertThat(a.modelCalls()).isEqualTo((int) a.modelEvaluations());
        float[] ma = a.map().values();
        float[] mb = b.map().values();
        float scale = 0;
        for (float v : mb) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).isPositive();
        for (int i = 0; i < ma.length; i++) {
            assertThat(Math.abs(ma[i] - mb[i])).as("pixel %d of %s", i, method).isLessThanOrEqualTo(1e-3f * scale);
        }
    }
}

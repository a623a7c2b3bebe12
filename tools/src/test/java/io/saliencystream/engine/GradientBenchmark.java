package io.saliencystream.engine;

import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.method.IntegratedGradients;
import io.saliencystream.engine.method.Xrai;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.testing.samples.SampleImages;
import io.saliencystream.tools.demo.DemoCatalog;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.gradient.GradientModel;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.render.OverlayRenderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints what gradients cost on the real PaddleOCR classifier and the committed narrow
 * architectures (forward+backward vs forward at one batch size; IG-32 vs 32 forward passes). No
 * assertions on time. Run with {@code mvn -pl tools -am test -Dtest=GradientBenchmark
 * -Dsurefire.excluded=integration -Dsurefire.failIfNoSpecifiedTests=false}; with
 * {@code -D}{@value #DOCS_PROPERTY}{@code =true} it also renders IG (default parameters) and XRAI
 * overlays of PaddleOCR samples into docs/img (never otherwise: a benchmark run leaves the
 * working tree as it was).
 */
@Tag("benchmark")
class GradientBenchmark {

    private static final int REPEATS = 10;
    /** System property that makes the benchmark write its overlays into docs/img. */
    static final String DOCS_PROPERTY = "saliency.docs.img";
    private static final Path ARCHITECTURES = Path.of("..", "core", "src", "test", "resources", "architectures");

    @Test
    void printsCostsAndRendersOverlays() throws Exception {
        ModelStore store = new ModelStore();
        store.textOrientationClassifier();
        try (ModelCatalog catalog = DemoCatalog.load(store); GradientModels cache = new GradientModels()) {
            CatalogModel paddle = catalog.find("text-orientation", "ppocr-mobile-v2.0-cls").orElseThrow();
            float[] x = new Preprocessor(paddle.spec()).tensor(SampleImages.sample(21, false).image());
            time("paddleocr 3x48x192", paddle, x, cache);
            for (String name : List.of("mobilenet_v3_small_050", "resnet18_025", "mobilenet_v2_035", "vit_tiny")) {
                int side = name.startsWith("vit") ? 32 : 64;
                Path file = ARCHITECTURES.resolve(name + ".onnx");
                ModelSpec spec = spec(name, side);
                try (CatalogModel m = CatalogModel.of(spec, file)) {
                    float[] mx = new float[spec.inputSize()];
                    java.util.Random r = new java.util.Random(1);
                    for (int i = 0; i < mx.length; i++) {
                        mx[i] = (float) r.nextGaussian() * 0.5f;
                    }
                    time(name + " 3x" + side + "x" + side, m, mx, cache);
                }
            }
            if (Boolean.getBoolean(DOCS_PROPERTY)) {
                render(paddle, cache);
            }
        }
    }

    /**
     * Forward+backward against forward of the depthwise networks (random weights, 64x64, from
     * ~/.cache/saliency-stream/architectures, exported on demand): run alone with
     * {@code -Dtest=GradientBenchmark#printsDepthwiseNetworkCosts}.
     */
    @Test
    void printsDepthwiseNetworkCosts() throws Exception {
        try (GradientModels cache = new GradientModels()) {
            for (String name : List.of("mnasnet0_5", "mobilenet_v2", "efficientnet_b0")) {
                Path file = MethodFloorBenchmark.exportedModel(name);
                try (CatalogModel m = CatalogModel.of(spec(name, 64), file)) {
                    float[] mx = new float[m.spec().inputSize()];
                    java.util.Random r = new java.util.Random(1);
                    for (int i = 0; i < mx.length; i++) {
                        mx[i] = (float) r.nextGaussian() * 0.5f;
                    }
                    fwdBwdVersusFwd(name + " 3x64x64", m, mx, cache);
                }
            }
        }
    }

    private static ModelSpec spec(String name, int side) {
        return new ModelSpec(name, "1", "m.onnx", null, "x", ModelSpec.Layout.NCHW, side, side, 3,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.5, 0.5, 0.5}, new double[] {0.25, 0.25, 0.25},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                new ModelSpec.MethodSpec("occlusion", Map.of()));
    }

    private static void time(String name, CatalogModel model, float[] x, GradientModels cache) throws OrtException {
        fwdBwdVersusFwd(name, model, x, cache);
        integratedGradientsVersusForwardCalls(name, model, x, cache);
    }

    private static void fwdBwdVersusFwd(String name, CatalogModel model, float[] x, GradientModels cache) throws OrtException {
        GradientModel gm = cache.get(model, TargetScore.LOGODDS);
        ModelRunner runner = new ModelRunner(model);
        for (int batch : new int[] {1, 32}) {
            float[] xs = new float[batch * x.length];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(x, 0, xs, i * x.length, x.length);
            }
            float[] w = gm.oneHot(0, batch);
            gm.run(xs, w, batch);
            runner.raw(xs, batch);
            long t0 = System.nanoTime();
            for (int i = 0; i < REPEATS; i++) {
                gm.run(xs, w, batch);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < REPEATS; i++) {
                runner.raw(xs, batch);
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%s batch %d: forward+backward %.2f ms, forward %.2f ms, ratio %.2f%n", name, batch,
                    (t1 - t0) / 1e6 / REPEATS, (t2 - t1) / 1e6 / REPEATS, (double) (t1 - t0) / (t2 - t1));
        }
    }

    private static void integratedGradientsVersusForwardCalls(String name, CatalogModel model, float[] x, GradientModels cache)
            throws OrtException {
        ModelRunner runner = new ModelRunner(model);
        IntegratedGradients ig = new IntegratedGradients(IntegratedGradients.Params.from(Map.of("steps", "32", "batch_size", "32")), cache);
        ig.explain(model, x, Explainer.PREDICTED_CLASS, 1L);
        long t0 = System.nanoTime();
        Explanation e = null;
        for (int i = 0; i < REPEATS; i++) {
            e = ig.explain(model, x, Explainer.PREDICTED_CLASS, 1L);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < REPEATS; i++) {
            for (int k = 0; k < 32; k++) {
                runner.raw(x, 1);
            }
        }
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "%s: IG-32 %.1f ms (%d calls, %d evaluations) vs 32 single forward calls %.1f ms%n", name,
                (t1 - t0) / 1e6 / REPEATS, e.modelCalls(), e.modelEvaluations(), (t2 - t1) / 1e6 / REPEATS);
    }

    private static void render(CatalogModel model, GradientModels cache) throws Exception {
        Path out = Path.of("..", "docs", "img");
        Files.createDirectories(out);
        Preprocessor pre = new Preprocessor(model.spec());
        int i = 0;
        for (SampleImages.Sample s : SampleImages.samples(5, 2)) {
            float[] x = pre.tensor(s.image());
            String orientation = s.rotated() ? "rotated" : "upright";
            Explanation ig = new IntegratedGradients(IntegratedGradients.Params.from(Map.of()), cache)
                    .explain(model, x, Explainer.PREDICTED_CLASS, 1L);
            Files.write(out.resolve("ig-" + orientation + "-" + i + ".png"), OverlayRenderer.render(pre.modelView(s.image()), ig.map(),
                    OverlayOptions.forMethod(IntegratedGradients.NAME).withCaption(String.format(Locale.ROOT, "IG defaults (64 Gauss-Legendre, blurred)  predicted %s  err %.1f%%",
                            s.expectedLabel(), 100 * ig.diagnostics().get("completenessRelativeError")))));
            Explanation xrai = new Xrai(Xrai.Params.from(Map.of()), cache).explain(model, x, Explainer.PREDICTED_CLASS, 1L);
            Files.write(out.resolve("xrai-" + orientation + "-" + i + ".png"), OverlayRenderer.render(pre.modelView(s.image()), xrai.map(),
                    OverlayOptions.defaults(String.format(Locale.ROOT, "XRAI  predicted %s  %.0f regions", s.expectedLabel(),
                            xrai.diagnostics().get("regions")))));
            i++;
        }
    }
}

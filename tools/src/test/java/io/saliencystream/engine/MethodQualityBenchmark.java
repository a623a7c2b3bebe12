package io.saliencystream.engine;

import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.method.Faithfulness;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.testing.samples.GroundTruthSamples;
import io.saliencystream.tools.demo.DemoCatalog;

import io.saliencystream.quality.MapQuality;
import io.saliencystream.quality.Roi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints, for every attribution method on the ground-truth model shapes:v1 and its 200 clean
 * samples with known shape boxes: pointing-game rate, ROI mass, Gini, deletion and insertion
 * AUC, model evaluations, and time per image relative to one forward pass of one image. The
 * README's "Methods and overlays" table comes from here. No assertions: the bounds that guard
 * the figures live in GroundTruthModelTest. Run with
 * {@code mvn -pl tools -am test -Dtest=MethodQualityBenchmark -Dsurefire.excluded=integration -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Dbench.methods=gradcam,reciprocam} for those methods' rows only).
 */
@Tag("benchmark")
class MethodQualityBenchmark {

    /** Box blur radius of the pointing game, as in the summaries: a 5x5 mean. */
    private static final int SMOOTH = 2;

    /** The methods and parameters of the table (occlusion, RISE and KernelSHAP as in GroundTruthModelTest). */
    private static final Map<String, ModelSpec.MethodSpec> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put("occlusion 8/4", new ModelSpec.MethodSpec("occlusion",
                Map.of("window", "8", "stride", "4", "baseline", "0", "batch_size", "128", "score", "logodds")));
        METHODS.put("RISE 8x8, 500 masks", new ModelSpec.MethodSpec("rise", Map.of("preset", "8x8", "masks", "500",
                "min_masks", "200", "tolerance", "0.05", "batch_size", "100")));
        METHODS.put("KernelSHAP slic 40, 256", new ModelSpec.MethodSpec("kernelshap", Map.of("superpixels", "slic",
                "segments", "40", "samples", "256", "batch_size", "128")));
        METHODS.put("vanilla gradient", new ModelSpec.MethodSpec("vanilla_gradient", Map.of()));
        METHODS.put("SmoothGrad 16", new ModelSpec.MethodSpec("smoothgrad", Map.of("samples", "16", "noise", "0.15")));
        METHODS.put("integrated gradients 32", new ModelSpec.MethodSpec("integrated_gradients",
                Map.of("steps", "32", "baseline", "black")));
        METHODS.put("XRAI (IG 32)", new ModelSpec.MethodSpec("xrai", Map.of("steps", "32")));
        METHODS.put("activation map", new ModelSpec.MethodSpec("activation_map", Map.of()));
        METHODS.put("Grad-CAM", new ModelSpec.MethodSpec("gradcam", Map.of()));
        METHODS.put("Grad-CAM++", new ModelSpec.MethodSpec("gradcam_plus_plus", Map.of()));
        METHODS.put("ReciproCAM", new ModelSpec.MethodSpec("reciprocam", Map.of()));
    }

    @Test
    void printsQualityAndCostPerMethod() throws Exception {
        try (ModelCatalog catalog = DemoCatalog.load(new ModelStore())) {
            CatalogModel model = catalog.require("shapes", "v1");
            Preprocessor preprocessor = new Preprocessor(model.spec());
            List<GroundTruthSamples.Sample> samples = GroundTruthSamples.clean();
            double forwardNanos = forwardNanos(model, preprocessor.tensor(samples.get(0).image()));
            Faithfulness faithfulness = new Faithfulness(Faithfulness.Params.from(Map.of()));
            ExplanationEngine engine = new ExplanationEngine();
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                    "shapes:v1, %d clean images, forward pass %.2f ms%n"
                            + "| method | pointing game | ROI mass | Gini | deletion AUC | insertion AUC | evaluations | time / forward pass |%n"
                            + "|---|---|---|---|---|---|---|---|%n", samples.size(), forwardNanos / 1e6));
            // -Dbench.methods=gradcam,reciprocam runs only those methods' rows
            List<String> only = List.of(System.getProperty("bench.methods", "").split(",")).stream()
                    .filter(n -> !n.isBlank()).toList();
            for (Map.Entry<String, ModelSpec.MethodSpec> m : METHODS.entrySet()) {
                if (!only.isEmpty() && !only.contains(m.getValue().name())) {
                    continue;
                }
                Explainer explainer = engine.explainer(m.getValue());
                // one unmeasured run: gradient methods build their gradient graph on first use
                explainer.explain(model, preprocessor.tensor(samples.get(0).image()), 0, 0);
                int hits = 0;
                double mass = 0;
                double gini = 0;
                double deletion = 0;
                double insertion = 0;
                long evaluations = 0;
                long nanos = 0;
                for (int i = 0; i < samples.size(); i++) {
                    GroundTruthSamples.Sample s = samples.get(i);
                    float[] x = preprocessor.tensor(s.image());
                    Explanation e = explainer.explain(model, x, s.labelIndex(), i);
                    // RISE maps carry a floor of about p times the mean score everywhere: ROI mass is taken above the mean
                    AttributionMap map = m.getValue().name().equals("rise") ? centred(e.map()) : e.map();
                    int[] b = s.box();
                    List<Roi> roi = List.of(Roi.ofPixels(b[0], b[1], b[2], b[3], 64, 64));
                    hits += MapQuality.pointingGame(map, roi, SMOOTH) ? 1 : 0;
                    mass += MapQuality.roiMass(map, roi);
                    gini += MapQuality.gini(map);
                    Faithfulness.Curves curves = faithfulness.evaluate(model, x, map, s.labelIndex());
                    deletion += curves.deletionAuc();
                    insertion += curves.insertionAuc();
                    evaluations += e.modelEvaluations();
                    nanos += e.durationNanos();
                }
                int n = samples.size();
                double perForward = nanos / (double) n / forwardNanos;
                table.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f | " + (perForward < 10 ? "%.1f" : "%.0f") + " |%n",
                        m.getKey(), (double) hits / n, mass / n, gini / n, deletion / n, insertion / n, (double) evaluations / n,
                        perForward));
                System.out.println("done " + m.getKey());
            }
            System.out.print(table);
        }
    }

    private static double forwardNanos(CatalogModel model, float[] x) throws Exception {
        ModelRunner runner = new ModelRunner(model);
        for (int i = 0; i < 20; i++) {
            runner.raw(x, 1);
        }
        int calls = 200;
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            runner.raw(x, 1);
        }
        return (System.nanoTime() - start) / (double) calls;
    }

    private static AttributionMap centred(AttributionMap map) {
        float[] v = map.values();
        double mean = 0;
        for (float f : v) {
            mean += f / (double) v.length;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] - mean);
        }
        return new AttributionMap(map.width(), map.height(), out);
    }
}

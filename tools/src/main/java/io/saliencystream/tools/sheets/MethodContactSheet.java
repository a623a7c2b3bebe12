package io.saliencystream.tools.sheets;

import io.saliencystream.tools.demo.DemoCatalog;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.render.OverlayRenderer;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.testing.samples.GroundTruthSamples;
import io.saliencystream.testing.samples.SampleImages;
import io.saliencystream.tools.sheets.ContactSheet.Tile;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every attribution method against every overlay style on one input: rows are methods, columns
 * styles. {@link #main} renders the sheets shown in the README: the PaddleOCR text-orientation
 * model on an upright and a rotated line, and the ground-truth model shapes:v1 on a clean image
 * and on a stamped one that the stamp fools into "circle".
 */
public final class MethodContactSheet {

    /**
     * An overlay style: {@code settings} (keys of {@link OverlayOptions#KEYS}) applied over the
     * method's own defaults ({@link OverlayOptions#forMethod}); no settings = the method's default.
     */
    public record Style(String header, String caption, Map<String, String> settings) {
    }

    public static final List<Style> STYLES = List.of(
            new Style("method default", null, Map.of()),
            new Style("pixels + viridis", "pixels, positive, viridis, clip 0..99.9",
                    Map.of("type", "pixels", "polarity", "positive", "color_map", "viridis", "overlay_type", "grayscale",
                            "clip_below_percentile", "0", "clip_above_percentile", "99.9")),
            new Style("outlines + pink_green", "outlines, positive, pink_green, clip 70..99.9",
                    Map.of("type", "outlines", "polarity", "positive", "color_map", "pink_green", "overlay_type", "grayscale",
                            "clip_below_percentile", "70", "clip_above_percentile", "99.9")),
            new Style("pixels \u00b1 red_green", "pixels, both signs, red_green, grayscale",
                    Map.of("type", "pixels", "polarity", "both", "color_map", "red_green", "overlay_type", "grayscale",
                            "clip_below_percentile", "0", "clip_above_percentile", "99")),
            new Style("mask_black", "top 30% positive, rest black",
                    Map.of("type", "pixels", "polarity", "positive", "color_map", "viridis", "overlay_type", "mask_black",
                            "clip_below_percentile", "70", "clip_above_percentile", "99.9")));

    /** The methods of the README's sheets, with the parameters used there. */
    public static final List<ModelSpec.MethodSpec> METHODS = List.of(
            new ModelSpec.MethodSpec("occlusion", ordered("window", "8", "stride", "4", "baseline", "0", "batch_size", "128")),
            new ModelSpec.MethodSpec("rise", ordered("preset", "8x8", "masks", "1000", "min_masks", "300", "tolerance", "0.05",
                    "batch_size", "100")),
            new ModelSpec.MethodSpec("kernelshap", ordered("superpixels", "slic", "segments", "40", "samples", "256",
                    "batch_size", "128")),
            new ModelSpec.MethodSpec("vanilla_gradient", Map.of()),
            new ModelSpec.MethodSpec("smoothgrad", ordered("samples", "16", "noise", "0.15")),
            new ModelSpec.MethodSpec("integrated_gradients", ordered("steps", "32", "baseline", "black")),
            new ModelSpec.MethodSpec("xrai", ordered("steps", "32")),
            new ModelSpec.MethodSpec("activation_map", Map.of()),
            new ModelSpec.MethodSpec("gradcam", Map.of()),
            new ModelSpec.MethodSpec("gradcam_plus_plus", Map.of()),
            new ModelSpec.MethodSpec("reciprocam", Map.of()));

    private MethodContactSheet() {
    }

    /**
     * Explains the model's predicted class on {@code image} with each method (seed 0) and draws
     * each map in each style at {@code scale}. The title names the model and the prediction.
     */
    public static ContactSheet sheet(ExplanationEngine engine, CatalogModel model, BufferedImage image, String description,
                                     List<ModelSpec.MethodSpec> methods, List<Style> styles, int scale) throws OrtException {
        Preprocessor preprocessor = new Preprocessor(model.spec());
        float[] tensor = preprocessor.tensor(image);
        BufferedImage view = preprocessor.modelView(image);
        float[] scores = new ModelRunner(model).scores(tensor, 1)[0];
        int predicted = argmax(scores);
        ContactSheet sheet = new ContactSheet(String.format(Locale.ROOT, "%s on %s: predicted %s, p=%.3f",
                model.spec().key(), description, model.spec().labels().get(predicted), scores[predicted]))
                .columnHeaders(styles.stream().map(Style::header).toList());
        for (ModelSpec.MethodSpec method : methods) {
            Explainer explainer = engine.explainer(method);
            Explanation e = explainer.explain(model, tensor, Explainer.PREDICTED_CLASS, 0L);
            List<Tile> tiles = new ArrayList<>();
            for (Style style : styles) {
                OverlayOptions options = OverlayOptions.forMethod(e.method()).with(style.settings())
                        .with(Map.of("scale", Integer.toString(scale)));
                String caption = style.caption() != null ? style.caption() : String.format(Locale.ROOT, "%s, %s, %s",
                        OverlayOptions.id(options.type()), OverlayOptions.id(options.polarity()), options.colorMap().id());
                tiles.add(new Tile(OverlayRenderer.renderImage(view, e.map(), options), caption));
            }
            sheet.row(label(method, e), tiles);
        }
        return sheet;
    }

    private static String label(ModelSpec.MethodSpec method, Explanation e) {
        String params = method.parameters().entrySet().stream().map(p -> p.getKey() + "=" + p.getValue())
                .collect(Collectors.joining(" "));
        return String.format(Locale.ROOT, "%s %s (%d evaluations, %d ms)", e.method(), params, e.modelEvaluations(),
                e.durationNanos() / 1_000_000);
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    /** Writes the README's four sheets into {@code args[0]} (default docs/img). */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "docs/img");
        Files.createDirectories(dir);
        ExplanationEngine engine = new ExplanationEngine();
        try (ModelCatalog catalog = DemoCatalog.load(new ModelStore())) {
            CatalogModel ocr = catalog.require("text-orientation", "ppocr-mobile-v2.0-cls");
            write(dir.resolve("methods-ppocr-upright.png"), sheet(engine, ocr, OverlayGallery.tinted(
                    SampleImages.sample(2024, false).image()), "an upright line", METHODS, STYLES, 2));
            write(dir.resolve("methods-ppocr-rotated.png"), sheet(engine, ocr, OverlayGallery.tinted(
                    SampleImages.sample(2024, true).image()), "the same line rotated 180\u00b0", METHODS, STYLES, 2));

            CatalogModel shapes = catalog.require("shapes", "v1");
            GroundTruthSamples.Sample clean = GroundTruthSamples.clean().get(0);
            write(dir.resolve("methods-shapes-clean.png"), sheet(engine, shapes, clean.image(),
                    "a clean " + clean.label(), METHODS, STYLES, 3));
            GroundTruthSamples.Sample fooled = fooledByStamp(shapes);
            write(dir.resolve("methods-shapes-stamped.png"), sheet(engine, shapes, fooled.image(),
                    "a " + fooled.label() + " with the stamp (bottom right)", METHODS, STYLES, 3));
        }
    }

    /** The first stamped non-circle the model calls "circle": the stamp is the shortcut the maps should expose. */
    private static GroundTruthSamples.Sample fooledByStamp(CatalogModel shapes) throws OrtException {
        Preprocessor preprocessor = new Preprocessor(shapes.spec());
        ModelRunner runner = new ModelRunner(shapes);
        for (GroundTruthSamples.Sample s : GroundTruthSamples.stamped()) {
            if (argmax(runner.scores(preprocessor.tensor(s.image()), 1)[0]) == 0) {
                return s;
            }
        }
        throw new IllegalStateException("no stamped sample is predicted circle; has shapes:v1 changed?");
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Writes the sheet as PNG at the writer's strongest compression: the README's images stay small in the repository. */
    private static void write(Path out, ContactSheet sheet) throws java.io.IOException {
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("png").next();
        javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0f);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream stream = javax.imageio.ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(stream);
            writer.write(null, new javax.imageio.IIOImage(sheet.render(), null, null), param);
        } finally {
            writer.dispose();
        }
        Files.write(out, bytes.toByteArray());
        System.out.printf(Locale.ROOT, "wrote %s (%d rows, %d kB)%n", out, sheet.rowCount(), bytes.size() / 1024);
    }
}

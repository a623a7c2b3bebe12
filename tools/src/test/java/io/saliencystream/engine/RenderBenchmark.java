package io.saliencystream.engine;

import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.method.VanillaGradient;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.render.ImageOverlay;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.render.OverlayRenderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints what drawing an overlay and encoding its PNG cost against the cheapest explanation,
 * vanilla_gradient on a full-size MobileNetV3-small (random weights, 1000 classes, 224x224,
 * exported on demand as for {@link MethodFloorBenchmark}), in the same run: the stream draws
 * one overlay per explanation, so the ratio is what rendering adds to the cheapest explained
 * event (goal below 0.10). Cases: a 224x224 photograph (drawn at 224x224) and a 1000x872 one
 * (drawn at the default max side, 768x670), both from Debian's python3-skimage; styles: the
 * gradient methods' default (outlines), the CAM/XRAI default (viridis pixels) and occlusion's
 * (both signs in pink_green), each over the vanilla gradient map, a noisy map and so the worst
 * case for PNG size. Medians of interleaved rounds (explanations and overlays alternate, so load
 * changes hit both), and the fastest overlay against the fastest explanation (what an idle machine
 * would come closer to), after drawing and encoding each image's overlays a few hundred times
 * untimed (steady state: the stream's renderer runs compiled); ImageIO's PNG writer on the same
 * images for comparison. No assertions. Run
 * with {@code mvn -B -pl tools -am test -Dtest=RenderBenchmark -Dsurefire.excluded=integration
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Drounds=N}, default 15).
 */
@Tag("benchmark")
class RenderBenchmark {

    private static final Path SKIMAGE = Path.of("/usr/lib/python3/dist-packages/skimage/data");
    private static final List<String> STYLES = List.of(VanillaGradient.NAME, "gradcam", "occlusion");
    private static final int WARM_UP_ROUNDS = 3;
    /**
     * Overlays drawn and encoded per image and style before the rounds, untimed: a stream draws
     * one per explained event, so its renderer runs compiled; a few rounds alone would time the
     * JIT compiling it. Fewer for the large image, whose code paths are the same bar resampling
     * and deflating.
     */
    private static final int RENDER_WARM_UP = 400;
    private static final int LARGE_RENDER_WARM_UP = 30;

    @Test
    void printsOverlayCostAgainstTheCheapestExplanation() throws Exception {
        Path file = MethodFloorBenchmark.exportedModel(MethodFloorBenchmark.MODEL);
        ModelSpec spec = MethodFloorBenchmark.spec(file);
        Map<String, BufferedImage> photos = new LinkedHashMap<>();
        BufferedImage chelsea = photo("chelsea.png");
        // the cat's face, cropped square and drawn at the model's size: an event whose image is 224x224
        photos.put("224x224 photograph", scaled(chelsea.getSubimage(75, 0, 300, 300), 224, 224));
        photos.put("1000x872 photograph", photo("hubble_deep_field.jpg"));
        int rounds = Integer.getInteger("rounds", 15);
        try (CatalogModel model = CatalogModel.of(spec, file); GradientModels cache = new GradientModels()) {
            VanillaGradient method = new VanillaGradient(VanillaGradient.Params.from(Map.of()), cache);
            Preprocessor preprocessor = new Preprocessor(spec);
            List<ModelInput> inputs = photos.values().stream().map(preprocessor::prepare).toList();
            List<Double> explanations = new ArrayList<>();
            Map<String, Row> rows = new LinkedHashMap<>();
            int c0 = 0;
            for (String name : photos.keySet()) {
                ModelInput input = inputs.get(c0++);
                Explanation e = method.explain(model, input.tensor(), Explainer.PREDICTED_CLASS, 1L);
                int warmUp = input.original().getWidth() * input.original().getHeight() > 224 * 224 ? LARGE_RENDER_WARM_UP : RENDER_WARM_UP;
                for (int i = 0; i < warmUp; i++) {
                    for (String style : STYLES) {
                        OverlayOptions options = OverlayOptions.forMethod(style).withCaption("predicted " + i + "  " + e.method());
                        OverlayRenderer.png(ImageOverlay.render(input, e.map(), options));
                    }
                }
            }
            for (int round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
                boolean counted = round >= WARM_UP_ROUNDS;
                int c = 0;
                for (String name : photos.keySet()) {
                    ModelInput input = inputs.get(c++);
                    Explanation e = method.explain(model, input.tensor(), Explainer.PREDICTED_CLASS, 1L);
                    if (counted) {
                        explanations.add(e.durationNanos() / 1e6);
                    }
                    for (String style : STYLES) {
                        OverlayOptions options = OverlayOptions.forMethod(style)
                                .withCaption(String.format(Locale.ROOT, "predicted %d  p=%.3f  %s", e.targetClass(), e.targetScore(), e.method()));
                        long t0 = System.nanoTime();
                        BufferedImage image = ImageOverlay.render(input, e.map(), options);
                        long t1 = System.nanoTime();
                        byte[] png = OverlayRenderer.png(image);
                        long t2 = System.nanoTime();
                        byte[] imageIo = imageIoPng(image);
                        long t3 = System.nanoTime();
                        if (counted) {
                            rows.computeIfAbsent(name + "|" + style, k -> new Row(image.getWidth(), image.getHeight()))
                                    .add((t1 - t0) / 1e6, (t2 - t1) / 1e6, png.length, (t3 - t2) / 1e6, imageIo.length);
                        }
                    }
                }
            }
            double explanation = median(explanations);
            double fastest = explanations.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            System.out.printf(Locale.ROOT, "%d cores, load average %s; vanilla_gradient on %s (3x224x224, 1000 classes): median %.1f ms "
                            + "(min %.1f) over %d explanations; overlays: medians of %d rounds after %d (large image %d) untimed overlays per style%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage(), MethodFloorBenchmark.MODEL, explanation,
                    fastest, explanations.size(), rounds, RENDER_WARM_UP, LARGE_RENDER_WARM_UP);
            System.out.println("| image | style | overlay | draw | PNG encode | PNG | (draw + encode) / explanation, medians | "
                    + "the same, fastest of each | ImageIO's encoder: time, size |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            rows.forEach((key, row) -> {
                String[] k = key.split("\\|");
                double draw = median(row.draw);
                double encode = median(row.encode);
                double fastestOverlay = row.drawAndEncode.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                System.out.printf(Locale.ROOT, "| %s | %s default | %dx%d | %.2f ms | %.2f ms | %.0f KiB | %.3f | %.3f | %.1f ms, %.0f KiB |%n",
                        k[0], k[1], row.width, row.height, draw, encode, median(row.size) / 1024, (draw + encode) / explanation,
                        fastestOverlay / fastest, median(row.imageIoEncode), median(row.imageIoSize) / 1024);
            });
        }
    }

    /** Timings and sizes of one image and style over the rounds. */
    private static final class Row {
        final int width;
        final int height;
        final List<Double> draw = new ArrayList<>();
        final List<Double> encode = new ArrayList<>();
        final List<Double> drawAndEncode = new ArrayList<>();
        final List<Double> size = new ArrayList<>();
        final List<Double> imageIoEncode = new ArrayList<>();
        final List<Double> imageIoSize = new ArrayList<>();

        Row(int width, int height) {
            this.width = width;
            this.height = height;
        }

        void add(double drawMs, double encodeMs, int bytes, double imageIoMs, int imageIoBytes) {
            draw.add(drawMs);
            encode.add(encodeMs);
            drawAndEncode.add(drawMs + encodeMs);
            size.add((double) bytes);
            imageIoEncode.add(imageIoMs);
            imageIoSize.add((double) imageIoBytes);
        }
    }

    private static byte[] imageIoPng(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A photograph of Debian's python3-skimage as the stream's decoder delivers it (TYPE_INT_RGB). */
    private static BufferedImage photo(String name) throws IOException {
        Path path = SKIMAGE.resolve(name);
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " is missing: install Debian's python3-skimage");
        }
        BufferedImage read = ImageIO.read(path.toFile());
        return scaled(read, read.getWidth(), read.getHeight());
    }

    private static BufferedImage scaled(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}

package io.saliencystream.tools.sheets;

import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.method.SignalCheck;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.render.ImageOverlay;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.tools.sheets.ContactSheet.Tile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Every method on ordinary photographs, drawn on the original image (resize undone, aspect kept):
 * rows are methods, columns photographs, each tile captioned with its signal figure. {@link #main}
 * renders the README's sheet from a torchvision classifier exported by
 * {@code models/architectures/export.py} (ImageNet normalisation, 64x64 input, stretched).
 */
public final class PhotoContactSheet {

    /** The methods with parameters sized for a 64x64 input. */
    static final Map<String, ModelSpec.MethodSpec> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put("occlusion", new ModelSpec.MethodSpec("occlusion", Map.of("window", "8", "stride", "4", "batch_size", "128")));
        METHODS.put("rise", new ModelSpec.MethodSpec("rise", Map.of("preset", "8x8", "masks", "500", "min_masks", "200",
                "tolerance", "0.05", "batch_size", "100")));
        METHODS.put("kernelshap", new ModelSpec.MethodSpec("kernelshap", Map.of("segments", "40", "samples", "256", "batch_size", "128")));
        METHODS.put("vanilla_gradient", new ModelSpec.MethodSpec("vanilla_gradient", Map.of()));
        METHODS.put("smoothgrad", new ModelSpec.MethodSpec("smoothgrad", Map.of("samples", "16")));
        METHODS.put("integrated_gradients", new ModelSpec.MethodSpec("integrated_gradients", Map.of("steps", "32")));
        METHODS.put("xrai", new ModelSpec.MethodSpec("xrai", Map.of("steps", "16")));
    }

    private PhotoContactSheet() {
    }

    /** A torchvision export of {@code models/architectures/export.py}: 10 logits, ImageNet normalisation. */
    static ModelSpec torchvisionSpec(String name, int side) {
        return new ModelSpec(name, "export.py", name + ".onnx", null, "x", ModelSpec.Layout.NCHW, side, side, 3,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS,
                IntStream.range(0, 10).mapToObj(i -> "class " + i).toList(), METHODS.get("occlusion"));
    }

    /** The sheet of {@code photos} explained by {@code model}, each overlay at most {@code maxSide} pixels. */
    static ContactSheet sheet(CatalogModel model, List<Path> photos, int maxSide) throws Exception {
        ImageDecoder decoder = ImageDecoder.withDefaults();
        List<ModelInput> inputs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : photos) {
            inputs.add(new Preprocessor(model.spec()).prepare(decoder.decode(Files.readAllBytes(p))));
            names.add(p.getFileName() + " (" + inputs.get(inputs.size() - 1).original().getWidth() + "x"
                    + inputs.get(inputs.size() - 1).original().getHeight() + ")");
        }
        ContactSheet sheet = new ContactSheet(model.spec().name() + ", " + model.spec().width() + "x" + model.spec().height()
                + ": maps on the original").columnHeaders(names);
        ExplanationEngine engine = new ExplanationEngine();
        for (Map.Entry<String, ModelSpec.MethodSpec> m : METHODS.entrySet()) {
            Explainer explainer = engine.explainer(m.getValue());
            List<Tile> tiles = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                ModelInput.Content content = inputs.get(i).content(model);
                Explanation e = explainer.explain(content.model(), content.tensor(), Explainer.PREDICTED_CLASS, i);
                SignalCheck.Result s = SignalCheck.evaluate(content.model(), content.tensor(), e.map(), e.targetClass(), i);
                String caption = String.format(Locale.ROOT, "%s p=%.2f", model.spec().labels().get(e.targetClass()), e.targetScore());
                OverlayOptions options = OverlayOptions.forMethod(m.getKey()).with(Map.of("max_side", Integer.toString(maxSide)));
                options = s.verdict() == SignalCheck.Verdict.SIGNAL ? options.withCaption(caption)
                        : options.withCaption(caption + "  NO SIGNAL").withoutSignal(s.figure(), SignalCheck.THRESHOLD);
                tiles.add(new Tile(ImageOverlay.render(inputs.get(i), e.map(), options),
                        String.format(Locale.ROOT, "signal %.3f: %s, %d evaluations", s.figure(), s.verdict().id(),
                                e.modelEvaluations())));
            }
            sheet.row(m.getKey(), tiles);
        }
        return sheet;
    }

    /** {@code OUT.png MODEL.onnx PHOTO...}: writes the sheet. */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PhotoContactSheet OUT.png MODEL.onnx PHOTO...");
            System.exit(2);
        }
        Path model = Path.of(args[1]);
        String name = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        List<Path> photos = java.util.Arrays.stream(args, 2, args.length).map(Path::of).toList();
        try (CatalogModel m = CatalogModel.of(torchvisionSpec(name, 64), model)) {
            Files.write(Path.of(args[0]), sheet(m, photos, 320).png());
        }
    }
}

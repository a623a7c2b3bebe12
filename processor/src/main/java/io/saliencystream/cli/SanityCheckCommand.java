package io.saliencystream.cli;

import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.method.RandomisationCheck;
import io.saliencystream.engine.method.SignalCheck;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code sanity-check}: Adebayo et al.'s model-randomisation check for one catalog model version.
 * Every method explains the images on the model and on a re-initialised copy; the copy's maps must
 * all come out "no signal" and most of the model's must not.
 */
@Command(name = "sanity-check", sortOptions = false,
        description = "Model-randomisation sanity check (Adebayo et al., 2018): explains the images with every method "
                + "on the model and on a copy with re-initialised weights, and compares how many maps have no signal.%n"
                + "Exit code 0 when every method passes (all of the copy's maps without signal, at most half of the "
                + "model's), 1 when any fails, 2 for bad options.")
public final class SanityCheckCommand implements Callable<Integer> {

    /**
     * Every method of the engine for a convolutional network, with the defaults the README lists
     * (the transformer-only vit_reciprocam and attention_rollout are given with --method).
     */
    static final List<String> ALL_METHODS = List.of("occlusion", "rise", "kernelshap", "vanilla_gradient", "smoothgrad",
            "integrated_gradients", "xrai", "activation_map", "gradcam", "gradcam_plus_plus", "reciprocam");

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|FOLDER", description = "Images, or folders of *.png, *.jpg, *.jpeg.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = {"-m", "--model"}, required = true, description = "Model name in the catalog.")
    String modelName;

    @Option(names = "--version", required = true, description = "Model version.")
    String modelVersion;

    @Option(names = "--catalog", paramLabel = "JSON", description = "Model catalog file (default: the built-in catalog).")
    Path catalogFile;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Model file cache (default: $" + ModelStore.DIR_ENV + " or ~/.cache/saliency-stream/models).")
    Path modelDir;

    @Option(names = "--method", paramLabel = "NAME[:K=V;K=V]",
            description = "Method with parameters, repeatable (default: the seven methods and the four CAM methods for "
                    + "convolutional networks, with their defaults).")
    List<String> methods = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "16", description = "Images used at most (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the copy's weights and the methods (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (limit < 1) {
            throw usage("--limit must be at least 1");
        }
        List<ModelSpec.MethodSpec> methodSpecs = new ArrayList<>();
        for (String m : methods.isEmpty() ? ALL_METHODS : methods) {
            methodSpecs.add(parseMethod(m));
        }
        ExplanationEngine engine = new ExplanationEngine();
        for (ModelSpec.MethodSpec m : methodSpecs) {
            try {
                engine.explainer(m);
            } catch (IllegalArgumentException e) {
                throw usage("--method " + m.name() + ": " + e.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        ModelStore store = modelDir == null ? new ModelStore() : new ModelStore(modelDir);
        try (ModelCatalog catalog = loadCatalog(store)) {
            CatalogModel model = catalog.find(modelName, modelVersion).orElseThrow(() -> usage("no model " + modelName
                    + " version " + modelVersion + " in the catalog"));
            List<ModelInput> images = images(new Preprocessor(model.spec()));
            out.printf(Locale.ROOT, "model-randomisation check of %s on %d images: no-signal share of the maps "
                    + "(signal figure < %.2f), trained model vs a copy with re-initialised weights%n",
                    model.spec().key(), images.size(), SignalCheck.THRESHOLD);
            List<RandomisationCheck.MethodResult> results = RandomisationCheck.run(engine, model, images, methodSpecs, seed);
            boolean passed = true;
            for (RandomisationCheck.MethodResult r : results) {
                passed &= r.passed();
                out.printf(Locale.ROOT, "  %-22s trained %5.1f%% (mean figure %6.3f)   randomised %5.1f%% (mean figure %6.3f)   %s%n",
                        r.method().name(), 100 * r.trainedRate(), r.trainedFigure(), 100 * r.randomisedRate(),
                        r.randomisedFigure(), r.passed() ? "PASS" : "FAIL");
            }
            out.println(passed ? "PASS: every method's maps lose their signal when the weights are randomised"
                    : "FAIL: some method's maps do not depend on the model as they should (see above)");
            out.flush();
            return passed ? 0 : 1;
        }
    }

    /** NAME or NAME:K=V;K=V. */
    private ModelSpec.MethodSpec parseMethod(String text) {
        int colon = text.indexOf(':');
        Map<String, String> params = new LinkedHashMap<>();
        if (colon >= 0) {
            for (String kv : text.substring(colon + 1).split(";")) {
                if (kv.isBlank()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw usage("--method " + text + ": parameters are KEY=VALUE separated by ';'");
                }
                params.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return new ModelSpec.MethodSpec((colon >= 0 ? text.substring(0, colon) : text).trim(), params);
    }

    private List<ModelInput> images(Preprocessor preprocessor) {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> listing = Files.list(p)) {
                    listing.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"))
                            .sorted().forEach(files::add);
                } catch (IOException e) {
                    throw usage(p + ": cannot list folder: " + e.getMessage());
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw usage(p + ": no such file or folder");
            }
        }
        if (files.isEmpty()) {
            throw usage("no images in " + inputs);
        }
        ImageDecoder decoder = ImageDecoder.withDefaults();
        List<ModelInput> images = new ArrayList<>();
        for (Path f : files.subList(0, Math.min(limit, files.size()))) {
            try {
                images.add(preprocessor.prepare(decoder.decode(Files.readAllBytes(f))));
            } catch (Exception e) {
                throw usage(f + ": cannot read the image: " + e.getMessage());
            }
        }
        return images;
    }

    private ModelCatalog loadCatalog(ModelStore store) {
        try {
            return catalogFile == null ? ModelCatalog.defaultCatalog(store) : ModelCatalog.load(catalogFile, store);
        } catch (IOException e) {
            throw usage("--catalog: " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}

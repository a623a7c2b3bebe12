package io.saliencystream.cli;

import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.audit.AvroJsonLines;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ExplainedEvent;
import io.saliencystream.stream.ExplanationPipeline;
import io.saliencystream.stream.Targets;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code explain}: explains image files with a catalog model through the stream's own
 * {@link ExplanationPipeline} and writes, per image, the PNG overlay and the
 * {@code SaliencySummary} (Avro JSON) into the output folder, and with {@code --audit} the
 * {@code ExplanationAudit}. Each file is an event whose id is the file's name without extension
 * (or {@code --event-id}), seeded from that id as the stream seeds events, so a file explained
 * here gives the map and audit hashes the stream gives the same bytes under the same event id.
 * Bad files are reported with the reason and the run goes on; the exit code is 1 when any file
 * failed, 2 for bad options.
 */
// no mixinStandardHelpOptions: its --version would clash with the model's --version
@Command(name = "explain", sortOptions = false,
        description = "Explains images with a catalog model as the processor does and writes, per image NAME.EXT, "
                + "the overlay NAME.png and the SaliencySummary NAME.json (Avro JSON, as on the summaries topic); "
                + "with --audit also the ExplanationAudit NAME.audit.json. Each image is an event with id NAME "
                + "(or --event-id), and its seed comes from that id as in the processor. "
                + "Folders are read for *.png, *.jpg and *.jpeg (not recursively).%n"
                + "Exit code 0 when every image was explained, 1 when any failed (each failure is listed with its "
                + "reason), 2 for bad options.")
public final class ExplainCommand implements Callable<Integer> {

    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg");

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|FOLDER", description = "Image files or folders of images.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = {"-m", "--model"}, required = true, description = "Model name in the catalog.")
    String modelName;

    @Option(names = "--version", description = "Model version; may be left out when the catalog has one version of the model.")
    String modelVersion;

    @Option(names = "--catalog", paramLabel = "JSON", description = "Model catalog file (default: the built-in catalog).")
    Path catalogFile;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Model file cache (default: $" + ModelStore.DIR_ENV + " or ~/.cache/saliency-stream/models).")
    Path modelDir;

    @Option(names = "--method", description = "Attribution method (default: the catalog's method for the model).")
    String method;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "Method parameter, repeatable; with the catalog's method these override its parameters.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--overlay", paramLabel = "KEY=VALUE",
            description = "Overlay option, repeatable: type, polarity, clip_above_percentile, clip_below_percentile, "
                    + "color_map, overlay_type, scale, max_alpha, outline_regions, legend (default: the method's defaults).")
    Map<String, String> overlay = new LinkedHashMap<>();

    @Option(names = "--type", paramLabel = "pixels|outlines", description = "Overlay type.")
    String type;

    @Option(names = "--polarity", paramLabel = "positive|negative|both", description = "Which attributions to highlight.")
    String polarity;

    @Option(names = "--clip-above", paramLabel = "PERCENTILE", description = "Attribution at or above this percentile shows at full strength.")
    String clipAbove;

    @Option(names = "--clip-below", paramLabel = "PERCENTILE", description = "Attribution below this percentile is not highlighted.")
    String clipBelow;

    @Option(names = "--color-map", paramLabel = "NAME",
            description = "viridis, red, green, pink_green, red_green or pink_white_green.")
    String colorMap;

    @Option(names = "--overlay-type", paramLabel = "none|original|grayscale|mask_black", description = "What the highlight is drawn over.")
    String overlayType;

    @Option(names = "--scale", paramLabel = "N", description = "Output pixels per model input pixel.")
    String scale;

    @Option(names = "--target", paramLabel = "LABEL|INDEX", description = "Class to explain (default: the predicted class).")
    String target;

    @Option(names = "--targets", paramLabel = "SPEC", description = "Classes to explain, as explain.targets takes "
            + "them: predicted, label, top-k:N, class indices, joined by '+' (e.g. top-k:2, predicted+label). Each target "
            + "other than the predicted class is written as NAME.target-CLASS.*.")
    String targets;

    @Option(names = "--label", paramLabel = "LABEL", description = "The image's ground truth (a label or class index), "
            + "for the 'label' target.")
    String label;

    @Option(names = "--event-id", paramLabel = "ID",
            description = "Event id of the one image given (default: each file's name without extension); "
                    + "with the id the processor saw, the map and audit hashes are the processor's.")
    String eventId;

    @Option(names = "--seed", description = "Seed of the method's randomness (default: derived from the event id, "
            + "as the processor does).")
    Long seed;

    @Option(names = "--grid", paramLabel = "ROWSxCOLS", defaultValue = "8x8",
            description = "Grid of the summary's attribution mass (default: ${DEFAULT-VALUE}, the processor's "
                    + "summary.grid-rows x summary.grid-cols).")
    String grid;

    @Option(names = "--faithfulness", description = "Also compute the summary's deletion and insertion AUCs "
            + "(34 more model evaluations per image).")
    boolean faithfulness;

    @Option(names = "--audit", description = "Also write each image's ExplanationAudit as NAME.audit.json "
            + "(Avro JSON, readable by verify --audit).")
    boolean audit;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FOLDER",
            description = "Folder for the overlays, summaries and audit records.")
    Path out;

    @Option(names = "--progress", paramLabel = "auto|bar|lines|none", defaultValue = "auto",
            description = "Progress on stderr: a bar on a terminal, a line per file otherwise (default: ${DEFAULT-VALUE}).")
    String progress;

    private final ExplanationEngine engine;

    public ExplainCommand() {
        this(new ExplanationEngine());
    }

    /** With the methods of {@code engine}. */
    public ExplainCommand(ExplanationEngine engine) {
        this.engine = engine;
    }

    private record Failure(String file, String reason) {
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> overlaySettings = overlaySettings();
        int[] gridSize = gridSize();
        boolean interactive = switch (progress.toLowerCase(Locale.ROOT)) {
            case "auto" -> System.console() != null;
            case "bar" -> true;
            case "lines", "none" -> false;
            default -> throw usage("--progress: unknown value '" + progress + "'; known: auto, bar, lines, none");
        };
        boolean showProgress = !progress.equalsIgnoreCase("none");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw usage("--out " + out + ": cannot create the folder: " + e.getMessage());
        }

        List<Failure> failures = new ArrayList<>();
        List<Path> files = expand(failures);
        if (eventId != null && (inputs.size() != 1 || Files.isDirectory(inputs.get(0)))) {
            throw usage("--event-id names one event: give one image file, not "
                    + (inputs.size() != 1 ? inputs.size() + " paths" : "a folder"));
        }
        if (eventId != null && eventId.isBlank()) {
            throw usage("--event-id must not be blank");
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();

        ModelStore store = modelDir == null ? new ModelStore() : new ModelStore(modelDir);
        AvroTrust.install();
        try (ModelCatalog catalog = loadCatalog(store)) {
            CatalogModel model = findModel(catalog);
            ModelSpec.MethodSpec methodSpec = methodSpec(model.spec());
            Explainer explainer = explainer(methodSpec, model.spec());
            OverlayOptions options = overlayOptions(methodSpec, model.spec(), overlaySettings);
            ExplanationPipeline.Method method = new ExplanationPipeline.Method(explainer, options);
            Targets targetSpec = targets(model.spec());
            // read as the processor reads an encoded image, with its default limits
            EventInputs reader = new EventInputs(ImageDecoder.withDefaults(), ImageDecoder.DEFAULT_MAX_BYTES, Optional.empty());
            // a file carries no ground-truth label, so its summary gets no interpretation bucket
            ExplanationPipeline pipeline = new ExplanationPipeline(gridSize[0], gridSize[1], ProcessorApp.versions(),
                    Clock.systemUTC(), InterpretationBuckets.defaults());

            ProgressBar bar = showProgress ? new ProgressBar(err, files.size(), interactive, System::nanoTime) : null;
            Set<String> usedNames = new HashSet<>();
            long start = System.nanoTime();
            int explained = 0;
            for (Path file : files) {
                String name = uniqueStem(file, usedNames);
                String reason = explainOne(file, name, model, method, targetSpec, reader, pipeline);
                if (reason == null) {
                    explained++;
                } else {
                    failures.add(new Failure(file.toString(), reason));
                }
                if (bar != null) {
                    bar.step(file.getFileName().toString(), reason == null);
                }
            }
            if (bar != null) {
                bar.finish();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            stdout.printf(Locale.ROOT, "explained %d of %d images with %s %s (%s) in %.1f s%s; overlays and summaries%s in %s%n",
                    explained, files.size(), model.spec().key(), methodSpec.name(), describe(options), seconds,
                    explained > 0 ? String.format(Locale.ROOT, ", %.0f ms per image", seconds * 1000 / explained) : "",
                    audit ? " and audit records" : "", out);
            stdout.flush();
        }
        if (!failures.isEmpty()) {
            err.printf("%d failed:%n", failures.size());
            for (Failure f : failures) {
                err.printf("  %s: %s%n", f.file(), f.reason());
            }
            err.flush();
        }
        return failures.isEmpty() ? 0 : 1;
    }

    /** Explains one file and writes its outputs; returns null on success, else the reason it failed. */
    private String explainOne(Path file, String name, CatalogModel model, ExplanationPipeline.Method method,
                              Targets targetSpec,
                              EventInputs reader, ExplanationPipeline pipeline) {
        try {
            String id = eventId != null ? eventId : name;
            InferenceEvent event = InferenceEvent.newBuilder()
                    .setEventId(id)
                    .setEventTime(java.time.Instant.now())
                    .setModelName(model.spec().name())
                    .setModelVersion(model.spec().version())
                    .setInput(new EncodedImage(format(file), ByteBuffer.wrap(Files.readAllBytes(file))))
                    .setGroundTruthLabel(label)
                    .build();
            EventInputs.Resolved input = reader.resolve(model.spec(), event.getInput());
            List<ExplainedEvent> results = pipeline.explain(event, input, new ExplanationPipeline.Request(model, method,
                    targetSpec, seed != null ? seed : ExplanationPipeline.seedOf(id), List.of(), faithfulness));
            for (ExplainedEvent e : results) {
                String stem = results.size() == 1 || Targets.PREDICTED.equals(e.summary().getTarget()) ? name
                        : name + ".target-" + e.summary().getPredictedClass();
                Files.write(out.resolve(stem + ".png"), Utils.toArray(e.overlay().getPng()));
                Files.writeString(out.resolve(stem + ".json"), AvroJsonLines.toJson(e.summary()) + "\n",
                        StandardCharsets.UTF_8);
                if (audit) {
                    Files.writeString(out.resolve(stem + ".audit.json"), AvroJsonLines.toJson(e.audit()) + "\n",
                            StandardCharsets.UTF_8);
                }
            }
            return null;
        } catch (InvalidInputException e) {
            return e.code() + ": " + e.getMessage();
        } catch (IOException e) {
            return "I/O error: " + e.getMessage();
        } catch (Exception e) {
            // ONNX Runtime and method failures: report them against the file and go on
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** The container format its name says; the decoder reads the bytes whatever it is. */
    private static ImageFormat format(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") ? ImageFormat.PNG : n.endsWith(".jpg") || n.endsWith(".jpeg") ? ImageFormat.JPEG
                : ImageFormat.UNKNOWN;
    }

    /** The files named, folders expanded to their images in name order; missing paths become failures. */
    private List<Path> expand(List<Failure> failures) {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> listing = Files.list(p)) {
                    List<Path> images = listing.filter(f -> Files.isRegularFile(f) && isImageName(f)).sorted().toList();
                    if (images.isEmpty()) {
                        failures.add(new Failure(p.toString(), "folder holds no .png, .jpg or .jpeg files"));
                    }
                    files.addAll(images);
                } catch (IOException e) {
                    failures.add(new Failure(p.toString(), "cannot list folder: " + e.getMessage()));
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                failures.add(new Failure(p.toString(), "no such file or folder"));
            }
        }
        return files;
    }

    private static boolean isImageName(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The file name without extension, with -2, -3... when an earlier file had the same one. */
    private static String uniqueStem(Path file, Set<String> used) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String stem = dot > 0 ? n.substring(0, dot) : n;
        String name = stem;
        for (int i = 2; !used.add(name.toLowerCase(Locale.ROOT)); i++) {
            name = stem + "-" + i;
        }
        return name;
    }

    private ModelCatalog loadCatalog(ModelStore store) {
        try {
            return catalogFile == null ? ModelCatalog.defaultCatalog(store) : ModelCatalog.load(catalogFile, store);
        } catch (IOException e) {
            throw usage("--catalog: " + e.getMessage());
        }
    }

    private CatalogModel findModel(ModelCatalog catalog) {
        if (modelVersion != null) {
            return catalog.find(modelName, modelVersion).orElseThrow(() -> usage("no model " + modelName + " version "
                    + modelVersion + " in the catalog; it has " + keys(catalog)));
        }
        List<CatalogModel> named = catalog.models().stream().filter(m -> m.spec().name().equals(modelName)).toList();
        if (named.size() == 1) {
            return named.get(0);
        }
        throw usage(named.isEmpty()
                ? "no model " + modelName + " in the catalog; it has " + keys(catalog)
                : "model " + modelName + " has several versions, choose one with --version: " + keys(catalog));
    }

    private static String keys(ModelCatalog catalog) {
        return catalog.models().stream().map(m -> m.spec().key()).collect(Collectors.joining(", "));
    }

    /**
     * The catalog's method (with its overlay options) with --param overrides, or the --method named
     * with only the --param values.
     */
    private ModelSpec.MethodSpec methodSpec(ModelSpec model) {
        ModelSpec.MethodSpec catalogMethod = model.method();
        if (method == null || method.equals(catalogMethod.name())) {
            Map<String, String> merged = new LinkedHashMap<>(catalogMethod.parameters());
            merged.putAll(params);
            return new ModelSpec.MethodSpec(catalogMethod.name(), merged, catalogMethod.overlay());
        }
        return new ModelSpec.MethodSpec(method, params);
    }

    private Explainer explainer(ModelSpec.MethodSpec m, ModelSpec model) {
        try {
            return engine.explainer(m);
        } catch (IllegalArgumentException e) {
            String source = method == null || method.equals(model.method().name())
                    ? "the catalog's method of " + model.key() + (params.isEmpty() ? "" : " with --param")
                    : "--method " + m.name();
            throw usage(source + ": " + e.getMessage());
        }
    }

    /** --target (one class) or --targets (a spec); the predicted class without either. */
    private Targets targets(ModelSpec model) {
        if (target != null && targets != null) {
            throw usage("--target and --targets exclude each other: --target " + target + " is --targets "
                    + targetClass(model));
        }
        if (target != null) {
            return Targets.parse(String.valueOf(targetClass(model)));
        }
        if (targets == null) {
            return Targets.predicted();
        }
        Targets parsed;
        try {
            parsed = Targets.parse(targets);
        } catch (IllegalArgumentException e) {
            throw usage("--targets: " + e.getMessage());
        }
        for (int index : parsed.listedClasses()) {
            if (!model.labels().isEmpty() && index >= model.labels().size()) {
                throw usage("--targets " + targets + ": class " + index + " is not one of the " + model.labels().size()
                        + " classes of " + model.key() + "; labels: " + model.labels());
            }
        }
        return parsed;
    }

    private int targetClass(ModelSpec model) {
        int byLabel = model.labels().indexOf(target);
        if (byLabel >= 0) {
            return byLabel;
        }
        try {
            int index = Integer.parseInt(target);
            if (index >= 0 && index < model.labels().size()) {
                return index;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage("--target " + target + ": neither a label nor a class index of " + model.key() + "; labels: " + model.labels());
    }

    /** --overlay settings, then the explicit flags over them. */
    private Map<String, String> overlaySettings() {
        Map<String, String> settings = new LinkedHashMap<>(overlay);
        putIfSet(settings, "type", type);
        putIfSet(settings, "polarity", polarity);
        putIfSet(settings, "clip_above_percentile", clipAbove);
        putIfSet(settings, "clip_below_percentile", clipBelow);
        putIfSet(settings, "color_map", colorMap);
        putIfSet(settings, "overlay_type", overlayType);
        putIfSet(settings, "scale", scale);
        return settings;
    }

    /** The method's default overlay, then the catalog's options for it, then the command line's. */
    private OverlayOptions overlayOptions(ModelSpec.MethodSpec m, ModelSpec model, Map<String, String> settings) {
        OverlayOptions base;
        try {
            base = OverlayOptions.forMethod(m.name()).with(m.overlay());
        } catch (IllegalArgumentException e) {
            throw usage("the catalog's overlay options of " + model.key() + ": " + e.getMessage());
        }
        try {
            return base.with(settings);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private static void putIfSet(Map<String, String> settings, String key, String value) {
        if (value != null) {
            settings.put(key, value);
        }
    }

    private int[] gridSize() {
        String[] parts = grid.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                int rows = Integer.parseInt(parts[0].trim());
                int cols = Integer.parseInt(parts[1].trim());
                if (rows > 0 && cols > 0) {
                    return new int[] {rows, cols};
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage("--grid " + grid + ": expected ROWSxCOLS with positive numbers, e.g. 4x8");
    }

    private static String describe(OverlayOptions o) {
        return String.format(Locale.ROOT, "%s, %s, %s over %s", OverlayOptions.id(o.type()), OverlayOptions.id(o.polarity()),
                o.colorMap().id(), OverlayOptions.id(o.overlayType()));
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}

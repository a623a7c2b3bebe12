package io.saliencystream.stream;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.method.Faithfulness;
import io.saliencystream.engine.method.SignalCheck;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.Hashes;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.quality.MapQuality;
import io.saliencystream.quality.MapStatistics;
import io.saliencystream.quality.Roi;
import io.saliencystream.render.ImageOverlay;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.render.OverlayRenderer;
import io.saliencystream.schema.Box;
import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Explains a selected event with the engine and turns the result into the three records the
 * topology publishes. The method's seed is derived from the event id, so the same event is
 * explained the same way on a replay. Thread-safe: it holds no per-event state.
 */
public final class EngineEventExplainer implements EventExplainer {

    private static final String FLAG_PREFIX = "flag:";
    /** Diagnostic of path methods (integrated gradients, XRAI): sum of attribution − (F(x) − F(baseline)). */
    private static final String COMPLETENESS_ERROR = "completenessError";

    /** Cells listed in a summary's topRegions. */
    static final int TOP_REGIONS = 3;
    /** Box blur radius of the summary's pointing game: a 5x5 mean, so one noisy pixel does not decide. */
    static final int POINTING_SMOOTH = 2;
    /** Dead-letter code of an event whose regionsOfInterest holds a box with no area inside the image. */
    public static final String INVALID_REGION = "invalid-region-of-interest";

    private final ModelCatalog catalog;
    private final ExplanationEngine engine;
    private final EventInputs inputs;
    private final int gridRows;
    private final int gridCols;
    private final Map<String, String> versions;
    private final Clock clock;
    private final Map<String, Method> methodsByReason;
    private final Map<String, Method> methodsByModel;
    private final Set<String> faithfulnessReasons;
    private final Faithfulness faithfulness = new Faithfulness(Faithfulness.Params.from(Map.of()));

    /**
     * @param methodsByReason     methods that replace the catalog's for events selected for a reason,
     *                            keyed by the reason without its {@code flag:} prefix ({@code sampled},
     *                            {@code low-confidence}, ...); a flag's method wins over {@code sampled}'s
     * @param faithfulnessReasons reasons, named the same way, whose events also get deletion and
     *                            insertion AUCs in their summary (34 more model evaluations each)
     */
    public EngineEventExplainer(ModelCatalog catalog, ExplanationEngine engine, EventInputs inputs,
                                int gridRows, int gridCols, Map<String, String> versions, Clock clock,
                                Map<String, ModelSpec.MethodSpec> methodsByReason, Set<String> faithfulnessReasons) {
        this.catalog = catalog;
        this.engine = engine;
        this.inputs = inputs;
        this.gridRows = gridRows;
        this.gridCols = gridCols;
        this.versions = Map.copyOf(versions);
        this.clock = clock;
        // built now, so that a misconfigured method, parameter or overlay fails at start-up rather than per event
        Map<String, Method> byReason = new LinkedHashMap<>();
        methodsByReason.forEach((reason, method) -> byReason.put(reason, Method.of(engine, method, "explain.method-for." + reason)));
        this.methodsByReason = Map.copyOf(byReason);
        Map<String, Method> byModel = new LinkedHashMap<>();
        for (CatalogModel model : catalog.models()) {
            byModel.put(model.spec().key(), Method.of(engine, model.spec().method(), "catalog model " + model.spec().key()));
        }
        this.methodsByModel = Map.copyOf(byModel);
        this.faithfulnessReasons = Set.copyOf(faithfulnessReasons);
    }

    /** The seed of an event's explanation: the first 8 bytes of SHA-256 of its id. */
    public static long seedOf(String eventId) {
        return ByteBuffer.wrap(Hashes.digest("SHA-256").digest(eventId.getBytes(StandardCharsets.UTF_8))).getLong();
    }

    @Override
    public ExplainedEvent explain(InferenceEvent event, Selection selection) throws RejectedInputException {
        try {
            CatalogModel model = catalog.require(event.getModelName(), event.getModelVersion());
            Preprocessor preprocessor = new Preprocessor(model.spec());
            ModelInput input;
            String inputSha256;
            if (event.getInput() instanceof RawTensor raw) {
                input = preprocessor.prepare(preprocessor.checkRawTensor(EventInputs.shape(raw), EventInputs.values(raw)));
                inputSha256 = EventInputs.sha256(raw);
            } else {
                byte[] bytes = inputs.imageBytes(event.getInput());
                input = preprocessor.prepare(inputs.decoder().decode(bytes));
                inputSha256 = Hashes.sha256Hex(bytes);
            }
            // methods see the picture alone: padding is never perturbed, segmented or attributed
            ModelInput.Content content = input.content(model);
            Method method = methodFor(model.spec(), selection);
            long started = System.nanoTime();
            Explanation explanation = method.explainer()
                    .explain(content.model(), content.tensor(), Explainer.PREDICTED_CLASS, seedOf(event.getEventId()));
            StreamMetrics.explained(event.getModelName(), explanation.method(), selection.reasons(),
                    java.time.Duration.ofNanos(System.nanoTime() - started));
            SignalCheck.Result signal = SignalCheck.evaluate(content.model(), content.tensor(), explanation.map(),
                    explanation.targetClass(), seedOf(event.getEventId()));
            SaliencySummary summary = summary(event, selection, content, input, explanation, signal);
            return new ExplainedEvent(summary, overlay(event, model.spec(), explanation, signal, input, method.overlay()),
                    audit(event, selection, model, explanation, inputSha256, summary));
        } catch (InvalidInputException e) {
            throw new RejectedInputException(Stage.EXPLAIN, e.code(), e.getMessage(), e);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on model " + event.getModelName() + ":"
                    + event.getModelVersion() + ": " + e.getMessage(), e);
        }
    }

    /** An explainer with the overlay options its maps are drawn with. */
    private record Method(Explainer explainer, OverlayOptions overlay) {
        static Method of(ExplanationEngine engine, ModelSpec.MethodSpec spec, String where) {
            try {
                return new Method(engine.explainer(spec), OverlayOptions.forMethod(spec.name()).with(spec.overlay()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
    }

    private Method methodFor(ModelSpec spec, Selection selection) {
        for (String reason : selection.reasons()) {
            if (reason.startsWith(FLAG_PREFIX) && methodsByReason.containsKey(reason.substring(FLAG_PREFIX.length()))) {
                return methodsByReason.get(reason.substring(FLAG_PREFIX.length()));
            }
        }
        Method sampled = methodsByReason.get(Selection.SAMPLED);
        if (sampled != null && selection.reasons().contains(Selection.SAMPLED)) {
            return sampled;
        }
        return methodsByModel.get(spec.key());
    }

    private SaliencySummary summary(InferenceEvent event, Selection selection, ModelInput.Content content,
                                    ModelInput input, Explanation e, SignalCheck.Result signal) throws InvalidInputException, ai.onnxruntime.OrtException {
        ModelSpec spec = content.model().spec();
        MapStatistics stats = MapStatistics.of(e.map(), gridRows, gridCols, TOP_REGIONS);
        List<Box> top = stats.topRegions().stream().map(EngineEventExplainer::box).toList();
        Integer reported = event.getTopK().isEmpty() ? null : event.getTopK().get(0).getClassIndex();
        List<Roi> rois = rois(event);
        Faithfulness.Curves curves = wantsFaithfulness(selection)
                ? faithfulness.evaluate(content.model(), content.tensor(), e.map(), e.targetClass()) : null;
        long evaluations = e.modelEvaluations() + signal.evaluations() + (curves == null ? 0 : curves.modelEvaluations());
        return SaliencySummary.newBuilder()
                .setEventId(event.getEventId())
                .setEventTime(event.getEventTime())
                .setModelName(event.getModelName())
                .setModelVersion(event.getModelVersion())
                .setPredictedClass(e.targetClass())
                .setPredictedLabel(label(spec, e.targetClass()))
                .setPredictedScore(e.targetScore())
                .setReportedClass(reported)
                .setMethod(e.method())
                .setSelectionReasons(selection.reasons())
                .setImageWidth(input.original().getWidth())
                .setImageHeight(input.original().getHeight())
                .setGridRows(stats.gridRows())
                .setGridCols(stats.gridCols())
                .setGrid(toFloats(stats.grid()))
                .setTopRegion(top.isEmpty() ? null : top.get(0))
                .setTopRegions(top)
                .setCentroidX((float) stats.centroidX())
                .setCentroidY((float) stats.centroidY())
                .setSpread((float) stats.spread())
                .setEntropy((float) stats.entropy())
                .setPositiveMass((float) stats.positiveMass())
                .setNegativeMass((float) -stats.negativeMass())
                .setGini((float) MapQuality.gini(e.map()))
                .setRoiMass(rois.isEmpty() ? null : (float) MapQuality.roiMass(e.map(), rois))
                .setPointingGame(rois.isEmpty() ? null : MapQuality.pointingGame(e.map(), rois, POINTING_SMOOTH))
                .setDeletionAuc(curves == null ? null : (float) curves.deletionAuc())
                .setInsertionAuc(curves == null ? null : (float) curves.insertionAuc())
                .setCompletenessError(e.diagnostics().containsKey(COMPLETENESS_ERROR)
                        ? e.diagnostics().get(COMPLETENESS_ERROR).floatValue() : null)
                .setSignal((float) signal.figure())
                .setSignalVerdict(signal.verdict().id())
                .setModelCalls(e.modelCalls() + signal.modelCalls() + (curves == null ? 0 : curves.modelCalls()))
                .setModelEvaluations((int) Math.min(Integer.MAX_VALUE, evaluations))
                .setDurationMillis(e.durationNanos() / 1_000_000)
                .build();
    }

    private boolean wantsFaithfulness(Selection selection) {
        return selection.reasons().stream().anyMatch(reason -> faithfulnessReasons.contains(
                reason.startsWith(FLAG_PREFIX) ? reason.substring(FLAG_PREFIX.length()) : reason));
    }

    /** The event's regions of interest, clipped to the image; a box with no area inside it is an error. */
    private static List<Roi> rois(InferenceEvent event) throws InvalidInputException {
        List<Roi> out = new ArrayList<>();
        for (Box b : event.getRegionsOfInterest()) {
            double x0 = Math.max(0, b.getX());
            double y0 = Math.max(0, b.getY());
            double x1 = Math.min(1, (double) b.getX() + b.getWidth());
            double y1 = Math.min(1, (double) b.getY() + b.getHeight());
            if (!(x0 < x1 && y0 < y1)) {
                throw new InvalidInputException(INVALID_REGION, "region of interest (x=" + b.getX() + ", y=" + b.getY()
                        + ", width=" + b.getWidth() + ", height=" + b.getHeight()
                        + ") has no area inside the image (normalised coordinates, 0..1)");
            }
            out.add(new Roi(x0, y0, x1, y1));
        }
        return out;
    }

    private static SaliencyOverlay overlay(InferenceEvent event, ModelSpec spec, Explanation e, SignalCheck.Result signal,
                                           ModelInput input, OverlayOptions style) {
        String label = label(spec, e.targetClass());
        String caption = String.format(Locale.ROOT, "predicted %s  p=%.3f  %s",
                label == null ? "#" + e.targetClass() : label, e.targetScore(), e.method());
        OverlayOptions options = style.withCaption(caption);
        if (signal.verdict() == SignalCheck.Verdict.NO_SIGNAL) {
            // say so, and draw the map faintly on an absolute scale rather than stretching noise to full colour
            options = style.withCaption(caption + String.format(Locale.ROOT, "  NO SIGNAL (%.3f < %.2f)",
                    signal.figure(), SignalCheck.THRESHOLD)).withoutSignal(signal.figure(), SignalCheck.THRESHOLD);
        }
        BufferedImage image = ImageOverlay.render(input, e.map(), options);
        return SaliencyOverlay.newBuilder()
                .setEventId(event.getEventId())
                .setModelName(event.getModelName())
                .setModelVersion(event.getModelVersion())
                .setPredictedClass(e.targetClass())
                .setPredictedLabel(label)
                .setMethod(e.method())
                .setColorMap(options.colorMap().id())
                .setWidth(image.getWidth())
                .setHeight(image.getHeight())
                .setPng(ByteBuffer.wrap(OverlayRenderer.png(image)))
                .build();
    }

    private ExplanationAudit audit(InferenceEvent event, Selection selection, CatalogModel model, Explanation e,
                                   String inputSha256, SaliencySummary summary) {
        return ExplanationAudit.newBuilder()
                .setEventId(event.getEventId())
                .setEventTime(event.getEventTime())
                .setExplainedAt(clock.instant())
                .setModelName(event.getModelName())
                .setModelVersion(event.getModelVersion())
                .setModelSha256(model.sha256())
                .setInputSha256(inputSha256)
                .setPreprocessing(preprocessing(model.spec()))
                .setMethod(e.method())
                .setParameters(e.parameters())
                .setSeed(e.seed())
                .setTargetClass(e.targetClass())
                .setTargetScore(e.targetScore())
                .setMapSha256(mapSha256(e.map()))
                .setSummarySha256(summarySha256(summary))
                .setSelectionReasons(selection.reasons())
                .setVersions(versions)
                .build();
    }

    /**
     * SHA-256 of the map quantised canonically, so that it does not depend on float formatting:
     * width and height as int32, then each value divided by the map's largest magnitude and
     * rounded to a signed 16-bit integer, all big-endian.
     */
    public static String mapSha256(AttributionMap map) {
        float[] values = map.values();
        double maxAbs = 0;
        for (float v : values) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        ByteBuffer buf = ByteBuffer.allocate(8 + 2 * values.length).putInt(map.width()).putInt(map.height());
        for (float v : values) {
            buf.putShort(maxAbs == 0 ? 0 : (short) Math.round(v / maxAbs * Short.MAX_VALUE));
        }
        return Hashes.sha256Hex(buf.array());
    }

    /** SHA-256 of the summary's Avro binary encoding. */
    public static String summarySha256(SaliencySummary summary) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<>(SaliencySummary.class).write(summary, encoder);
            encoder.flush();
            return Hashes.sha256Hex(out.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode summary of " + summary.getEventId(), e);
        }
    }

    /** The preprocessing settings an audit records for a model: what a verifier compares against. */
    public static Map<String, String> preprocessing(ModelSpec spec) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("inputName", spec.inputName());
        out.put("layout", spec.layout().name());
        out.put("width", Integer.toString(spec.width()));
        out.put("height", Integer.toString(spec.height()));
        out.put("channels", Integer.toString(spec.channels()));
        out.put("colorOrder", spec.colorOrder().name());
        out.put("pixelScale", Double.toString(spec.pixelScale()));
        out.put("mean", java.util.Arrays.toString(spec.mean()));
        out.put("std", java.util.Arrays.toString(spec.std()));
        out.put("resize", spec.resize().name());
        out.put("output", spec.output().name());
        return out;
    }

    private static String label(ModelSpec spec, int index) {
        return index >= 0 && index < spec.labels().size() ? spec.labels().get(index) : null;
    }

    private static Box box(MapStatistics.Region r) {
        return Box.newBuilder()
                .setX((float) r.x0()).setY((float) r.y0())
                .setWidth((float) (r.x1() - r.x0())).setHeight((float) (r.y1() - r.y0()))
                .setMass((float) r.mass())
                .build();
    }

    private static List<Float> toFloats(double[] values) {
        Float[] out = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return List.of(out);
    }
}

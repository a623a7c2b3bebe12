package io.saliencystream.stream;

import io.saliencystream.audit.AuditHashes;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.method.Faithfulness;
import io.saliencystream.engine.method.SignalCheck;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.Hashes;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.quality.InterpretationBucket;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.quality.MapQuality;
import io.saliencystream.quality.MapStatistics;
import io.saliencystream.quality.Roi;
import io.saliencystream.render.ImageOverlay;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.render.OverlayRenderer;
import io.saliencystream.schema.Box;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The one way an input becomes an explanation, shared by the stream, {@code explain} and
 * {@code verify}: the input is read once ({@link EventInputs#resolve}: fetched, hashed, decoded and
 * preprocessed), then explained, checked for signal, and turned into the summary, overlay and
 * audit records ({@link #explain}), one set per target class. The caller chooses the method, the
 * targets and the seed; every target is explained with the same seed, so its map equals what
 * explaining that class alone gives. The
 * stream uses {@link #seedOf} of the event id, so an event is explained the same way wherever it
 * is explained. Thread-safe: it holds no per-event state.
 */
public final class ExplanationPipeline {

    /** Diagnostic of path methods (integrated gradients, XRAI): sum of attribution − (F(x) − F(baseline)). */
    private static final String COMPLETENESS_ERROR = "completenessError";
    /** Cells listed in a summary's topRegions. */
    public static final int TOP_REGIONS = 3;
    /** Box blur radius of the summary's pointing game: a 5x5 mean, so one noisy pixel does not decide. */
    static final int POINTING_SMOOTH = 2;

    private final int gridRows;
    private final int gridCols;
    private final Map<String, String> versions;
    private final Clock clock;
    private final InterpretationBuckets buckets;
    private final Faithfulness faithfulness = new Faithfulness(Faithfulness.Params.from(Map.of()));

    /**
     * @param gridRows rows of the summary's grid of attribution mass
     * @param gridCols its columns
     * @param versions software versions an audit records
     * @param clock    the audit's {@code explainedAt}
     * @param buckets  the confidence thresholds of the summary's interpretation bucket
     */
    public ExplanationPipeline(int gridRows, int gridCols, Map<String, String> versions, Clock clock,
                               InterpretationBuckets buckets) {
        this.gridRows = gridRows;
        this.gridCols = gridCols;
        this.versions = Map.copyOf(versions);
        this.clock = clock;
        this.buckets = buckets;
    }

    /** The seed of an event's explanation: the first 8 bytes of SHA-256 of its id. */
    public static long seedOf(String eventId) {
        return ByteBuffer.wrap(Hashes.digest("SHA-256").digest(eventId.getBytes(StandardCharsets.UTF_8))).getLong();
    }

    /** A configured method: its explainer and the overlay style of its maps. */
    public record Method(Explainer explainer, OverlayOptions overlay) {

        /**
         * The method of {@code spec} with its overlay options over the method's defaults.
         *
         * @param where what configured it, for the message of a bad method, parameter or overlay option
         */
        public static Method of(ExplanationEngine engine, ModelSpec.MethodSpec spec, String where) {
            try {
                return new Method(engine.explainer(spec), OverlayOptions.forMethod(spec.name()).with(spec.overlay()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * What to explain in an event and how.
     *
     * @param targets      classes to explain
     * @param reasons      the selection reasons the summary and audit record
     * @param faithfulness whether the summary gets deletion and insertion AUCs (34 more model evaluations)
     */
    public record Request(CatalogModel model, Method method, Targets targets, long seed, List<String> reasons,
                          boolean faithfulness) {

        public Request {
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * Explains the event's input, read by {@link EventInputs#resolve}, for each of the request's
     * targets, and builds the three records of each, in the order of the targets' terms.
     */
    public List<ExplainedEvent> explain(InferenceEvent event, EventInputs.Resolved input, Request request)
            throws InvalidInputException, ai.onnxruntime.OrtException {
        List<Roi> rois = rois(event);
        // methods see the picture alone: padding is never perturbed, segmented or attributed
        ModelInput.Content content = input.prepared().content(request.model());
        if (request.targets().predictedOnly()) {
            return List.of(explain(event, input, request, content, rois,
                    new Targets.Target(Explainer.PREDICTED_CLASS, Targets.PREDICTED)));
        }
        // one forward pass ranks the classes; each method's own pass then recomputes the same scores
        float[] scores = new ModelRunner(content.model()).scores(content.tensor(), 1)[0];
        List<ExplainedEvent> out = new ArrayList<>();
        for (Targets.Target target : request.targets().resolve(scores,
                labelClass(event.getGroundTruthLabel(), request.model().spec(), scores.length))) {
            out.add(explain(event, input, request, content, rois, target));
        }
        return out;
    }

    /**
     * The class of a ground-truth label: its index in the catalog's labels, else the label read as
     * a class index (as the label-disagreement flag reads it); empty when it is neither.
     */
    public static OptionalInt labelClass(CharSequence label, ModelSpec spec, int classes) {
        if (label == null) {
            return OptionalInt.empty();
        }
        int byLabel = spec.labels().indexOf(label.toString());
        if (byLabel >= 0) {
            return OptionalInt.of(byLabel);
        }
        try {
            int index = Integer.parseInt(label.toString().strip());
            return index >= 0 && index < classes ? OptionalInt.of(index) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private ExplainedEvent explain(InferenceEvent event, EventInputs.Resolved input, Request request,
                                   ModelInput.Content content, List<Roi> rois, Targets.Target target)
            throws ai.onnxruntime.OrtException {
        Explanation explanation = request.method().explainer()
                .explain(content.model(), content.tensor(), target.classIndex(), request.seed());
        SignalCheck.Result signal = SignalCheck.evaluate(content.model(), content.tensor(), explanation.map(),
                explanation.targetClass(), request.seed());
        Faithfulness.Curves curves = request.faithfulness()
                ? faithfulness.evaluate(content.model(), content.tensor(), explanation.map(), explanation.targetClass()) : null;
        SaliencySummary summary = summary(event, request, input.prepared(), explanation, signal, rois, curves,
                target.role());
        return new ExplainedEvent(summary,
                overlay(event, request, explanation, signal, input.prepared(), target.role()),
                audit(event, request, explanation, input.sha256(), summary, target.role()));
    }

    private SaliencySummary summary(InferenceEvent event, Request request, ModelInput input, Explanation e,
                                    SignalCheck.Result signal, List<Roi> rois, Faithfulness.Curves curves,
                                    String target) {
        MapStatistics stats = MapStatistics.of(e.map(), gridRows, gridCols, TOP_REGIONS);
        List<Box> top = stats.topRegions().stream().map(ExplanationPipeline::box).toList();
        Integer reported = event.getTopK().isEmpty() ? null : event.getTopK().get(0).getClassIndex();
        long evaluations = e.modelEvaluations() + signal.evaluations() + (curves == null ? 0 : curves.modelEvaluations());
        // the bucket judges the model's prediction, whichever class the map explains
        int predicted = argmax(e.scores());
        InterpretationBucket bucket = predicted < 0 ? null : buckets.assign(event.getModelName(), predicted,
                label(request.model().spec(), predicted), e.scores()[predicted], event.getGroundTruthLabel());
        return SaliencySummary.newBuilder()
                .setEventId(event.getEventId())
                .setEventTime(event.getEventTime())
                .setModelName(event.getModelName())
                .setModelVersion(event.getModelVersion())
                .setPredictedClass(e.targetClass())
                .setPredictedLabel(label(request.model().spec(), e.targetClass()))
                .setPredictedScore(e.targetScore())
                .setReportedClass(reported)
                .setMethod(e.method())
                .setSelectionReasons(request.reasons())
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
                .setInterpretationBucket(bucket == null ? null : bucket.id())
                .setModelCalls(e.modelCalls() + signal.modelCalls() + (curves == null ? 0 : curves.modelCalls()))
                .setModelEvaluations((int) Math.min(Integer.MAX_VALUE, evaluations))
                .setDurationMillis(e.durationNanos() / 1_000_000)
                .setTarget(target)
                .setTopClass(argmax(e.scores()) < 0 ? null : argmax(e.scores()))
                .build();
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
                throw new InvalidInputException(ErrorCodes.INVALID_REGION_OF_INTEREST, "region of interest (x=" + b.getX()
                        + ", y=" + b.getY() + ", width=" + b.getWidth() + ", height=" + b.getHeight()
                        + ") has no area inside the image (normalised coordinates, 0..1)");
            }
            out.add(new Roi(x0, y0, x1, y1));
        }
        return out;
    }

    private static SaliencyOverlay overlay(InferenceEvent event, Request request, Explanation e, SignalCheck.Result signal,
                                           ModelInput input, String target) {
        ModelSpec spec = request.model().spec();
        int predicted = argmax(e.scores());
        String caption = predicted < 0 || predicted == e.targetClass()
                ? String.format(Locale.ROOT, "predicted %s  p=%.3f  %s", name(spec, e.targetClass()), e.targetScore(), e.method())
                : String.format(Locale.ROOT, "explained %s (%s)  p=%.3f  %s  (predicted %s)",
                        name(spec, e.targetClass()), target, e.targetScore(), e.method(), name(spec, predicted));
        OverlayOptions style = request.method().overlay();
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
                .setPredictedLabel(label(spec, e.targetClass()))
                .setMethod(e.method())
                .setColorMap(options.colorMap().id())
                .setWidth(image.getWidth())
                .setHeight(image.getHeight())
                .setPng(ByteBuffer.wrap(OverlayRenderer.png(image)))
                .setTarget(target)
                .build();
    }

    private ExplanationAudit audit(InferenceEvent event, Request request, Explanation e, String inputSha256,
                                   SaliencySummary summary, String target) {
        return ExplanationAudit.newBuilder()
                .setEventId(event.getEventId())
                .setEventTime(event.getEventTime())
                .setExplainedAt(clock.instant())
                .setModelName(event.getModelName())
                .setModelVersion(event.getModelVersion())
                .setModelSha256(request.model().sha256())
                .setInputSha256(inputSha256)
                .setPreprocessing(AuditHashes.preprocessing(request.model().spec()))
                .setMethod(e.method())
                .setParameters(e.parameters())
                .setSeed(e.seed())
                .setTargetClass(e.targetClass())
                .setTargetScore(e.targetScore())
                .setMapSha256(AuditHashes.mapSha256(e.map()))
                .setSummarySha256(AuditHashes.summarySha256(summary))
                .setSelectionReasons(request.reasons())
                .setVersions(versions)
                .setTarget(target)
                .build();
    }

    private static String label(ModelSpec spec, int index) {
        return index >= 0 && index < spec.labels().size() ? spec.labels().get(index) : null;
    }

    /** The label, or "#index" for a class the catalog has no label for. */
    private static String name(ModelSpec spec, int index) {
        String label = label(spec, index);
        return label == null ? "#" + index : label;
    }

    /** Index of the largest score; -1 when there are none. */
    private static int argmax(float[] v) {
        if (v.length == 0) {
            return -1;
        }
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
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

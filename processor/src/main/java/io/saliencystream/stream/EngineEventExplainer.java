package io.saliencystream.stream;

import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.schema.InferenceEvent;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stream's explainer: chooses the method for a selected event (by selection reason, else the
 * catalog's) and its targets ({@link TargetRules}), and runs the {@link ExplanationPipeline} on
 * it, seeded by the event id, so the same event is explained the same way on a replay and by
 * {@code explain --event-id}. Thread-safe: it holds no per-event state.
 */
public final class EngineEventExplainer implements EventExplainer {

    private static final String FLAG_PREFIX = "flag:";

    private final ModelCatalog catalog;
    private final EventInputs inputs;
    private final ExplanationPipeline pipeline;
    private final Map<String, ExplanationPipeline.Method> methodsByReason;
    private final Map<String, ExplanationPipeline.Method> methodsByModel;
    private final Set<String> faithfulnessReasons;
    private final TargetRules targets;

    /**
     * @param methodsByReason     methods that replace the catalog's for events selected for a reason,
     *                            keyed by the reason without its {@code flag:} prefix ({@code sampled},
     *                            {@code low-confidence}, ...); a flag's method wins over {@code sampled}'s
     * @param faithfulnessReasons reasons, named the same way, whose events also get deletion and
     *                            insertion AUCs in their summary (34 more model evaluations each)
     * @param buckets             the confidence thresholds of the summaries' interpretation buckets
     * @param targets             which classes of an event to explain; a class index a model does not
     *                            have is refused here
     */
    public EngineEventExplainer(ModelCatalog catalog, ExplanationEngine engine, EventInputs inputs,
                                int gridRows, int gridCols, Map<String, String> versions, Clock clock,
                                Map<String, ModelSpec.MethodSpec> methodsByReason, Set<String> faithfulnessReasons,
                                InterpretationBuckets buckets,
                                TargetRules targets) {
        this.catalog = catalog;
        this.inputs = inputs;
        this.pipeline = new ExplanationPipeline(gridRows, gridCols, versions, clock, buckets);
        // built now, so that a misconfigured method, parameter or overlay fails at start-up rather than per event
        Map<String, ExplanationPipeline.Method> byReason = new LinkedHashMap<>();
        methodsByReason.forEach((reason, method) ->
                byReason.put(reason, ExplanationPipeline.Method.of(engine, method, "explain.method-for." + reason)));
        this.methodsByReason = Map.copyOf(byReason);
        Map<String, ExplanationPipeline.Method> byModel = new LinkedHashMap<>();
        for (CatalogModel model : catalog.models()) {
            byModel.put(model.spec().key(),
                    ExplanationPipeline.Method.of(engine, model.spec().method(), "catalog model " + model.spec().key()));
        }
        this.methodsByModel = Map.copyOf(byModel);
        this.faithfulnessReasons = Set.copyOf(faithfulnessReasons);
        this.targets = targets;
        for (CatalogModel model : catalog.models()) {
            checkClasses(model.spec(), "explain.targets", targets.defaults());
            targets.byReason().forEach((reason, t) -> checkClasses(model.spec(), "explain.targets-for." + reason, t));
            Targets own = targets.byModel().get(model.spec().name());
            if (own != null) {
                checkClasses(model.spec(), "explain.targets." + model.spec().name(), own);
            }
        }
    }

    /**
     * Runs every method that may explain a model's events once on a blank input of that model, so
     * that what a method builds on first use (a gradient method's derived backward graph and its
     * session, taking seconds) and the code paths are ready before the first request: otherwise the
     * first requests after a start, flagged ones included, wait for it.
     *
     * @return each model and method warmed, as {@code <model key>: <method>}, in the order run
     */
    public List<String> warmUp() {
        List<String> warmed = new ArrayList<>();
        for (CatalogModel model : catalog.models()) {
            // one run per method name: what it builds is shared by every parameter set of it
            Map<String, ExplanationPipeline.Method> methods = new LinkedHashMap<>();
            ExplanationPipeline.Method own = methodsByModel.get(model.spec().key());
            methods.put(own.explainer().name(), own);
            methodsByReason.values().forEach(m -> methods.putIfAbsent(m.explainer().name(), m));
            float[] blank = new float[model.spec().inputSize()];
            for (ExplanationPipeline.Method method : methods.values()) {
                try {
                    method.explainer().explain(model, blank, Explainer.PREDICTED_CLASS, 0L);
                } catch (ai.onnxruntime.OrtException e) {
                    throw new IllegalStateException("cannot warm up " + method.explainer().name() + " on model "
                            + model.spec().key() + ": " + e.getMessage(), e);
                }
                warmed.add(model.spec().key() + ": " + method.explainer().name());
            }
        }
        return warmed;
    }

    /** The classes a setting lists must be classes of every model it applies to (when the catalog labels them). */
    private static void checkClasses(ModelSpec spec, String key, Targets targets) {
        int classes = spec.labels().size();
        for (int index : targets.listedClasses()) {
            if (classes > 0 && index >= classes) {
                throw new IllegalArgumentException(key + "=" + targets + ": class " + index + " is not one of the "
                        + classes + " classes of model " + spec.key());
            }
        }
    }

    @Override
    public List<ExplainedEvent> explain(InferenceEvent event, Selection selection) throws RejectedInputException {
        try {
            CatalogModel model = catalog.require(event.getModelName(), event.getModelVersion());
            EventInputs.Resolved input = inputs.resolve(model.spec(), event.getInput());
            ExplanationPipeline.Request request = new ExplanationPipeline.Request(model, methodFor(model.spec(), selection),
                    targets.of(event.getModelName(), selection), ExplanationPipeline.seedOf(event.getEventId()),
                    selection.reasons(), wantsFaithfulness(selection));
            long started = System.nanoTime();
            List<ExplainedEvent> explained = pipeline.explain(event, input, request);
            StreamMetrics.explained(event.getModelName(), explained.get(0).summary().getMethod(), selection.reasons(),
                    Duration.ofNanos(System.nanoTime() - started));
            return explained;
        } catch (InvalidInputException e) {
            throw new RejectedInputException(Stage.EXPLAIN, e.code(), e.getMessage(), e);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on model " + event.getModelName() + ":"
                    + event.getModelVersion() + ": " + e.getMessage(), e);
        }
    }

    private ExplanationPipeline.Method methodFor(ModelSpec spec, Selection selection) {
        for (String reason : selection.reasons()) {
            if (reason.startsWith(FLAG_PREFIX) && methodsByReason.containsKey(reason.substring(FLAG_PREFIX.length()))) {
                return methodsByReason.get(reason.substring(FLAG_PREFIX.length()));
            }
        }
        ExplanationPipeline.Method sampled = methodsByReason.get(Selection.SAMPLED);
        if (sampled != null && selection.reasons().contains(Selection.SAMPLED)) {
            return sampled;
        }
        return methodsByModel.get(spec.key());
    }

    private boolean wantsFaithfulness(Selection selection) {
        return selection.reasons().stream().anyMatch(reason -> faithfulnessReasons.contains(
                reason.startsWith(FLAG_PREFIX) ? reason.substring(FLAG_PREFIX.length()) : reason));
    }
}

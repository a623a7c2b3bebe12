package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;

import java.util.Map;
import java.util.Objects;

/**
 * The frame every attribution method shares, so that a method's class holds only its algorithm
 * (one algorithm a class over one base, as in PAIR saliency and Captum): the name and the
 * parameters, the checks of input and target, the forward pass that picks the target, the
 * count of model calls, the timer, and the {@link Explanation}.
 *
 * @param <P> the method's parameters
 */
public abstract class AttributionMethod<P extends AttributionMethod.Parameters> implements Explainer {

    /** A method's parameters, recorded in every explanation (and audit) as {@link #asMap} writes them. */
    public interface Parameters {
        /** Every parameter, defaults included, as {@link ParameterReader} reads them back. */
        Map<String, String> asMap();
    }

    private final String name;
    private final P params;

    protected AttributionMethod(String name, P params) {
        this.name = Objects.requireNonNull(name, "name");
        this.params = Objects.requireNonNull(params, "params");
    }

    @Override
    public final String name() {
        return name;
    }

    public final P params() {
        return params;
    }

    @Override
    public final Explanation explain(CatalogModel model, float[] input, int targetClass, long seed) throws OrtException {
        return attribute(start(model, input, targetClass, seed));
    }

    /** The algorithm: explains {@code run}'s target on {@code run}'s input, ending with {@link Run#explanation}. */
    protected abstract Explanation attribute(Run run) throws OrtException;

    /** Starts the timer, checks the input and the target, and runs the forward pass that resolves the target. */
    protected final Run start(CatalogModel model, float[] input, int targetClass, long seed) throws OrtException {
        return new Run(name, params.asMap(), model, input, targetClass, seed);
    }

    /**
     * One explanation under way: the model, the input, the seed, the model's answer on the
     * unaltered input and the target class, and the model calls spent so far (the runner's,
     * plus what {@link #count} adds). Not thread-safe: one per explanation.
     */
    protected static final class Run {
        final CatalogModel model;
        final ModelSpec spec;
        final float[] input;
        final long seed;
        final Preprocessor layout;
        final ModelRunner runner;
        /** The model's raw output on the unaltered input. */
        final float[] raw;
        final float[] probabilities;
        final int target;
        private final String method;
        private final Map<String, String> parameters;
        private final long startNanos = System.nanoTime();
        private int otherCalls;
        private long otherEvaluations;

        private Run(String method, Map<String, String> parameters, CatalogModel model, float[] input, int targetClass,
                    long seed) throws OrtException {
            this.method = method;
            this.parameters = parameters;
            this.model = model;
            this.spec = model.spec();
            this.input = input;
            this.seed = seed;
            if (input.length != spec.inputSize()) {
                throw new IllegalArgumentException("input has " + input.length + " values, model " + spec.key()
                        + " takes " + spec.inputSize());
            }
            this.layout = new Preprocessor(spec);
            this.runner = new ModelRunner(model);
            this.raw = runner.raw(input, 1)[0];
            this.probabilities = runner.probabilities(raw);
            if (targetClass != PREDICTED_CLASS && (targetClass < 0 || targetClass >= probabilities.length)) {
                throw new IllegalArgumentException("target class " + targetClass + " outside 0.."
                        + (probabilities.length - 1) + " for model " + spec.key());
            }
            this.target = targetClass == PREDICTED_CLASS ? ModelRunner.argmax(probabilities) : targetClass;
        }

        /** Counts model calls made outside {@link #runner} (gradient models). */
        void count(int calls, long evaluations) {
            otherCalls += calls;
            otherEvaluations += evaluations;
        }

        Explanation explanation(AttributionMap map) {
            return explanation(map, Map.of());
        }

        /** The result: the map of the target with the costs so far and the time since the start. */
        Explanation explanation(AttributionMap map, Map<String, Double> diagnostics) {
            return new Explanation(method, parameters, seed, target, probabilities[target], probabilities, map,
                    runner.calls() + otherCalls, runner.evaluations() + otherEvaluations,
                    System.nanoTime() - startNanos, diagnostics);
        }
    }
}

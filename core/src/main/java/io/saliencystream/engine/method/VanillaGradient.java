package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gradient of the target's score with respect to the input (Simonyan et al., 2014), or with
 * {@code times_input} the gradient times the input (Shrikumar et al., 2016). A pixel's
 * attribution is the sum over its channels. Cost: one forward call and one gradient call.
 */
public final class VanillaGradient extends AttributionMethod<VanillaGradient.Params> {

    public static final String NAME = "vanilla_gradient";

    /**
     * @param score      the differentiated score: log-odds (default), probability or raw output
     * @param timesInput multiply the gradient by the input value (gradient x input)
     */
    public record Params(TargetScore score, boolean timesInput) implements Parameters {
        /** Reads "score" (logodds) and "times_input" (false). */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader(NAME, p);
            Params params = new Params(r.choice("score", TargetScore.class, TargetScore.LOGODDS), r.bool("times_input", false));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("score", ParameterReader.id(score));
            m.put("times_input", Boolean.toString(timesInput));
            return m;
        }
    }

    private final GradientModels cache;

    public VanillaGradient(Params params, GradientModels cache) {
        super(NAME, params);
        this.cache = cache;
    }

    @Override
    protected Explanation attribute(Run run) throws OrtException {
        float[] input = run.input;
        GradientRuns runs = new GradientRuns(cache, run, params().score());
        double[] attribution = new double[input.length];
        runs.run(1, 1, (i, batch, offset) -> System.arraycopy(input, 0, batch, offset, input.length), (first, n, scores, g) -> {
            for (int i = 0; i < g.length; i++) {
                attribution[i] = params().timesInput() ? (double) g[i] * input[i] : g[i];
            }
        });
        return run.explanation(runs.channelSum(attribution));
    }
}

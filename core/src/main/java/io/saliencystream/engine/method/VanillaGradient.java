package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gradient of the target's score with respect to the input (Simonyan et al., 2014), or with
 * {@code times_input} the gradient times the input (Shrikumar et al., 2016). A pixel's
 * attribution is the sum over its channels. Cost: one forward call and one gradient call.
 */
public final class VanillaGradient implements Explainer {

    public static final String NAME = "vanilla_gradient";

    /**
     * @param score      the differentiated score: log-odds (default), probability or raw output
     * @param timesInput multiply the gradient by the input value (gradient x input)
     */
    public record Params(TargetScore score, boolean timesInput) {
        /** Reads "score" (logodds) and "times_input" (false). */
        public static Params from(Map<String, String> p) {
            return new Params(GradientRuns.score(p.getOrDefault("score", "logodds")), bool(p, "times_input", false));
        }

        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("score", GradientRuns.name(score));
            m.put("times_input", Boolean.toString(timesInput));
            return m;
        }
    }

    private final Params params;
    private final GradientModels cache;

    public VanillaGradient(Params params, GradientModels cache) {
        this.params = params;
        this.cache = cache;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Explanation explain(CatalogModel model, float[] input, int targetClass, long seed) throws OrtException {
        long start = System.nanoTime();
        GradientRuns runs = new GradientRuns(cache, model, params.score(), input, targetClass);
        float[] g = runs.run(1, 1, (i, batch, offset) -> System.arraycopy(input, 0, batch, offset, input.length)).gradients();
        double[] attribution = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            attribution[i] = params.timesInput() ? (double) g[i] * input[i] : g[i];
        }
        return new Explanation(NAME, params.asMap(), seed, runs.target, runs.probabilities[runs.target], runs.probabilities,
                runs.channelSum(attribution), runs.calls(), runs.evaluations(), System.nanoTime() - start, Map.of());
    }

    static boolean bool(Map<String, String> p, String key, boolean fallback) {
        String v = p.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false; got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }
}

package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * SmoothGrad (Smilkov et al., 2017): the mean gradient over {@code samples} copies of the input
 * with Gaussian noise of standard deviation {@code noise} times the input's value range
 * (max - min over all values), drawn from the seed. A pixel's attribution is the sum over its
 * channels. Cost: one forward call and ceil(samples / batchSize) gradient calls.
 */
public final class SmoothGrad implements Explainer {

    public static final String NAME = "smoothgrad";

    public record Params(TargetScore score, int samples, double noise, int batchSize) {
        public Params {
            if (samples <= 0 || batchSize <= 0 || !(noise >= 0) || Double.isInfinite(noise)) {
                throw new IllegalArgumentException("smoothgrad needs positive samples and batchSize and a finite noise >= 0; got "
                        + samples + ", " + batchSize + ", " + noise);
            }
        }

        /** Reads "score" (logodds), "samples" (16), "noise" (0.15), "batchSize" (16). */
        public static Params from(Map<String, String> p) {
            try {
                return new Params(GradientRuns.score(p.getOrDefault("score", "logodds")),
                        Integer.parseInt(p.getOrDefault("samples", "16")), Double.parseDouble(p.getOrDefault("noise", "0.15")),
                        Integer.parseInt(p.getOrDefault("batchSize", "16")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("smoothgrad parameters " + p + ": " + e.getMessage(), e);
            }
        }

        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("score", GradientRuns.name(score));
            m.put("samples", Integer.toString(samples));
            m.put("noise", Double.toString(noise));
            m.put("batchSize", Integer.toString(batchSize));
            return m;
        }
    }

    private final Params params;
    private final GradientModels cache;

    public SmoothGrad(Params params, GradientModels cache) {
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
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : input) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double sigma = params.noise() * (max - min);
        Random random = new Random(seed);
        float[] g = runs.run(params.samples(), params.batchSize(), (i, batch, offset) -> {
            for (int j = 0; j < input.length; j++) {
                batch[offset + j] = (float) (input[j] + sigma * random.nextGaussian());
            }
        }).gradients();
        double[] mean = new double[input.length];
        for (int s = 0; s < params.samples(); s++) {
            for (int j = 0; j < input.length; j++) {
                mean[j] += g[s * input.length + j];
            }
        }
        for (int j = 0; j < mean.length; j++) {
            mean[j] /= params.samples();
        }
        return new Explanation(NAME, params.asMap(), seed, runs.target, runs.probabilities[runs.target], runs.probabilities,
                runs.channelSum(mean), runs.calls(), runs.evaluations(), System.nanoTime() - start, Map.of());
    }
}

package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * SmoothGrad (Smilkov et al., 2017): the mean gradient over {@code samples} copies of the input
 * with Gaussian noise of standard deviation {@code noise} times the input's value range
 * (max - min over all values), drawn from the seed. A pixel's attribution is the sum over its
 * channels. Cost: one forward call and ceil(samples / batchSize) gradient calls.
 */
public final class SmoothGrad extends AttributionMethod<SmoothGrad.Params> {

    public static final String NAME = "smoothgrad";

    public record Params(TargetScore score, int samples, double noise, int batchSize) implements Parameters {
        public Params {
            if (samples <= 0 || batchSize <= 0 || !(noise >= 0) || Double.isInfinite(noise)) {
                throw new IllegalArgumentException("smoothgrad needs positive samples and batch_size and a finite noise >= 0; got "
                        + samples + ", " + batchSize + ", " + noise);
            }
        }

        /** Reads "score" (logodds), "samples" (16), "noise" (0.15), "batch_size" (8). */
        public static Params from(Map<String, String> p) {
            ParameterReader r = new ParameterReader(NAME, p);
            Params params = new Params(r.choice("score", TargetScore.class, TargetScore.LOGODDS), r.integer("samples", 16),
                    r.number("noise", 0.15), r.integer("batch_size", GradientRuns.DEFAULT_BATCH));
            r.finish();
            return params;
        }

        @Override
        public Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("score", ParameterReader.id(score));
            m.put("samples", Integer.toString(samples));
            m.put("noise", Double.toString(noise));
            m.put("batch_size", Integer.toString(batchSize));
            return m;
        }
    }

    private final GradientModels cache;

    public SmoothGrad(Params params, GradientModels cache) {
        super(NAME, params);
        this.cache = cache;
    }

    @Override
    protected Explanation attribute(Run run) throws OrtException {
        Params params = params();
        float[] input = run.input;
        GradientRuns runs = new GradientRuns(cache, run, params.score());
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : input) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double sigma = params.noise() * (max - min);
        // SplittableRandom draws Gaussians by the ziggurat method: 9x faster than java.util.Random's polar
        // method, whose 2.4 million draws at 224x224x3 took 15 % of an explanation
        SplittableRandom random = new SplittableRandom(run.seed);
        double[] mean = new double[input.length];
        runs.run(params.samples(), params.batchSize(), (i, batch, offset) -> {
            for (int j = 0; j < input.length; j++) {
                batch[offset + j] = (float) (input[j] + sigma * random.nextGaussian());
            }
        }, (first, n, scores, g) -> {
            for (int s = 0; s < n; s++) {
                for (int j = 0; j < input.length; j++) {
                    mean[j] += g[s * input.length + j];
                }
            }
        });
        for (int j = 0; j < mean.length; j++) {
            mean[j] /= params.samples();
        }
        return run.explanation(runs.channelSum(mean));
    }
}

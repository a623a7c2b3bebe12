package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.gradient.GradientModel;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;

import java.util.Locale;

/**
 * What the gradient methods share for one explanation: the forward pass that picks the target,
 * batched gradient calls (counted), and the reduction of a per-value attribution to a map.
 * Not thread-safe: one per explanation.
 */
final class GradientRuns {

    /** Gradients and scores of a set of inputs, in input order. */
    record Answers(float[] scores, float[] gradients) {
    }

    final ModelSpec spec;
    final Preprocessor layout;
    final GradientModel gradientModel;
    final int target;
    final float[] probabilities;
    private final ModelRunner runner;
    private final CatalogModel model;
    private int calls;
    private long evaluations;

    GradientRuns(GradientModels cache, CatalogModel model, TargetScore score, float[] input, int targetClass) throws OrtException {
        this.spec = model.spec();
        this.model = model;
        if (input.length != spec.inputSize()) {
            throw new IllegalArgumentException("input has " + input.length + " values, model " + spec.key()
                    + " takes " + spec.inputSize());
        }
        this.layout = new Preprocessor(spec);
        this.runner = new ModelRunner(model);
        this.probabilities = runner.probabilities(runner.raw(input, 1)[0]);
        this.target = targetClass == Explainer.PREDICTED_CLASS ? ModelRunner.argmax(probabilities) : targetClass;
        if (target < 0 || target >= probabilities.length) {
            throw new IllegalArgumentException("target class " + targetClass + " outside 0.." + (probabilities.length - 1));
        }
        this.gradientModel = cache.get(model, score);
    }

    /**
     * Scores and gradients of {@code count} inputs that {@code source} writes one by one into a
     * batch buffer (so a long path never sits in memory at once), {@code batchSize} per call.
     */
    Answers run(int count, int batchSize, InputSource source) throws OrtException {
        int size = spec.inputSize();
        float[] scores = new float[count];
        float[] gradients = new float[count * size];
        for (int first = 0; first < count; first += batchSize) {
            int n = Math.min(batchSize, count - first);
            float[] batch = new float[n * size];
            for (int i = 0; i < n; i++) {
                source.write(first + i, batch, i * size);
            }
            GradientModel.Result r = gradientModel.run(model.toModelInputs(batch, n), gradientModel.oneHot(target, n), n);
            System.arraycopy(r.scores(), 0, scores, first, n);
            System.arraycopy(model.fromModelInputs(r.gradients(), n), 0, gradients, first * size, n * size);
            calls++;
            evaluations += n;
        }
        return new Answers(scores, gradients);
    }

    /** Writes input number {@code index} at {@code offset} of {@code batch}. */
    @FunctionalInterface
    interface InputSource {
        void write(int index, float[] batch, int offset);
    }

    /** A pixel's attribution: the sum over channels of the per-value attribution. */
    AttributionMap channelSum(double[] perValue) {
        int w = spec.width();
        int h = spec.height();
        float[] map = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int c = 0; c < spec.channels(); c++) {
                    s += perValue[layout.index(c, y, x)];
                }
                map[y * w + x] = (float) s;
            }
        }
        return new AttributionMap(w, h, map);
    }

    int calls() {
        return runner.calls() + calls;
    }

    long evaluations() {
        return runner.evaluations() + evaluations;
    }

    /** "logodds" (default), "probability" or "raw". */
    static TargetScore score(String name) {
        try {
            return TargetScore.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("score must be logodds, probability or raw; got '" + name + "'", e);
        }
    }

    static String name(TargetScore score) {
        return score.name().toLowerCase(Locale.ROOT);
    }
}

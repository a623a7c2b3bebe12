package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.gradient.GradientModel;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;


/**
 * What the gradient methods share for one explanation: batched gradient calls of the run's
 * target (counted into the run), and the reduction of a per-value attribution to a map.
 * Not thread-safe: one per explanation.
 */
final class GradientRuns {

    /** Gradients and scores of a set of inputs, in input order. */
    record Answers(float[] scores, float[] gradients) {
    }

    final ModelSpec spec;
    final Preprocessor layout;
    private final AttributionMethod.Run run;
    private final GradientModel gradientModel;

    GradientRuns(GradientModels cache, AttributionMethod.Run run, TargetScore score) {
        this.run = run;
        this.spec = run.spec;
        this.layout = run.layout;
        this.gradientModel = cache.get(run.model, score);
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
            GradientModel.Result r = gradientModel.run(run.model.toModelInputs(batch, n), gradientModel.oneHot(run.target, n), n);
            System.arraycopy(r.scores(), 0, scores, first, n);
            System.arraycopy(run.model.fromModelInputs(r.gradients(), n), 0, gradients, first * size, n * size);
            int fixed = gradientModel.fixedBatch();
            run.count(fixed > 0 ? (n + fixed - 1) / fixed : 1, n);
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
}

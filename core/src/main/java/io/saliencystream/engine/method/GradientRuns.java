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

    /**
     * The gradient methods' default batch_size: forward+backward calls of MobileNetV3-small at
     * 224x224 ran fastest per input at 8 on 2 cores (MethodFloorBenchmark's search over 1-32);
     * 16, the former default, took 4-30 % longer per input in every run on the shared machine.
     */
    static final int DEFAULT_BATCH = 8;

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
     * Scores and differentiates {@code count} inputs that {@code source} writes one by one into a
     * batch buffer, {@code batchSize} per call, and hands each call's answers to {@code sink} in
     * input order, so neither a long path nor its gradients sit in memory at once.
     */
    void run(int count, int batchSize, InputSource source, AnswerSink sink) throws OrtException {
        int size = spec.inputSize();
        for (int first = 0; first < count; first += batchSize) {
            int n = Math.min(batchSize, count - first);
            float[] batch = new float[n * size];
            for (int i = 0; i < n; i++) {
                source.write(first + i, batch, i * size);
            }
            GradientModel.Result r = gradientModel.run(run.model.toModelInputs(batch, n), gradientModel.oneHot(run.target, n), n);
            sink.accept(first, n, r.scores(), run.model.fromModelInputs(r.gradients(), n));
            int fixed = gradientModel.fixedBatch();
            run.count(fixed > 0 ? (n + fixed - 1) / fixed : 1, n);
        }
    }

    /** Writes input number {@code index} at {@code offset} of {@code batch}. */
    @FunctionalInterface
    interface InputSource {
        void write(int index, float[] batch, int offset);
    }

    /** Takes the answers for inputs {@code first} to {@code first + n - 1}: a score each and their gradients, concatenated like the inputs. */
    @FunctionalInterface
    interface AnswerSink {
        void accept(int first, int n, float[] scores, float[] gradients);
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

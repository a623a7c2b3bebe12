package io.saliencystream.engine.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Runs batches through a model's shared session and counts the work: {@link #calls()} ONNX
 * Runtime invocations and {@link #evaluations()} inputs scored. One runner per explanation;
 * it is not shared between threads (the session it uses is).
 */
public final class ModelRunner {

    private final CatalogModel model;
    private final ModelSpec spec;
    private int calls;
    private long evaluations;

    public ModelRunner(CatalogModel model) {
        this.model = model;
        this.spec = model.spec();
    }

    /**
     * Class probabilities for {@code count} inputs concatenated in {@code inputs}: the model's
     * output, softmaxed when the catalog says the model emits logits.
     */
    public float[][] scores(float[] inputs, int count) throws OrtException {
        float[][] raw = raw(inputs, count);
        for (int i = 0; i < raw.length; i++) {
            raw[i] = probabilities(raw[i]);
        }
        return raw;
    }

    /** Probabilities from one raw output row: softmax for logits, the row itself otherwise. */
    public float[] probabilities(float[] rawRow) {
        if (spec.output() == ModelSpec.OutputKind.PROBABILITIES) {
            return rawRow;
        }
        float[] p = rawRow.clone();
        softmaxInPlace(p);
        return p;
    }

    /**
     * The model's output as it comes, one row of class values per input. A model exported with a
     * fixed batch size (PyTorch's export without dynamic axes) gets the inputs in runs of that
     * size, the last one padded with copies of its last input whose rows are dropped.
     */
    public float[][] raw(float[] inputs, int count) throws OrtException {
        int size = spec.inputSize();
        if (count <= 0 || inputs.length != (long) count * size) {
            throw new IllegalArgumentException("batch of " + count + " needs " + (long) count * size
                    + " values for model " + spec.key() + ", got " + inputs.length);
        }
        int fixed = model.fixedBatch();
        int step = fixed > 0 ? fixed : count;
        int classes = spec.labels().size();
        float[][] rows = new float[count][];
        for (int first = 0; first < count; first += step) {
            int n = Math.min(step, count - first);
            float[] flat = run(FixedBatch.chunk(inputs, size, first, n, step), step);
            if (flat.length != (long) step * classes) {
                throw new IllegalStateException("model " + spec.key() + " returned " + flat.length
                        + " values for a batch of " + step + "; the catalog lists " + classes + " labels");
            }
            for (int i = 0; i < n; i++) {
                rows[first + i] = java.util.Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
            }
        }
        evaluations += count;
        return rows;
    }

    private float[] run(float[] inputs, int count) throws OrtException {
        OrtSession session = model.session();
        try (OnnxTensor input = InputBuffers.tensor(model.toModelInputs(inputs, count), model.inputSpec().inputShape(count));
             OrtSession.Result result = session.run(Map.of(spec.inputName(), input))) {
            calls++;
            FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] flat = new float[buffer.remaining()];
            buffer.get(flat);
            return flat;
        }
    }

    /**
     * Log-odds of {@code target} from one output row: log p(target) - log sum of the other
     * classes' p. Unlike the probability it does not saturate near 0 or 1, so small changes of a
     * confident model stay visible. Computed from logits directly where the model emits them.
     */
    public double logOdds(float[] rawRow, int target) {
        if (spec.output() == ModelSpec.OutputKind.LOGITS) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < rawRow.length; j++) {
                if (j != target) {
                    max = Math.max(max, rawRow[j]);
                }
            }
            double sum = 0;
            for (int j = 0; j < rawRow.length; j++) {
                if (j != target) {
                    sum += Math.exp(rawRow[j] - max);
                }
            }
            return rawRow[target] - (max + Math.log(sum));
        }
        double others = 0;
        for (int j = 0; j < rawRow.length; j++) {
            if (j != target) {
                others += rawRow[j];
            }
        }
        // summing the small probabilities keeps precision that 1 - p(target) would lose
        return Math.log(Math.max(rawRow[target], TINY)) - Math.log(Math.max(others, TINY));
    }

    private static final double TINY = 1e-30;

    public int calls() {
        return calls;
    }

    public long evaluations() {
        return evaluations;
    }

    static void softmaxInPlace(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        double[] e = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            e[i] = Math.exp(v[i] - max);
            sum += e[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (e[i] / sum);
        }
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}

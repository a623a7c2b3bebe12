package io.saliencystream.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
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
        if (spec.output() == ModelSpec.OutputKind.LOGITS) {
            for (float[] row : raw) {
                softmaxInPlace(row);
            }
        }
        return raw;
    }

    /** The model's output as it comes, one row of class values per input. */
    public float[][] raw(float[] inputs, int count) throws OrtException {
        int size = spec.inputSize();
        if (count <= 0 || inputs.length != (long) count * size) {
            throw new IllegalArgumentException("batch of " + count + " needs " + (long) count * size
                    + " values for model " + spec.key() + ", got " + inputs.length);
        }
        OrtSession session = model.session();
        OrtEnvironment env = OrtRuntime.environment();
        float[] flat;
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs), spec.inputShape(count));
             OrtSession.Result result = session.run(Map.of(spec.inputName(), input))) {
            OnnxTensor output = (OnnxTensor) result.get(0);
            FloatBuffer buffer = output.getFloatBuffer();
            flat = new float[buffer.remaining()];
            buffer.get(flat);
        }
        calls++;
        evaluations += count;
        int classes = spec.labels().size();
        if (flat.length != (long) count * classes) {
            throw new IllegalStateException("model " + spec.key() + " returned " + flat.length
                    + " values for a batch of " + count + "; the catalog lists " + classes + " labels");
        }
        float[][] rows = new float[count][classes];
        for (int i = 0; i < count; i++) {
            System.arraycopy(flat, i * classes, rows[i], 0, classes);
        }
        return rows;
    }

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

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}

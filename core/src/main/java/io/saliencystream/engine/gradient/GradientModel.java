package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.saliencystream.engine.model.FixedBatch;
import io.saliencystream.engine.model.InputBuffers;
import io.saliencystream.engine.model.OrtRuntime;
import io.saliencystream.engine.model.SessionSettings;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model's gradient model in an ONNX Runtime session: one call scores a batch and returns each
 * input's gradient. Thread-safe (the session is shared, each call has its own tensors).
 */
public final class GradientModel implements AutoCloseable {

    /** One batch's answer: outputs [n][classes], score per input, gradients concatenated like the inputs. */
    public record Result(float[][] outputs, float[] scores, float[] gradients) {
    }

    private final String input;
    private final String output;
    private final long[] inputShape;
    private final int classes;
    private final TargetScore score;
    private final OrtSession session;
    private final int fixedBatch;

    private GradientModel(ModelProto gradientModel, String input, String output, long[] inputShape, TargetScore score,
                          SessionSettings settings) throws OrtException {
        this.input = input;
        this.output = output;
        this.inputShape = inputShape.clone();
        this.score = score;
        try (OrtSession.SessionOptions options = settings.options()) {
            this.session = OrtRuntime.environment().createSession(gradientModel.toByteArray(), options);
        }
        this.fixedBatch = FixedBatch.of(session, input);
        this.classes = (int) gradientModel.getGraph().getInputList().stream()
                .filter(v -> v.getName().equals(GradientGraphBuilder.WEIGHTS)).findFirst().orElseThrow()
                .getType().getTensorType().getShape().getDim(1).getDimValue();
    }

    /**
     * Builds the gradient model of the ONNX file's first output with respect to {@code input}.
     *
     * @param inputShape the input's shape without the batch axis
     * @throws UnsupportedGradientException when an operator on the path cannot be differentiated
     */
    public static GradientModel load(Path onnxFile, String input, boolean outputIsProbability, TargetScore score,
                                     long[] inputShape, SessionSettings settings) throws IOException, OrtException {
        ModelProto forward = ModelProto.parseFrom(Files.readAllBytes(onnxFile));
        return of(forward, input, outputIsProbability, score, inputShape, settings);
    }

    public static GradientModel of(ModelProto forward, String input, boolean outputIsProbability, TargetScore score,
                                   long[] inputShape) throws OrtException {
        return of(forward, input, outputIsProbability, score, inputShape, SessionSettings.DEFAULTS);
    }

    /** The gradient model, its session run with {@code settings} (those of the forward model it derives from). */
    public static GradientModel of(ModelProto forward, String input, boolean outputIsProbability, TargetScore score,
                                   long[] inputShape, SessionSettings settings) throws OrtException {
        String output = forward.getGraph().getOutput(0).getName();
        ModelProto backward = GradientGraphBuilder.build(forward, input, output, outputIsProbability, score, inputShape);
        return new GradientModel(backward, input, output, inputShape, score, settings);
    }

    public TargetScore score() {
        return score;
    }

    public int classes() {
        return classes;
    }

    /** Values in one input. */
    public int inputSize() {
        long size = 1;
        for (long d : inputShape) {
            size *= d;
        }
        return (int) size;
    }

    /**
     * Scores {@code count} inputs and differentiates the score.
     *
     * @param inputs  {@code count} inputs concatenated
     * @param weights {@code count} rows of {@link #classes()} weights (for LOGODDS: 1 marks the target)
     */
    public Result run(float[] inputs, float[] weights, int count) throws OrtException {
        int size = inputSize();
        if (count <= 0 || inputs.length != (long) count * size || weights.length != (long) count * classes) {
            throw new IllegalArgumentException("a batch of " + count + " needs " + (long) count * size + " input values and "
                    + (long) count * classes + " weights; got " + inputs.length + " and " + weights.length);
        }
        if (fixedBatch == 0 || count == fixedBatch) {
            return runOnce(inputs, weights, count);
        }
        int step = fixedBatch;
        float[][] rows = new float[count][];
        float[] scores = new float[count];
        float[] gradients = new float[count * size];
        for (int first = 0; first < count; first += step) {
            int n = Math.min(step, count - first);
            Result r = runOnce(FixedBatch.chunk(inputs, size, first, n, step), FixedBatch.chunk(weights, classes, first, n, step), step);
            System.arraycopy(r.outputs(), 0, rows, first, n);
            System.arraycopy(r.scores(), 0, scores, first, n);
            System.arraycopy(r.gradients(), 0, gradients, first * size, n * size);
        }
        return new Result(rows, scores, gradients);
    }

    /** The batch size the model's input is fixed at (runs are split into it), or 0 when any batch size runs. */
    public int fixedBatch() {
        return fixedBatch;
    }

    private Result runOnce(float[] inputs, float[] weights, int count) throws OrtException {
        long[] shape = new long[inputShape.length + 1];
        shape[0] = count;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        OrtEnvironment env = OrtRuntime.environment();
        try (OnnxTensor x = InputBuffers.tensor(inputs, shape);
             OnnxTensor wt = OnnxTensor.createTensor(env, FloatBuffer.wrap(weights), new long[] {count, classes});
             OrtSession.Result r = session.run(Map.of(input, x, GradientGraphBuilder.WEIGHTS, wt))) {
            float[] out = floats((OnnxTensor) r.get(output).orElseThrow());
            float[][] rows = new float[count][classes];
            for (int i = 0; i < count; i++) {
                System.arraycopy(out, i * classes, rows[i], 0, classes);
            }
            return new Result(rows, floats((OnnxTensor) r.get(GradientGraphBuilder.SCORE).orElseThrow()),
                    floats((OnnxTensor) r.get(GradientGraphBuilder.GRADIENT).orElseThrow()));
        }
    }

    /** One-hot weight rows selecting {@code target} for {@code count} inputs. */
    public float[] oneHot(int target, int count) {
        if (target < 0 || target >= classes) {
            throw new IllegalArgumentException("target class " + target + " outside 0.." + (classes - 1));
        }
        float[] w = new float[count * classes];
        for (int i = 0; i < count; i++) {
            w[i * classes + target] = 1f;
        }
        return w;
    }

    private static float[] floats(OnnxTensor t) {
        FloatBuffer b = t.getFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}

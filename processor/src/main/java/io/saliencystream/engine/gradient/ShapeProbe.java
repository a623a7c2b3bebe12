package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.saliencystream.engine.OrtRuntime;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Learns the shape of every tensor on the gradient path by running the model with those
 * tensors exposed as outputs, once with batch size 1 and once with 2. Dimensions that differ
 * between the two runs follow the batch and are recorded as -1; the others are static for the
 * given input size.
 */
final class ShapeProbe {

    private ShapeProbe() {
    }

    static Map<String, long[]> shapes(ModelAnalysis analysis, long[] inputShapeWithoutBatch) throws OrtException {
        GraphProto.Builder g = analysis.model.getGraph().toBuilder();
        Set<String> outputs = new HashSet<>();
        g.getOutputList().forEach(v -> outputs.add(v.getName()));
        for (String t : analysis.onPath) {
            if (!outputs.contains(t) && !t.equals(analysis.input)) {
                g.addOutput(GraphWriter.floatValue(t, (long[]) null));
            }
        }
        byte[] probe = analysis.model.toBuilder().setGraph(g).build().toByteArray();
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(probe, options)) {
                Map<String, long[]> one = run(env, session, analysis, inputShapeWithoutBatch, 1);
                Map<String, long[]> two = run(env, session, analysis, inputShapeWithoutBatch, 2);
                Map<String, long[]> shapes = new HashMap<>();
                for (String t : analysis.onPath) {
                    long[] a = one.get(t);
                    long[] b = two.get(t);
                    if (a.length != b.length) {
                        throw new UnsupportedGradientException("tensor '" + t + "' changes rank with the batch size");
                    }
                    long[] s = a.clone();
                    for (int i = 0; i < s.length; i++) {
                        if (a[i] != b[i]) {
                            s[i] = -1;
                        }
                    }
                    shapes.put(t, s);
                }
                return shapes;
            }
        }
    }

    private static Map<String, long[]> run(OrtEnvironment env, OrtSession session, ModelAnalysis analysis,
                                           long[] inputShape, int batch) throws OrtException {
        long[] shape = new long[inputShape.length + 1];
        shape[0] = batch;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        float[] zeros = new float[(int) Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        Map<String, long[]> shapes = new HashMap<>();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(zeros), shape);
             OrtSession.Result result = session.run(Map.of(analysis.input, x))) {
            for (Map.Entry<String, OnnxValue> e : result) {
                shapes.put(e.getKey(), ((OnnxTensor) e.getValue()).getInfo().getShape());
            }
        }
        shapes.put(analysis.input, shape);
        return shapes;
    }
}

package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.saliencystream.engine.model.OrtRuntime;

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
 *
 * <p>The same runs fold shape subgraphs: the off-path inputs of path nodes that are computed at
 * run time (Slice bounds, Pad amounts, Resize scales, computed from Shape in exported models)
 * are fetched too, and where both runs agree they are recorded as constants of the analysis,
 * so the rules see them like initializers. Inputs that change with the batch stay run-time values.
 *
 * <p>A model whose input declares a fixed batch size (PyTorch's export without dynamic axes fixes
 * it at 1) is probed once at that size; its shapes are all static and its gradient model takes
 * that many inputs per run ({@link GradientModel#run} splits larger batches).
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
        Set<String> computed = computedParameters(analysis);
        for (String t : computed) {
            if (!outputs.contains(t)) {
                // no type: ONNX Runtime infers it (these are integer or float tensors)
                g.addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName(t));
            }
        }
        byte[] probe = analysis.model.toBuilder().setGraph(g).build().toByteArray();
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(probe, options)) {
                Map<String, TensorProto> values1 = new HashMap<>();
                Map<String, TensorProto> values2 = new HashMap<>();
                int fixed = fixedBatch(analysis);
                Map<String, long[]> one = run(env, session, analysis, inputShapeWithoutBatch, fixed > 0 ? fixed : 1, computed, values1);
                Map<String, long[]> two = fixed > 0 ? one
                        : run(env, session, analysis, inputShapeWithoutBatch, 2, computed, values2);
                if (two == one) {
                    values2.putAll(values1);
                }
                values1.forEach((name, v) -> {
                    if (v.equals(values2.get(name))) {
                        analysis.constants.put(name, v);
                    }
                });
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

    /** The batch size the model's input is fixed at, or 0 when its batch axis is dynamic. */
    private static int fixedBatch(ModelAnalysis analysis) {
        return analysis.model.getGraph().getInputList().stream().filter(v -> v.getName().equals(analysis.input)).findFirst()
                .map(v -> v.getType().getTensorType().getShape())
                .filter(s -> s.getDimCount() > 0 && s.getDim(0).hasDimValue() && s.getDim(0).getDimValue() > 0)
                .map(s -> (int) s.getDim(0).getDimValue())
                .orElse(0);
    }

    /** Non-constant tensors that path nodes read as parameters (bounds, amounts, scales) rather than as data. */
    private static Set<String> computedParameters(ModelAnalysis analysis) {
        Set<String> names = new java.util.TreeSet<>();
        for (var n : analysis.pathNodes) {
            if (!PARAMETERISED.contains(n.getOpType())) {
                continue;
            }
            for (int i = 1; i < n.getInputCount(); i++) {
                String t = n.getInput(i);
                if (!t.isEmpty() && !analysis.onPath(t) && !analysis.constants.containsKey(t) && analysis.producer.containsKey(t)) {
                    names.add(t);
                }
            }
        }
        return names;
    }

    private static final Set<String> PARAMETERISED = Set.of("Slice", "Pad", "Resize", "ReduceSum", "ReduceMean",
            "Split", "Gather", "Squeeze", "Unsqueeze");

    private static TensorProto proto(String name, OnnxTensor t) throws OrtException {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name);
        for (long d : t.getInfo().getShape()) {
            b.addDims(d);
        }
        switch (t.getInfo().type) {
            case INT64 -> {
                java.nio.LongBuffer v = t.getLongBuffer();
                b.setDataType(TensorProto.DataType.INT64.getNumber());
                while (v.hasRemaining()) {
                    b.addInt64Data(v.get());
                }
            }
            case INT32 -> {
                java.nio.IntBuffer v = t.getIntBuffer();
                b.setDataType(TensorProto.DataType.INT32.getNumber());
                while (v.hasRemaining()) {
                    b.addInt32Data(v.get());
                }
            }
            case FLOAT -> {
                FloatBuffer v = t.getFloatBuffer();
                b.setDataType(TensorProto.DataType.FLOAT.getNumber());
                while (v.hasRemaining()) {
                    b.addFloatData(v.get());
                }
            }
            default -> {
                return null;
            }
        }
        return b.build();
    }

    private static Map<String, long[]> run(OrtEnvironment env, OrtSession session, ModelAnalysis analysis,
                                           long[] inputShape, int batch, Set<String> computed,
                                           Map<String, TensorProto> values) throws OrtException {
        long[] shape = new long[inputShape.length + 1];
        shape[0] = batch;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        float[] zeros = new float[(int) Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        Map<String, long[]> shapes = new HashMap<>();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(zeros), shape);
             OrtSession.Result result = session.run(Map.of(analysis.input, x))) {
            for (Map.Entry<String, OnnxValue> e : result) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                shapes.put(e.getKey(), t.getInfo().getShape());
                if (computed.contains(e.getKey())) {
                    TensorProto v = proto(e.getKey(), t);
                    if (v != null) {
                        values.put(e.getKey(), v);
                    }
                }
            }
        }
        shapes.put(analysis.input, shape);
        return shapes;
    }
}

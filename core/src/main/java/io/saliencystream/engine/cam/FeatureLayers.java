package io.saliencystream.engine.cam;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.saliencystream.engine.model.OrtRuntime;

import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the feature layer of a classifier, automatically or by name.
 *
 * <p>Automatic, as OpenVINO XAI's auto mode: for a CNN, the input of the last global pooling or
 * flattening node that reads a spatial 4-D map (the last feature map before the classifier; SE
 * blocks pool earlier, so the last one counts). A model with attention (Softmax nodes over a square
 * [T, T] pair of axes) is a transformer: its layer is the input of the last block, i.e. the
 * LayerNorm before the last attention, because the class token reads the patch tokens only through
 * that attention (the last block's own output reaches the head only in the class token).
 *
 * <p>By name: a node name (its first output) or a tensor name; 4-D is a spatial map, 3-D tokens.
 */
public final class FeatureLayers {

    private static final Set<String> POOLING = Set.of("GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape",
            "ReduceMean", "ReduceMax", "AveragePool", "MaxPool");

    private FeatureLayers() {
    }

    /**
     * @param inputShape the input's shape without the batch axis
     * @param requested  node or tensor name, or null / "auto" for the automatic choice
     */
    public static FeatureLayer locate(ModelProto model, String input, String output, long[] inputShape, String requested)
            throws OrtException {
        GraphProto g = model.getGraph();
        Map<String, long[]> shapes = probeShapes(model, input, inputShape);
        Set<String> ancestors = ancestors(g, output);
        List<NodeProto> nodes = g.getNodeList();
        List<String> attentions = new ArrayList<>();
        for (NodeProto n : nodes) {
            long[] s = shapes.get(n.getOutput(0));
            if (n.getOpType().equals("Softmax") && s != null && s.length >= 3 && s[s.length - 1] == s[s.length - 2]
                    && s[s.length - 1] > 1 && ancestors.contains(n.getOutput(0))) {
                attentions.add(n.getOutput(0));
            }
        }
        int side = (int) inputShape[inputShape.length - 1];
        int height = (int) inputShape[inputShape.length - 2];
        if (requested != null && !requested.isBlank() && !requested.equals("auto")) {
            String tensor = nodes.stream().filter(n -> n.getName().equals(requested)).map(n -> n.getOutput(0))
                    .findFirst().orElse(requested);
            long[] s = shapes.get(tensor);
            if (s == null) {
                throw new IllegalArgumentException("target_layer '" + requested + "' names no node or float tensor of the model");
            }
            if (!ancestors.contains(tensor)) {
                throw new IllegalArgumentException("target_layer '" + requested + "': the output does not depend on it");
            }
            if (s.length == 4) {
                return spatial(tensor, s);
            }
            if (s.length == 3) {
                String normed = nodes.stream().filter(n -> n.getOpType().equals("LayerNormalization")
                        && n.getInput(0).equals(tensor)).map(n -> n.getOutput(0)).findFirst().orElse(null);
                return tokens(tensor, normed, attentions, s, height, side);
            }
            throw new IllegalArgumentException("target_layer '" + requested + "' has shape " + Arrays.toString(s)
                    + "; a feature layer is [N, C, H, W] or [N, tokens, width]");
        }
        if (!attentions.isEmpty()) {
            NodeProto norm = nearestLayerNorm(g, attentions.get(attentions.size() - 1));
            return tokens(norm.getInput(0), norm.getOutput(0), attentions, shapes.get(norm.getInput(0)), height, side);
        }
        String feature = null;
        for (NodeProto n : nodes) {
            long[] in = n.getInputCount() > 0 ? shapes.get(n.getInput(0)) : null;
            long[] out = shapes.get(n.getOutput(0));
            if (POOLING.contains(n.getOpType()) && in != null && out != null && in.length == 4 && in[2] * in[3] > 1
                    && (out.length <= 2 || out.length == 4 && out[2] * out[3] == 1) && ancestors.contains(n.getInput(0))) {
                feature = n.getInput(0);
            }
        }
        if (feature == null) {
            throw new IllegalArgumentException("no spatial feature map before a global pooling or flattening node; "
                    + "name one with the target_layer parameter");
        }
        return spatial(feature, shapes.get(feature));
    }

    private static FeatureLayer spatial(String tensor, long[] s) {
        return new FeatureLayer(FeatureLayer.Kind.SPATIAL, tensor, null, List.of(), Arrays.copyOfRange(s, 1, 4),
                (int) s[2], (int) s[3], 0);
    }

    /** Tokens [1, T, D]: the patch grid has the input's aspect ratio and follows the leading auxiliary tokens. */
    private static FeatureLayer tokens(String tensor, String normed, List<String> attentions, long[] s, int height, int width) {
        int t = (int) s[1];
        for (int aux = 0; aux < t; aux++) {
            int n = t - aux;
            for (int gh = 1; gh <= n; gh++) {
                if (n % gh == 0 && (long) gh * width == (long) (n / gh) * height) {
                    return new FeatureLayer(FeatureLayer.Kind.TOKENS, tensor, normed, attentions,
                            Arrays.copyOfRange(s, 1, 3), gh, n / gh, aux);
                }
            }
        }
        throw new IllegalArgumentException("tensor '" + tensor + "' has " + t + " tokens, which form no patch grid of the "
                + height + "x" + width + " input");
    }

    private static NodeProto nearestLayerNorm(GraphProto g, String from) {
        Map<String, NodeProto> producer = new HashMap<>();
        g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
        Deque<String> queue = new ArrayDeque<>(List.of(from));
        Set<String> seen = new HashSet<>(queue);
        while (!queue.isEmpty()) {
            NodeProto n = producer.get(queue.poll());
            if (n == null) {
                continue;
            }
            if (n.getOpType().equals("LayerNormalization")) {
                return n;
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && seen.add(in)) {
                    queue.add(in);
                }
            }
        }
        throw new IllegalArgumentException("no LayerNormalization before the last attention '" + from
                + "'; name the block input with the target_layer parameter");
    }

    private static Set<String> ancestors(GraphProto g, String output) {
        Map<String, NodeProto> producer = new HashMap<>();
        g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
        Set<String> seen = new HashSet<>(List.of(output));
        Deque<String> queue = new ArrayDeque<>(seen);
        while (!queue.isEmpty()) {
            NodeProto n = producer.get(queue.poll());
            if (n != null) {
                for (String in : n.getInputList()) {
                    if (!in.isEmpty() && seen.add(in)) {
                        queue.add(in);
                    }
                }
            }
        }
        return seen;
    }

    /** Shapes of every float tensor the graph computes, from one run on a zero input of batch 1. */
    static Map<String, long[]> probeShapes(ModelProto model, String input, long[] inputShape) throws OrtException {
        List<String> all = new ArrayList<>();
        model.getGraph().getNodeList().forEach(n -> n.getOutputList().stream().filter(o -> !o.isEmpty()).forEach(all::add));
        byte[] probe = GraphSurgery.withOutputs(model, all).toByteArray();
        long[] shape = new long[inputShape.length + 1];
        shape[0] = 1;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        OrtEnvironment env = OrtRuntime.environment();
        Map<String, long[]> shapes = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(probe, options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)]), shape);
                 OrtSession.Result r = session.run(Map.of(input, x))) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    if (e.getValue() instanceof OnnxTensor t && t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
                        shapes.put(e.getKey(), t.getInfo().getShape());
                    }
                }
            }
        }
        return shapes;
    }
}

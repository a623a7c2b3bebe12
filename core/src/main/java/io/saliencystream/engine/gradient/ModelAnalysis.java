package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the gradient builder needs to know about a forward graph: its nodes in topological
 * order, its constant tensors, and which tensors lie on a differentiable path from the input to
 * the output. Shape computations (Shape, Cast to integers, ConstantOfShape, comparisons) carry
 * no gradient, so nodes that only feed shapes are left out of the path and never differentiated.
 */
final class ModelAnalysis {

    /** Operators whose outputs never carry a gradient, whatever their inputs. */
    private static final Set<String> NON_DIFFERENTIABLE = Set.of("Shape", "Size", "ConstantOfShape", "Equal",
            "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Not", "And", "Or", "ArgMax", "ArgMin", "NonZero",
            "Range", "EyeLike", "Constant");

    final ModelProto model;
    final int opset;
    final List<NodeProto> nodes;
    final Map<String, TensorProto> constants = new HashMap<>();
    final Map<String, NodeProto> producer = new HashMap<>();
    final String input;
    final String output;
    /** Tensors on a differentiable path from input to output, input and output included. */
    final Set<String> onPath;
    /** Nodes with an output on the path, in topological order. */
    final List<NodeProto> pathNodes;

    ModelAnalysis(ModelProto model, String input, String output) {
        this.model = model;
        GraphProto g = model.getGraph();
        this.opset = model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToInt(o -> (int) o.getVersion()).max()
                .orElseThrow(() -> new UnsupportedGradientException("model imports no default ONNX opset"));
        for (TensorProto t : g.getInitializerList()) {
            constants.put(t.getName(), t);
        }
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant")) {
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("value")) {
                        constants.put(n.getOutput(0), a.getT());
                    }
                }
            }
        }
        this.nodes = topologicalOrder(g);
        for (NodeProto n : nodes) {
            for (String o : n.getOutputList()) {
                producer.put(o, n);
            }
        }
        if (g.getInputList().stream().noneMatch(v -> v.getName().equals(input))) {
            throw new UnsupportedGradientException("model has no input '" + input + "'");
        }
        if (g.getOutputList().stream().noneMatch(v -> v.getName().equals(output))) {
            throw new UnsupportedGradientException("model has no output '" + output + "'");
        }
        this.input = input;
        this.output = output;
        Set<String> active = activeTensors();
        if (!active.contains(output)) {
            throw new UnsupportedGradientException("output '" + output + "' does not depend differentiably on input '" + input + "'");
        }
        this.onPath = neededTensors(active);
        this.pathNodes = nodes.stream().filter(n -> n.getOutputList().stream().anyMatch(onPath::contains)).toList();
    }

    private static List<NodeProto> topologicalOrder(GraphProto g) {
        Set<String> available = new HashSet<>();
        g.getInputList().forEach(v -> available.add(v.getName()));
        g.getInitializerList().forEach(t -> available.add(t.getName()));
        available.add("");
        List<NodeProto> pending = new ArrayList<>(g.getNodeList());
        List<NodeProto> order = new ArrayList<>();
        while (!pending.isEmpty()) {
            int before = order.size();
            for (var it = pending.iterator(); it.hasNext(); ) {
                NodeProto n = it.next();
                if (available.containsAll(n.getInputList())) {
                    order.add(n);
                    available.addAll(n.getOutputList());
                    it.remove();
                }
            }
            if (order.size() == before) {
                throw new UnsupportedGradientException("graph has a cycle or a missing tensor at node '"
                        + pending.get(0).getName() + "' (" + pending.get(0).getOpType() + ")");
            }
        }
        return order;
    }

    /** Whether the node's outputs can carry a gradient at all. */
    boolean propagates(NodeProto n) {
        if (NON_DIFFERENTIABLE.contains(n.getOpType())) {
            return false;
        }
        if (n.getOpType().equals("Cast")) {
            return intAttr(n, "to", 0) == TensorProto.DataType.FLOAT.getNumber();
        }
        return true;
    }

    /** Inputs through which a gradient flows; shape, index and bound inputs carry none. */
    static List<Integer> differentiableInputs(NodeProto n) {
        return switch (n.getOpType()) {
            case "Reshape", "Expand", "Slice", "Pad", "Resize", "Clip", "Gather", "Squeeze", "Unsqueeze", "Tile",
                 "Split", "ReduceMean", "ReduceSum", "Dropout", "BatchNormalization", "Upsample" -> List.of(0);
            case "Pow" -> List.of(0, 1);
            default -> {
                List<Integer> all = new ArrayList<>();
                for (int i = 0; i < n.getInputCount(); i++) {
                    all.add(i);
                }
                yield all;
            }
        };
    }

    private Set<String> activeTensors() {
        Set<String> active = new HashSet<>();
        active.add(input);
        for (NodeProto n : nodes) {
            if (!propagates(n)) {
                continue;
            }
            boolean any = differentiableInputs(n).stream().anyMatch(i -> active.contains(n.getInput(i)));
            if (any) {
                active.addAll(n.getOutputList());
            }
        }
        return active;
    }

    private Set<String> neededTensors(Set<String> active) {
        Set<String> needed = new LinkedHashSet<>();
        Deque<String> queue = new ArrayDeque<>();
        queue.add(output);
        needed.add(output);
        while (!queue.isEmpty()) {
            NodeProto n = producer.get(queue.poll());
            if (n == null || !propagates(n)) {
                continue;
            }
            for (int i : differentiableInputs(n)) {
                String in = n.getInput(i);
                if (active.contains(in) && needed.add(in)) {
                    queue.add(in);
                }
            }
        }
        return needed;
    }

    boolean onPath(String tensor) {
        return onPath.contains(tensor);
    }

    static long intAttr(NodeProto n, String name, long fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    static float floatAttr(NodeProto n, String name, float fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return fallback;
    }

    static String stringAttr(NodeProto n, String name, String fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getS().toStringUtf8();
            }
        }
        return fallback;
    }

    /** An INTS attribute, or null when absent. */
    static long[] intsAttr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return null;
    }

    /** Integer values of a constant tensor, or null when the tensor is not a constant. */
    long[] constantLongs(String name) {
        TensorProto t = constants.get(name);
        if (t == null) {
            return null;
        }
        if (t.getInt64DataCount() > 0) {
            return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        if (t.getInt32DataCount() > 0) {
            return t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean int32 = t.getDataType() == TensorProto.DataType.INT32.getNumber();
        long[] v = new long[raw.remaining() / (int32 ? 4 : 8)];
        for (int i = 0; i < v.length; i++) {
            v[i] = int32 ? raw.getInt() : raw.getLong();
        }
        return v;
    }

    /** Float values of a constant tensor, or null when the tensor is not a float constant. */
    float[] constantFloats(String name) {
        TensorProto t = constants.get(name);
        if (t == null || t.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
            return null;
        }
        if (t.getFloatDataCount() > 0) {
            float[] v = new float[t.getFloatDataCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getFloatData(i);
            }
            return v;
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[raw.remaining() / 4];
        raw.asFloatBuffer().get(v);
        return v;
    }

    /** Dimensions of a constant tensor, or null when it is not a constant. */
    long[] constantDims(String name) {
        TensorProto t = constants.get(name);
        return t == null ? null : t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    static String describe(NodeProto n) {
        return n.getOpType() + " node '" + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "'";
    }
}

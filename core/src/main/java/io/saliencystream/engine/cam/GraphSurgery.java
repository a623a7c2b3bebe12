package io.saliencystream.engine.cam;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites of a forward ONNX graph that open its inside: intermediate tensors as extra outputs,
 * a graph cut down to the outputs asked for, and the head of the model from a cut (a set of
 * intermediate tensors that become its inputs) to the output.
 */
public final class GraphSurgery {

    private GraphSurgery() {
    }

    /** The model with {@code tensors} appended to its outputs (untyped: ONNX Runtime infers them). */
    public static ModelProto withOutputs(ModelProto model, List<String> tensors) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> present = new HashSet<>();
        g.getOutputList().forEach(v -> present.add(v.getName()));
        for (String t : tensors) {
            if (present.add(t)) {
                g.addOutput(ValueInfoProto.newBuilder().setName(t));
            }
        }
        return model.toBuilder().setGraph(g).build();
    }

    /**
     * The model computing only {@code outputs} (in that order): nodes and initializers that none of
     * them needs are dropped, so a derived model does no work for outputs nobody reads.
     */
    public static ModelProto prune(ModelProto model, List<String> outputs) {
        GraphProto g = model.getGraph();
        Map<String, NodeProto> producer = producers(g);
        Set<String> needed = closure(producer, outputs, Set.of());
        GraphProto.Builder b = g.toBuilder().clearNode().clearOutput().clearInitializer();
        for (NodeProto n : g.getNodeList()) {
            if (n.getOutputList().stream().anyMatch(needed::contains)) {
                b.addNode(n);
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            if (needed.contains(t.getName())) {
                b.addInitializer(t);
            }
        }
        Map<String, ValueInfoProto> declared = new HashMap<>();
        g.getOutputList().forEach(v -> declared.put(v.getName(), v));
        for (String o : outputs) {
            b.addOutput(declared.getOrDefault(o, ValueInfoProto.newBuilder().setName(o).build()));
        }
        return model.toBuilder().setGraph(b).build();
    }

    /**
     * The part of the model between {@code cut} and {@code output}: the cut tensors become its
     * first inputs (float, shapes as given with a free batch axis), followed by the model's
     * {@code input} when the head also reads it past the cut (a skip path or a shape read).
     *
     * @param cutShapes each cut tensor's shape without the batch axis
     */
    public static Head head(ModelProto model, String input, String output, List<String> cut, List<long[]> cutShapes) {
        GraphProto g = model.getGraph();
        Map<String, NodeProto> producer = producers(g);
        Set<String> cutSet = new HashSet<>(cut);
        Set<String> needed = closure(producer, List.of(output), cutSet);
        if (!needed.containsAll(cutSet)) {
            Set<String> missing = new LinkedHashSet<>(cut);
            missing.removeAll(needed);
            throw new IllegalArgumentException("output '" + output + "' does not depend on " + missing);
        }
        boolean readsInput = needed.contains(input);
        GraphProto.Builder b = g.toBuilder().clearNode().clearInput().clearOutput().clearInitializer().clearValueInfo();
        for (int i = 0; i < cut.size(); i++) {
            b.addInput(floatValue(cut.get(i), cutShapes.get(i)));
        }
        if (readsInput) {
            g.getInputList().stream().filter(v -> v.getName().equals(input)).forEach(b::addInput);
        }
        for (NodeProto n : g.getNodeList()) {
            if (n.getOutputList().stream().anyMatch(o -> needed.contains(o) && !cutSet.contains(o))) {
                b.addNode(n);
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            if (needed.contains(t.getName())) {
                b.addInitializer(t);
            }
        }
        g.getOutputList().stream().filter(v -> v.getName().equals(output)).forEach(b::addOutput);
        return new Head(model.toBuilder().setGraph(b).build(), readsInput);
    }

    /** A model's head: its graph, and whether it reads the model input besides the cut. */
    public record Head(ModelProto model, boolean readsInput) {
    }

    private static Map<String, NodeProto> producers(GraphProto g) {
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            n.getOutputList().forEach(o -> producer.put(o, n));
        }
        return producer;
    }

    /** Tensors the given ones are computed from, themselves included, not looking past {@code stops}. */
    private static Set<String> closure(Map<String, NodeProto> producer, List<String> from, Set<String> stops) {
        Set<String> needed = new HashSet<>(from);
        Deque<String> queue = new ArrayDeque<>(from);
        while (!queue.isEmpty()) {
            String t = queue.poll();
            NodeProto n = stops.contains(t) ? null : producer.get(t);
            if (n == null) {
                continue;
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && needed.add(in)) {
                    queue.add(in);
                }
            }
            // subgraph-free operators only: a node's outputs are all produced together
            for (String o : n.getOutputList()) {
                needed.add(o);
            }
        }
        return needed;
    }

    static ValueInfoProto floatValue(String name, long[] shapeWithoutBatch) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : shapeWithoutBatch) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(s))).build();
    }
}

package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives from a forward ONNX model a model in standard ONNX operators that, for a batch of N
 * inputs and a weight row per input, returns the forward output, the chosen score
 * ({@link TargetScore}) and d(score)/d(input), all batched.
 *
 * <p>Inputs of the derived model: the original input and {@link #WEIGHTS} [N, K]. Outputs: the
 * original output [N, K], {@link #SCORE} [N], {@link #GRADIENT} (shaped like the input).
 */
public final class GradientGraphBuilder {

    public static final String WEIGHTS = "saliency_weights";
    public static final String SCORE = "saliency_score";
    public static final String GRADIENT = "saliency_gradient";

    static final int MIN_OPSET = 9;

    /** Probabilities below this are clamped before the log of the log-odds. */
    static final double TINY = 1e-30;

    private GradientGraphBuilder() {
    }

    /**
     * @param outputIsProbability whether {@code output} already holds probabilities (otherwise logits)
     * @param inputShape          the input's shape without the batch axis; the derived model is
     *                            valid for this input size and any batch size
     * @throws UnsupportedGradientException naming every node that cannot be differentiated, grouped by reason
     */
    public static ModelProto build(ModelProto forward, String input, String output, boolean outputIsProbability,
                                   TargetScore score, long[] inputShape) throws OrtException {
        return build(forward, input, output, outputIsProbability, score, inputShape, List.of());
    }

    /**
     * As {@link #build(ModelProto, String, String, boolean, TargetScore, long[])}, with the score's
     * gradient with respect to each of {@code intermediates} (tensors between input and output, e.g.
     * a feature layer) as extra outputs named {@link #gradientOf(String)}.
     */
    public static ModelProto build(ModelProto forward, String input, String output, boolean outputIsProbability,
                                   TargetScore score, long[] inputShape, List<String> intermediates) throws OrtException {
        ModelAnalysis analysis = new ModelAnalysis(forward, input, output);
        if (analysis.opset < MIN_OPSET) {
            // the backward graph is written in the model's opset and needs Where, ConstantOfShape, MaxUnpool
            throw new UnsupportedGradientException("model opset " + analysis.opset + " is below " + MIN_OPSET
                    + ", the first with the operators the gradient graph is written in");
        }
        // every node that cannot be differentiated is collected, so one refusal names them all
        List<UnsupportedGradientException> problems = new ArrayList<>();
        for (NodeProto n : analysis.pathNodes) {
            if (!BackwardRules.SUPPORTED.contains(n.getOpType())) {
                problems.add(BackwardRules.unsupported(n, "no gradient rule for operator " + n.getOpType()));
            }
        }
        String footnote = problems.isEmpty() ? null : "operators with gradient rules: " + new java.util.TreeSet<>(BackwardRules.SUPPORTED);
        Map<String, long[]> shapes = ShapeProbe.shapes(analysis, inputShape);
        long[] ys = shapes.get(output);
        if (ys.length != 2) {
            throw new UnsupportedGradientException("output '" + output + "' has rank " + ys.length + "; expected [N, classes]");
        }
        GraphWriter w = new GraphWriter(analysis.opset);
        List<NodeProto> forwardNodes = new ArrayList<>();
        for (NodeProto n : analysis.nodes) {
            if (n.getOpType().equals("MaxPool") && analysis.onPath(n.getOutput(0)) && n.getOutputCount() == 1) {
                // the backward pass routes gradients through the argmax indices
                n = n.toBuilder().addOutput(n.getOutput(0) + "/saliency_indices").build();
            }
            forwardNodes.add(n);
        }
        String[] head = scoreHead(w, output, outputIsProbability, score);
        Map<String, List<String>> grads = new HashMap<>();
        grads.computeIfAbsent(output, k -> new ArrayList<>()).add(head[1]);
        BackwardRules rules = new BackwardRules(analysis, shapes, w);
        Map<String, NodeProto> byFirstOutput = new HashMap<>();
        forwardNodes.forEach(n -> byFirstOutput.put(n.getOutput(0), n));
        List<NodeProto> path = analysis.pathNodes;
        for (int i = path.size() - 1; i >= 0; i--) {
            NodeProto n = byFirstOutput.get(path.get(i).getOutput(0));
            String[] gOut = new String[n.getOutputCount()];
            boolean any = false;
            for (int k = 0; k < gOut.length; k++) {
                gOut[k] = accumulate(w, grads.get(n.getOutput(k)));
                any |= gOut[k] != null;
            }
            if (!any) {
                continue;
            }
            if (gOut[0] == null) {
                gOut[0] = w.zerosLike(n.getOutput(0));
            }
            String[] gIn;
            try {
                gIn = BackwardRules.SUPPORTED.contains(n.getOpType()) ? rules.inputGradients(n, gOut) : null;
            } catch (UnsupportedGradientException e) {
                problems.add(e);
                gIn = null;
            }
            if (gIn == null) {
                // refused: zeros stand in for its input gradients so the nodes before it are still checked
                gIn = new String[n.getInputCount()];
                for (int k = 0; k < gIn.length; k++) {
                    gIn[k] = analysis.onPath(n.getInput(k)) ? w.zerosLike(n.getInput(k)) : null;
                }
            }
            for (int k = 0; k < gIn.length; k++) {
                if (gIn[k] != null && analysis.onPath(n.getInput(k))) {
                    grads.computeIfAbsent(n.getInput(k), t -> new ArrayList<>()).add(gIn[k]);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw UnsupportedGradientException.of(problems, footnote);
        }
        String gradient = accumulate(w, grads.get(input));
        w.nodes.add(NodeProto.newBuilder().setOpType("Identity").setName(GRADIENT).addInput(gradient).addOutput(GRADIENT).build());
        w.nodes.add(NodeProto.newBuilder().setOpType("Identity").setName(SCORE).addInput(head[0]).addOutput(SCORE).build());

        for (String t : intermediates) {
            String part = accumulate(w, grads.get(t));
            if (part == null) {
                throw new UnsupportedGradientException("tensor '" + t + "' is not on a differentiable path from '"
                        + input + "' to '" + output + "'");
            }
            w.nodes.add(NodeProto.newBuilder().setOpType("Identity").setName(gradientOf(t)).addInput(part).addOutput(gradientOf(t)).build());
        }
        GraphProto g = forward.getGraph();
        ValueInfoProto outputInfo = g.getOutputList().stream().filter(v -> v.getName().equals(output)).findFirst().orElseThrow();
        long[] inputDims = new long[inputShape.length + 1];
        inputDims[0] = -1;
        System.arraycopy(inputShape, 0, inputDims, 1, inputShape.length);
        GraphProto.Builder graph = g.toBuilder().clearNode().clearOutput()
                .addAllNode(forwardNodes).addAllNode(w.nodes).addAllInitializer(w.initializers)
                .addInput(GraphWriter.floatValue(WEIGHTS, -1, ys[1]))
                .addOutput(outputInfo)
                .addOutput(GraphWriter.floatValue(SCORE, -1))
                .addOutput(GraphWriter.floatValue(GRADIENT, inputDims));
        intermediates.forEach(t -> graph.addOutput(GraphWriter.floatValue(gradientOf(t), (long[]) null)));
        return forward.toBuilder().setGraph(graph).build();
    }

    /** Name of the output holding the score's gradient with respect to {@code tensor}. */
    public static String gradientOf(String tensor) {
        return GRADIENT + "/" + tensor;
    }

    private static String accumulate(GraphWriter w, List<String> parts) {
        if (parts == null || parts.isEmpty()) {
            return null;
        }
        return parts.size() == 1 ? parts.get(0) : w.op("Sum", parts);
    }

    /** Returns {score [N], d score / d output [N, K]}. */
    private static String[] scoreHead(GraphWriter w, String y, boolean probabilities, TargetScore score) {
        String m = WEIGHTS;
        long[] classAxis = {1};
        switch (score) {
            case RAW -> {
                return new String[] {w.reduceSum(w.op("Mul", m, y), classAxis, false), m};
            }
            case PROBABILITY -> {
                if (probabilities) {
                    return new String[] {w.reduceSum(w.op("Mul", m, y), classAxis, false), m};
                }
                String p = w.op("Softmax", List.of(y), GraphWriter.intAttr("axis", 1));
                String s = w.reduceSum(w.op("Mul", m, p), classAxis, true);
                return new String[] {w.op("Reshape", s, w.longs(-1)), w.op("Mul", p, w.op("Sub", m, s))};
            }
            case LOGODDS -> {
                String others = w.op("Sub", w.scalar(1), m);
                if (probabilities) {
                    String pt = w.op("Max", w.reduceSum(w.op("Mul", m, y), classAxis, true), w.scalar(TINY));
                    String po = w.op("Max", w.reduceSum(w.op("Mul", others, y), classAxis, true), w.scalar(TINY));
                    String s = w.op("Sub", w.op("Log", pt), w.op("Log", po));
                    return new String[] {w.op("Reshape", s, w.longs(-1)), w.op("Sub", w.op("Div", m, pt), w.op("Div", others, po))};
                }
                // z_t - logsumexp over the other classes, shifted by their maximum; the target is
                // pushed to -1e30 first so it neither sets the shift nor overflows the exponential
                String masked = w.op("Sub", y, w.op("Mul", m, w.scalar(1e30)));
                String max = w.reduce("ReduceMax", masked, classAxis, true);
                String e = w.op("Exp", w.op("Sub", masked, max));
                String sum = w.reduceSum(e, classAxis, true);
                String s = w.op("Sub", w.reduceSum(w.op("Mul", m, y), classAxis, true), w.op("Add", max, w.op("Log", sum)));
                return new String[] {w.op("Reshape", s, w.longs(-1)), w.op("Sub", m, w.op("Div", e, sum))};
            }
            default -> throw new IllegalArgumentException("score " + score);
        }
    }
}

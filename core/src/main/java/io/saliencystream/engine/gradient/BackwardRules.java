package io.saliencystream.engine.gradient;

import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.saliencystream.engine.gradient.GraphWriter.intAttr;
import static io.saliencystream.engine.gradient.GraphWriter.intsAttr;
import static io.saliencystream.engine.gradient.ModelAnalysis.describe;

/**
 * Reverse-mode rules: for one forward node and the gradients of its outputs, the nodes that
 * compute the gradients of its inputs, written in standard ONNX operators. A rule that meets a
 * form it does not cover (say a strided Slice) throws {@link UnsupportedGradientException}
 * naming the node, so no gradient is ever silently wrong.
 */
final class BackwardRules {

    static final Set<String> SUPPORTED = Set.of("Identity", "Dropout", "Cast", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
            "HardSigmoid", "HardSwish", "Clip", "Erf", "Sqrt", "Exp", "Log", "Neg", "Pow", "Add", "Sub", "Mul", "Div",
            "Sum", "Softmax", "LogSoftmax", "Conv", "ConvTranspose", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool",
            "ReduceMean", "ReduceSum", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "MatMul", "Gemm",
            "Concat", "Split", "Slice", "Gather", "LayerNormalization", "Expand", "Pad", "Resize", "LRN");

    private final ModelAnalysis model;
    private final Map<String, long[]> shapes;
    private final GraphWriter w;

    BackwardRules(ModelAnalysis model, Map<String, long[]> shapes, GraphWriter writer) {
        this.model = model;
        this.shapes = shapes;
        this.w = writer;
    }

    /**
     * Gradients of the node's inputs, index by index (null where an input is off the path or
     * gets none), given the gradients of its outputs (null where an output is off the path).
     */
    String[] inputGradients(NodeProto n, String[] gOut) {
        String[] gIn = new String[n.getInputCount()];
        String g = gOut[0];
        String x = n.getInputCount() > 0 ? n.getInput(0) : null;
        String y = n.getOutput(0);
        switch (n.getOpType()) {
            case "Identity", "Dropout", "Cast" -> gIn[0] = g;
            case "Relu" -> gIn[0] = w.where(w.op("Greater", x, w.scalar(0)), g);
            case "LeakyRelu" -> gIn[0] = w.op("Where", List.of(w.op("Greater", x, w.scalar(0)), g,
                    w.op("Mul", g, w.scalar(ModelAnalysis.floatAttr(n, "alpha", 0.01f)))));
            case "Sigmoid" -> gIn[0] = w.op("Mul", g, w.op("Mul", y, w.op("Sub", w.scalar(1), y)));
            case "Tanh" -> gIn[0] = w.op("Mul", g, w.op("Sub", w.scalar(1), w.op("Mul", y, y)));
            case "HardSigmoid" -> {
                // the slope alpha where 0 < y < 1, read off the output: no recomputed alpha x + beta (fewer
                // nodes, which dominate on the small squeeze-excitation tensors)
                float alpha = ModelAnalysis.floatAttr(n, "alpha", 0.2f);
                gIn[0] = w.where(w.op("And", w.op("Greater", y, w.scalar(0)), w.op("Less", y, w.scalar(1))),
                        w.op("Mul", g, w.scalar(alpha)));
            }
            case "HardSwish" -> {
                // y = x * clip(x / 6 + 1/2, 0, 1): slope 0 below -3, 1 above 3, x / 3 + 1/2 between
                String inner = w.op("Add", w.op("Mul", x, w.scalar(1 / 3.0)), w.scalar(0.5));
                String slope = w.op("Where", List.of(w.op("Greater", x, w.scalar(3)), w.scalar(1), inner));
                slope = w.op("Where", List.of(w.op("Less", x, w.scalar(-3)), w.scalar(0), slope));
                gIn[0] = w.op("Mul", g, slope);
            }
            case "Clip" -> gIn[0] = clip(n, g);
            case "Erf" -> gIn[0] = w.op("Mul", g, w.op("Mul", w.scalar(2 / Math.sqrt(Math.PI)),
                    w.op("Exp", w.op("Neg", w.op("Mul", x, x)))));
            case "Sqrt" -> gIn[0] = w.op("Div", g, w.op("Mul", y, w.scalar(2)));
            case "Exp" -> gIn[0] = w.op("Mul", g, y);
            case "Log" -> gIn[0] = w.op("Div", g, x);
            case "Neg" -> gIn[0] = w.op("Neg", g);
            case "Pow" -> {
                if (model.onPath(n.getInput(1))) {
                    throw unsupported(n, "an exponent that depends on the input");
                }
                // integer exponents are allowed (Pow's T1): the derivative's exponent e - 1 is taken in float
                String e = w.op("Cast", List.of(n.getInput(1)), intAttr("to", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT.getNumber()));
                gIn[0] = unbroadcast(w.op("Mul", g, w.op("Mul", e, w.op("Pow", x, w.op("Sub", e, w.scalar(1))))), y, x);
            }
            case "Add", "Sum" -> {
                for (int i = 0; i < n.getInputCount(); i++) {
                    gIn[i] = unbroadcast(g, y, n.getInput(i));
                }
            }
            case "Sub" -> {
                gIn[0] = unbroadcast(g, y, x);
                gIn[1] = unbroadcast(w.op("Neg", g), y, n.getInput(1));
            }
            case "Mul" -> {
                gIn[0] = unbroadcast(w.op("Mul", g, n.getInput(1)), y, x);
                gIn[1] = unbroadcast(w.op("Mul", g, x), y, n.getInput(1));
            }
            case "Div" -> {
                String b = n.getInput(1);
                gIn[0] = unbroadcast(w.op("Div", g, b), y, x);
                gIn[1] = unbroadcast(w.op("Neg", w.op("Div", w.op("Mul", g, y), b)), y, b);
            }
            case "Softmax", "LogSoftmax" -> gIn[0] = softmax(n, g);
            case "Conv" -> gIn[0] = conv(n, g);
            case "ConvTranspose" -> gIn[0] = convTranspose(n, g);
            case "BatchNormalization" -> gIn[0] = batchNorm(n, g);
            case "MaxPool" -> gIn[0] = maxPool(n, g);
            case "AveragePool" -> gIn[0] = averagePool(n, g);
            case "GlobalAveragePool" -> {
                long[] s = staticShape(x, n);
                long count = 1;
                for (int i = 2; i < s.length; i++) {
                    count *= s[i];
                }
                // g / count spread over the pooled axes as one broadcasting Mul by a constant: ONNX Runtime's
                // Expand (and a Shape node for it) cost more than the product on small feature maps
                long[] pooled = new long[s.length];
                Arrays.fill(pooled, 1);
                System.arraycopy(s, 2, pooled, 2, s.length - 2);
                float[] share = new float[Math.toIntExact(count)];
                Arrays.fill(share, (float) (1.0 / count));
                gIn[0] = w.op("Mul", g, w.floats(pooled, share));
            }
            case "ReduceMean", "ReduceSum" -> gIn[0] = reduce(n, g);
            case "Reshape", "Flatten", "Squeeze", "Unsqueeze" -> gIn[0] = w.reshapeLike(g, x);
            case "Expand" -> gIn[0] = unbroadcast(g, y, x);
            case "Transpose" -> {
                int rank = rank(x);
                long[] perm = ModelAnalysis.intsAttr(n, "perm");
                if (perm == null) {
                    perm = new long[rank];
                    for (int i = 0; i < rank; i++) {
                        perm[i] = rank - 1 - i;
                    }
                }
                long[] inverse = new long[rank];
                for (int i = 0; i < rank; i++) {
                    inverse[(int) perm[i]] = i;
                }
                gIn[0] = w.transpose(g, inverse);
            }
            case "MatMul" -> matMul(n, g, gIn);
            case "Gemm" -> gemm(n, g, gIn);
            case "Concat" -> concat(n, g, gIn);
            case "Split" -> {
                long axis = normalize(ModelAnalysis.intAttr(n, "axis", 0), rank(x));
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < n.getOutputCount(); i++) {
                    parts.add(gOut[i] != null ? gOut[i] : w.zerosLike(n.getOutput(i)));
                }
                gIn[0] = w.op("Concat", parts, intAttr("axis", axis));
            }
            case "Slice" -> gIn[0] = slice(n, g);
            case "Gather" -> gIn[0] = gather(n, g);
            case "LayerNormalization" -> gIn[0] = layerNorm(n, g);
            case "Pad" -> gIn[0] = pad(n, g);
            case "Resize" -> gIn[0] = resize(n, g);
            case "LRN" -> gIn[0] = lrn(n, g);
            default -> throw unsupported(n, "no gradient rule");
        }
        return gIn;
    }

    private String clip(NodeProto n, String g) {
        String x = n.getInput(0);
        String min;
        String max;
        if (model.opset < 11) {
            float lo = ModelAnalysis.floatAttr(n, "min", Float.NEGATIVE_INFINITY);
            float hi = ModelAnalysis.floatAttr(n, "max", Float.POSITIVE_INFINITY);
            min = Float.isInfinite(lo) ? null : w.scalar(lo);
            max = Float.isInfinite(hi) ? null : w.scalar(hi);
        } else {
            min = n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? n.getInput(1) : null;
            max = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? n.getInput(2) : null;
        }
        // inside the bounds the slope is 1, outside 0 (at the bounds themselves 0, as in PyTorch's hardtanh)
        String inside = null;
        if (min != null) {
            inside = w.op("Greater", x, min);
        }
        if (max != null) {
            String below = w.op("Less", x, max);
            inside = inside == null ? below : w.op("And", inside, below);
        }
        return inside == null ? g : w.where(inside, g);
    }

    private String softmax(NodeProto n, String g) {
        String y = n.getOutput(0);
        int rank = rank(y);
        long axis = normalize(ModelAnalysis.intAttr(n, "axis", model.opset < 13 ? 1 : -1), rank);
        if (model.opset < 13 && axis != rank - 1) {
            throw unsupported(n, "axis " + axis + " before opset 13 (softmax over flattened trailing axes)");
        }
        if (n.getOpType().equals("Softmax")) {
            // dx = y * (g - sum(g * y))
            String dot = w.reduceSum(w.op("Mul", g, y), new long[] {axis}, true);
            return w.op("Mul", y, w.op("Sub", g, dot));
        }
        // log-softmax: dx = g - softmax * sum(g)
        return w.op("Sub", g, w.op("Mul", w.op("Exp", y), w.reduceSum(g, new long[] {axis}, true)));
    }

    private String conv(NodeProto n, String g) {
        String x = n.getInput(0);
        String weights = n.getInput(1);
        if (model.onPath(weights)) {
            throw unsupported(n, "weights that depend on the input");
        }
        long[] xs = staticShape(x, n);
        long[] ys = staticShape(n.getOutput(0), n);
        int spatial = xs.length - 2;
        long[] kernel = ModelAnalysis.intsAttr(n, "kernel_shape");
        if (kernel == null) {
            long[] wd = model.constantDims(weights);
            if (wd == null) {
                throw unsupported(n, "neither kernel_shape nor constant weights");
            }
            kernel = Arrays.copyOfRange(wd, 2, wd.length);
        }
        long[] strides = orOnes(ModelAnalysis.intsAttr(n, "strides"), spatial);
        long[] dilations = orOnes(ModelAnalysis.intsAttr(n, "dilations"), spatial);
        long[] pads = explicitPads(n, xs, ys, kernel, strides, dilations);
        long[] outputPadding = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            long covered = (ys[i + 2] - 1) * strides[i] - pads[i] - pads[i + spatial] + dilations[i] * (kernel[i] - 1) + 1;
            outputPadding[i] = xs[i + 2] - covered;
            if (outputPadding[i] < 0 || outputPadding[i] >= Math.max(strides[i], dilations[i])) {
                throw unsupported(n, "input extent " + xs[i + 2] + " not recoverable by a transposed convolution");
            }
        }
        long group = ModelAnalysis.intAttr(n, "group", 1);
        if (spatial == 2) {
            String viaConv = null;
            boolean unitStride = strides[0] == 1 && strides[1] == 1;
            if (unitStride && (group > 1 || kernel[0] * kernel[1] > 1 && xs[1] >= 16)) {
                viaConv = flippedKernelAdjoint(g, weights, xs, ys, kernel, dilations, pads, group);
            } else if (group > 1 && !unitStride && strides[0] == strides[1] && model.opset >= 11
                    && xs[2] * xs[3] <= 16 * kernel[0] * kernel[1]) {
                viaConv = polyphaseAdjoint(g, weights, xs, ys, kernel, strides[0], dilations, pads, group);
            }
            if (viaConv != null) {
                return viaConv;
            }
        }
        // the transposed convolution with the same weights is the adjoint of the convolution;
        // output_padding restores the input rows and columns the last stride step never reached
        return w.op("ConvTranspose", List.of(g, weights), intsAttr("kernel_shape", kernel), intsAttr("strides", strides),
                intsAttr("dilations", dilations), intsAttr("pads", pads), intsAttr("output_padding", outputPadding),
                intAttr("group", ModelAnalysis.intAttr(n, "group", 1)));
    }

    /**
     * The input gradient of a 2-D convolution at stride 1 as a plain (grouped) convolution, which
     * ONNX Runtime's CPU provider runs faster than a ConvTranspose at stride 1: several times on
     * grouped, above all depthwise, layers (measured 3-8x on depthwise layers of 16x16 to 32x32;
     * strided layers: {@link #polyphaseAdjoint}), 1.1-1.9x on dense 3x3 layers with 16 to 512
     * input channels (layer forward plus gradient, 1 thread, batch 1 and 32), where it was
     * slower for 3 input channels (the convolution writing only 3 channels) and on par or slower
     * for 1x1 kernels (a plain matrix product either way), which keep ConvTranspose. The gradient
     * is correlated with the kernels flipped in space and transposed within each group (input and
     * output channels swapped), dilated as the forward kernels, with pads that bring the result
     * to the input's extent. Null (use ConvTranspose) when the weights are not constant or the pads would crop.
     */
    private String flippedKernelAdjoint(String g, String weights, long[] xs, long[] ys, long[] kernel, long[] dilations,
                                      long[] pads, long group) {
        float[] wv = model.constantFloats(weights);
        long[] wd = model.constantDims(weights);
        if (wv == null || wd == null || wd.length != 4) {
            return null;
        }
        int outChannels = (int) wd[0];
        int inPerGroup = (int) wd[1];
        int outPerGroup = (int) (outChannels / group);
        int k0 = (int) wd[2];
        int k1 = (int) wd[3];
        long[] adjointPads = new long[4];
        for (int i = 0; i < 2; i++) {
            // dx[i] = sum over k of w[K-1-k] g[i + p - (K-1)d + kd]: begin pad (K-1)d - p, end pad to the input's extent
            long extent = dilations[i] * (kernel[i] - 1);
            adjointPads[i] = extent - pads[i];
            adjointPads[i + 2] = xs[i + 2] - ys[i + 2] - adjointPads[i] + extent;
            if (adjointPads[i] < 0 || adjointPads[i + 2] < 0) {
                return null;
            }
        }
        float[] flipped = new float[wv.length];
        for (int gi = 0; gi < group; gi++) {
            for (int a = 0; a < inPerGroup; a++) {
                for (int b = 0; b < outPerGroup; b++) {
                    int from = ((gi * outPerGroup + b) * inPerGroup + a) * k0 * k1;
                    int to = ((gi * inPerGroup + a) * outPerGroup + b) * k0 * k1;
                    for (int u = 0; u < k0; u++) {
                        for (int v = 0; v < k1; v++) {
                            flipped[to + u * k1 + v] = wv[from + (k0 - 1 - u) * k1 + (k1 - 1 - v)];
                        }
                    }
                }
            }
        }
        return w.op("Conv", List.of(g, w.floats(new long[] {group * inPerGroup, outPerGroup, k0, k1}, flipped)),
                intsAttr("kernel_shape", k0, k1), intsAttr("dilations", dilations), intsAttr("pads", adjointPads),
                intAttr("group", group));
    }

    /**
     * The input gradient of a grouped 2-D convolution at stride s (the same on both axes) as s x s
     * stride-1 grouped convolutions, one per phase of the input (the rows i with i mod s = a and
     * columns j mod s = b), interleaved by a DepthToSpace: tap u of a kernel reads input row
     * o s + u d - p, so it feeds phase (u d - p) mod s from gradient row q - floor((u d - p) / s)
     * of that phase's row q. Each phase's sub-kernel holds its taps (zeros where a phase has
     * fewer), all with the same extent and pads so that the phases line up; a Slice drops the
     * rows and columns beyond the input's extent. Measured per depthwise layer against a grouped
     * ConvTranspose (the layer's forward plus this gradient, batch 1 and 32, 1 and 2 threads):
     * 1.2-9x faster on inputs up to 8x8 for 3x3
     * kernels and up to 16x16 for 5x5 kernels, slower on larger inputs (up to 1.7x at 32x32,
     * where the interleaving moves more data than the transposed convolution), hence the caller's
     * bound on the input's area. Null (use ConvTranspose) when the weights are not constant.
     */
    private String polyphaseAdjoint(String g, String weights, long[] xs, long[] ys, long[] kernel, long stride, long[] dilations,
                                    long[] pads, long group) {
        float[] wv = model.constantFloats(weights);
        long[] wd = model.constantDims(weights);
        if (wv == null || wd == null || wd.length != 4) {
            return null;
        }
        int s = (int) stride;
        int outPerGroup = (int) (wd[0] / group);
        int inPerGroup = (int) wd[1];
        int inChannels = (int) (group * inPerGroup);
        long[] begin = new long[2];
        long[] end = new long[2];
        int[] taps = new int[2];
        long[] rows = new long[2];
        for (int i = 0; i < 2; i++) {
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (int u = 0; u < kernel[i]; u++) {
                long shift = Math.floorDiv(u * dilations[i] - pads[i], s);
                lo = Math.min(lo, shift);
                hi = Math.max(hi, shift);
            }
            // sub-kernel tap j reads gradient row q + j - begin, i.e. j = begin - shift
            begin[i] = Math.max(0, hi);
            taps[i] = (int) (begin[i] - lo + 1);
            long phaseRows = (xs[i + 2] + s - 1) / s;
            end[i] = Math.max(0, phaseRows - ys[i + 2] - begin[i] + taps[i] - 1);
            rows[i] = ys[i + 2] + begin[i] + end[i] - taps[i] + 1;
        }
        int k0 = (int) kernel[0];
        int k1 = (int) kernel[1];
        int phaseSize = inChannels * outPerGroup * taps[0] * taps[1];
        float[] v = new float[s * s * phaseSize];
        for (int gi = 0; gi < group; gi++) {
            for (int a = 0; a < inPerGroup; a++) {
                for (int b = 0; b < outPerGroup; b++) {
                    int from = ((gi * outPerGroup + b) * inPerGroup + a) * k0 * k1;
                    int channel = gi * inPerGroup + a;
                    for (int u = 0; u < k0; u++) {
                        long r0 = u * dilations[0] - pads[0];
                        int j0 = (int) (begin[0] - Math.floorDiv(r0, s));
                        for (int q = 0; q < k1; q++) {
                            long r1 = q * dilations[1] - pads[1];
                            int j1 = (int) (begin[1] - Math.floorDiv(r1, s));
                            int phase = (int) (Math.floorMod(r0, s) * s + Math.floorMod(r1, s));
                            v[phase * phaseSize + ((channel * outPerGroup + b) * taps[0] + j0) * taps[1] + j1] = wv[from + u * k1 + q];
                        }
                    }
                }
            }
        }
        // separate convolutions (each a plain depthwise one for a depthwise layer) measured faster
        // than one convolution with s x s outputs per channel
        List<String> phases = new ArrayList<>();
        for (int phase = 0; phase < s * s; phase++) {
            phases.add(w.op("Conv", List.of(g, w.floats(new long[] {inChannels, outPerGroup, taps[0], taps[1]},
                            Arrays.copyOfRange(v, phase * phaseSize, (phase + 1) * phaseSize))),
                    intsAttr("kernel_shape", taps[0], taps[1]), intsAttr("pads", begin[0], begin[1], end[0], end[1]),
                    intAttr("group", group)));
        }
        // DCR: channel (a s + b) C + c of the concatenation goes to row h s + a, column w s + b of channel c
        String interleaved = w.op("DepthToSpace", List.of(w.op("Concat", phases, intAttr("axis", 1))), intAttr("blocksize", s),
                GraphWriter.stringAttr("mode", "DCR"));
        if (rows[0] * s == xs[2] && rows[1] * s == xs[3]) {
            return interleaved;
        }
        return w.op("Slice", List.of(interleaved, w.longs(0, 0), w.longs(xs[2], xs[3]), w.longs(2, 3)));
    }

    /**
     * A transposed convolution is the adjoint of the convolution with the same weights, strides,
     * pads, dilations and groups, so that convolution is its input gradient; output_padding only
     * adds output rows the convolution's last stride step never reads back.
     */
    private String convTranspose(NodeProto n, String g) {
        String weights = n.getInput(1);
        if (model.onPath(weights)) {
            throw unsupported(n, "weights that depend on the input");
        }
        if (!ModelAnalysis.stringAttr(n, "auto_pad", "NOTSET").equals("NOTSET")
                || ModelAnalysis.intsAttr(n, "output_shape") != null) {
            throw unsupported(n, "auto_pad or output_shape (give explicit pads and output_padding)");
        }
        long[] xs = staticShape(n.getInput(0), n);
        int spatial = xs.length - 2;
        long[] kernel = ModelAnalysis.intsAttr(n, "kernel_shape");
        if (kernel == null) {
            long[] wd = model.constantDims(weights);
            if (wd == null) {
                throw unsupported(n, "neither kernel_shape nor constant weights");
            }
            kernel = Arrays.copyOfRange(wd, 2, wd.length);
        }
        long[] pads = ModelAnalysis.intsAttr(n, "pads");
        return w.op("Conv", List.of(g, weights), intsAttr("kernel_shape", kernel),
                intsAttr("strides", orOnes(ModelAnalysis.intsAttr(n, "strides"), spatial)),
                intsAttr("dilations", orOnes(ModelAnalysis.intsAttr(n, "dilations"), spatial)),
                intsAttr("pads", pads == null ? new long[2 * spatial] : pads),
                intAttr("group", ModelAnalysis.intAttr(n, "group", 1)));
    }

    /** Begin and end padding per spatial axis, auto_pad resolved from the probed shapes. */
    private long[] explicitPads(NodeProto n, long[] xs, long[] ys, long[] kernel, long[] strides, long[] dilations) {
        int spatial = xs.length - 2;
        String autoPad = ModelAnalysis.stringAttr(n, "auto_pad", "NOTSET");
        long[] pads = ModelAnalysis.intsAttr(n, "pads");
        if (autoPad.equals("NOTSET")) {
            return pads == null ? new long[2 * spatial] : pads;
        }
        long[] p = new long[2 * spatial];
        if (autoPad.equals("VALID")) {
            return p;
        }
        for (int i = 0; i < spatial; i++) {
            long total = Math.max(0, (ys[i + 2] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - xs[i + 2]);
            long small = total / 2;
            p[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
            p[i + spatial] = total - p[i];
        }
        return p;
    }

    private String batchNorm(NodeProto n, String g) {
        if (n.getOutputCount() > 1 && ModelAnalysis.intAttr(n, "training_mode", 0) != 0) {
            throw unsupported(n, "training mode");
        }
        float eps = ModelAnalysis.floatAttr(n, "epsilon", 1e-5f);
        String factor = w.op("Div", n.getInput(1), w.op("Sqrt", w.op("Add", n.getInput(4), w.scalar(eps))));
        int rank = rank(n.getInput(0));
        long[] perChannel = new long[rank - 1];
        Arrays.fill(perChannel, 1);
        perChannel[0] = -1;
        return w.op("Mul", g, w.op("Reshape", factor, w.longs(perChannel)));
    }

    private String maxPool(NodeProto n, String g) {
        String x = n.getInput(0);
        String indices = n.getOutput(1);
        if (ModelAnalysis.intAttr(n, "storage_order", 0) != 0) {
            throw unsupported(n, "column-major storage_order");
        }
        long[] xs = staticShape(x, n);
        int spatial = xs.length - 2;
        long[] kernel = ModelAnalysis.intsAttr(n, "kernel_shape");
        long[] strides = orOnes(ModelAnalysis.intsAttr(n, "strides"), spatial);
        long[] dilations = orOnes(ModelAnalysis.intsAttr(n, "dilations"), spatial);
        boolean overlapping = false;
        for (int i = 0; i < spatial; i++) {
            overlapping |= strides[i] < dilations[i] * (kernel[i] - 1) + 1;
        }
        long[] pads = ModelAnalysis.intsAttr(n, "pads");
        if (pads == null) {
            pads = new long[2 * spatial];
        }
        if (!overlapping) {
            // disjoint windows: each input element is the maximum of at most one window, so
            // placing each window's gradient at its argmax never collides
            return w.op("MaxUnpool", List.of(g, indices, w.shape(x)), intsAttr("kernel_shape", kernel),
                    intsAttr("strides", strides), intsAttr("pads", pads));
        }
        if (model.opset >= 16) {
            // overlapping windows can share an argmax: scatter-add the gradients onto the flat input
            String flat = w.op("Reshape", g, w.longs(-1));
            String flatIndices = w.op("Reshape", indices, w.longs(-1));
            String zeros = w.zerosLike(w.op("Reshape", x, w.longs(-1)));
            String scattered = w.op("ScatterElements", List.of(zeros, flatIndices, flat), intAttr("axis", 0),
                    GraphWriter.stringAttr("reduction", "add"));
            return w.reshapeLike(scattered, x);
        }
        return overlappingMaxPoolByPhases(n, g, indices, kernel, strides, dilations, pads);
    }

    /**
     * Before opset 16 there is no scatter-add. Windows whose output positions are {@code phase}
     * apart along each axis (phase = ceil(window extent / stride)) never overlap, so each of the
     * phase^spatial subsets of outputs (gathered along each axis) has distinct argmaxes and
     * MaxUnpool places its gradients without collisions; the subsets' unpooled maps add up to
     * the gradient.
     */
    private String overlappingMaxPoolByPhases(NodeProto n, String g, String indices, long[] kernel, long[] strides,
                                              long[] dilations, long[] pads) {
        String x = n.getInput(0);
        long[] ys = staticShape(n.getOutput(0), n);
        int spatial = kernel.length;
        long[] phase = new long[spatial];
        int subsets = 1;
        for (int i = 0; i < spatial; i++) {
            long extent = dilations[i] * (kernel[i] - 1) + 1;
            phase[i] = (extent + strides[i] - 1) / strides[i];
            subsets *= (int) phase[i];
        }
        String shape = w.shape(x);
        List<String> parts = new ArrayList<>();
        for (int subset = 0; subset < subsets; subset++) {
            String gs = g;
            String is = indices;
            boolean empty = false;
            for (int i = 0, rest = subset; i < spatial; rest /= (int) phase[i], i++) {
                long offset = rest % phase[i];
                long count = offset < ys[i + 2] ? (ys[i + 2] - offset + phase[i] - 1) / phase[i] : 0;
                if (count == 0) {
                    empty = true;
                    break;
                }
                long[] at = new long[(int) count];
                for (int k = 0; k < count; k++) {
                    at[k] = offset + k * phase[i];
                }
                String positions = w.longs(at);
                gs = w.op("Gather", List.of(gs, positions), intAttr("axis", i + 2));
                is = w.op("Gather", List.of(is, positions), intAttr("axis", i + 2));
            }
            if (!empty) {
                parts.add(w.op("MaxUnpool", List.of(gs, is, shape), intsAttr("kernel_shape", kernel),
                        intsAttr("strides", strides), intsAttr("pads", pads)));
            }
        }
        return parts.size() == 1 ? parts.get(0) : w.op("Sum", parts);
    }

    private String averagePool(NodeProto n, String g) {
        String x = n.getInput(0);
        if (ModelAnalysis.intAttr(n, "ceil_mode", 0) != 0) {
            throw unsupported(n, "ceil_mode");
        }
        long[] xs = staticShape(x, n);
        long[] ys = staticShape(n.getOutput(0), n);
        int spatial = xs.length - 2;
        long[] kernel = ModelAnalysis.intsAttr(n, "kernel_shape");
        long[] strides = orOnes(ModelAnalysis.intsAttr(n, "strides"), spatial);
        long[] ones = orOnes(null, spatial);
        long[] pads = explicitPads(n, xs, ys, kernel, strides, ones);
        long size = 1;
        for (long k : kernel) {
            size *= k;
        }
        String scaled = w.op("Div", g, w.scalar(size));
        boolean padded = Arrays.stream(pads).anyMatch(p -> p != 0);
        if (padded && ModelAnalysis.intAttr(n, "count_include_pad", 0) == 0) {
            // each window divides by its count of real (unpadded) inputs: that count over the
            // kernel size is the average of ones with padding counted
            String fraction = w.op("AveragePool", List.of(w.onesLike(x)), intsAttr("kernel_shape", kernel),
                    intsAttr("strides", strides), intsAttr("pads", pads), intAttr("count_include_pad", 1));
            scaled = w.op("Div", scaled, fraction);
        }
        long channels = xs[1];
        long[] kernelDims = new long[spatial + 2];
        kernelDims[0] = channels;
        kernelDims[1] = 1;
        System.arraycopy(kernel, 0, kernelDims, 2, spatial);
        float[] k = new float[(int) (channels * size)];
        Arrays.fill(k, 1f);
        long[] outputPadding = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            outputPadding[i] = xs[i + 2] - ((ys[i + 2] - 1) * strides[i] - pads[i] - pads[i + spatial] + kernel[i]);
        }
        return w.op("ConvTranspose", List.of(scaled, w.floats(kernelDims, k)), intsAttr("kernel_shape", kernel),
                intsAttr("strides", strides), intsAttr("pads", pads), intsAttr("output_padding", outputPadding),
                intAttr("group", channels));
    }

    private String reduce(NodeProto n, String g) {
        String x = n.getInput(0);
        long[] xs = shapes.get(x);
        int rank = xs.length;
        long[] axes = ModelAnalysis.intsAttr(n, "axes");
        if (axes == null && n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
            axes = model.constantLongs(n.getInput(1));
            if (axes == null) {
                throw unsupported(n, "axes computed at run time");
            }
        }
        if (axes == null || axes.length == 0) {
            if (ModelAnalysis.intAttr(n, "noop_with_empty_axes", 0) != 0) {
                return g;
            }
            axes = new long[rank];
            for (int i = 0; i < rank; i++) {
                axes[i] = i;
            }
        }
        long[] sorted = Arrays.stream(axes).map(a -> normalize(a, rank)).sorted().toArray();
        String kept = ModelAnalysis.intAttr(n, "keepdims", 1) == 1 ? g : w.unsqueeze(g, sorted);
        String expanded = w.op("Expand", kept, w.shape(x));
        if (n.getOpType().equals("ReduceSum")) {
            return expanded;
        }
        long count = 1;
        for (long a : sorted) {
            if (xs[(int) a] < 0) {
                throw unsupported(n, "a mean over the batch axis");
            }
            count *= xs[(int) a];
        }
        return w.op("Div", expanded, w.scalar(count));
    }

    private void matMul(NodeProto n, String g, String[] gIn) {
        String a = n.getInput(0);
        String b = n.getInput(1);
        String y = n.getOutput(0);
        if (model.onPath(a)) {
            gIn[0] = unbroadcast(w.op("MatMul", g, swapLast(b, n)), y, a);
        }
        if (model.onPath(b)) {
            gIn[1] = unbroadcast(w.op("MatMul", swapLast(a, n), g), y, b);
        }
    }

    private String swapLast(String t, NodeProto n) {
        long[] s = shapes.containsKey(t) ? shapes.get(t) : model.constantDims(t);
        if (s == null) {
            throw unsupported(n, "an operand of unknown rank");
        }
        if (s.length < 2) {
            throw unsupported(n, "a 1-D operand");
        }
        long[] perm = new long[s.length];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[perm.length - 1] = perm.length - 2;
        perm[perm.length - 2] = perm.length - 1;
        return w.transpose(t, perm);
    }

    private void gemm(NodeProto n, String g, String[] gIn) {
        String a = n.getInput(0);
        String b = n.getInput(1);
        boolean transA = ModelAnalysis.intAttr(n, "transA", 0) != 0;
        boolean transB = ModelAnalysis.intAttr(n, "transB", 0) != 0;
        float alpha = ModelAnalysis.floatAttr(n, "alpha", 1f);
        float beta = ModelAnalysis.floatAttr(n, "beta", 1f);
        String ga = alpha == 1f ? g : w.op("Mul", g, w.scalar(alpha));
        long[] swap = {1, 0};
        if (model.onPath(a)) {
            // Y = A' B': dA' = g B'^T, and B'^T is B itself when B enters transposed
            String dPrime = w.op("MatMul", ga, transB ? b : w.transpose(b, swap));
            gIn[0] = transA ? w.transpose(dPrime, swap) : dPrime;
        }
        if (model.onPath(b)) {
            String dPrime = w.op("MatMul", transA ? a : w.transpose(a, swap), ga);
            gIn[1] = transB ? w.transpose(dPrime, swap) : dPrime;
        }
        if (n.getInputCount() > 2 && model.onPath(n.getInput(2))) {
            gIn[2] = unbroadcast(beta == 1f ? g : w.op("Mul", g, w.scalar(beta)), n.getOutput(0), n.getInput(2));
        }
    }

    private void concat(NodeProto n, String g, String[] gIn) {
        int rank = rank(n.getOutput(0));
        long axis = normalize(ModelAnalysis.intAttr(n, "axis", 0), rank);
        long[] sizes = new long[n.getInputCount()];
        int unknown = -1;
        long known = 0;
        for (int i = 0; i < sizes.length; i++) {
            long[] s = shapes.containsKey(n.getInput(i)) ? shapes.get(n.getInput(i)) : model.constantDims(n.getInput(i));
            if (s == null && unknown < 0) {
                unknown = i; // an off-path input computed at run time: its extent is what the others leave
                continue;
            }
            if (s == null || s[(int) axis] < 0) {
                throw unsupported(n, "inputs of unknown extent along the concatenation axis");
            }
            sizes[i] = s[(int) axis];
            known += sizes[i];
        }
        if (unknown >= 0) {
            long total = shapes.get(n.getOutput(0))[(int) axis];
            if (total < 0) {
                throw unsupported(n, "inputs of unknown extent along the concatenation axis");
            }
            sizes[unknown] = total - known;
        }
        String[] parts = w.split(g, axis, sizes);
        for (int i = 0; i < sizes.length; i++) {
            gIn[i] = model.onPath(n.getInput(i)) ? parts[i] : null;
        }
    }

    private String slice(NodeProto n, String g) {
        String x = n.getInput(0);
        long[] xs = shapes.get(x);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (model.opset < 10) {
            starts = ModelAnalysis.intsAttr(n, "starts");
            ends = ModelAnalysis.intsAttr(n, "ends");
            axes = ModelAnalysis.intsAttr(n, "axes");
        } else {
            starts = model.constantLongs(n.getInput(1));
            ends = model.constantLongs(n.getInput(2));
            axes = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? model.constantLongs(n.getInput(3)) : null;
            if (n.getInputCount() > 4 && !n.getInput(4).isEmpty()) {
                steps = model.constantLongs(n.getInput(4));
            }
            if (starts == null || ends == null || (n.getInputCount() > 3 && !n.getInput(3).isEmpty() && axes == null)
                    || (n.getInputCount() > 4 && !n.getInput(4).isEmpty() && steps == null)) {
                throw unsupported(n, "bounds computed at run time");
            }
        }
        long[] pads = new long[2 * xs.length];
        float[][][] picks = new float[xs.length][][];
        boolean picked = false;
        for (int i = 0; i < starts.length; i++) {
            int axis = (int) normalize(axes == null ? i : axes[i], xs.length);
            long step = steps == null ? 1 : steps[i];
            long dim = xs[axis];
            if (dim < 0) {
                if (starts[i] == 0 && ends[i] >= Integer.MAX_VALUE && step == 1) {
                    continue;
                }
                throw unsupported(n, "a partial slice of the batch axis");
            }
            if (step != 1) {
                // y[o] = x[first + o * step]: the adjoint of that selection matrix sends each
                // gradient back to its source, zeros between (negative steps included)
                picks[axis] = selection(dim, starts[i], ends[i], step);
                if (picks[axis].length == 0) {
                    throw unsupported(n, "an empty slice");
                }
                picked = true;
                continue;
            }
            long begin = Math.max(0, Math.min(dim, starts[i] < 0 ? starts[i] + dim : starts[i]));
            long end = Math.max(begin, Math.min(dim, ends[i] < 0 ? ends[i] + dim : ends[i]));
            pads[axis] = begin;
            pads[axis + xs.length] = dim - end;
        }
        return w.pad(picked ? adjointAlongAxes(g, picks) : g, pads);
    }

    /** The [out, in] 0/1 matrix of ONNX Slice along one axis of extent dim with a step other than 1. */
    private static float[][] selection(long dim, long start, long end, long step) {
        long s = start < 0 ? start + dim : start;
        long e = end < 0 ? end + dim : end;
        if (step > 0) {
            s = Math.max(0, Math.min(dim, s));
            e = Math.max(0, Math.min(dim, e));
        } else {
            s = Math.max(0, Math.min(dim - 1, s));
            e = Math.max(-1, Math.min(dim - 1, e));
        }
        List<Long> sources = new ArrayList<>();
        for (long i = s; step > 0 ? i < e : i > e; i += step) {
            sources.add(i);
        }
        float[][] m = new float[sources.size()][(int) dim];
        for (int o = 0; o < m.length; o++) {
            m[o][(int) (long) sources.get(o)] = 1f;
        }
        return m;
    }

    private String pad(NodeProto n, String g) {
        String x = n.getInput(0);
        long[] xs = staticShape(x, n);
        String mode = ModelAnalysis.stringAttr(n, "mode", "constant");
        if (!Set.of("constant", "reflect", "edge").contains(mode)) {
            throw unsupported(n, "mode " + mode);
        }
        long[] pads;
        long[] axes = null;
        if (model.opset < 11) {
            pads = ModelAnalysis.intsAttr(n, "pads");
        } else {
            pads = model.constantLongs(n.getInput(1));
            if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) {
                axes = model.constantLongs(n.getInput(3));
                if (axes == null) {
                    throw unsupported(n, "axes computed at run time");
                }
            }
        }
        if (pads == null) {
            throw unsupported(n, "pads that change with the batch size");
        }
        int count = pads.length / 2;
        float[][][] maps = new float[xs.length][][];
        for (int i = 0; i < count; i++) {
            int axis = (int) normalize(axes == null ? i : axes[i], xs.length);
            if (pads[i] != 0 || pads[i + count] != 0) {
                if (axis == 0) {
                    throw unsupported(n, "padding of the batch axis");
                }
                maps[axis] = AxisMaps.pad((int) xs[axis], pads[i], pads[i + count], mode);
            }
        }
        return adjointAlongAxes(g, maps);
    }

    private String resize(NodeProto n, String g) {
        String x = n.getInput(0);
        long[] xs = staticShape(x, n);
        long[] ys = staticShape(n.getOutput(0), n);
        String coordinates = model.opset < 11 ? "asymmetric" : ModelAnalysis.stringAttr(n, "coordinate_transformation_mode", "half_pixel");
        String mode = ModelAnalysis.stringAttr(n, "mode", "nearest");
        if (model.opset < 11 && mode.equals("nearest")) {
            throw unsupported(n, "nearest mode before opset 11 (runtime-specific rounding)");
        }
        if (ModelAnalysis.intAttr(n, "antialias", 0) != 0) {
            throw unsupported(n, "antialias");
        }
        if (!ModelAnalysis.stringAttr(n, "keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            throw unsupported(n, "keep_aspect_ratio_policy other than stretch");
        }
        // tf_half_pixel_for_nn: ONNX Runtime's sampling departs from the specification's formula
        // (finite differences disagree for round_prefer_ceil), so no matrix here would be its adjoint
        if (Set.of("tf_crop_and_resize", "half_pixel_symmetric", "tf_half_pixel_for_nn").contains(coordinates)) {
            throw unsupported(n, "coordinate_transformation_mode " + coordinates);
        }
        AxisMaps.Resize settings = new AxisMaps.Resize(mode, coordinates,
                ModelAnalysis.stringAttr(n, "nearest_mode", "round_prefer_floor"),
                ModelAnalysis.floatAttr(n, "cubic_coeff_a", -0.75f), ModelAnalysis.intAttr(n, "exclude_outside", 0) != 0);
        int scalesInput = model.opset < 11 ? 1 : 2;
        float[] scales = null;
        if (n.getInputCount() > scalesInput && !n.getInput(scalesInput).isEmpty()) {
            scales = model.constantFloats(n.getInput(scalesInput));
            if (scales == null) {
                throw unsupported(n, "scales that change with the batch size");
            }
        }
        long[] axes = ModelAnalysis.intsAttr(n, "axes");
        int[] axisOf = new int[xs.length];
        for (int i = 0; i < axisOf.length; i++) {
            axisOf[i] = i;
        }
        if (axes != null) {
            axisOf = Arrays.stream(axes).mapToInt(a -> (int) normalize(a, xs.length)).toArray();
        }
        float[][][] maps = new float[xs.length][][];
        for (int i = 0; i < axisOf.length; i++) {
            int axis = axisOf[i];
            // with sizes instead of scales the scale is output over input extent
            double scale = scales != null && scales.length > 0 ? scales[i] : (double) ys[axis] / xs[axis];
            if (axis == 0) {
                if (scale != 1) {
                    throw unsupported(n, "resizing the batch axis");
                }
                continue;
            }
            float[][] m = AxisMaps.resize((int) xs[axis], (int) ys[axis], scale, settings);
            maps[axis] = AxisMaps.isIdentity(m) ? null : m;
        }
        return adjointAlongAxes(g, maps);
    }

    /** g times the transpose of maps[axis] along each axis that has a map; maps[axis] is [out, in]. */
    private String adjointAlongAxes(String g, float[][][] maps) {
        int rank = maps.length;
        for (int axis = 0; axis < rank; axis++) {
            float[][] m = maps[axis];
            if (m == null) {
                continue;
            }
            int out = m.length;
            int in = m[0].length;
            float[] flat = new float[out * in];
            for (int o = 0; o < out; o++) {
                System.arraycopy(m[o], 0, flat, o * in, in);
            }
            long[] swap = new long[rank];
            for (int i = 0; i < rank; i++) {
                swap[i] = i;
            }
            swap[axis] = rank - 1;
            swap[rank - 1] = axis;
            String moved = axis == rank - 1 ? g : w.transpose(g, swap);
            String product = w.op("MatMul", moved, w.floats(new long[] {out, in}, flat));
            g = axis == rank - 1 ? product : w.transpose(product, swap);
        }
        return g;
    }

    private String lrn(NodeProto n, String g) {
        String x = n.getInput(0);
        long[] xs = staticShape(x, n);
        float alpha = ModelAnalysis.floatAttr(n, "alpha", 1e-4f);
        float beta = ModelAnalysis.floatAttr(n, "beta", 0.75f);
        float bias = ModelAnalysis.floatAttr(n, "bias", 1f);
        long size = ModelAnalysis.intAttr(n, "size", 0);
        long below = (size - 1) / 2;
        long above = size - 1 - below;
        // y_i = x_i d_i^-beta, d_i = bias + alpha/size * sum of x_j^2 over channels i - below .. i + above:
        // dx_j = g_j d_j^-beta - 2 alpha beta/size x_j * sum of g_i x_i d_i^(-beta-1) over the i whose window holds j
        String d = w.op("Add", w.scalar(bias), w.op("Mul", w.scalar(alpha / size),
                channelWindowSum(w.op("Mul", x, x), x, xs[1], size, below, above)));
        String dPow = w.op("Pow", d, w.scalar(-beta));
        String inner = w.op("Div", w.op("Mul", w.op("Mul", g, x), dPow), d);
        String spread = channelWindowSum(inner, x, xs[1], size, above, below);
        return w.op("Sub", w.op("Mul", g, dPow), w.op("Mul", w.scalar(2 * alpha * beta / size), w.op("Mul", x, spread)));
    }

    /** Sum over channels c - before .. c + after of t (shaped like x, channels on axis 1), as a ones Conv. */
    private String channelWindowSum(String t, String x, long channels, long size, long before, long after) {
        float[] ones = new float[(int) size];
        Arrays.fill(ones, 1f);
        String stacked = w.op("Reshape", t, w.longs(0, 1, channels, -1));
        String summed = w.op("Conv", List.of(stacked, w.floats(new long[] {1, 1, size, 1}, ones)),
                intsAttr("kernel_shape", size, 1), intsAttr("pads", before, 0, after, 0));
        return w.reshapeLike(summed, x);
    }

    private String gather(NodeProto n, String g) {
        String x = n.getInput(0);
        long[] xs = shapes.get(x);
        long[] index = model.constantLongs(n.getInput(1));
        long[] indexDims = model.constantDims(n.getInput(1));
        if (index == null || indexDims.length != 0) {
            throw unsupported(n, "indices that are not a constant scalar");
        }
        int axis = (int) normalize(ModelAnalysis.intAttr(n, "axis", 0), xs.length);
        long dim = xs[axis];
        if (dim < 0) {
            throw unsupported(n, "gathering along the batch axis");
        }
        long at = index[0] < 0 ? index[0] + dim : index[0];
        // the gathered slice's gradient goes back to position `at`; a one-hot column along the
        // axis, broadcast against the re-inserted axis, puts it there and zeros elsewhere
        long[] dims = new long[xs.length - axis];
        Arrays.fill(dims, 1);
        dims[0] = dim;
        float[] oneHot = new float[(int) dim];
        oneHot[(int) at] = 1f;
        return w.op("Mul", w.unsqueeze(g, axis), w.floats(dims, oneHot));
    }

    private String layerNorm(NodeProto n, String g) {
        String x = n.getInput(0);
        if (model.onPath(n.getInput(1))) {
            throw unsupported(n, "a scale that depends on the input");
        }
        int rank = rank(x);
        long axis = normalize(ModelAnalysis.intAttr(n, "axis", -1), rank);
        long[] axes = new long[(int) (rank - axis)];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axis + i;
        }
        float eps = ModelAnalysis.floatAttr(n, "epsilon", 1e-5f);
        // dx = inv * (gh - mean(gh) - xh * mean(gh * xh)), gh = g * scale, xh the normalised x
        String centred = w.op("Sub", x, w.reduce("ReduceMean", x, axes, true));
        String variance = w.reduce("ReduceMean", w.op("Mul", centred, centred), axes, true);
        String inv = w.op("Reciprocal", w.op("Sqrt", w.op("Add", variance, w.scalar(eps))));
        String xh = w.op("Mul", centred, inv);
        String gh = w.op("Mul", g, n.getInput(1));
        String inner = w.op("Sub", w.op("Sub", gh, w.reduce("ReduceMean", gh, axes, true)),
                w.op("Mul", xh, w.reduce("ReduceMean", w.op("Mul", gh, xh), axes, true)));
        return w.op("Mul", inv, inner);
    }

    /**
     * Sums {@code g} (shaped like {@code result}) over the axes along which {@code operand} was
     * broadcast, and gives it the operand's shape.
     */
    private String unbroadcast(String g, String result, String operand) {
        if (!model.onPath(operand)) {
            return null;
        }
        long[] rs = shapes.get(result);
        long[] os = shapes.get(operand);
        List<Long> axes = new ArrayList<>();
        int lead = rs.length - os.length;
        for (int i = 0; i < rs.length; i++) {
            if (i < lead || (os[i - lead] == 1 && rs[i] != 1)) {
                axes.add((long) i);
            }
        }
        if (axes.isEmpty()) {
            return lead == 0 ? g : w.reshapeLike(g, operand);
        }
        String summed = w.reduceSum(g, axes.stream().mapToLong(Long::longValue).toArray(), true);
        return w.reshapeLike(summed, operand);
    }

    private int rank(String t) {
        return shapes.get(t).length;
    }

    private long[] staticShape(String t, NodeProto n) {
        long[] s = shapes.get(t);
        for (int i = 1; i < s.length; i++) {
            if (s[i] < 0) {
                throw unsupported(n, "tensor '" + t + "' with a batch-dependent axis " + i);
            }
        }
        return s;
    }

    private static long normalize(long axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    private static long[] orOnes(long[] v, int n) {
        if (v != null) {
            return v;
        }
        long[] ones = new long[n];
        Arrays.fill(ones, 1);
        return ones;
    }

    static UnsupportedGradientException unsupported(NodeProto n, String what) {
        return new UnsupportedGradientException(describe(n), what);
    }
}

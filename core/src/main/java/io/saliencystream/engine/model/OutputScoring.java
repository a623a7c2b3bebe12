package io.saliencystream.engine.model;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * Appends an {@link OutputScore} to a model's graph, so that the model's only output is the row of
 * class values [N, K] the catalog's labels describe. Everything downstream (the runner, the
 * gradient builder, the CAM surgery) then sees a classifier; the appended nodes (Gather, Flatten,
 * MatMul, Add) exist at every opset and have gradient rules. The model file itself is unchanged
 * and is what audits hash.
 */
final class OutputScoring {

    /** Name of the scored output in the rewritten graph. */
    static final String SCORE = "saliency_scored_output";

    private OutputScoring() {
    }

    /**
     * {@code model} with {@code spec.score()} appended; the output's shape is learnt by running
     * {@code probe} (a session of the unchanged model) once on a zero input.
     */
    static ModelProto apply(ModelProto model, ModelSpec spec, OrtSession probe) throws OrtException {
        OutputScore score = spec.score();
        GraphProto g = model.getGraph();
        String output = score.output() == null ? g.getOutput(0).getName() : score.output();
        if (g.getOutputList().stream().noneMatch(v -> v.getName().equals(output))) {
            throw new IllegalArgumentException("model " + spec.key() + " has no output named '" + output + "'; its outputs are "
                    + g.getOutputList().stream().map(ValueInfoProto::getName).toList());
        }
        long[] shape = probeShape(probe, spec, output);
        int classes = spec.labels().size();
        GraphProto.Builder b = g.toBuilder().clearOutput();
        String scored;
        switch (score.kind()) {
            case MAP -> scored = map(b, spec, score, output, shape);
            case SEQUENCE -> scored = sequence(b, spec, score, output, shape);
            default -> {
                require(shape.length == 2, spec, "output '" + output + "' is " + Arrays.toString(shape)
                        + "; a named output without a channel or position must be [N, classes]");
                scored = output;
            }
        }
        long k = switch (score.kind()) {
            case MAP -> 2;
            case SEQUENCE -> shape[2];
            case NAMED -> shape[1];
        };
        require(k == classes, spec, "the scored output has " + k + " values per input and the catalog lists "
                + classes + " labels" + (score.kind() == OutputScore.Kind.MAP ? " (a map's score has two: region, not region)" : ""));
        b.addOutput(floatValue(scored, classes));
        return model.toBuilder().setGraph(b).build();
    }

    private static String map(GraphProto.Builder b, ModelSpec spec, OutputScore score, String output, long[] shape) {
        require(shape.length == 4, spec, "output '" + output + "' is " + Arrays.toString(shape) + "; a map score needs [N, C, H, W]");
        int channels = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        require(score.channel() < channels, spec, "score.channel " + score.channel() + " outside the map's "
                + channels + " channels");
        int x0 = 0;
        int y0 = 0;
        int x1 = w;
        int y1 = h;
        int[] box = score.box();
        if (box != null) {
            // model-input pixels to map cells: the map covers the input, whatever its stride
            double sx = w / (double) spec.width();
            double sy = h / (double) spec.height();
            x0 = (int) Math.floor(box[0] * sx);
            y0 = (int) Math.floor(box[1] * sy);
            x1 = Math.min(w, (int) Math.ceil((box[0] + box[2]) * sx));
            y1 = Math.min(h, (int) Math.ceil((box[1] + box[3]) * sy));
            require(x0 < x1 && y0 < y1, spec, "score.box " + Arrays.toString(box) + " lies outside the "
                    + spec.width() + "x" + spec.height() + " input");
        }
        boolean probabilities = spec.output() == ModelSpec.OutputKind.PROBABILITIES;
        float cell = 1f / ((x1 - x0) * (y1 - y0));
        // the mean over the box as a product with a weight vector: column 0 the mean, column 1 its
        // complement for probabilities (with the bias 1) or nothing for logits
        int size = channels * h * w;
        float[] weights = new float[size * 2];
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int at = (score.channel() * h + y) * w + x;
                weights[at * 2] = cell;
                weights[at * 2 + 1] = probabilities ? -cell : 0f;
            }
        }
        String flat = SCORE + "/flat";
        b.addNode(node("Flatten", output, flat).addAttribute(intAttr("axis", 1)));
        b.addInitializer(floats(SCORE + "/weights", new long[] {size, 2}, weights));
        b.addInitializer(floats(SCORE + "/bias", new long[] {2}, new float[] {0f, probabilities ? 1f : 0f}));
        String product = SCORE + "/mean";
        b.addNode(node("MatMul", flat, product).addInput(SCORE + "/weights"));
        b.addNode(node("Add", product, SCORE).addInput(SCORE + "/bias"));
        return SCORE;
    }

    private static String sequence(GraphProto.Builder b, ModelSpec spec, OutputScore score, String output, long[] shape) {
        require(shape.length == 3, spec, "output '" + output + "' is " + Arrays.toString(shape)
                + "; a sequence score needs [N, positions, classes]");
        long positions = shape[1];
        long at = score.position() < 0 ? score.position() + positions : score.position();
        require(at >= 0 && at < positions, spec, "score.position " + score.position() + " outside the "
                + positions + " positions of output '" + output + "' at this input size");
        b.addInitializer(TensorProto.newBuilder().setName(SCORE + "/position")
                .setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(at));
        b.addNode(node("Gather", output, SCORE).addInput(SCORE + "/position").addAttribute(intAttr("axis", 1)));
        return SCORE;
    }

    private static long[] probeShape(OrtSession session, ModelSpec spec, String output) throws OrtException {
        int batch = Math.max(1, FixedBatch.of(session, spec.inputName()));
        long[] inputShape = spec.inputShape(batch);
        try (OnnxTensor x = OnnxTensor.createTensor(OrtRuntime.environment(),
                FloatBuffer.wrap(new float[spec.inputSize() * batch]), inputShape);
             OrtSession.Result r = session.run(Map.of(spec.inputName(), x), java.util.Set.of(output))) {
            return ((ai.onnxruntime.TensorInfo) r.get(output).orElseThrow().getInfo()).getShape();
        }
    }

    private static NodeProto.Builder node(String op, String input, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(output).addInput(input).addOutput(output);
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static TensorProto floats(String name, long[] dims, float[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return t.setRawData(com.google.protobuf.ByteString.copyFrom(raw.array())).build();
    }

    private static ValueInfoProto floatValue(String name, long classes) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(classes)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static void require(boolean ok, ModelSpec spec, String what) {
        if (!ok) {
            throw new IllegalArgumentException("model " + spec.key() + ": " + what);
        }
    }
}

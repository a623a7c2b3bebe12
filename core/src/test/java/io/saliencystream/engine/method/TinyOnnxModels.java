package io.saliencystream.engine.method;

import ai.onnx.proto.OnnxMl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds small ONNX models whose answers are known in closed form: a linear two-class model
 * y = flatten(x) . [w, 0] + [0, c], so class 0 scores the weighted pixel sum w . x and class 1
 * is the constant c, whatever the input.
 */
final class TinyOnnxModels {

    private TinyOnnxModels() {
    }

    static Path linearTwoClass(Path dir, long[] inputShapeWithoutBatch, float[] weights, float constant) throws IOException {
        int n = weights.length;
        float[] matrix = new float[n * 2];
        for (int i = 0; i < n; i++) {
            matrix[i * 2] = weights[i];
        }
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
                .setName("linear")
                .addInput(tensorInfo("x", inputShapeWithoutBatch))
                .addOutput(tensorInfo("y", new long[] {2}))
                .addInitializer(floats("W", new long[] {n, 2}, matrix))
                .addInitializer(floats("B", new long[] {2}, new float[] {0f, constant}))
                .addNode(node("Flatten", List.of("x"), "flat").toBuilder()
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis")
                                .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)))
                .addNode(node("MatMul", List.of("flat", "W"), "mm"))
                .addNode(node("Add", List.of("mm", "B"), "y"))
                .build();
        OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("saliency-stream-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
        Path file = dir.resolve("linear.onnx");
        Files.write(file, model.toByteArray());
        return file;
    }

    private static OnnxMl.NodeProto node(String op, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).addAllInput(inputs).addOutput(output).setName(output).build();
    }

    private static OnnxMl.TensorProto floats(String name, long[] dims, float[] values) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    /** Float tensor info with a symbolic batch dimension in front of {@code dims}. */
    private static OnnxMl.ValueInfoProto tensorInfo(String name, long[] dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }
}

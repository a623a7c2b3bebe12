package io.saliencystream.engine.method;

import ai.onnx.proto.OnnxMl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A non-linear two-class ONNX model with a closed form: y = (flatten(x) . [w, 0] + [0, c])^2
 * elementwise, so class 0 scores (w . x)^2 and class 1 the constant c^2.
 */
final class SquaredModels {

    private SquaredModels() {
    }

    static Path squaredTwoClass(Path dir, long[] inputShapeWithoutBatch, float[] weights, float constant) throws IOException {
        Path linear = TinyOnnxModels.linearTwoClass(dir, inputShapeWithoutBatch, weights, constant);
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(linear));
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        // rename the linear output and square it into "y"
        int last = graph.getNodeCount() - 1;
        graph.setNode(last, graph.getNode(last).toBuilder().setOutput(0, "lin").setName("lin"));
        graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").addInput("lin").addInput("lin").addOutput("y").setName("y"));
        Path file = dir.resolve("squared.onnx");
        Files.write(file, model.toBuilder().setGraph(graph).build().toByteArray());
        return file;
    }
}

package io.saliencystream.engine.model;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A copy of a model whose learnt weights are replaced by freshly initialised ones, for Adebayo et
 * al.'s model-randomisation sanity check (2018): a map that looks the same on such a model
 * explains the image, not the model. As PyTorch initialises convolutions and linear layers, every
 * float initializer of rank 2 or more (weights, output axis first) is drawn uniformly from
 * +-1/sqrt(fan_in), fan_in being the product of its other axes, and every rank-1 float
 * initializer (biases, normalisation shifts) starts at 0. The graph is unchanged.
 */
public final class ModelRandomisation {

    private ModelRandomisation() {
    }

    /** Writes the randomised copy of {@code onnxFile} to {@code target}; the same seed gives the same copy. */
    public static Path randomise(Path onnxFile, Path target, long seed) throws IOException {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnxFile));
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        Random random = new Random(seed);
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            OnnxMl.TensorProto t = graph.getInitializer(i);
            if (t.getDataType() == OnnxMl.TensorProto.DataType.FLOAT.getNumber() && t.getDimsCount() >= 1) {
                graph.setInitializer(i, initialised(t, random));
            }
        }
        Files.write(target, model.toBuilder().setGraph(graph).build().toByteArray());
        return target;
    }

    private static OnnxMl.TensorProto initialised(OnnxMl.TensorProto t, Random random) {
        long count = 1;
        for (long d : t.getDimsList()) {
            count *= d;
        }
        long fanIn = t.getDimsCount() >= 2 ? count / Math.max(1, t.getDims(0)) : 0;
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        ByteBuffer out = ByteBuffer.allocate((int) (4 * count)).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) {
            out.putFloat((float) ((2 * random.nextDouble() - 1) * bound));
        }
        return t.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(out.array())).build();
    }
}

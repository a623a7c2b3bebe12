package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.testing.InMemorySchemaRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ImageNet-size (224x224) model explained by every method, its overlays rendered at the
 * default scale over a noise image (the worst case for PNG size): every overlay record the
 * sink writes fits what a producer and a topic with Kafka's defaults accept.
 */
@Tag("slow")
class LargeModelOverlaysTest {

    static final int SIDE = 224;
    static final Map<String, Map<String, String>> METHODS = Map.of(
            "occlusion", Map.of("window", "28", "stride", "28"),
            "rise", Map.of("masks", "200", "batch_size", "50"),
            "kernelshap", Map.of(),
            "vanilla_gradient", Map.of(),
            "smoothgrad", Map.of(),
            "integrated_gradients", Map.of("steps", "16"),
            "xrai", Map.of());

    @TempDir
    Path dir;

    @Test
    void everyMethodsOverlayFitsTheDefaultRecordLimit() throws Exception {
        AvroTrust.install();
        Path model = linearModel(dir);
        Path catalogFile = dir.resolve("catalog.json");
        Files.writeString(catalogFile, """
                {"models": [{"name": "wide", "version": "1", "onnxFile": "%s", "inputName": "x",
                  "layout": "NCHW", "width": %d, "height": %d, "channels": 3, "colorOrder": "RGB",
                  "pixelScale": 0.00392156862745098, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25],
                  "resize": "STRETCH", "output": "LOGITS", "labels": ["a", "b"],
                  "method": {"name": "occlusion", "parameters": {}}}]}
                """.formatted(model, SIDE, SIDE));
        Serializer<SaliencyOverlay> plain = new AvroSerdes(new InMemorySchemaRegistry()).specific(SaliencyOverlay.class)
                .serializer();
        RecordLimits limits = RecordLimits.defaultBroker();
        Serializer<SaliencyOverlay> fitting = limits.overlays(plain);
        InferenceEvent event = InferenceEvent.newBuilder().setEventId("e-1").setEventTime(Instant.EPOCH)
                .setModelName("wide").setModelVersion("1")
                .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(noisePng()))).build();
        try (ModelCatalog catalog = ModelCatalog.load(catalogFile, new ModelStore(dir, System.out))) {
            for (Map.Entry<String, Map<String, String>> method : METHODS.entrySet()) {
                EngineEventExplainer explainer = new EngineEventExplainer(catalog, new ExplanationEngine(),
                        new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), 8, 8,
                        Map.of("java", "17"), Clock.systemUTC(),
                        Map.of("sampled", new ModelSpec.MethodSpec(method.getKey(), method.getValue())), Set.of(),
                        InterpretationBuckets.defaults(), TargetRules.unconfigured());
                SaliencyOverlay overlay = explainer.explain(event, Selection.of(true, List.of())).get(0).overlay();
                int rendered = plain.serialize("saliency-overlays", overlay).length;
                byte[] written = fitting.serialize("saliency-overlays", overlay);
                System.out.printf("%-20s overlay %dx%d: %d bytes as rendered, %d written%n", method.getKey(),
                        overlay.getWidth(), overlay.getHeight(), rendered, written.length);
                assertThat(written.length).as(method.getKey()).isLessThanOrEqualTo(limits.overlayBytes());
            }
        }
    }

    /** y = flatten(x) . W + b with random W: every method works on it, gradients included. */
    private static Path linearModel(Path dir) throws Exception {
        int n = 3 * SIDE * SIDE;
        Random random = new Random(7);
        OnnxMl.TensorProto.Builder w = OnnxMl.TensorProto.newBuilder().setName("W")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(n).addDims(2);
        for (int i = 0; i < 2 * n; i++) {
            w.addFloatData((float) random.nextGaussian() * 0.01f);
        }
        OnnxMl.TensorProto b = OnnxMl.TensorProto.newBuilder().setName("B")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(2).addFloatData(0).addFloatData(0)
                .build();
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("wide")
                .addInput(info("x", 3, SIDE, SIDE)).addOutput(info("y", 2))
                .addInitializer(w).addInitializer(b)
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Flatten").addInput("x").addOutput("flat").setName("flat")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis")
                                .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("MatMul").addInput("flat").addInput("W")
                        .addOutput("mm").setName("mm"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").addInput("mm").addInput("B")
                        .addOutput("y").setName("y"))
                .build();
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("saliency-stream-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(graph)
                .build();
        Path file = dir.resolve("wide.onnx");
        Files.write(file, proto.toByteArray());
        return file;
    }

    private static OnnxMl.ValueInfoProto info(String name, long... dims) {
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

    private static byte[] noisePng() throws Exception {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(3);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}

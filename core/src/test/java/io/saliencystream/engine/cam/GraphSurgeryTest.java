package io.saliencystream.engine.cam;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.saliencystream.engine.model.SessionSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** The model split at its feature layer: the head fed the unaltered layer gives the model's own output. */
class GraphSurgeryTest {

    private static final Path DIR = Path.of("src", "test", "resources", "architectures");

    @ParameterizedTest(name = "{0}")
    @CsvSource({"resnet18_025, 64", "mobilenet_v2_035, 64", "mobilenet_v3_small_050, 64", "vit_tiny, 32"})
    void headOnTheUnalteredLayerReproducesTheOutput(String name, int side) throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(DIR.resolve(name + ".onnx")));
        try (CamModel m = new CamModel(model, "x", false, new long[] {3, side, side}, 10, "auto", SessionSettings.DEFAULTS)) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(DIR.resolve(name + ".x.bin"))).order(ByteOrder.LITTLE_ENDIAN);
            float[] x = new float[3 * side * side];
            b.asFloatBuffer().get(x);
            CamModel.Forward f = m.forward(x);
            List<float[]> cut = new ArrayList<>();
            List<float[]> twice = new ArrayList<>();
            for (String t : m.cutNames()) {
                float[] v = f.tensors().get(t);
                cut.add(v);
                float[] two = Arrays.copyOf(v, 2 * v.length);
                System.arraycopy(v, 0, two, v.length, v.length);
                twice.add(two);
            }
            assertThat(m.cutNames()).hasSize(name.startsWith("vit") ? 2 : 1);
            float[][] once = m.head(cut, 1, x);
            float[][] batch = m.head(twice, 2, x);
            for (int k = 0; k < f.output().length; k++) {
                assertThat(once[0][k]).as("class %d", k).isCloseTo(f.output()[k], offset(1e-4f * (1 + Math.abs(f.output()[k]))));
                assertThat(batch[1][k]).isCloseTo(once[0][k], offset(1e-5f * (1 + Math.abs(once[0][k]))));
            }
        }
    }

    @Test
    void theGradientAtTheLayerIsNotCarriedBelowIt() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(DIR.resolve("resnet18_025.onnx")));
        try (CamModel m = new CamModel(model, "x", false, new long[] {3, 64, 64}, 10, "auto", SessionSettings.DEFAULTS)) {
            ModelProto full = io.saliencystream.engine.gradient.GradientGraphBuilder.build(model, "x", "logits", false,
                    io.saliencystream.engine.gradient.TargetScore.LOGODDS, new long[] {3, 64, 64});
            ModelProto cam = m.gradientModel(io.saliencystream.engine.gradient.TargetScore.LOGODDS);
            assertThat(cam.getGraph().getOutputList()).extracting(v -> v.getName())
                    .doesNotContain(io.saliencystream.engine.gradient.GradientGraphBuilder.GRADIENT);
            // the forward pass stays whole; the backward part shrinks to the score and the few nodes after layer4
            long camBackward = cam.getGraph().getNodeList().stream().filter(n -> n.getName().startsWith("saliency")).count();
            long fullBackward = full.getGraph().getNodeList().stream().filter(n -> n.getName().startsWith("saliency")).count();
            assertThat(camBackward * 3).as("backward nodes %d of %d", camBackward, fullBackward).isLessThan(fullBackward);
        }
    }

    @Test
    void pruneKeepsOnlyWhatTheOutputsNeed() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(DIR.resolve("resnet18_025.onnx")));
        String early = "/layer1/layer1.0/relu/Relu_output_0";
        ModelProto pruned = GraphSurgery.prune(GraphSurgery.withOutputs(model, List.of(early)), List.of(early));
        assertThat(pruned.getGraph().getOutputList()).extracting(v -> v.getName()).containsExactly(early);
        assertThat(pruned.getGraph().getNodeList()).noneMatch(n -> n.getName().startsWith("/layer4"));
        assertThat(pruned.getGraph().getInitializerList()).noneMatch(t -> t.getName().equals("fc.weight"));
    }

    @Test
    void aCutTheOutputDoesNotDependOnIsRefused() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(DIR.resolve("resnet18_025.onnx")));
        assertThatThrownBy(() -> GraphSurgery.head(model, "x", "logits", List.of("no-such-tensor"), List.of(new long[] {1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-tensor");
    }

    @Test
    void aMisnamedOrUnsuitableLayerIsRefusedByName() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(DIR.resolve("resnet18_025.onnx")));
        assertThatThrownBy(() -> new CamModel(model, "x", false, new long[] {3, 64, 64}, 10, "/layer9/Relu", SessionSettings.DEFAULTS))
                .hasMessageContaining("names no node or float tensor");
        assertThatThrownBy(() -> new CamModel(model, "x", false, new long[] {3, 64, 64}, 10, "/fc/Gemm", SessionSettings.DEFAULTS))
                .hasMessageContaining("a feature layer is [N, C, H, W] or [N, tokens, width]");
        try (CamModel byNode = new CamModel(model, "x", false, new long[] {3, 64, 64}, 10, "/layer3/layer3.1/relu_1/Relu", SessionSettings.DEFAULTS)) {
            assertThat(byNode.layer().tensor()).isEqualTo("/layer3/layer3.1/relu_1/Relu_output_0");
            assertThat(byNode.layer().cells()).isEqualTo(16);
        }
    }

    @Test
    void upsamplingUsesHalfPixelCentres() {
        // PyTorch: F.interpolate([[0, 4], [8, 12]], size=4, mode="bilinear", align_corners=False)
        float[] up = Cam.upsample(new float[] {0, 4, 8, 12}, 2, 2, 4, 4);
        assertThat(Arrays.copyOfRange(up, 0, 4)).containsExactly(0f, 1f, 3f, 4f);
        assertThat(Arrays.copyOfRange(up, 4, 8)).containsExactly(2f, 3f, 5f, 6f);
        assertThat(Arrays.copyOfRange(up, 12, 16)).containsExactly(8f, 9f, 11f, 12f);
    }
}

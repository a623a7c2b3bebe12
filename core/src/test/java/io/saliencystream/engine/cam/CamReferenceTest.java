package io.saliencystream.engine.cam;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.SessionSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CAM family against maps computed with PyTorch hooks on the very modules that were exported
 * (models/architectures/cam_reference.py; its outputs are committed next to the models): the coarse
 * map before upsampling must point the same way (cosine similarity), at the automatically chosen
 * layer (which must be the one the reference hooked) and at a named earlier layer with an 8x8 grid.
 */
class CamReferenceTest {

    private static final Path DIR = Path.of("src", "test", "resources", "architectures");
    private static final double COSINE = 0.999;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"resnet18_025, auto", "resnet18_025, named", "mobilenet_v2_035, auto", "mobilenet_v2_035, named",
            "mobilenet_v3_small_050, auto", "mobilenet_v3_small_050, named"})
    void cnnMapsMatchPyTorchHooks(String name, String layer) throws Exception {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(DIR.resolve(name + ".cam.properties"))) {
            props.load(r);
        }
        int target = Integer.parseInt(props.getProperty("target"));
        CamModel m = open(name, 64, layer.equals("auto") ? "auto" : props.getProperty(layer));
        assertThat(m.layer().tensor()).as("layer").isEqualTo(props.getProperty(layer));
        float[] x = input(name, 64);
        String prefix = name + "." + layer;
        assertSimilar(prefix + " gradcam", Cam.gradCam(m, x, target, TargetScore.LOGODDS, false).coarse(),
                floats(prefix + ".gradcam"));
        assertSimilar(prefix + " gradcam++", Cam.gradCam(m, x, target, TargetScore.LOGODDS, true).coarse(),
                floats(prefix + ".gradcampp"));
        assertSimilar(prefix + " activation", Cam.activationMap(m, x).coarse(),
                floats(prefix + ".activation"));
        assertSimilar(prefix + " reciprocam", Cam.reciproCam(m, x, CamReferenceTest::softmax, target, 7).coarse(),
                floats(prefix + ".reciprocam"));
    }

    @Test
    void vitMapsMatchPyTorchHooks() throws Exception {
        CamModel m = open("vit_tiny", 32, "auto");
        assertThat(m.layer().kind()).isEqualTo(FeatureLayer.Kind.TOKENS);
        assertThat(m.layer().tensor()).isEqualTo("/encoder/layers/encoder_layer_0/Add_1_output_0");
        assertThat(m.layer().normed()).isEqualTo("/encoder/layers/encoder_layer_1/ln_1/LayerNormalization_output_0");
        assertThat(m.layer().attentions()).hasSize(2);
        assertThat(new int[] {m.layer().gridHeight(), m.layer().gridWidth(), m.layer().auxTokens()}).containsExactly(4, 4, 1);
        float[] x = input("vit_tiny", 32);
        assertSimilar("vit gradcam", Cam.gradCam(m, x, 1, TargetScore.LOGODDS, false).coarse(),
                floats("vit_tiny.auto.gradcam"));
        assertSimilar("vit reciprocam", Cam.reciproCam(m, x, CamReferenceTest::softmax, 1, 5).coarse(),
                floats("vit_tiny.auto.vitreciprocam"));
        assertSimilar("attention rollout", Cam.attentionRollout(m, x).coarse(),
                floats("vit_tiny.auto.rollout"));
    }

    /**
     * torchvision's ViT-B/16 (330 MB, never committed): built locally by export.py and cam_reference.py.
     * Tagged "manual" (never run by mvn verify, so it cannot skip there): run it with
     * -Dsurefire.excluded=integration,slow -Dtest=CamReferenceTest#vitB16MapsMatchPyTorchHooks.
     */
    @Test
    @org.junit.jupiter.api.Tag("manual")
    void vitB16MapsMatchPyTorchHooks() throws Exception {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "saliency-stream", "architectures");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(cache.resolve("vit_b_16.auto.rollout.bin")),
                "vit_b_16 not built; run /usr/bin/python3 models/architectures/export.py ~/.cache/saliency-stream/architectures vit_b_16, "
                        + "then reference.py and cam_reference.py with the same arguments");
        CamModel m = open(cache, "vit_b_16", 224, "auto");
        assertThat(m.layer().attentions()).hasSize(12);
        assertThat(new int[] {m.layer().gridHeight(), m.layer().gridWidth(), m.layer().auxTokens()}).containsExactly(14, 14, 1);
        float[] x = Arrays.copyOf(floats(cache, "vit_b_16.x"), 3 * 224 * 224);
        assertSimilar("vit_b_16 gradcam", Cam.gradCam(m, x, 1, TargetScore.LOGODDS, false).coarse(),
                floats(cache, "vit_b_16.auto.gradcam"));
        assertSimilar("vit_b_16 attention rollout", Cam.attentionRollout(m, x).coarse(),
                floats(cache, "vit_b_16.auto.rollout"));
        assertThat(Cam.reciproCam(m, x, CamReferenceTest::softmax, 1, 64).calls()).isEqualTo(1 + 4);
    }

    private static CamModel open(String name, int side, String layer) throws Exception {
        return open(DIR, name, side, layer);
    }

    private static CamModel open(Path dir, String name, int side, String layer) throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(dir.resolve(name + ".onnx")));
        return new CamModel(model, "x", false, new long[] {3, side, side}, 10, layer, SessionSettings.DEFAULTS);
    }

    static void assertSimilar(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what + " cells").hasSize(expected.length);
        double dot = 0;
        double aa = 0;
        double ee = 0;
        for (int i = 0; i < actual.length; i++) {
            dot += (double) actual[i] * expected[i];
            aa += (double) actual[i] * actual[i];
            ee += (double) expected[i] * expected[i];
        }
        assertThat(ee).as(what + ": the reference map is all zero").isGreaterThan(0);
        double cosine = dot / Math.sqrt(aa * ee);
        assertThat(cosine).as(what + " cosine; java %s vs torch %s", Arrays.toString(actual), Arrays.toString(expected))
                .isGreaterThanOrEqualTo(COSINE);
    }

    static float[] softmax(float[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : z) {
            sum += Math.exp(v - max);
        }
        float[] p = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = (float) (Math.exp(z[i] - max) / sum);
        }
        return p;
    }

    private static float[] input(String name, int side) throws IOException {
        return Arrays.copyOf(floats(name + ".x"), 3 * side * side);
    }

    private static float[] floats(String stem) throws IOException {
        return floats(DIR, stem);
    }

    private static float[] floats(Path dir, String stem) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(stem + ".bin"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }
}

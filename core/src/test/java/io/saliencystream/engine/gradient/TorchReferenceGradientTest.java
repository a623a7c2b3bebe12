package io.saliencystream.engine.gradient;

import io.saliencystream.engine.model.SessionSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole models against an independent reference: PyTorch autograd's gradient of the log-odds of
 * class 1 for two fixed inputs. For the torchvision architectures models/architectures/reference.py
 * takes it from the very module that export.py exported; for PaddleOCR,
 * models/architectures/onnx_reference.py interprets the ONNX graph in float64 torch operations.
 * Forward outputs must match too (else the reference is of another model). The comparison is
 * element by element, relative to the largest gradient element.
 *
 * <p>Narrow variants of each family are committed under src/test/resources (6.7 MB together), so
 * CI covers them: MobileNetV3-small at width 0.5, ResNet-18 at width 0.25, MobileNetV2 at width
 * 0.35 and a tiny ViT (whose Slice bounds come from Shape at run time and are folded by the shape
 * probe); so is the PaddleOCR reference (the model itself is fetched into the model cache). The
 * full-width exports (ResNet-18 44 MB, MobileNetV2 9 MB, MobileNetV3-small 6 MB, MNASNet 0.5) are
 * not committed: they run on request (tag manual) after building them locally.
 */
class TorchReferenceGradientTest {

    private static final Path COMMITTED = Path.of("src", "test", "resources", "architectures");
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "saliency-stream", "architectures");

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mobilenet_v3_small_050, 64", "resnet18_025, 64", "mobilenet_v2_035, 64", "vit_tiny, 32"})
    void torchvisionGradientMatchesPyTorchAutograd(String name, int side) throws Exception {
        matches(name, COMMITTED.resolve(name + ".onnx"), COMMITTED.resolve(name), false, side, side);
    }

    /** Run with -Dsurefire.excluded=none -Dtest=TorchReferenceGradientTest after building the full-width models. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"mobilenet_v3_small, 64", "mobilenet_v2, 64", "resnet18, 64", "mnasnet0_5, 64"})
    @Tag("manual")
    void fullWidthTorchvisionGradientMatchesPyTorchAutograd(String name, int side) throws Exception {
        Path model = CACHE.resolve(name + ".onnx");
        assertThat(Files.exists(model) && Files.exists(CACHE.resolve(name + ".grad.bin")))
                .as(name + " or its reference not found in " + CACHE + "; build them with /usr/bin/python3"
                        + " models/architectures/export.py " + CACHE + " " + name + " and models/architectures/reference.py"
                        + " with the same arguments (needs Debian's python3-torch, python3-torchvision)")
                .isTrue();
        matches(name, model, CACHE.resolve(name), false, side, side);
    }

    @org.junit.jupiter.api.Test
    void paddleOcrGradientMatchesFloat64Autograd() throws Exception {
        Path model = WholeModelGradientTest.paddleOcr();
        matches("paddleocr", model, Path.of("src", "test", "resources", "reference", "paddleocr"), true, 48, 192);
    }

    private static void matches(String name, Path model, Path prefix, boolean probabilities, int h, int w) throws Exception {
        float[] x = floats(Path.of(prefix + ".x.bin"));
        float[] logits = floats(Path.of(prefix + (probabilities ? ".output.bin" : ".logits.bin")));
        float[] expected = floats(Path.of(prefix + ".grad.bin"));
        try (GradientModel gm = GradientModel.load(model, "x", probabilities, TargetScore.LOGODDS, new long[] {3, h, w}, SessionSettings.DEFAULTS)) {
            GradientModel.Result r = gm.run(x, gm.oneHot(1, 2), 2);
            for (int b = 0; b < 2; b++) {
                for (int k = 0; k < gm.classes(); k++) {
                    assertThat((double) r.outputs()[b][k]).as("logit %d of input %d", k, b)
                            .isCloseTo(logits[b * gm.classes() + k], org.assertj.core.data.Offset.offset(1e-3 * (1 + Math.abs(logits[b * gm.classes() + k]))));
                }
            }
            float[] g = r.gradients();
            double largest = 0;
            double worst = 0;
            int worstAt = -1;
            double dot = 0;
            double nn = 0;
            double ee = 0;
            for (int i = 0; i < g.length; i++) {
                largest = Math.max(largest, Math.abs(expected[i]));
                double d = Math.abs(g[i] - expected[i]);
                if (d > worst) {
                    worst = d;
                    worstAt = i;
                }
                dot += (double) g[i] * expected[i];
                nn += (double) g[i] * g[i];
                ee += (double) expected[i] * expected[i];
            }
            System.out.printf(Locale.ROOT, "%s: |reference| %.4f |gradient| %.4f cosine %.6f, worst difference %.3g at %d of max %.3g%n",
                    name, Math.sqrt(ee), Math.sqrt(nn), dot / Math.sqrt(nn * ee), worst, worstAt, largest);
            assertThat(largest).as("reference gradient not zero").isGreaterThan(1e-6);
            assertThat(worst).as("largest element difference from PyTorch autograd").isLessThan(1e-3 * largest);
        }
    }

    static float[] floats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }
}

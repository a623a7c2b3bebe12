package io.saliencystream.engine.gradient;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Directional derivatives of whole models: the gradient's dot product with random directions v
 * against (F(x + h v) - F(x - h v)) / 2h. With tens of thousands of ReLU/Clip kinks a finite step
 * crosses some of them, so h is small (1e-3; rounding then costs about 1e-7 |F| / h, far below
 * the tolerance) and the tolerance is 2% of the derivative. PaddleOCR is the real trained
 * classifier in the model cache; the torchvision models come from models/architectures/export.py.
 */
class WholeModelGradientTest {

    private static final float H = 1e-3f;

    static Path paddleOcr() {
        return Path.of(System.getProperty("user.home"), ".cache", "saliency-stream", "models", "ch_ppocr_mobile_v2.0_cls_infer.onnx");
    }

    static Path architecture(String name) {
        return Path.of(System.getProperty("user.home"), ".cache", "saliency-stream", "architectures", name + ".onnx");
    }

    @ParameterizedTest(name = "{0} {5}")
    @CsvSource({
            "paddleocr, 48, 192, true, 2, LOGODDS",
            "paddleocr, 48, 192, true, 2, PROBABILITY",
            "resnet18, 64, 64, false, 10, LOGODDS",
            "mobilenet_v2, 64, 64, false, 10, LOGODDS",
            "mobilenet_v3_small, 64, 64, false, 10, PROBABILITY",
            "vit_tiny, 32, 32, false, 10, LOGODDS",
    })
    void directionalDerivativesMatchFiniteDifferences(String name, int h, int w, boolean probabilities, int classes,
                                                      TargetScore score) throws Exception {
        Path file = name.equals("paddleocr") ? paddleOcr() : architecture(name);
        Assumptions.assumeTrue(Files.exists(file), name + " not found at " + file
                + (name.equals("paddleocr") ? " (PaddleOcrModelTest fetches it)" : "; build it with /usr/bin/python3 models/architectures/export.py"));
        try (GradientModel gm = GradientModel.load(file, "x", probabilities, score, new long[] {3, h, w})) {
            int size = gm.inputSize();
            Random r = new Random(5);
            int inputs = 2;
            float[] x = new float[inputs * size];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * 0.5);
            }
            float[] weights = gm.oneHot(1, inputs);
            GradientModel.Result at = gm.run(x, weights, inputs);
            assertThat(at.gradients()).hasSize(inputs * size);
            for (int trial = 0; trial < 3; trial++) {
                float[] v = new float[size];
                for (int i = 0; i < size; i++) {
                    v[i] = (float) r.nextGaussian();
                }
                // both inputs, each moved by +-hv, in one batch
                float[] moved = new float[2 * inputs * size];
                for (int b = 0; b < inputs; b++) {
                    for (int i = 0; i < size; i++) {
                        moved[(2 * b) * size + i] = x[b * size + i] + H * v[i];
                        moved[(2 * b + 1) * size + i] = x[b * size + i] - H * v[i];
                    }
                }
                float[] s = gm.run(moved, gm.oneHot(1, 2 * inputs), 2 * inputs).scores();
                for (int b = 0; b < inputs; b++) {
                    double analytic = 0;
                    for (int i = 0; i < size; i++) {
                        analytic += (double) at.gradients()[b * size + i] * v[i];
                    }
                    double fd = ((double) s[2 * b] - s[2 * b + 1]) / (2 * H);
                    System.out.printf(Locale.ROOT, "%s %s input %d direction %d: gradient.v %.6f, finite difference %.6f%n",
                            name, score, b, trial, analytic, fd);
                    assertThat(Math.abs(analytic)).as("derivative not trivially zero").isGreaterThan(1e-6);
                    assertThat(analytic).isCloseTo(fd, org.assertj.core.data.Offset.offset(0.02 * Math.abs(fd) + 1e-5));
                }
            }
        }
    }
}

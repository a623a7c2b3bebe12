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
    }
}

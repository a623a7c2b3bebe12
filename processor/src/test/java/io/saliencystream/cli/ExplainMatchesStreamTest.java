package io.saliencystream.cli;

import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.app.Settings;
import io.saliencystream.audit.AuditHashes;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.EngineEventExplainer;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ExplainedEvent;
import io.saliencystream.stream.Selection;
import io.saliencystream.testing.samples.SampleImages;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code explain --event-id} on a file gives what the processor gives the same bytes under the
 * same event id: the same map (hash), input and model hashes, seed, parameters, class and score,
 * the same summary but for what describes the run rather than the input (event time, duration,
 * selection reasons), and the same overlay PNG. The processor side is its explainer built as
 * {@code run} builds it, from the default settings and the built-in catalog, on an event carrying
 * the file's bytes.
 */
class ExplainMatchesStreamTest {

    @Test
    void explainOnAFileEqualsTheStreamOnTheSameBytes(@TempDir Path tmp) throws Exception {
        AvroTrust.install();
        Path file = tmp.resolve("line.png");
        ImageIO.write(SampleImages.sample(19, true).image(), "png", file.toFile());
        byte[] bytes = Files.readAllBytes(file);
        String eventId = "7f3c2a-line";

        Properties minimal = new Properties();
        minimal.putAll(Map.of("bootstrap.servers", "kafka:9092", "schema.registry.url", "http://registry:8081"));
        ProcessorConfig config = ProcessorConfig.from(new Settings(minimal, Map.of()));
        ExplainedEvent stream;
        try (ModelCatalog catalog = ModelCatalog.defaultCatalog(new ModelStore())) {
            EventInputs inputs = new EventInputs(new ImageDecoder(config.limits().maxImagePixels(),
                    config.limits().maxImageBytes()), config.limits().maxImageBytes(), config.inputFileRoot());
            EngineEventExplainer explainer = new EngineEventExplainer(catalog, new ExplanationEngine(), inputs,
                    config.gridRows(), config.gridCols(), ProcessorApp.versions(), Clock.systemUTC(),
                    config.methodsByReason(), config.faithfulnessReasons(), config.buckets(), config.targets());
            InferenceEvent event = InferenceEvent.newBuilder()
                    .setEventId(eventId).setEventTime(Instant.parse("2026-12-01T08:00:00Z"))
                    .setModelName("text-orientation").setModelVersion("ppocr-mobile-v2.0-cls")
                    .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(bytes))).build();
            stream = explainer.explain(event, Selection.of(true, List.of())).get(0);
        }

        Path out = tmp.resolve("out");
        StringWriter err = new StringWriter();
        int code = new CommandLine(new ExplainCommand()).setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err)).execute("-m", "text-orientation", "--event-id", eventId, "--audit",
                        "--progress", "none", "-o", out.toString(), file.toString());
        assertThat(code).as(err.toString()).isZero();
        ExplanationAudit cli = ExplainCommandTest.read(out.resolve("line.audit.json"), ExplanationAudit.class);
        SaliencySummary cliSummary = ExplainCommandTest.read(out.resolve("line.json"), SaliencySummary.class);

        ExplanationAudit a = stream.audit();
        assertThat(cli.getMapSha256()).as("the same map").isEqualTo(a.getMapSha256());
        assertThat(cli.getInputSha256()).isEqualTo(a.getInputSha256());
        assertThat(cli.getModelSha256()).isEqualTo(a.getModelSha256());
        assertThat(cli.getPreprocessing()).isEqualTo(a.getPreprocessing());
        assertThat(cli.getMethod()).isEqualTo(a.getMethod());
        assertThat(cli.getParameters()).isEqualTo(a.getParameters());
        assertThat(cli.getSeed()).isEqualTo(a.getSeed());
        assertThat(cli.getTargetClass()).isEqualTo(a.getTargetClass());
        assertThat(cli.getTargetScore()).isEqualTo(a.getTargetScore());
        assertThat(cli.getVersions()).isEqualTo(a.getVersions());

        // the summary hash covers the event time, the duration and the selection reasons: with the
        // stream's, the command's summary is the stream's to the byte
        SaliencySummary aligned = SaliencySummary.newBuilder(cliSummary)
                .setEventTime(stream.summary().getEventTime())
                .setDurationMillis(stream.summary().getDurationMillis())
                .setSelectionReasons(stream.summary().getSelectionReasons())
                .build();
        assertThat(aligned).isEqualTo(stream.summary());
        assertThat(AuditHashes.summarySha256(aligned)).isEqualTo(a.getSummarySha256());
        assertThat(cli.getSummarySha256()).isEqualTo(AuditHashes.summarySha256(cliSummary));

        assertThat(Files.readAllBytes(out.resolve("line.png"))).as("the same overlay")
                .isEqualTo(Utils.toArray(stream.overlay().getPng()));
    }
}

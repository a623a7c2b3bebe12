package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.engine.model.Hashes;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.stream.Sampler;
import io.saliencystream.stream.Targets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * The embedded default end to end, as the README's first command runs it: a real KRaft broker,
 * the schema registry over HTTP, the real PaddleOCR model and a small drift scenario on shapes:v1
 * (DriftDemoIT checks its alerts), events in, every output read back read_committed and reconciled
 * exactly against the input.
 */
@Tag("integration")
class EmbeddedDemoIT {

    private static final int GOOD_EVENTS = 60;
    private static final double RATE = 0.2;
    private static final String TEXT_MODEL = "text-orientation";
    /**
     * Enough shapes events to show both models in every output, few enough to stay quick; with about
     * 5 per class and window the distances are too noisy to alert on, so the threshold is out of reach.
     */
    private static final DriftScenario DRIFT = new DriftScenario(Duration.ofSeconds(20), Duration.ofSeconds(20),
            20, 2, 1, 1, 3, 1, 0.9);

    @TempDir
    Path out;

    @Test
    void everyEventIsExplainedSkippedOrDeadLetteredAndTheThreeAddUp() throws Exception {
        DemoRunner.Result r = new DemoRunner(System.out)
                .run(new DemoRunner.Options(out, GOOD_EVENTS, RATE, 7, Duration.ofMinutes(8), DRIFT));

        var c = r.counters();
        assertThat(c.eventsIn()).isEqualTo(r.produced());
        assertThat(c.explained() + c.skippedSampling() + c.skippedBudget() + c.deadLettered())
                .isEqualTo(r.produced());
        assertThat(c.explained()).isPositive();

        OutputCollector.Outputs o = r.outputs();
        Set<String> explained = ids(o.summaries(), SaliencySummary::getEventId);
        assertThat(explained).hasSize((int) c.explained());
        assertThat(ids(o.overlays(), SaliencyOverlay::getEventId)).isEqualTo(explained);
        assertThat(ids(o.audits(), ExplanationAudit::getEventId)).isEqualTo(explained);

        // exactly the bad inputs SampleEvents produced, each with its reason
        assertThat(o.deadLetters()).extracting(DeadLetter::getErrorCode).containsExactlyInAnyOrder(
                "not-wire-format", "unknown-schema-id", "null-value", "unknown-model", "image-undecodable",
                "image-too-large", "tensor-shape-mismatch", "tensor-not-finite", "input-unavailable");
        assertThat(o.deadLetters()).allSatisfy(d -> assertThat(d.getReason()).isNotBlank());

        // the drift scenario's shapes events are all explained (their model's sampling rate is 1)
        assertThat(o.summaries().stream().filter(s -> s.getModelName().equals(DriftScenario.MODEL)
                && s.getTarget().equals(Targets.PREDICTED)).count()).isEqualTo(DRIFT.events());

        // sampling is deterministic: every unflagged explained text line is one the hash selects
        for (SaliencySummary s : o.summaries()) {
            if (s.getModelName().equals(TEXT_MODEL) && s.getSelectionReasons().equals(List.of("sampled"))) {
                assertThat(Sampler.unitHash(s.getEventId())).isLessThan(RATE);
            }
            assertThat(s.getReportedClass()).as("recomputed class agrees with the serving model's")
                    .isEqualTo(s.getTopClass());
            // a label disagreement also explains the true class, under its own key
            assertThat(s.getTarget()).isIn(Targets.PREDICTED, Targets.LABEL);
            assertThat(s.getGrid().stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-3));
        }

        for (ExplanationAudit a : o.audits()) {
            if (!a.getModelName().equals(TEXT_MODEL)) {
                continue;
            }
            assertThat(a.getModelSha256()).isEqualTo("491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640");
            assertThat(a.getSeed()).isEqualTo(io.saliencystream.stream.ExplanationPipeline.seedOf(a.getEventId()));
            assertThat(a.getParameters()).containsKeys("window", "stride", "baseline");
            assertThat(a.getVersions()).containsKeys("onnxruntime", "kafka-streams", "java");
        }

        // what a person looks at: one decodable PNG per explanation, JSON lines per record
        try (var files = Files.list(out.resolve("overlays"))) {
            List<Path> pngs = files.toList();
            assertThat(pngs).hasSize(o.overlays().size());
            String textEvent = o.summaries().stream().filter(s -> s.getModelName().equals(TEXT_MODEL)).findFirst()
                    .orElseThrow().getEventId();
            BufferedImage image = ImageIO.read(out.resolve("overlays/" + textEvent + ".png").toFile());
            assertThat(image.getWidth()).isGreaterThanOrEqualTo(192);
        }
        // the drift scenario's windows closed and were written, and the report says what drift saw
        assertThat(io.saliencystream.app.audit.AvroJsonLines.read(out.resolve("drift.jsonl"),
                io.saliencystream.schema.AttentionDriftMetrics.class))
                .isEqualTo(o.driftMetrics())
                .filteredOn(m -> m.getModelName().equals("shapes"))
                .hasSizeGreaterThanOrEqualTo(DRIFT.cleanWindows() + DRIFT.stampedWindows());
        assertThat(Files.exists(out.resolve("alerts.jsonl"))).isTrue();
        assertThat(Files.readAllLines(out.resolve("summaries.jsonl"))).hasSize(o.summaries().size());
        assertThat(Files.readAllLines(out.resolve("dead-letters.jsonl"))).hasSize(9);
        assertThat(Files.readString(out.resolve("report.txt"))).contains("dead-lettered").contains("drift      shapes:v1");
        for (SaliencyOverlay overlay : o.overlays()) {
            byte[] png = new byte[overlay.getPng().remaining()];
            overlay.getPng().duplicate().get(png);
            String name = overlay.getTarget().equals(Targets.PREDICTED) ? overlay.getEventId()
                    : overlay.getEventId() + ".target-" + overlay.getPredictedClass();
            assertThat(Hashes.sha256Hex(Files.readAllBytes(out.resolve("overlays/" + name + ".png"))))
                    .isEqualTo(Hashes.sha256Hex(png));
            assertThat(ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
        }
    }

    private static <T> Set<String> ids(List<T> records, Function<T, String> id) {
        return records.stream().map(id).collect(Collectors.toSet());
    }
}

package io.saliencystream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.app.audit.AuditVerdict;
import io.saliencystream.app.audit.AuditVerifier;
import io.saliencystream.app.audit.ImageFolder;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.testing.samples.GroundTruthSamples;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code explain --targets} on the committed shapes:v1 model: one overlay, summary and audit per target, each verified. */
class ExplainTargetsCommandTest {

    @Test
    void topTwoWritesTheSecondClassBesideThePredictedOneAndBothAuditsVerify(@TempDir Path tmp) throws Exception {
        AvroTrust.install();
        Path catalog = tmp.resolve("catalog.json");
        try (InputStream in = getClass().getResourceAsStream("/models/test-catalog.json")) {
            Files.copy(in, catalog);
        }
        Path images = Files.createDirectories(tmp.resolve("images"));
        ImageIO.write(GroundTruthSamples.clean().get(2).image(), "png", images.resolve("shape.png").toFile());
        Path out = tmp.resolve("out");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();

        int code = new CommandLine(new ExplainCommand()).setOut(new PrintWriter(stdout)).setErr(new PrintWriter(stderr))
                .execute("-m", "shapes", "--catalog", catalog.toString(), "--model-dir", tmp.resolve("models").toString(),
                        "--method", "vanilla_gradient", "--targets", "top-k:2", "--audit", "--progress", "none",
                        "-o", out.toString(), images.resolve("shape.png").toString());

        assertThat(code).as(stderr.toString()).isZero();
        SaliencySummary first = ExplainCommandTest.read(out.resolve("shape.json"), SaliencySummary.class);
        assertThat(first.getTarget()).isEqualTo("predicted");
        int second = first.getPredictedClass() == 0 ? 1 : 0;
        try (var listing = Files.list(out)) {
            assertThat(listing.map(p -> p.getFileName().toString()).sorted()).hasSize(6)
                    .contains("shape.png", "shape.audit.json");
        }
        Path secondJson;
        try (var listing = Files.list(out)) {
            secondJson = listing.filter(p -> p.getFileName().toString().matches("shape\\.target-\\d\\.json"))
                    .findFirst().orElseThrow();
        }
        SaliencySummary other = ExplainCommandTest.read(secondJson, SaliencySummary.class);
        assertThat(other.getTarget()).isEqualTo("top-2");
        assertThat(other.getTopClass()).isEqualTo(first.getPredictedClass());
        assertThat(other.getPredictedScore()).isLessThanOrEqualTo(first.getPredictedScore());
        assertThat(secondJson.getFileName().toString()).isEqualTo("shape.target-" + other.getPredictedClass() + ".json");
        assertThat(ImageIO.read(out.resolve("shape.target-" + other.getPredictedClass() + ".png").toFile())).isNotNull();

        try (ModelCatalog models = ModelCatalog.load(catalog, new ModelStore(tmp.resolve("models")))) {
            EventInputs inputs = new EventInputs(ImageDecoder.withDefaults(), ImageDecoder.DEFAULT_MAX_BYTES, Optional.empty());
            AuditVerifier verifier = new AuditVerifier(models, new ExplanationEngine(), inputs, new ImageFolder(images),
                    Map.of());
            for (String name : new String[] {"shape", "shape.target-" + other.getPredictedClass()}) {
                ExplanationAudit audit = ExplainCommandTest.read(out.resolve(name + ".audit.json"), ExplanationAudit.class);
                AuditVerdict verdict = verifier.verify(audit);
                assertThat(verdict.match()).as(verdict.line()).isTrue();
            }
        }
    }
}

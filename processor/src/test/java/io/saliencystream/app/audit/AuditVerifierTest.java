package io.saliencystream.app.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.app.audit.ExplainedFixtures.Explained;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.stream.EngineEventExplainer;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.Selection;
import io.saliencystream.testing.samples.SampleImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The verifier against records the processor's explainer wrote, on the real PaddleOCR model:
 * untouched records match, and each kind of tampering is a mismatch with its own reason.
 */
class AuditVerifierTest {

    private static ModelCatalog catalog;
    private static Explained upright;
    private static Explained rotated;
    private static InferenceEvent tensorEvent;
    private static ExplanationAudit tensorAudit;

    @BeforeAll
    static void explain() throws Exception {
        catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore());
        EngineEventExplainer explainer = ExplainedFixtures.explainer(catalog);
        upright = ExplainedFixtures.explain(explainer, "e-1", 3, false);
        rotated = ExplainedFixtures.explain(explainer, "e-2", 5, true);
        float[] tensor = new Preprocessor(catalog.require("text-orientation", "ppocr-mobile-v2.0-cls").spec())
                .tensor(SampleImages.sample(7, false).image());
        List<Float> values = new ArrayList<>();
        for (float v : tensor) {
            values.add(v);
        }
        tensorEvent = ExplainedFixtures.event("e-3", new RawTensor(List.of(3, 48, 192), values));
        tensorAudit = explainer.explain(tensorEvent, Selection.of(true, List.of())).get(0).audit();
    }

    @AfterAll
    static void close() throws Exception {
        catalog.close();
    }

    @Test
    void untouchedRecordsMatchByMapHash() {
        AuditVerifier verifier = verifier(events(upright.event(), rotated.event(), tensorEvent), Map.of());
        for (ExplanationAudit audit : List.of(upright.out().audit(), rotated.out().audit(), tensorAudit)) {
            AuditVerdict v = verifier.verify(audit);
            assertThat(v.match()).as(v.line()).isTrue();
            assertThat(v.reason()).startsWith("map hash equal");
            assertThat(v.line()).startsWith("MATCH").contains(audit.getEventId());
        }
    }

    @Test
    void differentImageBytesAtTheSameEventIdAreAChangedInput() throws Exception {
        byte[] other = ExplainedFixtures.png(SampleImages.sample(11, false));
        InferenceEvent altered = ExplainedFixtures.event("e-1", new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(other)));
        AuditVerdict v = verifier(events(altered), Map.of()).verify(upright.out().audit());
        assertThat(v.match()).isFalse();
        assertThat(v.reason()).startsWith("input changed");
        assertThat(v.line()).startsWith("MISMATCH");
    }

    @Test
    void oneChangedTensorValueIsAChangedInput() {
        RawTensor raw = (RawTensor) tensorEvent.getInput();
        List<Float> values = new ArrayList<>(raw.getData());
        values.set(100, values.get(100) + 1e-3f);
        InferenceEvent altered = ExplainedFixtures.event("e-3", new RawTensor(raw.getShape(), values));
        assertThat(verifier(events(altered), Map.of()).verify(tensorAudit).reason()).startsWith("input changed");
    }

    @Test
    void anEventNotInTheSourceIsAMissingInput() {
        AuditVerdict v = verifier(events(rotated.event()), Map.of()).verify(upright.out().audit());
        assertThat(v.match()).isFalse();
        assertThat(v.reason()).startsWith("input not found");
    }

    @Test
    void anotherModelFileHashIsAChangedModel() {
        ExplanationAudit audit = ExplanationAudit.newBuilder(upright.out().audit()).setModelSha256("0".repeat(64)).build();
        AuditVerdict v = verifier(events(upright.event()), Map.of()).verify(audit);
        assertThat(v.match()).isFalse();
        assertThat(v.reason()).startsWith("model changed");
    }

    @Test
    void anotherPreprocessingIsReported() {
        Map<String, String> pre = new HashMap<>(upright.out().audit().getPreprocessing());
        pre.put("colorOrder", "RGB");
        ExplanationAudit audit = ExplanationAudit.newBuilder(upright.out().audit()).setPreprocessing(pre).build();
        assertThat(verifier(events(upright.event()), Map.of()).verify(audit).reason()).startsWith("preprocessing changed");
    }

    @Test
    void alteredParametersGiveAnotherMapBeyondTolerance() {
        Map<String, String> params = new HashMap<>(upright.out().audit().getParameters());
        assertThat(params).containsEntry("window", "6");
        params.put("window", "8");
        ExplanationAudit audit = ExplanationAudit.newBuilder(upright.out().audit()).setParameters(params).build();

        AuditVerdict withSummary = verifier(events(upright.event()), summaries(upright)).verify(audit);
        assertThat(withSummary.match()).isFalse();
        assertThat(withSummary.reason()).startsWith("map differs beyond tolerance");

        AuditVerdict hashOnly = verifier(events(upright.event()), Map.of()).verify(audit);
        assertThat(hashOnly.match()).isFalse();
        assertThat(hashOnly.reason()).startsWith("map hash differs").contains("no summary");
    }

    @Test
    void anAlteredTargetScoreIsReported() {
        ExplanationAudit audit = ExplanationAudit.newBuilder(upright.out().audit())
                .setTargetScore(upright.out().audit().getTargetScore() - 1e-3f).build();
        assertThat(verifier(events(upright.event()), Map.of()).verify(audit).reason()).startsWith("target score differs");
    }

    @Test
    void anUnequalMapHashFallsBackToTheSummaryGridWithinItsTolerance() {
        // a map hash that the recomputation cannot reproduce: only the summary grid decides
        ExplanationAudit audit = ExplanationAudit.newBuilder(upright.out().audit()).setMapSha256("f".repeat(64)).build();
        SaliencySummary summary = upright.out().summary();
        double maxCell = summary.getGrid().stream().mapToDouble(Float::doubleValue).max().orElseThrow();

        AuditVerdict same = verifier(events(upright.event()), summaries(upright)).verify(audit);
        assertThat(same.match()).as(same.line()).isTrue();
        assertThat(same.reason()).startsWith("map hash differs within tolerance (numerically equal");

        // half the tolerance in one cell still matches; twice the tolerance does not
        assertThat(verifier(events(upright.event()), Map.of("e-1", shifted(summary, 0.5e-3 * maxCell)))
                .verify(audit).match()).isTrue();
        AuditVerdict beyond = verifier(events(upright.event()), Map.of("e-1", shifted(summary, 2e-3 * maxCell)))
                .verify(audit);
        assertThat(beyond.match()).isFalse();
        assertThat(beyond.reason()).startsWith("map differs beyond tolerance");
    }

    @Test
    void imagesInAFolderAreFoundByContentAndAnEditedFileNamedForTheEventIsAChangedInput(@TempDir Path dir)
            throws Exception {
        Files.write(dir.resolve("anything.png"), upright.png());
        Files.write(dir.resolve("e-2.png"), ExplainedFixtures.png(SampleImages.sample(12, true)));
        AuditVerifier verifier = verifier(new ImageFolder(dir), Map.of());
        assertThat(verifier.verify(upright.out().audit()).match()).isTrue();
        assertThat(verifier.verify(rotated.out().audit()).reason()).startsWith("input changed");

        Files.delete(dir.resolve("e-2.png"));
        assertThat(new ImageFolder(dir).find(rotated.out().audit())).isEmpty();
    }

    @Test
    void auditsRoundTripThroughAvroJsonLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AvroJsonLines.write(file, List.of(upright.out().audit(), tensorAudit));
        assertThat(AvroJsonLines.read(file, ExplanationAudit.class)).containsExactly(upright.out().audit(), tensorAudit);

        Files.writeString(file, upright.out().audit().toString() + "\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AvroJsonLines.read(file, ExplanationAudit.class))
                .hasMessageContaining("line 1").hasMessageContaining("ExplanationAudit");
    }

    private static SaliencySummary shifted(SaliencySummary summary, double delta) {
        List<Float> grid = new ArrayList<>(summary.getGrid());
        grid.set(0, (float) (grid.get(0) + delta));
        return SaliencySummary.newBuilder(summary).setGrid(grid).build();
    }

    private static Map<String, SaliencySummary> summaries(Explained e) {
        return Map.of(e.event().getEventId(), e.out().summary());
    }

    private static InputSource events(InferenceEvent... events) {
        return new EventIndex(List.of(events), "test events");
    }

    private static AuditVerifier verifier(InputSource inputs, Map<String, SaliencySummary> summaries) {
        return new AuditVerifier(catalog, new ExplanationEngine(),
                new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), inputs, summaries);
    }
}

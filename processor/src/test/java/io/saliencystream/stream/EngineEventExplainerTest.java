package io.saliencystream.stream;

import io.saliencystream.audit.AuditHashes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.Hashes;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.schema.InputUri;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.testing.samples.SampleImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;

/** The engine behind the stream on the real PaddleOCR model: the three records it builds. */
class EngineEventExplainerTest {

    private static final Instant NOW = Instant.parse("2026-11-26T09:00:00Z");
    private static ModelCatalog catalog;
    private static CatalogModel model;
    private static EngineEventExplainer explainer;

    @BeforeAll
    static void load() throws Exception {
        AvroTrust.install();
        catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore());
        model = catalog.require("text-orientation", "ppocr-mobile-v2.0-cls");
        explainer = new EngineEventExplainer(catalog, new ExplanationEngine(),
                new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), 4, 8,
                Map.of("java", "17"), Clock.fixed(NOW, ZoneOffset.UTC),
                Map.of("producer", new ModelSpec.MethodSpec("integrated_gradients",
                        Map.of("steps", "16", "baseline", "black"), Map.of("color_map", "red"))), Set.of(),
                InterpretationBuckets.defaults(), TargetRules.unconfigured());
    }

    @AfterAll
    static void close() throws Exception {
        catalog.close();
    }

    /** Every model of the catalog with its own method and each configured one, once per method name. */
    @Test
    void warmUpRunsEveryConfiguredMethodOncePerModel() {
        List<String> expected = new ArrayList<>();
        for (CatalogModel m : catalog.models()) {
            expected.add(m.spec().key() + ": " + m.spec().method().name());
            if (!m.spec().method().name().equals("integrated_gradients")) {
                expected.add(m.spec().key() + ": integrated_gradients");
            }
        }
        assertThat(explainer.warmUp()).containsExactlyElementsOf(expected);
    }

    @Test
    void imageEventGivesSummaryOverlayAndAuditThatAgree() throws Exception {
        SampleImages.Sample sample = SampleImages.sample(3, true);
        byte[] png = png(sample);
        ExplainedEvent out = explainer.explain(event("e-1", new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png))),
                Selection.of(true, List.of())).get(0);

        var summary = out.summary();
        assertThat(model.spec().labels().get(summary.getPredictedClass())).isEqualTo(sample.expectedLabel());
        assertThat(summary.getGrid()).hasSize(4 * 8);
        assertThat(summary.getGrid().stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(1.0, within(1e-4));
        assertThat(summary.getTopRegions()).hasSize(ExplanationPipeline.TOP_REGIONS);
        assertThat(summary.getTopRegion().getMass()).isEqualTo(
                summary.getGrid().stream().max(Float::compare).orElseThrow());
        assertThat(summary.getNegativeMass()).isLessThanOrEqualTo(0f);
        assertThat(summary.getModelCalls()).isPositive();
        assertThat(summary.getSelectionReasons()).containsExactly(Selection.SAMPLED);

        var overlay = out.overlay();
        byte[] overlayPng = new byte[overlay.getPng().remaining()];
        overlay.getPng().duplicate().get(overlayPng);
        var image = ImageIO.read(new ByteArrayInputStream(overlayPng));
        assertThat(image.getWidth()).isEqualTo(overlay.getWidth());
        assertThat(image.getHeight()).isEqualTo(overlay.getHeight());

        var audit = out.audit();
        assertThat(audit.getInputSha256()).isEqualTo(Hashes.sha256Hex(png));
        assertThat(audit.getModelSha256()).isEqualTo(model.sha256());
        assertThat(audit.getSeed()).isEqualTo(ExplanationPipeline.seedOf("e-1"));
        assertThat(audit.getExplainedAt()).isEqualTo(NOW);
        assertThat(audit.getSummarySha256()).isEqualTo(AuditHashes.summarySha256(summary));
        assertThat(audit.getPreprocessing()).containsEntry("colorOrder", "BGR").containsEntry("layout", "NCHW");

        // a replay explains the same way: same map, same hash
        ExplainedEvent again = explainer.explain(event("e-1", new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png))),
                Selection.of(true, List.of())).get(0);
        assertThat(again.audit().getMapSha256()).isEqualTo(audit.getMapSha256());
    }

    @Test
    void rawTensorOfTheSameImageExplainsTheSameClass() throws Exception {
        SampleImages.Sample sample = SampleImages.sample(5, false);
        float[] tensor = new Preprocessor(model.spec()).tensor(sample.image());
        List<Float> values = new ArrayList<>();
        for (float v : tensor) {
            values.add(v);
        }
        ExplainedEvent fromTensor = explainer.explain(event("e-2", new RawTensor(List.of(3, 48, 192), values)),
                Selection.of(false, List.of(Selection.FLAG_PRODUCER))).get(0);
        ExplainedEvent fromImage = explainer.explain(
                event("e-2", new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png(sample)))),
                Selection.of(false, List.of(Selection.FLAG_PRODUCER))).get(0);
        assertThat(fromTensor.summary().getPredictedClass()).isEqualTo(fromImage.summary().getPredictedClass());
        assertThat(fromTensor.audit().getMapSha256()).isEqualTo(fromImage.audit().getMapSha256());
        assertThat(fromTensor.audit().getInputSha256()).isNotEqualTo(fromImage.audit().getInputSha256());
    }

    @Test
    void aFlagWithItsOwnMethodIsExplainedWithItAndPathMethodsReportCompleteness() throws Exception {
        EncodedImage image = new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png(SampleImages.sample(8, false))));
        ExplainedEvent flagged = explainer.explain(event("e-4", image),
                Selection.of(true, List.of(Selection.FLAG_PRODUCER))).get(0);
        assertThat(flagged.summary().getMethod()).isEqualTo("integrated_gradients");
        assertThat(flagged.audit().getParameters()).containsEntry("steps", "16");
        assertThat(flagged.summary().getCompletenessError()).isNotNull();
        assertThat(flagged.overlay().getColorMap()).as("the rule's overlay options").isEqualTo("red");

        ExplainedEvent sampled = explainer.explain(event("e-4", image), Selection.of(true, List.of())).get(0);
        assertThat(sampled.summary().getMethod()).isEqualTo("occlusion");
        assertThat(sampled.summary().getCompletenessError()).isNull();
        assertThat(sampled.overlay().getColorMap()).as("occlusion's default").isEqualTo("pink_green");
    }

    @Test
    void anUnknownMethodForAReasonFailsAtConstruction() {
        assertThatThrownBy(() -> new EngineEventExplainer(catalog, new ExplanationEngine(),
                new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), 4, 8, Map.of(),
                Clock.systemUTC(), Map.of("sampled", new ModelSpec.MethodSpec("astrology", Map.of())), Set.of(),
                InterpretationBuckets.defaults(), TargetRules.unconfigured()))
                .hasMessageContaining("astrology").hasMessageContaining("occlusion");
    }

    @Test
    void aMisspeltParameterOfAConfiguredMethodFailsAtConstructionNamingTheValidKeys() {
        assertThatThrownBy(() -> new EngineEventExplainer(catalog, new ExplanationEngine(),
                new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), 4, 8, Map.of(),
                Clock.systemUTC(), Map.of("low-confidence", new ModelSpec.MethodSpec("integrated_gradients",
                        Map.of("stpes", "64"))), Set.of(), InterpretationBuckets.defaults(), TargetRules.unconfigured()))
                .hasMessage("explain.method-for.low-confidence: integrated_gradients has no parameter 'stpes'; valid"
                        + " parameters: score, baseline, steps, rule, blur_sigma, batch_size");
    }

    @Test
    void aMisspeltParameterInTheCatalogFailsAtConstructionNotPerEvent(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("catalog.json");
        try (var in = EngineEventExplainerTest.class.getResourceAsStream("/models/test-catalog.json")) {
            Files.writeString(json, new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("\"stride\": 3", "\"strde\": 3"));
        }
        try (ModelCatalog misspelt = ModelCatalog.load(json, new ModelStore())) {
            assertThatThrownBy(() -> new EngineEventExplainer(misspelt, new ExplanationEngine(),
                    new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), 4, 8, Map.of(),
                    Clock.systemUTC(), Map.of(), Set.of(), InterpretationBuckets.defaults(), TargetRules.unconfigured()))
                    .hasMessage("catalog model text-orientation:ppocr-mobile-v2.0-cls: occlusion has no parameter 'strde';"
                            + " valid parameters: window, stride, baseline, batch_size, score");
        }
    }

    @Test
    void anUnknownOverlayOptionForAReasonFailsAtConstruction() {
        assertThatThrownBy(() -> new EngineEventExplainer(catalog, new ExplanationEngine(),
                new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), 4, 8, Map.of(),
                Clock.systemUTC(), Map.of("sampled", new ModelSpec.MethodSpec("occlusion", Map.of(),
                        Map.of("colour", "red"))), java.util.Set.of(), InterpretationBuckets.defaults(), TargetRules.unconfigured()))
                .hasMessageContaining("colour");
    }

    @Test
    void inputsThatCannotBeExplainedAreRejectedAtTheExplainStageWithTheirCode() {
        assertThatThrownBy(() -> explainer.explain(event("e-3", new InputUri("file:///etc/passwd", null)),
                Selection.of(true, List.of())).get(0))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                    assertThat(e.stage()).isEqualTo(Stage.EXPLAIN);
                    assertThat(e.code()).isEqualTo(ErrorCodes.INPUT_UNAVAILABLE);
                });
    }

    @Test
    void mapHashIgnoresScaleButNotShape() {
        AttributionMap map = new AttributionMap(2, 2, new float[] {0.1f, -0.2f, 0.4f, 0f});
        AttributionMap doubled = new AttributionMap(2, 2, new float[] {0.2f, -0.4f, 0.8f, 0f});
        AttributionMap moved = new AttributionMap(2, 2, new float[] {0.4f, -0.2f, 0.1f, 0f});
        AttributionMap transposed = new AttributionMap(1, 4, new float[] {0.1f, -0.2f, 0.4f, 0f});
        assertThat(AuditHashes.mapSha256(doubled)).isEqualTo(AuditHashes.mapSha256(map));
        assertThat(AuditHashes.mapSha256(moved)).isNotEqualTo(AuditHashes.mapSha256(map));
        assertThat(AuditHashes.mapSha256(transposed)).isNotEqualTo(AuditHashes.mapSha256(map));
    }

    @Test
    void anEventWithItsGroundTruthGetsTheBucketOfItsPredictionAtTheModelsThreshold() throws Exception {
        SampleImages.Sample sample = SampleImages.sample(3, true);
        EncodedImage image = new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png(sample)));
        InferenceEvent unlabelled = event("e-6", image);
        SaliencySummary none = explainer.explain(unlabelled, Selection.of(true, List.of())).get(0).summary();
        assertThat(none.getInterpretationBucket()).as("no ground truth, no bucket").isNull();

        // the model's own probability as the threshold: exactly at it counts as high confidence, just above it as low
        double p = none.getPredictedScore();
        String other = model.spec().labels().stream().filter(l -> !l.equals(sample.expectedLabel())).findFirst().orElseThrow();
        assertThat(bucket(p, unlabelled, sample.expectedLabel())).isEqualTo("true-positive-high-confidence");
        assertThat(bucket(Math.nextUp(p), unlabelled, sample.expectedLabel())).isEqualTo("true-positive-low-confidence");
        assertThat(bucket(p, unlabelled, other)).isEqualTo("false-positive-high-confidence");
        assertThat(bucket(Math.nextUp(p), unlabelled, other)).isEqualTo("false-positive-low-confidence");
        assertThat(bucket(p, unlabelled, Integer.toString(none.getPredictedClass())))
                .as("the class index written as a number names it too").isEqualTo("true-positive-high-confidence");
    }

    /** The bucket of {@code event} labelled {@code truth}, with {@code threshold} set for its model alone. */
    private static String bucket(double threshold, InferenceEvent event, String truth) throws Exception {
        EngineEventExplainer withThreshold = new EngineEventExplainer(catalog, new ExplanationEngine(),
                new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty()), 4, 8, Map.of(), Clock.systemUTC(),
                Map.of(), Set.of(), new InterpretationBuckets(0.0, Map.of("text-orientation", threshold)),
                TargetRules.unconfigured());
        InferenceEvent labelled = InferenceEvent.newBuilder(event).setGroundTruthLabel(truth).build();
        return withThreshold.explain(labelled, Selection.of(true, List.of())).get(0).summary().getInterpretationBucket();
    }

    private static InferenceEvent event(String id, Object input) {
        return InferenceEvent.newBuilder()
                .setEventId(id).setEventTime(NOW).setModelName("text-orientation")
                .setModelVersion("ppocr-mobile-v2.0-cls").setInput(input).build();
    }

    private static byte[] png(SampleImages.Sample sample) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(sample.image(), "png", out);
        return out.toByteArray();
    }
}

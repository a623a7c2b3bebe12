package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.tuple;

import io.saliencystream.app.audit.AuditVerdict;
import io.saliencystream.app.audit.AuditVerifier;
import io.saliencystream.app.audit.EventIndex;
import io.saliencystream.audit.AuditHashes;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.testing.samples.GroundTruthSamples;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several targets per event through both stages, with the real explainer on the committed
 * shapes:v1 model (vanilla gradient of the raw score, cheap and exact): one summary, overlay and
 * audit per target under distinct keys, each audit verified by re-explaining its target, and a
 * non-predicted target's map equal to explaining that class alone and to finite differences of
 * its score.
 */
class TargetsTopologyTest {

    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final RequestTopics REQUESTS = RequestTopics.defaults();
    private static final Instant NOW = Instant.parse("2026-12-07T01:00:00Z");
    private static final ModelSpec.MethodSpec GRADIENT = new ModelSpec.MethodSpec("vanilla_gradient",
            Map.of("score", "raw"));

    @TempDir
    static Path store;

    private static ModelCatalog catalog;
    private static CatalogModel model;
    private static EventInputs inputs;

    private final AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
    private TopologyTestDriver driver;

    @BeforeAll
    static void load() throws Exception {
        AvroTrust.install();
        catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore(store));
        model = catalog.require("shapes", "v1");
        inputs = new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty());
    }

    @AfterAll
    static void closeCatalog() throws Exception {
        catalog.close();
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static EngineEventExplainer explainer(TargetRules targets) {
        Map<String, ModelSpec.MethodSpec> methods = new HashMap<>();
        for (String reason : List.of(Selection.SAMPLED, "producer", "label-disagreement")) {
            methods.put(reason, GRADIENT);
        }
        return new EngineEventExplainer(catalog, new ExplanationEngine(), inputs, 4, 4, Map.of("java", "17"),
                Clock.fixed(NOW, ZoneOffset.UTC), methods, Set.of(), InterpretationBuckets.defaults(), targets);
    }

    /** Pipes {@code events} through selection and both explanation lanes; the three output topics by key. */
    private Outputs run(EngineEventExplainer explainer, List<InferenceEvent> events) {
        Topology topology = new SelectionTopology(TOPICS, REQUESTS, SamplingConfig.of(1.0), serdes,
                new CatalogEventValidator(catalog, inputs)).addTo(new Topology());
        for (RequestTopics.Lane lane : RequestTopics.Lane.values()) {
            new ExplanationTopology(TOPICS, REQUESTS, lane, serdes, explainer, Optional.empty()).addTo(topology);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "targets-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props, NOW);
        TestInputTopic<byte[], byte[]> input = driver.createInputTopic(TOPICS.inferenceEvents(),
                new ByteArraySerializer(), new ByteArraySerializer());
        for (InferenceEvent e : events) {
            input.pipeInput(e.getEventId().getBytes(StandardCharsets.UTF_8),
                    serdes.specific(InferenceEvent.class).serializer().serialize(TOPICS.inferenceEvents(), e));
        }
        return new Outputs(
                driver.createOutputTopic(TOPICS.saliencySummaries(), new StringDeserializer(),
                        serdes.specific(SaliencySummary.class).deserializer()).readKeyValuesToList(),
                driver.createOutputTopic(TOPICS.saliencyOverlays(), new StringDeserializer(),
                        serdes.specific(SaliencyOverlay.class).deserializer()).readKeyValuesToList(),
                driver.createOutputTopic(TOPICS.explanationAudit(), new StringDeserializer(),
                        serdes.specific(ExplanationAudit.class).deserializer()).readKeyValuesToList());
    }

    private record Outputs(List<KeyValue<String, SaliencySummary>> summaries,
                           List<KeyValue<String, SaliencyOverlay>> overlays,
                           List<KeyValue<String, ExplanationAudit>> audits) {
    }

    private static InferenceEvent event(String id, GroundTruthSamples.Sample sample, String reportedLabel,
                                        String groundTruth) throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(sample.image(), "png", png);
        int reported = model.spec().labels().indexOf(reportedLabel);
        return InferenceEvent.newBuilder()
                .setEventId(id).setEventTime(NOW).setModelName("shapes").setModelVersion("v1")
                .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(png.toByteArray())))
                .setTopK(List.of(new ClassScore(reported, reportedLabel, 0.9f)))
                .setGroundTruthLabel(groundTruth)
                .build();
    }

    /** The model's scores on the sample, as the pipeline computes them. */
    private static float[] scores(InferenceEvent event) throws Exception {
        ModelInput.Content content = inputs.resolve(model.spec(), event.getInput()).prepared().content(model);
        return new ModelRunner(content.model()).scores(content.tensor(), 1)[0];
    }

    private static int argmax(float[] v) {
        return ModelRunner.argmax(v);
    }

    @Test
    void labelDisagreementExplainsThePredictedAndTheTrueClassUnderDistinctKeys() throws Exception {
        GroundTruthSamples.Sample sample = GroundTruthSamples.clean().get(0);
        InferenceEvent probe = event("probe", sample, sample.label(), null);
        int predicted = argmax(scores(probe));
        String predictedLabel = model.spec().labels().get(predicted);
        int truth = (predicted + 2) % model.spec().labels().size();
        InferenceEvent event = event("disagree-1", sample, predictedLabel, model.spec().labels().get(truth));

        Outputs out = run(explainer(TargetRules.unconfigured()), List.of(event));

        String labelKey = "disagree-1/target=" + truth;
        assertThat(out.summaries()).extracting(kv -> kv.key).containsExactly("disagree-1", labelKey);
        assertThat(out.overlays()).extracting(kv -> kv.key).containsExactly("disagree-1", labelKey);
        assertThat(out.audits()).extracting(kv -> kv.key).containsExactly("disagree-1", labelKey);
        assertThat(out.summaries()).extracting(kv -> kv.value.getTarget(), kv -> kv.value.getPredictedClass(),
                        kv -> kv.value.getTopClass())
                .containsExactly(tuple("predicted", predicted, predicted),
                        tuple("label", truth, predicted));
        assertThat(out.overlays()).extracting(kv -> kv.value.getTarget(), kv -> kv.value.getPredictedClass())
                .containsExactly(tuple("predicted", predicted),
                        tuple("label", truth));
        assertThat(out.audits()).extracting(kv -> kv.value.getTarget(), kv -> kv.value.getTargetClass())
                .containsExactly(tuple("predicted", predicted),
                        tuple("label", truth));
        assertThat(out.summaries()).allSatisfy(kv -> assertThat(kv.value.getSelectionReasons())
                .contains(Selection.FLAG_LABEL_DISAGREEMENT));
        // two different maps, each with the same seed (the event's)
        assertThat(out.audits().get(0).value.getMapSha256()).isNotEqualTo(out.audits().get(1).value.getMapSha256());
        assertThat(out.audits().get(0).value.getSeed()).isEqualTo(out.audits().get(1).value.getSeed());

        assertEveryAuditVerifies(List.of(event), out);
    }

    @Test
    void topThreeGivesThreeTargetsInRankOrderEachVerifiedAndEqualToExplainingItsClassAlone() throws Exception {
        GroundTruthSamples.Sample sample = GroundTruthSamples.clean().get(1);
        InferenceEvent event = event("top3-1", sample, sample.label(), null);
        float[] scores = scores(event);
        List<Targets.Target> expected = Targets.parse("top-k:3").resolve(scores, OptionalInt.empty());

        Outputs out = run(explainer(new TargetRules(Targets.predicted(), Map.of("shapes", Targets.parse("top-k:3")),
                Map.of())), List.of(event));

        assertThat(out.summaries()).hasSize(3);
        assertThat(out.overlays()).hasSize(3);
        assertThat(out.audits()).hasSize(3);
        assertThat(out.summaries()).extracting(kv -> kv.key).containsExactly("top3-1",
                "top3-1/target=" + expected.get(1).classIndex(), "top3-1/target=" + expected.get(2).classIndex());
        assertThat(out.summaries()).extracting(kv -> kv.value.getTarget()).containsExactly("predicted", "top-2", "top-3");
        assertThat(out.summaries()).extracting(kv -> kv.value.getPredictedClass())
                .containsExactlyElementsOf(expected.stream().map(Targets.Target::classIndex).toList());
        assertThat(scores[expected.get(0).classIndex()]).isGreaterThanOrEqualTo(scores[expected.get(1).classIndex()]);
        assertThat(scores[expected.get(1).classIndex()]).isGreaterThanOrEqualTo(scores[expected.get(2).classIndex()]);

        assertEveryAuditVerifies(List.of(event), out);

        // the third target's map is what explaining that class alone gives (same method, same seed) ...
        int third = expected.get(2).classIndex();
        ModelInput.Content content = inputs.resolve(model.spec(), event.getInput()).prepared().content(model);
        Explanation alone = new ExplanationEngine().explainer(GRADIENT)
                .explain(content.model(), content.tensor(), third, ExplanationPipeline.seedOf("top3-1"));
        assertThat(out.audits().get(2).value.getMapSha256()).isEqualTo(AuditHashes.mapSha256(alone.map()));
        // ... and the derivative of that class's raw score: central differences on the strongest pixels
        assertMatchesFiniteDifferences(content, alone, third);
    }

    /** d(raw score of {@code target}) / d(pixel) summed over channels: nudge the pixel's channels together. */
    private static void assertMatchesFiniteDifferences(ModelInput.Content content, Explanation e, int target)
            throws Exception {
        float[] x = content.tensor();
        int w = e.map().width();
        int h = e.map().height();
        int plane = w * h;
        int channels = x.length / plane;
        float[] values = e.map().values();
        Integer[] order = new Integer[plane];
        for (int i = 0; i < plane; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(values[b]), Math.abs(values[a])));
        double max = Math.abs(values[order[0]]);
        assertThat(max).isGreaterThan(0);
        ModelRunner runner = new ModelRunner(content.model());
        double step = 1e-3;
        for (int k = 0; k < 8; k++) {
            int pixel = order[k];
            float[] batch = new float[2 * x.length];
            System.arraycopy(x, 0, batch, 0, x.length);
            System.arraycopy(x, 0, batch, x.length, x.length);
            for (int c = 0; c < channels; c++) {
                batch[c * plane + pixel] += (float) step;
                batch[x.length + c * plane + pixel] -= (float) step;
            }
            float[][] raw = runner.raw(batch, 2);
            double difference = (raw[0][target] - raw[1][target]) / (2 * step);
            assertThat(difference).as("pixel %d of class %d", pixel, target)
                    .isCloseTo(values[pixel], offset(0.02 * max));
        }
    }

    private static void assertEveryAuditVerifies(List<InferenceEvent> events, Outputs out) {
        Map<String, SaliencySummary> summaries = new HashMap<>();
        out.summaries().forEach(kv -> summaries.put(kv.key, kv.value));
        AuditVerifier verifier = new AuditVerifier(catalog, new ExplanationEngine(), inputs,
                new EventIndex(events, "test events"), summaries);
        for (KeyValue<String, ExplanationAudit> audit : out.audits()) {
            AuditVerdict verdict = verifier.verify(audit.value);
            assertThat(verdict.match()).as(verdict.line()).isTrue();
            assertThat(verdict.eventId()).isEqualTo(audit.key);
            assertThat(verdict.reason()).contains("class " + audit.value.getTargetClass());
        }
    }
}

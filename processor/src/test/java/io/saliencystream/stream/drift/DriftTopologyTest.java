package io.saliencystream.stream.drift;

import static io.saliencystream.stream.drift.DriftFixtures.BOTTOM_RIGHT;
import static io.saliencystream.stream.drift.DriftFixtures.TOP_LEFT;
import static io.saliencystream.stream.drift.DriftFixtures.at;
import static io.saliencystream.stream.drift.DriftFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.saliencystream.drift.AlertPolicy;
import io.saliencystream.drift.DriftMetric;
import io.saliencystream.drift.JensenShannon;
import io.saliencystream.drift.RegionOfInterest;
import io.saliencystream.drift.RegionsOfInterest;
import io.saliencystream.drift.Threshold;
import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.AttentionReference;
import io.saliencystream.schema.BucketAttention;
import io.saliencystream.schema.ReferenceKind;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.app.Settings;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DriftTopologyTest {

    private static final String MODEL = "resnet";
    private static final String KEY = DriftKey.format(MODEL, "1", 3);
    /** Tumbling 1-minute windows, 10 s grace, 2 grids per window, learn from 2 windows, JS > 0.1 for 2 opens, < 0.1 for 2 resolves. */
    private static final DriftConfig CONFIG = DriftConfig.defaults().withMinCount(2).withLearnWindows(2);

    private final AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
    private TopologyTestDriver driver;
    private TestInputTopic<String, SaliencySummary> summaries;
    private TestInputTopic<String, AttentionReference> references;
    private TestOutputTopic<String, AttentionDriftMetrics> metrics;
    private TestOutputTopic<String, AttentionDriftAlert> alerts;

    private void start(DriftConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "drift-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(new DriftTopology(config, serdes).build(), props);
        DriftTopics t = config.topics();
        summaries = driver.createInputTopic(t.summaries(), new StringSerializer(),
                serdes.specific(SaliencySummary.class).serializer());
        references = driver.createInputTopic(t.references(), new StringSerializer(),
                serdes.specific(AttentionReference.class).serializer());
        metrics = driver.createOutputTopic(t.metrics(), new StringDeserializer(),
                serdes.specific(AttentionDriftMetrics.class).deserializer());
        alerts = driver.createOutputTopic(t.alerts(), new StringDeserializer(),
                serdes.specific(AttentionDriftAlert.class).deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void pipe(SaliencySummary s) {
        // summaries are written seconds to minutes after their events, at varying delays that cross
        // window boundaries: windows must follow the summary's event time, not the record's
        summaries.pipeInput(s.getEventId(), s, s.getEventTime().plusSeconds(30 + 60 * (s.getEventTime().getEpochSecond() % 7)));
    }

    /** {@code n} summaries of class 3 with {@code grid} in minute-window {@code w}, at seconds 15, 20, ... */
    private void window(int w, double[] grid, int n) {
        for (int i = 0; i < n; i++) {
            pipe(summary(MODEL, 3, at(w, 15 + 5 * i), grid));
        }
    }

    /** Closes every window up to {@code w - 1} by moving stream time into window {@code w} past the grace. */
    private void advanceTo(int w) {
        pipe(summary("clock", 0, at(w, 30), TOP_LEFT));
    }

    private List<AttentionDriftMetrics> metricsOf(String key) {
        return metrics.readKeyValuesToList().stream().filter(kv -> kv.key.equals(key)).map(kv -> kv.value).toList();
    }

    private long taskMetric(String name) {
        return Math.round(driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("stream-task-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum());
    }

    @Test
    void windowsFollowEventTimeAcceptLateSummariesWithinGraceAndCountLaterOnes() {
        start(CONFIG);
        pipe(summary(MODEL, 3, at(0, 5), TOP_LEFT));
        pipe(summary(MODEL, 3, at(0, 20), TOP_LEFT));
        pipe(summary(MODEL, 3, at(1, 5), BOTTOM_RIGHT));   // stream time 1:05, window 0 open until 1:10
        pipe(summary(MODEL, 3, at(0, 50), BOTTOM_RIGHT));  // out of order, within grace: counted in window 0
        assertThat(metrics.isEmpty()).as("no window is final before its grace has passed").isTrue();
        pipe(summary(MODEL, 3, at(1, 15), BOTTOM_RIGHT));  // stream time 1:15 closes window 0
        pipe(summary(MODEL, 3, at(0, 30), TOP_LEFT));      // too late for window 0: dropped, and counted
        advanceTo(3);

        List<AttentionDriftMetrics> out = metricsOf(KEY);
        assertThat(out).extracting(m -> m.getWindowStart()).containsExactly(at(0, 0), at(1, 0));
        assertThat(out.get(0).getWindowEnd()).isEqualTo(at(1, 0));
        assertThat(out.get(0).getCount()).isEqualTo(3);
        assertThat(out.get(1).getCount()).isEqualTo(2);
        // window 0 mean of TL, TL, BR: cell 0 = (0.7 + 0.7 + 0.1) / 3
        assertThat(out.get(0).getMeanGrid().get(0)).isCloseTo(0.5, within(1e-6));
        assertThat(out.get(0).getMeanGrid().get(3)).isCloseTo(0.3, within(1e-6));
        assertThat(taskMetric("dropped-records-total")).isEqualTo(1);
    }

    @Test
    void eachWindowCountsAndAveragesTheGridsOfEachInterpretationBucket() {
        start(CONFIG);
        pipe(summary(MODEL, 3, at(0, 5), TOP_LEFT, "true-positive-high-confidence"));
        pipe(summary(MODEL, 3, at(0, 10), new double[] {0.5, 0.3, 0.1, 0.1}, "true-positive-high-confidence"));
        pipe(summary(MODEL, 3, at(0, 15), BOTTOM_RIGHT, "false-positive-high-confidence"));
        pipe(summary(MODEL, 3, at(0, 20), new double[] {0, 0, 0, 0}, "false-positive-low-confidence"));
        pipe(summary(MODEL, 3, at(0, 25), TOP_LEFT));                         // no ground truth: no bucket
        pipe(summary(MODEL, 3, at(0, 30), TOP_LEFT, "right-for-the-wrong-reasons"));  // unknown: refused, counted
        pipe(summary(MODEL, 3, at(1, 5), BOTTOM_RIGHT));
        advanceTo(3);

        List<AttentionDriftMetrics> out = metricsOf(KEY);
        AttentionDriftMetrics w0 = out.get(0);
        assertThat(w0.getCount()).isEqualTo(4);
        assertThat(w0.getZeroMaps()).isEqualTo(1);
        // the buckets that received summaries, in the order right-high, right-low, wrong-high, wrong-low
        assertThat(w0.getBuckets()).extracting(b -> b.getBucket()).containsExactly(
                "true-positive-high-confidence", "false-positive-high-confidence", "false-positive-low-confidence");
        BucketAttention right = w0.getBuckets().get(0);
        assertThat(right.getCount()).isEqualTo(2);
        assertThat(right.getZeroMaps()).isZero();
        // (0.7 + 0.5) / 2, (0.1 + 0.3) / 2, (0.1 + 0.1) / 2, (0.1 + 0.1) / 2
        assertThat(right.getMeanGrid()).satisfiesExactly(
                v -> assertThat(v).isCloseTo(0.6, within(1e-6)), v -> assertThat(v).isCloseTo(0.2, within(1e-6)),
                v -> assertThat(v).isCloseTo(0.1, within(1e-6)), v -> assertThat(v).isCloseTo(0.1, within(1e-6)));
        BucketAttention wrong = w0.getBuckets().get(1);
        assertThat(wrong.getCount()).isEqualTo(1);
        assertThat(wrong.getMeanGrid()).satisfiesExactly(
                v -> assertThat(v).isCloseTo(0.1, within(1e-6)), v -> assertThat(v).isCloseTo(0.1, within(1e-6)),
                v -> assertThat(v).isCloseTo(0.1, within(1e-6)), v -> assertThat(v).isCloseTo(0.7, within(1e-6)));
        BucketAttention zero = w0.getBuckets().get(2);
        assertThat(zero.getCount()).isZero();
        assertThat(zero.getZeroMaps()).isEqualTo(1);
        assertThat(zero.getMeanGrid()).isEmpty();
        // the whole window: TL, (0.5, 0.3, 0.1, 0.1), BR, TL
        assertThat(w0.getMeanGrid().get(0)).isCloseTo((0.7 + 0.5 + 0.1 + 0.7) / 4, within(1e-6));
        assertThat(DriftCounters.total(driver.metrics(), DriftCounters.INVALID_SUMMARIES)).isEqualTo(1);

        assertThat(out.get(1).getBuckets()).as("a window without ground truth has no buckets").isEmpty();
    }

    @Test
    void alertOpensAfterKWindowsAboveOnceAndResolvesAfterMBelowAgainstALearnedReference() {
        start(CONFIG);
        window(0, TOP_LEFT, 2);
        window(1, TOP_LEFT, 3);
        window(2, TOP_LEFT, 2);      // compared with the reference: no drift
        window(3, BOTTOM_RIGHT, 2);  // above 1
        window(4, BOTTOM_RIGHT, 2);  // above 2: OPEN
        window(5, BOTTOM_RIGHT, 2);  // still above: no second alert
        window(6, TOP_LEFT, 2);      // below 1
        window(7, TOP_LEFT, 2);      // below 2: RESOLVED
        advanceTo(9);

        List<AttentionDriftMetrics> out = metricsOf(KEY);
        assertThat(out).hasSize(8);
        assertThat(out).extracting(AttentionDriftMetrics::getReferenceKind).containsExactly(ReferenceKind.NONE,
                ReferenceKind.NONE, ReferenceKind.LEARNED, ReferenceKind.LEARNED, ReferenceKind.LEARNED,
                ReferenceKind.LEARNED, ReferenceKind.LEARNED, ReferenceKind.LEARNED);
        assertThat(out).extracting(AttentionDriftMetrics::getReferenceWindows).containsExactly(1, 2, 2, 2, 2, 2, 2, 2);
        assertThat(out.get(0).getJensenShannon()).isNull();
        assertThat(out.get(2).getJensenShannon()).isCloseTo(0, within(1e-9));
        // float grids through Avro: compare with the divergence of the float-rounded grids' normalisation
        assertThat(out.get(3).getJensenShannon()).isCloseTo(JensenShannon.divergence(BOTTOM_RIGHT, TOP_LEFT), within(1e-6));
        assertThat(out.get(3).getEmd()).isGreaterThan(0);
        assertThat(out).extracting(AttentionDriftMetrics::getAlertOpen)
                .containsExactly(false, false, false, false, true, true, true, false);

        List<AttentionDriftAlert> a = alerts.readValuesToList();
        assertThat(a).extracting(AttentionDriftAlert::getState).containsExactly(AlertState.OPEN, AlertState.RESOLVED);
        assertThat(a.get(0).getWindowStart()).isEqualTo(at(4, 0));
        assertThat(a.get(0).getMetric()).isEqualTo("jensen-shannon");
        assertThat(a.get(0).getThreshold()).isEqualTo(0.1);
        assertThat(a.get(0).getDistance()).isGreaterThan(0.1);
        assertThat(a.get(0).getMessage()).contains("resnet").contains("class 3").contains("jensen-shannon");
        assertThat(a.get(1).getWindowStart()).isEqualTo(at(7, 0));
    }

    @Test
    void pinnedReferenceIsUsedFromTheFirstWindowAndAWrongOneIsIgnoredAndCounted() {
        start(CONFIG);
        references.pipeInput(KEY, DriftFixtures.reference(MODEL, 3, 2, 2, BOTTOM_RIGHT));
        String other = DriftKey.format(MODEL, "1", 4);
        references.pipeInput(other, DriftFixtures.reference(MODEL, 4, 1, 4, 0.25, 0.25, 0.25, 0.25));
        window(0, TOP_LEFT, 2);
        window(1, TOP_LEFT, 2);
        pipe(summary(MODEL, 4, at(1, 20), TOP_LEFT));
        pipe(summary(MODEL, 4, at(1, 25), TOP_LEFT));
        advanceTo(3);

        List<AttentionDriftMetrics> all = metrics.readValuesToList();
        List<AttentionDriftMetrics> pinned = all.stream().filter(m -> m.getPredictedClass() == 3).toList();
        assertThat(pinned).extracting(AttentionDriftMetrics::getReferenceKind)
                .containsExactly(ReferenceKind.PINNED, ReferenceKind.PINNED);
        assertThat(pinned.get(0).getJensenShannon()).isCloseTo(JensenShannon.divergence(TOP_LEFT, BOTTOM_RIGHT), within(1e-6));
        assertThat(alerts.readValuesToList()).extracting(AttentionDriftAlert::getState).containsExactly(AlertState.OPEN);

        // the 1x4 reference does not fit the 2x2 grids: ignored, counted, and the series learns its own
        AttentionDriftMetrics wrong = all.stream().filter(m -> m.getPredictedClass() == 4).findFirst().orElseThrow();
        assertThat(wrong.getReferenceKind()).isEqualTo(ReferenceKind.NONE);
        assertThat(wrong.getReferenceWindows()).isEqualTo(1);
        assertThat(DriftCounters.total(driver.metrics(), DriftCounters.UNUSABLE_REFERENCES)).isEqualTo(1);

        // unpinning (tombstone) falls back to the learned reference, once there is one
        references.pipeInput(KEY, (AttentionReference) null);
        window(3, TOP_LEFT, 2);
        window(4, TOP_LEFT, 2);
        advanceTo(6);
        assertThat(metricsOf(KEY)).extracting(AttentionDriftMetrics::getReferenceKind)
                .containsExactly(ReferenceKind.LEARNED, ReferenceKind.LEARNED);
    }

    @Test
    void smallWindowsAreReportedButNeitherLearnedNorAlertedOn() {
        start(CONFIG.withLearnWindows(1).withAlertPolicy(
                new AlertPolicy(Map.of(DriftMetric.JENSEN_SHANNON, Threshold.of(0.1)), 1, 1)));
        window(0, TOP_LEFT, 1);        // insufficient: not learned
        window(1, TOP_LEFT, 2);        // learned
        window(2, BOTTOM_RIGHT, 1);    // insufficient: compared, no alert
        window(3, BOTTOM_RIGHT, 2);    // K = 1: OPEN
        advanceTo(5);
        List<AttentionDriftMetrics> out = metricsOf(KEY);
        assertThat(out).extracting(AttentionDriftMetrics::getSufficient).containsExactly(false, true, false, true);
        assertThat(out).extracting(AttentionDriftMetrics::getReferenceWindows).containsExactly(0, 1, 1, 1);
        assertThat(out.get(2).getJensenShannon()).isGreaterThan(0.1);
        assertThat(alerts.readValuesToList()).extracting(AttentionDriftAlert::getWindowStart).containsExactly(at(3, 0));
    }

    /** A non-predicted target's summary of class 3 (the model predicted class 1) in minute-window {@code w}. */
    private SaliencySummary labelTarget(int w, int second) {
        SaliencySummary s = summary(MODEL, 3, at(w, second), BOTTOM_RIGHT);
        s.setTarget("label");
        s.setTopClass(1);
        return s;
    }

    @Test
    void seriesHoldThePredictedTargetOnlyUnlessAllTargetsAreConfigured() {
        start(CONFIG);
        window(0, TOP_LEFT, 2);
        pipe(labelTarget(0, 40));
        pipe(labelTarget(0, 45));
        advanceTo(2);
        List<AttentionDriftMetrics> predictedOnly = metricsOf(KEY);
        assertThat(predictedOnly).extracting(AttentionDriftMetrics::getCount).containsExactly(2L);
        assertThat(predictedOnly.get(0).getMeanGrid().get(0)).isCloseTo(0.7, within(1e-6));
        assertThat(DriftCounters.total(driver.metrics(), DriftCounters.INVALID_SUMMARIES)).isZero();
        close();

        start(CONFIG.withAllTargets(true));
        window(0, TOP_LEFT, 2);
        pipe(labelTarget(0, 40));
        pipe(labelTarget(0, 45));
        advanceTo(2);
        List<AttentionDriftMetrics> all = metricsOf(KEY);
        assertThat(all).extracting(AttentionDriftMetrics::getCount).containsExactly(4L);
        assertThat(all.get(0).getMeanGrid().get(0)).isCloseTo(0.4, within(1e-6));
    }

    @Test
    void invalidSummariesAreCountedNotAggregated() {
        start(CONFIG);
        window(0, TOP_LEFT, 2);
        pipe(summary(MODEL, 3, at(0, 40), new double[] {0.5, 0.1, 0.1, 0.1})); // sums to 0.8
        SaliencySummary wrongLength = summary(MODEL, 3, at(0, 45), TOP_LEFT);
        wrongLength.setGridCols(3);
        pipe(wrongLength);
        summaries.pipeInput("tombstone", null, at(0, 50));
        advanceTo(2);
        assertThat(metricsOf(KEY)).extracting(AttentionDriftMetrics::getCount).containsExactly(2L);
        assertThat(DriftCounters.total(driver.metrics(), DriftCounters.INVALID_SUMMARIES)).isEqualTo(3);
    }

    @Test
    void hoppingWindowsAndRegionsOfInterest() {
        RegionOfInterest left = new RegionOfInterest("left", 0, 0, 0.5, 1);
        start(CONFIG.withWindows(Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ofSeconds(10))
                .withRegions(RegionsOfInterest.none().withModel(MODEL, List.of(left))));
        window(0, TOP_LEFT, 2);
        window(1, BOTTOM_RIGHT, 2);
        advanceTo(4);
        List<AttentionDriftMetrics> out = metricsOf(KEY);
        // windows [-1, 1), [0, 2), [1, 3) minutes: 2, 4 and 2 summaries
        assertThat(out).extracting(AttentionDriftMetrics::getWindowStart).containsExactly(at(-1, 0), at(0, 0), at(1, 0));
        assertThat(out).extracting(AttentionDriftMetrics::getCount).containsExactly(2L, 4L, 2L);
        // left column of TOP_LEFT: 0.7 + 0.1; of the 50/50 mix: (0.8 + 0.2) / 2
        assertThat(out.get(0).getRoiMass().get("left")).isCloseTo(0.8, within(1e-6));
        assertThat(out.get(1).getRoiMass().get("left")).isCloseTo(0.5, within(1e-6));
    }

    @Test
    void aClassRegionSetFromTheEnvironmentMakesRoiMassChangeFire() {
        // configured as a deployment would: class 3 of the model watches the left half, class 1 has no region
        DriftConfig config = ProcessorConfig.from(new Settings(new Properties(), Map.of(
                "SALIENCY_STREAM_BOOTSTRAP_SERVERS", "kafka:9092",
                "SALIENCY_STREAM_SCHEMA_REGISTRY_URL", "http://registry:8081",
                "SALIENCY_STREAM_DRIFT_REGIONS_RESNET_3", "left=0,0,0.5,1",
                "SALIENCY_STREAM_DRIFT_THRESHOLD_ROI_MASS_CHANGE", "0.2",
                "SALIENCY_STREAM_DRIFT_MIN_COUNT", "2",
                "SALIENCY_STREAM_DRIFT_LEARN_WINDOWS", "2"))).drift();
        start(config);
        for (int w = 0; w < 6; w++) {
            double[] grid = w < 3 ? TOP_LEFT : BOTTOM_RIGHT;   // attention leaves the left half in window 3
            for (int i = 0; i < 2; i++) {
                pipe(summary(MODEL, 3, at(w, 15 + 5 * i), grid));
                pipe(summary(MODEL, 1, at(w, 17 + 5 * i), grid));
            }
        }
        advanceTo(8);

        List<org.apache.kafka.streams.KeyValue<String, AttentionDriftMetrics>> all = metrics.readKeyValuesToList();
        List<AttentionDriftMetrics> out = all.stream().filter(kv -> kv.key.equals(KEY)).map(kv -> kv.value).toList();
        List<AttentionDriftMetrics> noRegion = all.stream().filter(kv -> kv.key.equals(DriftKey.format(MODEL, "1", 1)))
                .map(kv -> kv.value).toList();
        assertThat(out).hasSize(6);
        assertThat(noRegion).hasSize(6);
        // left half of TOP_LEFT: 0.7 + 0.1; of BOTTOM_RIGHT: 0.1 + 0.1
        assertThat(out.get(2).getRoiMass().get("left")).isCloseTo(0.8, within(1e-6));
        assertThat(out.get(3).getRoiMass().get("left")).isCloseTo(0.2, within(1e-6));
        assertThat(out.get(3).getRoiMassChange()).isCloseTo(0.6, within(1e-6));
        List<AttentionDriftAlert> a = alerts.readValuesToList();
        assertThat(a).hasSize(1);
        assertThat(a.get(0).getState()).isEqualTo(AlertState.OPEN);
        assertThat(a.get(0).getMetric()).isEqualTo("roi-mass-change");
        assertThat(a.get(0).getPredictedClass()).isEqualTo(3);
        assertThat(a.get(0).getWindowStart()).isEqualTo(at(4, 0));
        // the same shift in class 1, which has no region, measures no roi mass and raises nothing
        assertThat(noRegion).allSatisfy(m -> {
            assertThat(m.getRoiMass()).isEmpty();
            assertThat(m.getRoiMassChange()).isNull();
        });
    }
}

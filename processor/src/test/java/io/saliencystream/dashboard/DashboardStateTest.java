package io.saliencystream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.saliencystream.drift.Threshold;
import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.AttentionReference;
import io.saliencystream.schema.BucketAttention;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ReferenceKind;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroTrust;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DashboardStateTest {

    private static final DashboardLimits SMALL = new DashboardLimits(10, 3, 4, 10, 10, 2, 10, 2);
    private static final Instant NOW = Instant.parse("2026-12-01T06:00:30Z");

    @BeforeAll
    static void trustTheSchemaClasses() {
        AvroTrust.install();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> tiles(Map<String, Object> gallery) {
        return (List<Map<String, Object>>) gallery.get("tiles");
    }

    @Test
    void galleryKeepsTheNewestTilesPerModelAndFiltersOnEveryField() {
        DashboardState state = new DashboardState(SMALL, Map.of());
        for (int i = 0; i < 5; i++) {
            state.summary(summary("t-" + i, "text", "v1", i % 2, i % 2 == 0 ? "0" : "180", List.of("sampled")),
                    NOW.toEpochMilli() + i);
        }
        state.summary(summary("s-0", "shapes", "v1", 0, "circle", List.of("flag:low-confidence")), NOW.toEpochMilli());

        DashboardState.GalleryFilter all = new DashboardState.GalleryFilter(null, null, null, null, null, null);
        Map<String, Object> g = state.gallery(all, 60);
        // 3 tiles per model at most: the newest text lines, then the shapes one
        assertThat(tiles(g)).extracting(t -> t.get("eventId")).containsExactly("t-4", "t-3", "t-2", "s-0");
        assertThat(g.get("held")).isEqualTo(4);
        assertThat(tiles(state.gallery(new DashboardState.GalleryFilter("text", null, "180", null, null, null), 60)))
                .extracting(t -> t.get("eventId")).containsExactly("t-3");
        assertThat(tiles(state.gallery(new DashboardState.GalleryFilter(null, null, null, "flag:low-confidence", null,
                null), 60))).extracting(t -> t.get("eventId")).containsExactly("s-0");
        assertThat(tiles(state.gallery(new DashboardState.GalleryFilter(null, null, null, null, "rise", null), 60)))
                .isEmpty();
        assertThat(tiles(state.gallery(all, 2))).hasSize(2);
        assertThat(state.gallery(all, 2).get("matching")).isEqualTo(4);
    }

    @Test
    void theInterpretationBucketIsAFilterAndCountedPerModel() {
        DashboardState state = new DashboardState(SMALL, Map.of());
        SaliencySummary wrong = summary("b-1", "text", "v1", 0, "0", List.of("sampled"));
        wrong.setInterpretationBucket("false-positive-high-confidence");
        state.summary(wrong, NOW.toEpochMilli());
        state.summary(summary("b-2", "text", "v1", 0, "0", List.of("sampled")), NOW.toEpochMilli());

        Map<String, Object> g = state.gallery(new DashboardState.GalleryFilter(null, null, null, null, null,
                "false-positive-high-confidence"), 60);
        assertThat(tiles(g)).extracting(t -> t.get("eventId")).containsExactly("b-1");
        assertThat(tiles(g).get(0).get("bucket")).isEqualTo("false-positive-high-confidence");
        assertThat(((Map<?, ?>) g.get("options")).get("bucket").toString()).isEqualTo("[false-positive-high-confidence]");
        assertThat(state.event("b-1").orElseThrow().get("summary").toString())
                .contains("interpretationBucket=false-positive-high-confidence");
        state.audit(audit("b-1", NOW, List.of("sampled")));
        @SuppressWarnings("unchecked")
        Map<String, Object> model = ((List<Map<String, Object>>) state.overview(NOW).get("models")).get(0);
        assertThat(model.get("buckets")).isEqualTo(Map.of("false-positive-high-confidence", 1L));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theLatestWindowsGridsPerBucketAreOnTheSeriesPage() {
        DashboardState state = new DashboardState(SMALL, Map.of());
        AttentionDriftMetrics m = window(0, ReferenceKind.NONE, 1, List.of(0.4, 0.2, 0.2, 0.2), null);
        m.setBuckets(List.of(
                new BucketAttention("true-positive-high-confidence", 3L, 0L, List.of(0.7, 0.1, 0.1, 0.1)),
                new BucketAttention("false-positive-high-confidence", 1L, 1L, List.of(0.1, 0.1, 0.1, 0.7))));
        state.driftMetrics(m);
        Map<String, Object> latest = (Map<String, Object>) state.driftSeries("shapes|v1|0").orElseThrow().get("latest");
        assertThat(latest.get("buckets")).isEqualTo(List.of(
                Map.of("bucket", "true-positive-high-confidence", "count", 3L, "zeroMaps", 0L,
                        "grid", List.of(0.7, 0.1, 0.1, 0.1)),
                Map.of("bucket", "false-positive-high-confidence", "count", 1L, "zeroMaps", 1L,
                        "grid", List.of(0.1, 0.1, 0.1, 0.7))));
    }

    @Test
    void overviewCountsExplanationsPerMinuteByReasonAndDeadLettersByCode() {
        DashboardState state = new DashboardState(SMALL, Map.of());
        Instant minute = NOW.minusSeconds(30);
        state.audit(audit("a", minute, List.of("sampled")));
        state.audit(audit("b", minute.plusMillis(1), List.of("sampled", "flag:producer")));
        state.audit(audit("c", minute.minusSeconds(120), List.of("sampled")));
        // the gallery's summaries do not count: when an explanation ran is the audit's explainedAt
        state.summary(summary("a", "text", "v1", 0, "0", List.of("sampled")), NOW.toEpochMilli());
        for (String code : List.of("unknown-model", "unknown-model", "null-value")) {
            state.deadLetter(deadLetter(code));
        }
        Map<String, Object> o = state.overview(NOW);
        @SuppressWarnings("unchecked")
        Map<String, Object> model = ((List<Map<String, Object>>) o.get("models")).get(0);
        assertThat(model.get("explained")).isEqualTo(3L);
        assertThat(model.get("lastMinute")).isEqualTo(Map.of("sampled", 2L, "flag:producer", 1L));
        assertThat(model.get("lastMinutes")).isEqualTo(Map.of("sampled", 3L, "flag:producer", 1L));
        assertThat(o.get("deadLetterCounts")).isEqualTo(Map.of("validate/unknown-model", 2L, "validate/null-value", 1L));
        // the reasons of the two newest only: dead letters are kept in a ring of 2
        assertThat((List<?>) o.get("deadLetters")).hasSize(2);
    }

    @Test
    void anAlertIsOpenUntilItsSeriesResolves() {
        DashboardState state = new DashboardState(SMALL, Map.of());
        state.alert(alert(AlertState.OPEN, 1));
        assertThat((List<?>) state.overview(NOW).get("openAlerts")).hasSize(1);
        state.alert(alert(AlertState.RESOLVED, 2));
        assertThat((List<?>) state.overview(NOW).get("openAlerts")).isEmpty();
        assertThat((List<?>) state.driftList().get("alerts")).hasSize(2);
    }

    @Test
    void theLearnedReferenceIsRebuiltFromTheLearningWindowsAndTheRingIsBounded() {
        DashboardState state = new DashboardState(SMALL, Map.of("jensen-shannon", new Threshold(0.1, 0.05)));
        state.driftMetrics(window(0, ReferenceKind.NONE, 1, List.of(0.5, 0.5, 0.0, 0.0), null));
        state.driftMetrics(window(1, ReferenceKind.NONE, 2, List.of(0.0, 0.5, 0.5, 0.0), null));
        state.driftMetrics(window(2, ReferenceKind.LEARNED, 2, List.of(0.0, 0.0, 0.5, 0.5), 0.4));
        Map<String, Object> series = state.driftSeries("shapes|v1|0").orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> reference = (Map<String, Object>) series.get("reference");
        assertThat(reference.get("known")).isEqualTo(true);
        @SuppressWarnings("unchecked")
        List<Double> grid = (List<Double>) reference.get("grid");
        assertThat(grid.get(0)).isCloseTo(0.25, within(1e-12));
        assertThat(grid.get(1)).isCloseTo(0.5, within(1e-12));
        assertThat(grid.get(2)).isCloseTo(0.25, within(1e-12));
        assertThat(((Map<?, ?>) series.get("latest")).get("grid")).isEqualTo(List.of(0.0, 0.0, 0.5, 0.5));
        assertThat(series.get("thresholds").toString()).contains("jensen-shannon", "open=0.1", "resolve=0.05");

        // once the learning windows fall out of the ring, the reference is not guessed
        for (int i = 3; i < 6; i++) {
            state.driftMetrics(window(i, ReferenceKind.LEARNED, 2, List.of(0.0, 0.0, 0.5, 0.5), 0.4));
        }
        Map<String, Object> later = state.driftSeries("shapes|v1|0").orElseThrow();
        assertThat((List<?>) later.get("windows")).hasSize(SMALL.windowsPerSeries());
        assertThat(((Map<?, ?>) later.get("reference")).get("known")).isEqualTo(false);
    }

    @Test
    void aPinnedReferenceIsShownAsTheTopicHoldsItUntilItsTombstone() {
        DashboardState state = new DashboardState(SMALL, Map.of());
        state.driftMetrics(window(0, ReferenceKind.PINNED, 0, List.of(0.1, 0.2, 0.3, 0.4), 0.2));
        AttentionReference pinned = AttentionReference.newBuilder().setModelName("shapes").setModelVersion("v1")
                .setPredictedClass(0).setGridRows(2).setGridCols(2).setGrid(List.of(1.0, 1.0, 1.0, 1.0))
                .setNote("approved by on-call").build();
        state.reference("shapes|v1|0", pinned);
        Map<?, ?> reference = (Map<?, ?>) state.driftSeries("shapes|v1|0").orElseThrow().get("reference");
        assertThat(reference.get("grid")).isEqualTo(List.of(0.25, 0.25, 0.25, 0.25));
        assertThat(reference.get("note")).isEqualTo("approved by on-call");
        state.reference("shapes|v1|0", null);
        assertThat(((Map<?, ?>) state.driftSeries("shapes|v1|0").orElseThrow().get("reference")).get("known"))
                .isEqualTo(false);
    }

    @Test
    void eachTargetOfAnEventIsItsOwnTileWithItsOverlayAndAuditUnderItsKey() {
        DashboardState state = new DashboardState(SMALL, Map.of());
        SaliencySummary predicted = summary("e-1", "shapes", "v1", 0, "circle", List.of("flag:label-disagreement"));
        SaliencySummary label = summary("e-1", "shapes", "v1", 2, "triangle", List.of("flag:label-disagreement"));
        label.setTarget("label");
        label.setTopClass(0);
        state.summary(predicted, NOW.toEpochMilli());
        state.summary(label, NOW.toEpochMilli());
        ExplanationAudit labelAudit = audit("e-1", NOW, List.of("flag:label-disagreement"));
        labelAudit.setTarget("label");
        labelAudit.setTargetClass(2);
        state.audit(audit("e-1", NOW, List.of("flag:label-disagreement")));
        state.audit(labelAudit);
        state.overlay(io.saliencystream.schema.SaliencyOverlay.newBuilder().setEventId("e-1").setModelName("shapes")
                .setModelVersion("v1").setPredictedClass(2).setMethod("occlusion").setColorMap("red").setWidth(4)
                .setHeight(4).setPng(java.nio.ByteBuffer.wrap(new byte[] {1})).setTarget("label").build(), 0, 7);

        List<Map<String, Object>> shown = tiles(state.gallery(
                new DashboardState.GalleryFilter(null, null, null, null, null, null), 60));
        assertThat(shown).extracting(t -> t.get("id"), t -> t.get("eventId"), t -> t.get("target"), t -> t.get("hasOverlay"))
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("e-1/target=2", "e-1", "label", true),
                        org.assertj.core.groups.Tuple.tuple("e-1", "e-1", "predicted", false));
        assertThat(state.audit("e-1/target=2").orElseThrow().getTargetClass()).isEqualTo(2);
        assertThat(state.audit("e-1").orElseThrow().getTargetClass()).isEqualTo(0);
        assertThat(state.overlayRef("e-1/target=2").orElseThrow().offset()).isEqualTo(7);
        Map<String, Object> page = state.event("e-1/target=2").orElseThrow();
        assertThat(((Map<?, ?>) page.get("tile")).get("target")).isEqualTo("label");
    }

    static SaliencySummary summary(String id, String model, String version, int cls, String label, List<String> reasons) {
        return SaliencySummary.newBuilder().setEventId(id).setEventTime(NOW).setModelName(model).setModelVersion(version)
                .setPredictedClass(cls).setPredictedLabel(label).setPredictedScore(0.9f).setMethod("occlusion")
                .setSelectionReasons(reasons).setImageWidth(4).setImageHeight(4).setGridRows(2).setGridCols(2)
                .setGrid(List.of(0.25f, 0.25f, 0.25f, 0.25f)).setPositiveMass(1).setNegativeMass(0).setModelCalls(1)
                .setDurationMillis(5).build();
    }

    private static ExplanationAudit audit(String id, Instant explainedAt, List<String> reasons) {
        return ExplanationAudit.newBuilder().setEventId(id).setEventTime(NOW.minusSeconds(600)).setExplainedAt(explainedAt)
                .setModelName("text").setModelVersion("v1").setModelSha256("m").setInputSha256("i").setMethod("occlusion")
                .setSeed(1).setTargetClass(0).setTargetScore(0.9f).setSelectionReasons(reasons).build();
    }

    private static DeadLetter deadLetter(String code) {
        return DeadLetter.newBuilder().setSourceTopic("inference-events").setSourcePartition(0).setSourceOffset(1)
                .setSourceTimestamp(NOW).setStage("validate").setErrorCode(code).setErrorClass("X")
                .setReason("reason of " + code).setFailedAt(NOW).build();
    }

    private static AttentionDriftAlert alert(AlertState state, int window) {
        return AttentionDriftAlert.newBuilder().setModelName("shapes").setModelVersion("v1").setPredictedClass(0)
                .setWindowStart(NOW.plusSeconds(60L * window)).setWindowEnd(NOW.plusSeconds(60L * window + 60))
                .setState(state).setMetric("jensen-shannon").setDistance(0.2).setThreshold(0.1).build();
    }

    private static AttentionDriftMetrics window(int i, ReferenceKind kind, int referenceWindows, List<Double> grid,
                                                Double js) {
        return AttentionDriftMetrics.newBuilder().setModelName("shapes").setModelVersion("v1").setPredictedClass(0)
                .setWindowStart(NOW.plusSeconds(60L * i)).setWindowEnd(NOW.plusSeconds(60L * i + 60)).setCount(10)
                .setGridRows(2).setGridCols(2).setMeanGrid(grid).setCellVariance(Collections.nCopies(4, 0.0))
                .setJensenShannon(js).setReferenceKind(kind).setReferenceWindows(referenceWindows).build();
    }
}

package io.saliencystream.app.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroTrust;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AvroJsonLinesTest {

    @BeforeAll
    static void trustTheSchemaClasses() {
        AvroTrust.install();
    }

    private static SaliencySummary summary() {
        return SaliencySummary.newBuilder().setEventId("e-1").setEventTime(Instant.parse("2026-12-01T06:00:00Z"))
                .setModelName("shapes").setModelVersion("v1").setPredictedClass(0).setPredictedScore(0.9f)
                .setMethod("occlusion").setImageWidth(4).setImageHeight(4).setGridRows(1).setGridCols(2)
                .setGrid(List.of(0.25f, 0.75f)).setPositiveMass(1).setNegativeMass(0).setModelCalls(1)
                .setSignal(0.3f).setSignalVerdict("signal").setInterpretationBucket("true-positive-high-confidence")
                .setDurationMillis(5).build();
    }

    @Test
    void aLineReadsBackExactly() throws Exception {
        SaliencySummary s = summary();
        assertThat(AvroJsonLines.fromJson(AvroJsonLines.toJson(s), SaliencySummary.class)).isEqualTo(s);
    }

    @Test
    void aLineWrittenBeforeFieldsWereAddedReadsThemAsTheirDefaults() throws Exception {
        String json = AvroJsonLines.toJson(summary());
        // as an older version wrote it: no interpretationBucket, no signal figure and verdict, no spread
        String older = json.replace(",\"interpretationBucket\":{\"string\":\"true-positive-high-confidence\"}", "")
                .replace(",\"signal\":{\"float\":0.3}", "").replace(",\"signalVerdict\":{\"string\":\"signal\"}", "")
                .replace(",\"spread\":0.0", "");
        assertThat(older).doesNotContain("interpretationBucket").doesNotContain("signalVerdict").doesNotContain("spread");

        SaliencySummary read = AvroJsonLines.fromJson(older, SaliencySummary.class);
        assertThat(read.getInterpretationBucket()).isNull();
        assertThat(read.getSignal()).isNull();
        assertThat(read.getSpread()).isZero();
        assertThat(read.getGrid()).containsExactly(0.25f, 0.75f);
        assertThat(read.getEventId()).isEqualTo("e-1");
    }
}

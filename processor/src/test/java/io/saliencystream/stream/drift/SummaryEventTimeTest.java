package io.saliencystream.stream.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroTrust;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class SummaryEventTimeTest {

    private static final long WRITTEN = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();

    private static long extract(Instant eventTime) {
        AvroTrust.install();
        SaliencySummary summary = SaliencySummary.newBuilder()
                .setEventId("e").setEventTime(eventTime).setModelName("m").setModelVersion("1")
                .setPredictedClass(0).setPredictedScore(1).setMethod("occlusion").setImageWidth(1).setImageHeight(1)
                .setGridRows(1).setGridCols(1).setGrid(List.of(1f)).setPositiveMass(1).setNegativeMass(0)
                .setModelCalls(1).setDurationMillis(1).build();
        ConsumerRecord<Object, Object> record = new ConsumerRecord<>("saliency-summaries", 0, 0, WRITTEN,
                TimestampType.CREATE_TIME, -1, -1, "e", summary, new RecordHeaders(), Optional.empty());
        return new SummaryEventTime().extract(record, 0);
    }

    @Test
    void usesTheEventTimeEvenHoursBeforeTheSummary() {
        Instant early = Instant.ofEpochMilli(WRITTEN).minusSeconds(3 * 3600);
        assertThat(extract(early)).isEqualTo(early.toEpochMilli());
    }

    @Test
    void toleratesSmallClockSkewButNotAnEventTimeFarAheadOfItsSummary() {
        Instant skewed = Instant.ofEpochMilli(WRITTEN).plus(SummaryEventTime.MAX_CLOCK_SKEW);
        assertThat(extract(skewed)).isEqualTo(skewed.toEpochMilli());
        assertThat(extract(skewed.plusMillis(1))).isEqualTo(WRITTEN);
        assertThat(extract(Instant.ofEpochMilli(WRITTEN).plusSeconds(3 * 3600))).isEqualTo(WRITTEN);
    }
}

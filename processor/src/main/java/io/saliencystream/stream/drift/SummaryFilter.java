package io.saliencystream.stream.drift;

import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.stream.Targets;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets through the summaries drift can aggregate; each other one is logged with its reason and
 * counted in {@value DriftCounters#INVALID_SUMMARIES}, never dropped silently. Summaries of targets
 * other than the predicted class pass only when configured ({@link DriftConfig#allTargets()}), so a
 * series holds the maps of its predicted class.
 */
final class SummaryFilter implements FixedKeyProcessor<String, SaliencySummary, SaliencySummary> {

    static final String NAME = "drift-summary-filter";
    private static final Logger LOG = LoggerFactory.getLogger(SummaryFilter.class);

    private final boolean allTargets;
    private FixedKeyProcessorContext<String, SaliencySummary> context;
    private Sensor invalid;

    SummaryFilter(boolean allTargets) {
        this.allTargets = allTargets;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, SaliencySummary> context) {
        this.context = context;
        this.invalid = DriftCounters.sensor(context.metrics(), NAME, DriftCounters.INVALID_SUMMARIES);
    }

    @Override
    public void process(FixedKeyRecord<String, SaliencySummary> record) {
        SaliencySummary s = record.value();
        if (s == null) {
            reject(record.key(), "the value is null (a tombstone); summaries are never deleted");
            return;
        }
        if (!allTargets && !Targets.PREDICTED.equals(s.getTarget())) {
            return;
        }
        try {
            DriftRecords.observation(s);
            DriftRecords.bucket(s);
        } catch (IllegalArgumentException e) {
            reject(s.getEventId(), e.getMessage());
            return;
        }
        context.forward(record);
    }

    private void reject(String eventId, String reason) {
        invalid.record();
        LOG.warn("Attention drift ignores summary {}: {}", eventId, reason);
    }
}

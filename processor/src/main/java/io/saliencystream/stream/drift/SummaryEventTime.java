package io.saliencystream.stream.drift;

import io.saliencystream.schema.SaliencySummary;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Drift windows run on the time of the inference event a summary explains, not on when the
 * summary was written: explanation latency varies (sampling, budgets, backlogs, replays), and
 * a window should hold what the model saw in that minute. A record without a usable event time
 * (tombstone, negative time) falls back to its record timestamp, then to the partition time.
 */
public final class SummaryEventTime implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof SaliencySummary summary && summary.getEventTime() != null) {
            long t = summary.getEventTime().toEpochMilli();
            if (t >= 0) {
                return t;
            }
        }
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(0, partitionTime);
    }
}

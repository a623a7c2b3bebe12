package io.saliencystream.stream.drift;

import io.saliencystream.schema.SaliencySummary;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Drift windows run on the time of the inference event a summary explains, not on when the
 * summary was written: explanation latency varies (sampling, budgets, backlogs, replays), and
 * a window should hold what the model saw in that minute. A record without a usable event time
 * (tombstone, negative time) falls back to its record timestamp, then to the partition time.
 * So does an event time later than the summary itself beyond {@link #MAX_CLOCK_SKEW}: a producer
 * clock that far ahead is wrong, and the broker would refuse such a timestamp on the
 * repartition topic, stopping the drift application.
 */
public final class SummaryEventTime implements TimestampExtractor {

    /** How far a producer's clock may run ahead of the processor's. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long fallback = record.timestamp() >= 0 ? record.timestamp() : Math.max(0, partitionTime);
        if (record.value() instanceof SaliencySummary summary && summary.getEventTime() != null) {
            long t = summary.getEventTime().toEpochMilli();
            boolean aheadOfItsSummary = record.timestamp() >= 0
                    && t > record.timestamp() + MAX_CLOCK_SKEW.toMillis();
            if (t >= 0 && !aheadOfItsSummary) {
                return t;
            }
        }
        return fallback;
    }
}

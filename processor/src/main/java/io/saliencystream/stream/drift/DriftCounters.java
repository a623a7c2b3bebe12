package io.saliencystream.stream.drift;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * What the drift topology could not use, as Kafka Streams custom metrics in group
 * {@value #GROUP} ({@code <name>-total} and {@code <name>-rate}): summaries it rejected
 * ({@value #INVALID_SUMMARIES}) and windows or references it skipped
 * ({@value #SKIPPED_WINDOWS}, {@value #UNUSABLE_REFERENCES}). Summaries too late for their
 * window are counted by Kafka Streams itself, in {@code dropped-records-total}.
 */
public final class DriftCounters {

    public static final String GROUP = "stream-drift-metrics";
    static final String SCOPE = "drift";
    public static final String INVALID_SUMMARIES = "invalid-summaries";
    public static final String SKIPPED_WINDOWS = "replayed-windows";
    public static final String UNUSABLE_REFERENCES = "unusable-references";

    private DriftCounters() {
    }

    static Sensor sensor(StreamsMetrics metrics, String entity, String operation) {
        return metrics.addRateTotalSensor(SCOPE, entity, operation, Sensor.RecordingLevel.INFO);
    }

    /** A counter summed over threads, from {@code KafkaStreams.metrics()} or a test driver's. */
    public static long total(Map<MetricName, ? extends Metric> metrics, String operation) {
        String name = operation + "-total";
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (GROUP.equals(e.getKey().group()) && name.equals(e.getKey().name())) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return Math.round(sum);
    }
}

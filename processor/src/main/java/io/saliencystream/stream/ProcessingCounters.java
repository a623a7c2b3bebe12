package io.saliencystream.stream;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * What happened to the input records, as Kafka Streams custom metrics. The selection stage counts
 * every record read in {@code events-in} and in exactly one of {@code requested},
 * {@code skipped-sampling}, {@code skipped-budget} or {@code dead-lettered}; the explanation
 * stage counts every request in exactly one of {@code explained}, {@code skipped-deadline} or
 * {@code dead-lettered}. Once no request is in flight, {@code events-in} = {@code explained} +
 * every {@code skipped-*} + {@code dead-lettered}. Each outcome is a sensor with a
 * {@code <name>-total} count and a {@code <name>-rate} per second, in metric group
 * {@value #GROUP} with tags {@code thread-id} and {@code saliency-id}, so they show in
 * {@code KafkaStreams.metrics()} and JMX like the built-in ones. The sensors are per stream
 * thread and shared by the tasks it runs, so counts survive task migrations within a thread.
 */
public final class ProcessingCounters {

    /** Metric group of the counters (Kafka Streams names custom groups {@code stream-<scope>-metrics}). */
    public static final String GROUP = "stream-saliency-metrics";
    static final String SCOPE = "saliency";

    public static final String EVENTS_IN = "events-in";
    public static final String EXPLAINED = "explained";
    public static final String SKIPPED_SAMPLING = "skipped-sampling";
    public static final String SKIPPED_BUDGET = "skipped-budget";
    public static final String DEAD_LETTERED = "dead-lettered";
    public static final String REQUESTED = "requested";
    public static final String SKIPPED_DEADLINE = "skipped-deadline";

    private final Sensor eventsIn;
    private final Sensor explained;
    private final Sensor skippedSampling;
    private final Sensor skippedBudget;
    private final Sensor deadLettered;
    private final Sensor requested;
    private final Sensor skippedDeadline;

    private ProcessingCounters(StreamsMetrics metrics, String entity) {
        this.eventsIn = sensor(metrics, entity, EVENTS_IN);
        this.explained = sensor(metrics, entity, EXPLAINED);
        this.skippedSampling = sensor(metrics, entity, SKIPPED_SAMPLING);
        this.skippedBudget = sensor(metrics, entity, SKIPPED_BUDGET);
        this.deadLettered = sensor(metrics, entity, DEAD_LETTERED);
        this.requested = sensor(metrics, entity, REQUESTED);
        this.skippedDeadline = sensor(metrics, entity, SKIPPED_DEADLINE);
    }

    /** Registers (or, on a thread that has them, finds) the sensors; {@code entity} tags them. */
    static ProcessingCounters register(StreamsMetrics metrics, String entity) {
        return new ProcessingCounters(metrics, entity);
    }

    private static Sensor sensor(StreamsMetrics metrics, String entity, String operation) {
        return metrics.addRateTotalSensor(SCOPE, entity, operation, Sensor.RecordingLevel.INFO);
    }

    void eventIn() {
        eventsIn.record();
    }

    void explained() {
        explained.record();
    }

    void skippedSampling() {
        skippedSampling.record();
    }

    void skippedBudget() {
        skippedBudget.record();
    }

    void deadLettered() {
        deadLettered.record();
    }

    void requested() {
        requested.record();
    }

    void skippedDeadline() {
        skippedDeadline.record();
    }

    /** The counts summed over every stream thread, read from {@code KafkaStreams.metrics()} (or a test driver's). */
    public static Snapshot read(Map<MetricName, ? extends Metric> metrics) {
        return new Snapshot(
                total(metrics, EVENTS_IN),
                total(metrics, EXPLAINED),
                total(metrics, SKIPPED_SAMPLING),
                total(metrics, SKIPPED_BUDGET),
                total(metrics, DEAD_LETTERED),
                total(metrics, REQUESTED),
                total(metrics, SKIPPED_DEADLINE));
    }

    private static long total(Map<MetricName, ? extends Metric> metrics, String operation) {
        String name = operation + "-total";
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (GROUP.equals(e.getKey().group()) && name.equals(e.getKey().name())) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return Math.round(sum);
    }

    /**
     * Counts at one moment, summed over the metrics given: both stages' when they run in one
     * process, one stage's otherwise.
     */
    public record Snapshot(long eventsIn, long explained, long skippedSampling, long skippedBudget, long deadLettered,
            long requested, long skippedDeadline) {

        /** Records whose outcome is known; equals {@link #eventsIn()} when no record or request is in flight. */
        public long accountedFor() {
            return explained + skippedSampling + skippedBudget + skippedDeadline + deadLettered;
        }
    }
}

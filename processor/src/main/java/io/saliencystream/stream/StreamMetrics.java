package io.saliencystream.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The processor's own operational metrics, recorded on Micrometer's global registry: whatever
 * registry the process adds there (the Prometheus one of {@code run}'s ops server) exports them,
 * and without one they cost next to nothing. Kafka Streams' own metrics, and the processing
 * counters kept in them, are bound separately ({@code KafkaStreamsMetrics}).
 */
public final class StreamMetrics {

    static final String EXPLANATIONS = "saliency.explanations";
    static final String LATENCY = "saliency.explanation.latency";
    static final String DEAD_LETTERS = "saliency.dead.letters";
    static final String UNWRITTEN = "saliency.records.unwritten";
    public static final String DRIFT_DISTANCE = "saliency.drift.distance";
    public static final String DRIFT_THRESHOLD = "saliency.drift.threshold";
    public static final String DRIFT_ALERT_OPEN = "saliency.drift.alert.open";

    /** Gauge values by their tags: a gauge reads a number that lives as long as the process. */
    private static final Map<Tags, AtomicLong> GAUGES = new ConcurrentHashMap<>();

    private StreamMetrics() {
    }

    private static MeterRegistry registry() {
        return Metrics.globalRegistry;
    }

    /** One explanation of {@code model} by {@code method}, selected for {@code reasons}, that took {@code took}. */
    public static void explained(String model, String method, Iterable<String> reasons, Duration took) {
        Timer.builder(LATENCY).description("Time to explain one event, by model and method")
                .tags("model", model, "method", method)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry()).record(took);
        for (String reason : reasons) {
            Counter.builder(EXPLANATIONS).description("Explanations, by selection reason")
                    .tags("model", model, "reason", reason).register(registry()).increment();
        }
    }

    /** A dead letter of {@code stage} with {@code code}. */
    public static void deadLettered(String stage, String code) {
        deadLetters(stage, code).increment();
    }

    /** An output record for {@code topic} that could not be written and was skipped, for {@code reason}. */
    public static void unwritten(String topic, String reason) {
        Counter.builder(UNWRITTEN).description("Output records skipped because they could not be written, by topic")
                .tags("topic", topic, "reason", reason).register(registry()).increment();
    }

    private static Counter deadLetters(String stage, String code) {
        return Counter.builder(DEAD_LETTERS).description("Dead letters, by stage and error code")
                .tags("stage", stage, "code", code).register(registry());
    }

    /** The latest distance of a drift series for one metric, and whether its alert is open. */
    public static void drift(String model, String version, int predictedClass, String metric, double distance,
                             boolean alertOpen) {
        Tags series = Tags.of("model", model, "version", version, "class", Integer.toString(predictedClass));
        gauge(DRIFT_DISTANCE, "Latest attention-drift distance of a series", series.and("metric", metric))
                .set(Double.doubleToLongBits(distance));
        gauge(DRIFT_ALERT_OPEN, "1 while the series has an open drift alert", series)
                .set(Double.doubleToLongBits(alertOpen ? 1 : 0));
    }

    /** The configured threshold of a drift metric (the dashboard draws it next to the distances). */
    public static void driftThreshold(String metric, double open) {
        gauge(DRIFT_THRESHOLD, "Threshold above which a drift alert opens", Tags.of("metric", metric))
                .set(Double.doubleToLongBits(open));
    }

    private static AtomicLong gauge(String name, String description, Tags tags) {
        return GAUGES.computeIfAbsent(tags.and("__name", name), key -> {
            AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
            Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get())).description(description).tags(tags)
                    .strongReference(true).register(registry());
            return bits;
        });
    }
}

package io.saliencystream.dashboard;

import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.drift.Threshold;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Where the dashboard reads from and what it needs to know to draw it.
 *
 * @param consumerSettings Kafka consumer settings: bootstrap servers and anything a secured cluster needs;
 *                         the dashboard adds read_committed, no group and no auto-commit itself
 * @param thresholds       drift thresholds by metric name ("jensen-shannon" ...), as the drift application
 *                         is configured; the drift view draws them (empty: only alerts' thresholds are known)
 */
public record DashboardSources(Map<String, Object> consumerSettings, String schemaRegistryUrl, TopicNames topics,
                               DriftTopics driftTopics, Map<String, Threshold> thresholds) {

    public DashboardSources {
        Objects.requireNonNull(consumerSettings.get("bootstrap.servers"), "bootstrap.servers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        consumerSettings = Map.copyOf(consumerSettings);
        thresholds = Map.copyOf(thresholds);
    }

    /** What the processor with this configuration writes, where, and the drift thresholds it alerts on. */
    public static DashboardSources of(ProcessorConfig config) {
        Map<String, Threshold> thresholds = new TreeMap<>();
        config.drift().alertPolicy().thresholds().forEach((metric, t) -> thresholds.put(metric.label(), t));
        // the consumer settings among the kafka.* pass-through (security, timeouts), as the processor's clients get them
        Map<String, Object> consumer = new TreeMap<>();
        config.kafkaOverrides().forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                consumer.put(key, value);
            }
        });
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.streams().bootstrapServers());
        return new DashboardSources(consumer, config.schemaRegistryUrl(), config.topics(), config.drift().topics(),
                thresholds);
    }
}

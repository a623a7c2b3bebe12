package io.saliencystream.dashboard;

import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.drift.Threshold;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.registry.SchemaRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Where the dashboard reads from and what it needs to know to draw it.
 *
 * @param registry         the schema registry of the topics' values
 * @param keys             how record keys (event ids, drift series) are written: string or Avro string
 * @param consumerSettings Kafka consumer settings: bootstrap servers and anything a secured cluster needs;
 *                         the dashboard adds read_committed, no group and no auto-commit itself
 * @param thresholds       drift thresholds by metric name ("jensen-shannon" ...), as the drift application
 *                         is configured; the drift view draws them (empty: only alerts' thresholds are known)
 */
public record DashboardSources(Map<String, Object> consumerSettings, SchemaRegistry registry, Deserializer<String> keys,
                               TopicNames topics, DriftTopics driftTopics, Map<String, Threshold> thresholds) {

    public DashboardSources {
        Objects.requireNonNull(consumerSettings.get("bootstrap.servers"), "bootstrap.servers");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(keys, "keys");
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
        SchemaRegistry registry = new HttpSchemaRegistryClient(config.registry(), HttpSchemaRegistryClient.Settings.defaults());
        return new DashboardSources(consumer, registry,
                config.keyFormat().serde(registry, config.registry().serde()).deserializer(), config.topics(),
                config.drift().topics(), thresholds);
    }
}

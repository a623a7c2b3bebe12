package io.saliencystream.tools.demo;

import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroDeserializer;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the processor's committed output (read_committed, so only what exactly-once processing
 * committed) from the four output topics and the two drift output topics, decoding each with its schema.
 */
public final class OutputCollector implements AutoCloseable {

    /** What has been read so far. */
    public record Outputs(List<SaliencySummary> summaries, List<SaliencyOverlay> overlays,
                         List<ExplanationAudit> audits, List<DeadLetter> deadLetters,
                         List<AttentionDriftMetrics> driftMetrics, List<AttentionDriftAlert> driftAlerts) {
    }

    private final TopicNames topics;
    private final DriftTopics drift;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<SaliencySummary> summaries;
    private final AvroDeserializer<SaliencyOverlay> overlays;
    private final AvroDeserializer<ExplanationAudit> audits;
    private final AvroDeserializer<DeadLetter> deadLetters;
    private final AvroDeserializer<AttentionDriftMetrics> driftMetrics;
    private final AvroDeserializer<AttentionDriftAlert> driftAlerts;
    private final Outputs outputs = new Outputs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
            new ArrayList<>(), new ArrayList<>());

    public OutputCollector(String bootstrapServers, SchemaRegistry registry, TopicNames topics, DriftTopics drift) {
        this.topics = topics;
        this.drift = drift;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "saliency-stream-output-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics.saliencySummaries(), topics.saliencyOverlays(),
                topics.explanationAudit(), topics.deadLetters(), drift.metrics(), drift.alerts()));
        this.summaries = AvroDeserializer.specific(registry, SaliencySummary.class);
        this.overlays = AvroDeserializer.specific(registry, SaliencyOverlay.class);
        this.audits = AvroDeserializer.specific(registry, ExplanationAudit.class);
        this.deadLetters = AvroDeserializer.specific(registry, DeadLetter.class);
        this.driftMetrics = AvroDeserializer.specific(registry, AttentionDriftMetrics.class);
        this.driftAlerts = AvroDeserializer.specific(registry, AttentionDriftAlert.class);
    }

    /** Polls once for up to {@code timeout} and returns everything read so far. */
    public Outputs poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            String topic = r.topic();
            if (topic.equals(topics.saliencySummaries())) {
                outputs.summaries().add(summaries.deserialize(topic, r.value()));
            } else if (topic.equals(topics.saliencyOverlays())) {
                outputs.overlays().add(overlays.deserialize(topic, r.value()));
            } else if (topic.equals(topics.explanationAudit())) {
                outputs.audits().add(audits.deserialize(topic, r.value()));
            } else if (topic.equals(topics.deadLetters())) {
                outputs.deadLetters().add(deadLetters.deserialize(topic, r.value()));
            } else if (topic.equals(drift.metrics())) {
                outputs.driftMetrics().add(driftMetrics.deserialize(topic, r.value()));
            } else {
                outputs.driftAlerts().add(driftAlerts.deserialize(topic, r.value()));
            }
        }
        return outputs;
    }

    @Override
    public void close() {
        consumer.close();
    }
}

package io.saliencystream.dashboard;

import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.AttentionReference;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the output topics on a thread of its own and hands each record to the
 * {@link DashboardState}. Starts {@link DashboardLimits#lookbackPerPartition} records before the
 * end of each partition, so a dashboard started late shows recent history without reading whole
 * topics; topics that do not exist yet are looked for again until they do.
 */
final class OutputFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputFeed.class);
    private static final Duration REFRESH = Duration.ofSeconds(10);

    private final DashboardSources sources;
    private final DashboardLimits limits;
    private final DashboardState state;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Handler> handlers = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    @FunctionalInterface
    private interface Handler {
        void accept(ConsumerRecord<byte[], byte[]> record);
    }

    OutputFeed(DashboardSources sources, SchemaRegistry registry, DashboardLimits limits, DashboardState state) {
        this.sources = sources;
        this.limits = limits;
        this.state = state;
        this.consumer = Consumers.create(sources, "saliency-stream-dashboard-feed");
        // summaries in the writer's schema: fields newer than this build still reach the page
        AvroDeserializer<GenericRecord> summaries = AvroDeserializer.generic(registry);
        AvroDeserializer<SaliencyOverlay> overlays = AvroDeserializer.specific(registry, SaliencyOverlay.class);
        AvroDeserializer<ExplanationAudit> audits = AvroDeserializer.specific(registry, ExplanationAudit.class);
        AvroDeserializer<DeadLetter> deadLetters = AvroDeserializer.specific(registry, DeadLetter.class);
        AvroDeserializer<AttentionDriftMetrics> metrics = AvroDeserializer.specific(registry, AttentionDriftMetrics.class);
        AvroDeserializer<AttentionDriftAlert> alerts = AvroDeserializer.specific(registry, AttentionDriftAlert.class);
        AvroDeserializer<AttentionReference> references = AvroDeserializer.specific(registry, AttentionReference.class);
        handlers.put(sources.topics().saliencySummaries(),
                r -> state.summary(summaries.deserialize(r.topic(), r.value()), r.timestamp()));
        handlers.put(sources.topics().saliencyOverlays(),
                r -> state.overlay(overlays.deserialize(r.topic(), r.value()), r.partition(), r.offset()));
        handlers.put(sources.topics().explanationAudit(), r -> state.audit(audits.deserialize(r.topic(), r.value())));
        handlers.put(sources.topics().deadLetters(), r -> state.deadLetter(deadLetters.deserialize(r.topic(), r.value())));
        handlers.put(sources.driftTopics().metrics(), r -> state.driftMetrics(metrics.deserialize(r.topic(), r.value())));
        handlers.put(sources.driftTopics().alerts(), r -> state.alert(alerts.deserialize(r.topic(), r.value())));
        handlers.put(sources.driftTopics().references(), r -> state.reference(
                r.key() == null ? "" : sources.keys().deserialize(r.topic(), r.key()),
                r.value() == null ? null : references.deserialize(r.topic(), r.value())));
        this.thread = new Thread(this::run, "saliency-stream-dashboard-feed");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean running() {
        return thread.isAlive();
    }

    private void run() {
        Set<TopicPartition> assigned = new HashSet<>();
        long nextRefresh = 0;
        try {
            while (!closed) {
                if (System.nanoTime() >= nextRefresh) {
                    assignNewPartitions(assigned);
                    nextRefresh = System.nanoTime() + REFRESH.toNanos();
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(200);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    take(r);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (!closed) {
                LOG.error("Dashboard feed stopped: {}", e.toString());
            }
        } catch (RuntimeException e) {
            LOG.error("Dashboard feed stopped: the page shows what was read until now", e);
        } finally {
            consumer.close();
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> r) {
        Handler handler = handlers.get(r.topic());
        if (r.value() == null && !r.topic().equals(sources.driftTopics().references())) {
            state.undecodable(r.topic());
            return;
        }
        try {
            handler.accept(r);
        } catch (SerializationException | NullPointerException | ClassCastException e) {
            LOG.warn("Record {}-{}@{} not shown: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            state.undecodable(r.topic());
        }
    }

    /** Adds the partitions of topics that have appeared since the last look, positioned for the lookback. */
    private void assignNewPartitions(Set<TopicPartition> assigned) {
        List<TopicPartition> fresh = new ArrayList<>();
        for (String topic : handlers.keySet()) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                continue;
            }
            if (infos == null) {
                continue;
            }
            for (PartitionInfo p : infos) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                if (!assigned.contains(tp)) {
                    fresh.add(tp);
                }
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        List<TopicPartition> all = new ArrayList<>(assigned);
        all.addAll(fresh);
        consumer.assign(all);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(fresh);
        Map<TopicPartition, Long> end = consumer.endOffsets(fresh);
        for (TopicPartition tp : fresh) {
            consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - limits.lookbackPerPartition()));
        }
        assigned.addAll(fresh);
    }

    @Override
    public void close() {
        closed = true;
        if (!thread.isAlive()) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

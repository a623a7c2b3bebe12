package io.saliencystream.stream.drift;

import static io.saliencystream.stream.drift.DriftFixtures.BOTTOM_RIGHT;
import static io.saliencystream.stream.drift.DriftFixtures.TOP_LEFT;
import static io.saliencystream.stream.drift.DriftFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.testing.EmbeddedKafkaBroker;
import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.ReferenceKind;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.StreamsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift topology on a real broker under exactly-once: it is stopped after an alert opened
 * and started again with the same application id and state directory; the windows carry on
 * (the learned reference and the alert state survived), every window is reported once, and
 * the open alert is neither emitted again nor forgotten (it resolves later).
 */
@Tag("integration")
class DriftTopologyIT {

    private static final DriftConfig CONFIG = DriftConfig.defaults().withMinCount(2).withLearnWindows(1);
    private static final DriftTopics TOPICS = CONFIG.topics();
    /**
     * Event times near now: the broker's time-based retention (and that of the window changelogs)
     * would delete records stamped months ago while the test runs.
     */
    private static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(20));

    private static Instant at(int window, int seconds) {
        return BASE.plusSeconds(60L * window + seconds);
    }

    @TempDir
    Path stateDir;

    @Test
    void restartWithTheSameStateContinuesWindowsWithoutDuplicateAlerts() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            // one input partition: the test writes windows in order and relies on it
            broker.createTopics(Map.of(TOPICS.summaries(), 1, TOPICS.references(), 1, TOPICS.metrics(), 1,
                    TOPICS.alerts(), 1));
            AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
            Properties props = StreamsSettings.defaults("drift-it", broker.bootstrapServers())
                    .withStateDir(stateDir).toProperties();
            String bootstrap = broker.bootstrapServers();

            // learn from window 0; windows 1 and 2 drift: OPEN at window 2 (window 3 closes it)
            produce(bootstrap, serdes, List.of(TOP_LEFT, BOTTOM_RIGHT, BOTTOM_RIGHT, BOTTOM_RIGHT), 0);
            try (KafkaStreams streams = new KafkaStreams(new DriftTopology(CONFIG, serdes).build(), props)) {
                streams.start();
                assertThat(read(bootstrap, TOPICS.alerts(), serdes.specific(AttentionDriftAlert.class).deserializer(), 1))
                        .hasSize(1);
                assertThat(read(bootstrap, TOPICS.metrics(), serdes.specific(AttentionDriftMetrics.class).deserializer(), 3))
                        .hasSize(3);
            }

            // after the restart: window 4 still drifts, 5 and 6 recover: RESOLVED at window 6 (window 7 closes it)
            produce(bootstrap, serdes, List.of(BOTTOM_RIGHT, TOP_LEFT, TOP_LEFT, TOP_LEFT), 4);
            try (KafkaStreams streams = new KafkaStreams(new DriftTopology(CONFIG, serdes).build(), props)) {
                streams.start();
                List<AttentionDriftAlert> alerts = read(bootstrap, TOPICS.alerts(),
                        serdes.specific(AttentionDriftAlert.class).deserializer(), 2);
                List<AttentionDriftMetrics> metrics = read(bootstrap, TOPICS.metrics(),
                        serdes.specific(AttentionDriftMetrics.class).deserializer(), 7);

                assertThat(alerts).extracting(AttentionDriftAlert::getState).containsExactly(AlertState.OPEN, AlertState.RESOLVED);
                assertThat(alerts).extracting(AttentionDriftAlert::getWindowStart).containsExactly(at(2, 0), at(6, 0));
                assertThat(metrics).extracting(AttentionDriftMetrics::getWindowStart)
                        .containsExactly(at(0, 0), at(1, 0), at(2, 0), at(3, 0), at(4, 0), at(5, 0), at(6, 0));
                assertThat(metrics).extracting(AttentionDriftMetrics::getAlertOpen)
                        .containsExactly(false, false, true, true, true, true, false);
                // window 3 was closed by the restarted instance, against the reference learned before the stop
                assertThat(metrics.get(3).getReferenceKind()).isEqualTo(ReferenceKind.LEARNED);
                assertThat(metrics.get(3).getReferenceWindows()).isEqualTo(1);
                assertThat(metrics.get(3).getCount()).isEqualTo(2);
            }
        }
    }

    /** Two summaries per window, windows {@code first}, {@code first + 1}, ... with the given grids. */
    private static void produce(String bootstrap, AvroSerdes serdes, List<double[]> grids, int first) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, SaliencySummary> producer = new KafkaProducer<>(props, new StringSerializer(),
                serdes.specific(SaliencySummary.class).serializer())) {
            for (int w = 0; w < grids.size(); w++) {
                for (int s : new int[] {15, 20}) {
                    SaliencySummary summary = summary("resnet", 3, at(first + w, s), grids.get(w));
                    producer.send(new ProducerRecord<>(TOPICS.summaries(), summary.getEventId(), summary)).get();
                }
            }
        }
    }

    /** Every committed record of the topic, polling until {@code expected} arrived (or 60 s), then once more for extras. */
    private static <T> List<T> read(String bootstrap, String topic, Deserializer<T> deserializer, int expected) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(300))) {
                    out.add(r.value());
                }
            }
            // a duplicate would arrive after the expected ones: give it the time of a few commits
            for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofSeconds(3))) {
                out.add(r.value());
            }
        }
        return out;
    }
}

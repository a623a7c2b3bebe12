package io.saliencystream.stream;

import static io.saliencystream.stream.TestEvents.RARE_MODEL;
import static io.saliencystream.stream.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology on a real single-node KRaft broker, under exactly-once with two stream threads
 * and three input partitions: every record read ends in exactly one counted outcome, and the
 * committed output topics hold exactly the counted records.
 */
@Tag("integration")
class SaliencyTopologyIT {

    private static final TopicNames TOPICS = TopicNames.defaults();

    @TempDir
    Path stateDir;

    @Test
    void countsReconcileWithCommittedOutputsUnderExactlyOnce() throws Exception {
        try (KafkaClusterTestKit cluster = startCluster()) {
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            AvroSerdes serdes = new AvroSerdes(registry);
            List<byte[]> values = mixedInput(serdes);
            produce(cluster.bootstrapServers(), values);

            StreamsSettings settings = new StreamsSettings("saliency-it", cluster.bootstrapServers(),
                    "exactly_once_v2", stateDir, 1, 2, Duration.ofMillis(200), Duration.ofSeconds(5),
                    Duration.ofMinutes(5), 30);
            SamplingConfig sampling = SamplingConfig.of(1.0).withRates(1.0, Map.of(RARE_MODEL, 0.0));
            SaliencyTopology topology = new SaliencyTopology(TOPICS, sampling, serdes,
                    TestEvents.VALIDATOR, TestEvents.EXPLAINER);
            try (KafkaStreams streams = new KafkaStreams(topology.build(), settings.toProperties())) {
                streams.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                ProcessingCounters.Snapshot counts = ProcessingCounters.read(streams.metrics());
                while (counts.accountedFor() < values.size() && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    counts = ProcessingCounters.read(streams.metrics());
                }
                assertThat(counts.eventsIn()).isEqualTo(values.size());
                assertThat(counts.accountedFor()).isEqualTo(values.size());
                assertThat(counts).isEqualTo(new ProcessingCounters.Snapshot(values.size(), 20, 10, 0, 30, 0, 0));

                String bootstrap = cluster.bootstrapServers();
                assertThat(committedCount(bootstrap, TOPICS.saliencySummaries(), 20)).isEqualTo(counts.explained());
                assertThat(committedCount(bootstrap, TOPICS.explanationAudit(), 20)).isEqualTo(counts.explained());
                assertThat(committedCount(bootstrap, TOPICS.deadLetters(), 30)).isEqualTo(counts.deadLettered());
            }
        }
    }

    /**
     * Explanations that take long compared with max.poll.interval.ms: with settings StreamsSettings
     * accepts (poll interval 4 s, worst case 500 ms), a thread explaining 30 events of 400 ms each
     * (12 s in all, three poll intervals) is never evicted from the group. Kafka Streams polls
     * again between records once half the interval has passed, so what must fit is one
     * explanation; {@link #oneExplanationLongerThanThePollIntervalEvictsTheThread} shows the hazard.
     */
    @Test
    void slowExplanationsNeverGetTheStreamThreadEvicted() throws Exception {
        try (KafkaClusterTestKit cluster = startCluster()) {
            AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
            var serializer = serdes.specific(InferenceEvent.class).serializer();
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                values.add(serializer.serialize(TOPICS.inferenceEvents(), event("slow-" + i)));
            }
            produce(cluster.bootstrapServers(), values);

            StreamsSettings settings = new StreamsSettings("saliency-slow-it", cluster.bootstrapServers(),
                    "exactly_once_v2", stateDir, 1, 1, Duration.ofMillis(200), Duration.ofMillis(500),
                    Duration.ofSeconds(4), StreamsSettings.maxPollRecordsFor(Duration.ofSeconds(4), Duration.ofMillis(500)));
            assertThat(settings.maxPollRecords()).isEqualTo(4);
            EventExplainer slow = (e, selection) -> {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(interrupted);
                }
                return TestEvents.EXPLAINER.explain(e, selection);
            };
            SaliencyTopology topology = new SaliencyTopology(TOPICS, SamplingConfig.of(1.0), serdes,
                    TestEvents.VALIDATOR, slow);
            List<KafkaStreams.State> states = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (KafkaStreams streams = new KafkaStreams(topology.build(), settings.toProperties())) {
                streams.setStateListener((now, before) -> states.add(now));
                streams.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                ProcessingCounters.Snapshot counts = ProcessingCounters.read(streams.metrics());
                while (counts.accountedFor() < values.size() && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    counts = ProcessingCounters.read(streams.metrics());
                }
                assertThat(counts.explained()).isEqualTo(values.size());
                assertThat(committedCount(cluster.bootstrapServers(), TOPICS.saliencySummaries(), values.size()))
                        .as("each event explained exactly once").isEqualTo(values.size());
                int firstRunning = states.indexOf(KafkaStreams.State.RUNNING);
                assertThat(states.subList(firstRunning + 1, states.size()))
                        .as("no rebalance after the thread started explaining: %s", states)
                        .doesNotContain(KafkaStreams.State.REBALANCING, KafkaStreams.State.ERROR);
            }
        }
    }

    /**
     * The hazard the worst-case check in StreamsSettings guards against: one explanation longer
     * than max.poll.interval.ms evicts the thread and the group rebalances. StreamsSettings
     * refuses such settings, so this test builds the properties by hand.
     */
    @Test
    void oneExplanationLongerThanThePollIntervalEvictsTheThread() throws Exception {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StreamsSettings("x", "localhost:9092",
                        "exactly_once_v2", null, 1, 1, Duration.ofMillis(200), Duration.ofMillis(5000),
                        Duration.ofSeconds(4), 1))
                .hasMessageContaining("Even one explanation does not fit");
        try (KafkaClusterTestKit cluster = startCluster()) {
            AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
            var serializer = serdes.specific(InferenceEvent.class).serializer();
            produce(cluster.bootstrapServers(), List.of(
                    serializer.serialize(TOPICS.inferenceEvents(), event("too-slow-1")),
                    serializer.serialize(TOPICS.inferenceEvents(), event("too-slow-2"))));
            Properties props = new StreamsSettings("saliency-too-slow-it", cluster.bootstrapServers(),
                    "at_least_once", stateDir, 1, 1, Duration.ofMillis(200), Duration.ofMillis(500),
                    Duration.ofSeconds(4), 1).toProperties();
            EventExplainer tooSlow = (e, selection) -> {
                try {
                    Thread.sleep(6000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(interrupted);
                }
                return TestEvents.EXPLAINER.explain(e, selection);
            };
            List<KafkaStreams.State> states = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (KafkaStreams streams = new KafkaStreams(new SaliencyTopology(TOPICS, SamplingConfig.of(1.0), serdes,
                    TestEvents.VALIDATOR, tooSlow).build(), props)) {
                streams.setStateListener((now, before) -> states.add(now));
                streams.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (System.nanoTime() < deadline && !rebalancedAfterRunning(states)) {
                    Thread.sleep(200);
                }
                assertThat(rebalancedAfterRunning(states)).as("states %s", states).isTrue();
            }
        }
    }

    private static boolean rebalancedAfterRunning(List<KafkaStreams.State> states) {
        int firstRunning = states.indexOf(KafkaStreams.State.RUNNING);
        return firstRunning >= 0 && states.subList(firstRunning + 1, states.size()).contains(KafkaStreams.State.REBALANCING);
    }

    private static KafkaClusterTestKit startCluster() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        try (Admin admin = cluster.admin()) {
            admin.createTopics(Stream.of(TOPICS.inferenceEvents(), TOPICS.saliencySummaries(),
                            TOPICS.saliencyOverlays(), TOPICS.explanationAudit(), TOPICS.deadLetters())
                    .map(t -> new NewTopic(t, t.equals(TOPICS.inferenceEvents()) ? 3 : 1, (short) 1))
                    .toList()).all().get();
        }
        return cluster;
    }

    /** 20 explainable, 10 unsampled, and 30 bad ones of three kinds: 60 records. */
    private static List<byte[]> mixedInput(AvroSerdes serdes) {
        List<byte[]> values = new ArrayList<>();
        var serializer = serdes.specific(InferenceEvent.class).serializer();
        for (int i = 0; i < 10; i++) {
            values.add(serializer.serialize(TOPICS.inferenceEvents(), event("good-" + i)));
            values.add(serializer.serialize(TOPICS.inferenceEvents(), event("unsampled-" + i, RARE_MODEL, 1, "cat", 0.9f)));
            values.add(("garbage-" + i).getBytes(StandardCharsets.UTF_8));
            values.add(serializer.serialize(TOPICS.inferenceEvents(), event("unknown-" + i, "no-such-model", 1, "cat", 0.9f)));
            InferenceEvent crash = event("crash-" + i);
            crash.setAttributes(Map.of("fail", "crash"));
            values.add(serializer.serialize(TOPICS.inferenceEvents(), crash));
            values.add(serializer.serialize(TOPICS.inferenceEvents(), event("good-b-" + i)));
        }
        return values;
    }

    private static void produce(String bootstrap, List<byte[]> values) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(TOPICS.inferenceEvents(),
                        ("k" + i).getBytes(StandardCharsets.UTF_8), values.get(i))).get();
            }
        }
    }

    /** Records visible to a read_committed consumer, polling until {@code expected} arrived or 20 s passed. */
    private static long committedCount(String bootstrap, String topic, int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + topic);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(300))) {
                    count++;
                }
                if (count >= expected) {
                    // one more poll: more than expected would be a duplicate, which must fail
                    for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofSeconds(1))) {
                        count++;
                    }
                    break;
                }
            }
        }
        return count;
    }
}

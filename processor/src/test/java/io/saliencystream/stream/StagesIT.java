package io.saliencystream.stream;

import static io.saliencystream.stream.TestEvents.RARE_MODEL;
import static io.saliencystream.stream.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.schema.ExplanationRequest;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both stages on a real single-node KRaft broker, each its own application as {@code run} starts
 * them (selection, flagged and sampled explanation), under exactly-once with two stream threads
 * and three input partitions: every record read ends in exactly one counted outcome, and the
 * committed output topics hold exactly the counted records. And the explanation stage's poll
 * sizing: slow explanations within it never get a thread evicted, one beyond it does. And flagged
 * first: in one process, sampled explanations wait while flagged ones run.
 */
@Tag("integration")
class StagesIT {

    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final RequestTopics REQUESTS = RequestTopics.defaults();

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
            try (Stages stages = Stages.start(settings, sampling, serdes, TestEvents.EXPLAINER)) {
                ProcessingCounters.Snapshot counts = stages.awaitAccounted(values.size(), Duration.ofSeconds(90));
                assertThat(counts.eventsIn()).isEqualTo(values.size());
                assertThat(counts.accountedFor()).isEqualTo(values.size());
                // 20 good and 10 crashing events requested, the crashing ones dead-lettered by the explanation stage
                assertThat(counts).isEqualTo(new ProcessingCounters.Snapshot(values.size(), 20, 10, 0, 30, 30, 0));

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
            try (Stages stages = Stages.start(settings, SamplingConfig.of(1.0), serdes, slow)) {
                ProcessingCounters.Snapshot counts = stages.awaitAccounted(values.size(), Duration.ofSeconds(90));
                assertThat(counts.explained()).isEqualTo(values.size());
                List<KafkaStreams.State> states = stages.sampledStates();
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
            produceRequests(cluster.bootstrapServers(), serdes, List.of("too-slow-1", "too-slow-2"));
            Topology lane = new ExplanationTopology(TOPICS, REQUESTS, RequestTopics.Lane.SAMPLED, serdes, tooSlow,
                    Optional.empty()).build();
            try (KafkaStreams streams = new KafkaStreams(lane, props)) {
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

    /**
     * Flagged first in one process: both lanes share a {@link LanePriority} as {@code run} wires
     * them. With a backlog of sampled requests keeping the sampled thread busy, flagged requests
     * arrive; no sampled explanation starts while a flagged one runs, so the flagged ones have the
     * cores to themselves. Without the priority ({@link LanePriority#none()}) the sampled thread
     * starts its next explanation beside every flagged one, which this test would catch.
     */
    @Test
    void sampledExplanationsWaitWhileFlaggedOnesRun() throws Exception {
        try (KafkaClusterTestKit cluster = startCluster()) {
            AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
            produceRequests(cluster.bootstrapServers(), serdes, RequestTopics.Lane.SAMPLED,
                    Stream.iterate(0, i -> i + 1).limit(80).map(i -> "sampled-" + i).toList());
            Map<String, long[]> runs = new java.util.concurrent.ConcurrentHashMap<>();
            EventExplainer timed = (e, selection) -> {
                long start = System.nanoTime();
                try {
                    Thread.sleep(selection.flagged() ? 300 : 100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(interrupted);
                }
                runs.put(e.getEventId().toString(), new long[] {start, System.nanoTime()});
                return TestEvents.EXPLAINER.explain(e, selection);
            };
            LanePriority priority = new LanePriority(Duration.ofSeconds(10));
            Properties props = new StreamsSettings("saliency-priority-it", cluster.bootstrapServers(),
                    "exactly_once_v2", stateDir, 1, 1, Duration.ofMillis(100), Duration.ofSeconds(1),
                    Duration.ofSeconds(60), 10).toProperties();
            List<KafkaStreams> lanes = new ArrayList<>();
            for (RequestTopics.Lane lane : RequestTopics.Lane.values()) {
                Properties p = new Properties();
                p.putAll(props);
                p.put(StreamsConfig.APPLICATION_ID_CONFIG, "saliency-priority-it-" + lane.label());
                lanes.add(new KafkaStreams(new ExplanationTopology(TOPICS, REQUESTS, lane, serdes, timed,
                        Optional.empty()).withPriority(priority).build(), p));
            }
            List<String> flagged = List.of("flagged-0", "flagged-1", "flagged-2", "flagged-3");
            try {
                lanes.forEach(KafkaStreams::start);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((runs.size() < 3 || lanes.stream().anyMatch(l -> l.state() != KafkaStreams.State.RUNNING))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(runs).as("the sampled backlog is being explained").hasSizeGreaterThanOrEqualTo(3);
                produceRequests(cluster.bootstrapServers(), serdes, RequestTopics.Lane.FLAGGED, flagged);
                while (runs.size() < 84 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(runs).hasSize(84);
            } finally {
                lanes.forEach(KafkaStreams::close);
            }
            for (String id : flagged) {
                long[] f = runs.get(id);
                List<String> startedBeside = runs.entrySet().stream()
                        .filter(r -> r.getKey().startsWith("sampled-"))
                        .filter(r -> r.getValue()[0] > f[0] && r.getValue()[0] < f[1])
                        .map(Map.Entry::getKey).toList();
                assertThat(startedBeside).as("sampled explanations started while %s ran", id).isEmpty();
            }
            long firstFlagged = runs.get("flagged-0")[0];
            assertThat(runs.entrySet().stream().filter(r -> r.getKey().startsWith("sampled-"))
                    .filter(r -> r.getValue()[0] > firstFlagged).count())
                    .as("the sampled backlog outlasted the flagged requests").isPositive();
            assertThat(priority.sampledWaited()).isPositive();
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
                            TOPICS.saliencyOverlays(), TOPICS.explanationAudit(), TOPICS.deadLetters(),
                            REQUESTS.flagged(), REQUESTS.sampled())
                    .map(t -> new NewTopic(t, t.equals(TOPICS.inferenceEvents()) || t.equals(REQUESTS.sampled()) ? 3 : 1,
                            (short) 1))
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

    /**
     * The selection stage and both explanation lanes as {@code run} starts them: three applications,
     * {@code <id>-select}, {@code <id>-explain-flagged} and {@code <id>-explain-sampled}.
     */
    private record Stages(List<KafkaStreams> applications, List<KafkaStreams.State> sampledStates)
            implements AutoCloseable {

        static Stages start(StreamsSettings settings, SamplingConfig sampling, AvroSerdes serdes,
                EventExplainer explainer) {
            List<KafkaStreams> applications = new ArrayList<>();
            applications.add(new KafkaStreams(new SelectionTopology(TOPICS, REQUESTS, sampling, serdes,
                    TestEvents.VALIDATOR).build(), properties(settings, "-select")));
            for (RequestTopics.Lane lane : RequestTopics.Lane.values()) {
                applications.add(new KafkaStreams(new ExplanationTopology(TOPICS, REQUESTS, lane, serdes, explainer,
                        Optional.empty()).build(), properties(settings, "-explain-" + lane.label())));
            }
            List<KafkaStreams.State> sampledStates = new java.util.concurrent.CopyOnWriteArrayList<>();
            applications.get(2).setStateListener((now, before) -> sampledStates.add(now));
            applications.forEach(KafkaStreams::start);
            return new Stages(applications, sampledStates);
        }

        private static Properties properties(StreamsSettings settings, String suffix) {
            Properties properties = settings.toProperties();
            properties.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId() + suffix);
            return properties;
        }

        ProcessingCounters.Snapshot counts() {
            Map<MetricName, Metric> metrics = new HashMap<>();
            applications.forEach(a -> metrics.putAll(a.metrics()));
            return ProcessingCounters.read(metrics);
        }

        /** Waits until every record read has its outcome, or {@code timeout} passed. */
        ProcessingCounters.Snapshot awaitAccounted(int records, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            ProcessingCounters.Snapshot counts = counts();
            while ((counts.eventsIn() < records || counts.accountedFor() < counts.eventsIn())
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
                counts = counts();
            }
            return counts;
        }

        @Override
        public void close() {
            applications.forEach(KafkaStreams::close);
        }
    }

    /** Sampled requests for events of {@code ids}, as the selection stage writes them. */
    private static void produceRequests(String bootstrap, AvroSerdes serdes, List<String> ids) throws Exception {
        produceRequests(bootstrap, serdes, RequestTopics.Lane.SAMPLED, ids);
    }

    /** Requests of {@code lane} for events of {@code ids}, as the selection stage writes them. */
    private static void produceRequests(String bootstrap, AvroSerdes serdes, RequestTopics.Lane lane, List<String> ids)
            throws Exception {
        boolean flagged = lane == RequestTopics.Lane.FLAGGED;
        var events = serdes.specific(InferenceEvent.class).serializer();
        var requests = serdes.specific(ExplanationRequest.class).serializer();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String id : ids) {
                Instant now = Instant.now();
                ExplanationRequest request = ExplanationRequest.newBuilder().setEventId(id).setModelName("resnet")
                        .setSelectionReasons(List.of(flagged ? Selection.FLAG_PRODUCER : Selection.SAMPLED))
                        .setFlagged(flagged).setSelectedAt(now)
                        .setSourceTopic(TOPICS.inferenceEvents()).setSourcePartition(0).setSourceOffset(0)
                        .setSourceTimestamp(now).setOriginalKey(null)
                        .setOriginalValue(ByteBuffer.wrap(events.serialize(TOPICS.inferenceEvents(), event(id))))
                        .build();
                producer.send(new ProducerRecord<>(REQUESTS.of(lane), id.getBytes(StandardCharsets.UTF_8),
                        requests.serialize(REQUESTS.of(lane), request))).get();
            }
        }
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

package io.saliencystream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class EmbeddedKafkaBrokerIT {

    @Test
    void transactionalWritesAreReadCommittedAndAbortedOnesAreNot() throws Exception {
        Path logDir;
        String bootstrap;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            logDir = broker.logDir();
            bootstrap = broker.bootstrapServers();
            assertThat(logDir.resolve("meta.properties")).exists();
            broker.createTopics(Map.of("it-events", 2));

            try (KafkaProducer<String, String> producer = transactionalProducer(bootstrap)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("it-events", 0, "k1", "committed-1"));
                producer.send(new ProducerRecord<>("it-events", 1, "k2", "committed-2"));
                producer.commitTransaction();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>("it-events", 0, "k3", "aborted"));
                producer.flush();
                producer.abortTransaction();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>("it-events", 0, "k4", "committed-3"));
                producer.commitTransaction();
            }

            List<String> values = readCommitted(bootstrap, "it-events", 3);
            assertThat(values).containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3");
        }
        assertThat(Files.exists(logDir)).as("log dir deleted on close").isFalse();
        assertThat(accepts(bootstrap)).as("broker port closed after close").isFalse();
    }

    @Test
    void topicsAreNotAutoCreatedAndPartitionCountsAreChecked() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(Map.of("it-three", 3));
            broker.createTopics(Map.of("it-three", 3)); // same count again: accepted

            assertThatThrownBy(() -> broker.createTopics(Map.of("it-three", 4)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("it-three")
                    .hasMessageContaining("3 partitions");
            assertThatThrownBy(() -> broker.createTopics(Map.of("it-bad", 0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("it-bad");

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000),
                    new StringSerializer(), new StringSerializer())) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("it-missing", "v")).get())
                        .isInstanceOfAny(ExecutionException.class,
                                org.apache.kafka.common.errors.TimeoutException.class)
                        .satisfies(e -> assertThat(rootCauseIsMissingTopic(e)).as(e.toString()).isTrue());
            }
        }
    }

    private static boolean rootCauseIsMissingTopic(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownTopicOrPartitionException
                    || (t.getMessage() != null && t.getMessage().contains("not present in metadata"))) {
                return true;
            }
        }
        return false;
    }

    private static KafkaProducer<String, String> transactionalProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readCommitted(String bootstrap, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "it-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // keep polling a little past the expected count so an aborted record would show up
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                if (values.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
        }
        return values;
    }

    private static boolean accepts(String hostPort) {
        String[] parts = hostPort.split(":");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}

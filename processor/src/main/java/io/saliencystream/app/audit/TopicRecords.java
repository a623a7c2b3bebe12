package io.saliencystream.app.audit;

import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a whole topic once: every partition from the beginning up to the end offsets taken at
 * the start, read_committed (so aborted transactions are not seen), without a consumer group.
 */
public final class TopicRecords {

    /** What was read, and how many records could not be decoded (a bad input on the input topic is one). */
    public record Read<T>(List<T> records, int undecodable) {
    }

    private TopicRecords() {
    }

    /**
     * Every record of {@code topic}, read with {@code client}: {@code bootstrap.servers} and any
     * other consumer settings (security).
     */
    public static <T extends SpecificRecord> Read<T> readAll(Map<String, Object> client, SchemaRegistry registry,
                                                            String topic, Class<T> type, Duration timeout) {
        AvroDeserializer<T> deserializer = AvroDeserializer.specific(registry, type);
        Map<String, Object> properties = new HashMap<>(client);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Object bootstrapServers = client.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist on " + bootstrapServers);
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            List<T> records = new ArrayList<>();
            int undecodable = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading topic " + topic + " did not reach its end offsets "
                            + end + " within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        T value = deserializer.deserialize(topic, r.value());
                        if (value == null) {
                            undecodable++;
                        } else {
                            records.add(value);
                        }
                    } catch (SerializationException e) {
                        undecodable++;
                    }
                }
            }
            return new Read<>(records, undecodable);
        }
    }

    private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        return end.isEmpty();
    }
}

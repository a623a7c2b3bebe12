package io.saliencystream.stream;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/** Kafka Streams' clients, with every producer a {@link SizeCheckedProducer}. */
public final class SizeCheckedClientSupplier implements KafkaClientSupplier {

    private final Map<String, Integer> topicLimits;

    /** @param topicLimits {@code max.message.bytes} of the topics the application writes, as far as known */
    public SizeCheckedClientSupplier(Map<String, Integer> topicLimits) {
        this.topicLimits = Map.copyOf(topicLimits);
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        Object limit = config.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return new SizeCheckedProducer(new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
                limit == null ? RecordLimits.DEFAULT_PRODUCER_BYTES : Integer.parseInt(limit.toString().strip()),
                topicLimits);
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return getConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return getConsumer(config);
    }
}

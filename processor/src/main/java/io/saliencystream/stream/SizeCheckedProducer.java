package io.saliencystream.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A producer that refuses, before the real one sees it, a record larger than it or its topic
 * accepts. The real producer would refuse it too, but under exactly-once that failure also
 * dooms the open transaction (KAFKA-15259): its commit fails, the task is rewound and the same
 * input record fails again, forever. Refused here, the record's send fails with
 * {@link UnwritableRecordException} through the callback, the transaction stays sound, and the
 * production exception handler ({@link UnwrittenRecordHandler}) skips it.
 */
final class SizeCheckedProducer implements Producer<byte[], byte[]> {

    /**
     * The most a record batch and a record add to the key, value and headers: a v2 batch header is
     * 61 bytes, a record's own fields at most 21, and each length a varint of at most 5 bytes.
     */
    static final int OVERHEAD_BYTES = 61 + 21 + 5 + 5 + 5;

    private final Producer<byte[], byte[]> delegate;
    private final int producerLimit;
    private final Map<String, Integer> topicLimits;

    /**
     * @param producerLimit the producer's {@code max.request.size}
     * @param topicLimits   {@code max.message.bytes} of the topics whose limit is known; others are held to the producer's
     */
    SizeCheckedProducer(Producer<byte[], byte[]> delegate, int producerLimit, Map<String, Integer> topicLimits) {
        this.delegate = delegate;
        this.producerLimit = producerLimit;
        this.topicLimits = Map.copyOf(topicLimits);
    }

    /** An upper bound of the bytes a record takes in a batch of its own, as the producer estimates it. */
    static int sizeUpperBound(ProducerRecord<byte[], byte[]> record) {
        long size = OVERHEAD_BYTES + length(record.key()) + length(record.value());
        for (Header header : record.headers()) {
            size += 10 + header.key().getBytes(StandardCharsets.UTF_8).length + length(header.value());
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        int size = sizeUpperBound(record);
        int topicLimit = topicLimits.getOrDefault(record.topic(), Integer.MAX_VALUE);
        int limit = Math.min(producerLimit, topicLimit);
        if (size <= limit) {
            return delegate.send(record, callback);
        }
        UnwritableRecordException refused = new UnwritableRecordException(String.format(
                "a record of %d bytes (key %d, value %d) for topic %s exceeds the %d bytes that %s accepts",
                size, length(record.key()), length(record.value()), record.topic(), limit,
                producerLimit <= topicLimit ? "the producer's max.request.size (kafka.max.request.size)"
                        : "the topic's max.message.bytes"));
        TopicPartition partition = new TopicPartition(record.topic(), record.partition() == null ? -1 : record.partition());
        if (callback != null) {
            callback.onCompletion(new RecordMetadata(partition, -1L, -1, -1L, -1, -1), refused);
        }
        return CompletableFuture.failedFuture(refused);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(record, null);
    }

    /** A record refused for its size before it reached the producer; without a stack trace (the log shows the reason). */
    static final class UnwritableRecordException extends RecordTooLargeException {
        UnwritableRecordException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata groupMetadata) {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
        delegate.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        delegate.close(timeout);
    }
}

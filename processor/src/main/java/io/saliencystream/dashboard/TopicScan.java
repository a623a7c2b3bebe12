package io.saliencystream.dashboard;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Looks for one record in a whole topic, for what the feed's bounded memory no longer holds:
 * every partition from its beginning to the end offsets taken at the start, read_committed,
 * keeping only the last record that matches. A lookup, not a feed: it costs a read of the topic.
 */
final class TopicScan {

    private TopicScan() {
    }

    /**
     * @param match turns a record into the value looked for, or null when it is not the one
     * @return the match at the highest offset (per partition order; the last written for one key)
     */
    static <T> Optional<T> last(DashboardSources sources, String topic, Function<ConsumerRecord<byte[], byte[]>, T> match,
                                Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = Consumers.create(sources, "saliency-stream-dashboard-lookup")) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            T found = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                if (end.isEmpty()) {
                    return Optional.ofNullable(found);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading topic " + topic + " took longer than "
                            + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    T value = match.apply(r);
                    if (value != null) {
                        found = value;
                    }
                }
            }
        }
    }
}

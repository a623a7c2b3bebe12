package io.saliencystream.dashboard;

import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.serde.AvroDeserializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Fetches an overlay's PNG from its topic when a page shows it, by the partition and offset the
 * feed noted, and keeps the most recently shown few. The feed itself keeps no PNG.
 */
final class OverlayFetcher implements AutoCloseable {

    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    private final String topic;
    private final DashboardState state;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<SaliencyOverlay> deserializer;
    private final Map<String, byte[]> cache;

    OverlayFetcher(DashboardSources sources, SchemaRegistry registry, DashboardState state, int cacheSize) {
        this.topic = sources.topics().saliencyOverlays();
        this.state = state;
        this.consumer = Consumers.create(sources, "saliency-stream-dashboard-overlays");
        this.deserializer = AvroDeserializer.specific(registry, SaliencyOverlay.class);
        this.cache = new BoundedMap<>(cacheSize);
    }

    /** The PNG of the event's overlay, empty when the feed has not seen one for it. */
    synchronized Optional<byte[]> png(String eventId) {
        byte[] cached = cache.get(eventId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<DashboardState.OverlayRef> ref = state.overlayRef(eventId);
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        TopicPartition tp = new TopicPartition(topic, ref.get().partition());
        consumer.assign(List.of(tp));
        consumer.seek(tp, ref.get().offset());
        long deadline = System.nanoTime() + FETCH_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() == ref.get().offset()) {
                    SaliencyOverlay overlay = deserializer.deserialize(topic, r.value());
                    byte[] png = Utils.toArray(overlay.getPng());
                    cache.put(eventId, png);
                    return Optional.of(png);
                }
                if (r.offset() > ref.get().offset()) {
                    // compacted or deleted by retention since the feed saw it
                    return Optional.empty();
                }
            }
        }
        throw new IllegalStateException("overlay of " + eventId + " not fetched from " + tp + " within "
                + FETCH_TIMEOUT.toSeconds() + " s");
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}

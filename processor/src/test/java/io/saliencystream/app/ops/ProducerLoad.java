package io.saliencystream.app.ops;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Events {@code e-0 … e-(n-1)} sent in the background at a steady rate, so faults land mid-stream. */
final class ProducerLoad implements AutoCloseable {

    private final CompletableFuture<Void> done;

    private ProducerLoad(CompletableFuture<Void> done) {
        this.done = done;
    }

    static ProducerLoad start(Traffic traffic, int events, int perSecond) {
        return new ProducerLoad(CompletableFuture.runAsync(() -> {
            try (KafkaProducer<byte[], byte[]> producer = traffic.producer()) {
                for (int i = 0; i < events; i++) {
                    producer.send(new ProducerRecord<>(Traffic.TOPICS.inferenceEvents(), Traffic.key(Traffic.id(i)),
                            traffic.event(i)));
                    Thread.sleep(1000 / perSecond);
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    /** Waits until every event is sent and acknowledged. */
    void await() throws Exception {
        done.get(5, TimeUnit.MINUTES);
    }

    @Override
    public void close() {
        done.cancel(true);
    }
}

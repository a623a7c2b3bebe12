package io.saliencystream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** Records that cannot be written: refused before the producer, skipped and counted by the handler. */
class UnwrittenRecordsTest {

    private static final int LIMIT = 1 << 20;

    private final MockProducer<byte[], byte[]> inner = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final SizeCheckedProducer producer = new SizeCheckedProducer(inner, LIMIT, Map.of("small-topic", 64 * 1024));

    @Test
    void aRecordOverTheProducersLimitNeverReachesItAndTheTransactionStillCommits() {
        producer.initTransactions();
        producer.beginTransaction();
        AtomicReference<Exception> failure = new AtomicReference<>();
        // a key of 1.1 MB with a small value: the dead letter of an event with an oversize key
        producer.send(new ProducerRecord<>("dead-letters", new byte[1_100_000], new byte[100]),
                (metadata, e) -> failure.set(e));
        producer.send(new ProducerRecord<>("dead-letters", new byte[10], new byte[100]));
        producer.commitTransaction();

        assertThat(failure.get()).isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("1100000").hasMessageContaining("dead-letters")
                .hasMessageContaining("max.request.size");
        assertThat(failure.get().getStackTrace()).isEmpty();
        assertThat(inner.history()).hasSize(1);
        assertThat(inner.transactionCommitted()).isTrue();
    }

    @Test
    void theTopicsLimitAppliesWhereItIsSmallerAndTheBoundCoversHeaders() {
        AtomicReference<Exception> failure = new AtomicReference<>();
        producer.send(new ProducerRecord<>("small-topic", new byte[10], new byte[70 * 1024]), (m, e) -> failure.set(e));
        assertThat(failure.get()).hasMessageContaining("max.message.bytes");

        Headers headers = new RecordHeaders().add("h", new byte[1000]);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("t", null, new byte[3], new byte[5], headers);
        assertThat(SizeCheckedProducer.sizeUpperBound(record))
                .isEqualTo(SizeCheckedProducer.OVERHEAD_BYTES + 3 + 5 + 10 + 1 + 1000);
        // right at the limit goes through, one byte more does not
        byte[] value = new byte[LIMIT - SizeCheckedProducer.OVERHEAD_BYTES];
        producer.send(new ProducerRecord<>("t", null, value));
        assertThat(inner.history()).hasSize(1);
        failure.set(null);
        producer.send(new ProducerRecord<>("t", null, Arrays.copyOf(value, value.length + 1)), (m, e) -> failure.set(e));
        assertThat(failure.get()).isInstanceOf(RecordTooLargeException.class);
        assertThat(inner.history()).hasSize(1);
    }

    @Test
    void theHandlerSkipsAndCountsRecordsTooLargeAndFailsOnEverythingElse() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Metrics.addRegistry(meters);
        try {
            UnwrittenRecordHandler handler = new UnwrittenRecordHandler();
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("dead-letters", new byte[1], new byte[1]);
            assertThat(handler.handleError(context(), record, new RecordTooLargeException("too large")).result())
                    .isEqualTo(ProductionExceptionHandler.Result.RESUME);
            assertThat(meters.get(StreamMetrics.UNWRITTEN).tags("topic", "dead-letters", "reason", "too-large")
                    .counter().count()).isEqualTo(1.0);
            assertThat(handler.handleError(context(), record, new TimeoutException("broker gone")).result())
                    .isNotEqualTo(ProductionExceptionHandler.Result.RESUME);
        } finally {
            Metrics.removeRegistry(meters);
        }
    }

    @Test
    void streamsSettingsInstallTheHandler() {
        StreamsConfig config = new StreamsConfig(StreamsSettings.defaults("a", "localhost:9092").toProperties());
        assertThat(config.getClass(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG))
                .isEqualTo(UnwrittenRecordHandler.class);
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return "inference-events";
            }

            @Override
            public int partition() {
                return 2;
            }

            @Override
            public long offset() {
                return 41;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return "dead-letter-sink";
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 2);
            }

            @Override
            public long timestamp() {
                return 0;
            }

            @Override
            public byte[] sourceRawKey() {
                return null;
            }

            @Override
            public byte[] sourceRawValue() {
                return null;
            }
        };
    }

}

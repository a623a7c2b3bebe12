package io.saliencystream.stream;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' {@code production.exception.handler}: a record too large for the producer or
 * its topic even after the record limits were applied (dead letters and overlays are fitted,
 * but not keys: an event key of over a megabyte makes an unwritable dead letter) is skipped,
 * logged with the input record it came from, and counted
 * ({@code saliency_records_unwritten_total{topic,reason}}), instead of failing the stream thread
 * into a crash loop on the same input record. Every other production error fails as before:
 * an unreachable cluster or registry is not the record's fault, and skipping would lose data.
 */
public final class UnwrittenRecordHandler extends DefaultProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UnwrittenRecordHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception error) {
        if (!(error instanceof RecordTooLargeException)) {
            return super.handleError(context, record, error);
        }
        StreamMetrics.unwritten(record.topic(), "too-large");
        LOG.error("record for {} not written, skipped: it came from input {}-{}@{} (task {}); {}. Raise the limit"
                        + " (kafka.max.request.size and the topic's max.message.bytes) to keep such records",
                record.topic(), context.topic(), context.partition(), context.offset(), context.taskId(),
                error.getMessage());
        return Response.resume();
    }
}

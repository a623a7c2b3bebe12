package io.saliencystream.stream;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationRequest;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds the dead letter of an input record the processor gave up on: read by the selection
 * stage, or carried to the explanation stage inside a request, it holds the same original bytes
 * and coordinates either way.
 */
final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * @param source   the input record, with its original key and value bytes
     * @param metadata where it was read (absent only outside record processing)
     * @param eventId  the event id, if the value decoded far enough to have one
     */
    static DeadLetter of(Record<byte[], byte[]> source, Optional<RecordMetadata> metadata, String fallbackTopic,
            String eventId, Stage stage, String errorCode, Throwable error, long failedAtMillis) {
        StreamMetrics.deadLettered(stage.label(), errorCode);
        return DeadLetter.newBuilder()
                .setSourceTopic(metadata.map(RecordMetadata::topic).orElse(fallbackTopic))
                .setSourcePartition(metadata.map(RecordMetadata::partition).orElse(-1))
                .setSourceOffset(metadata.map(RecordMetadata::offset).orElse(-1L))
                .setSourceTimestamp(Instant.ofEpochMilli(source.timestamp()))
                .setOriginalKey(wrap(source.key()))
                .setOriginalValue(wrap(source.value()))
                .setEventId(eventId)
                .setStage(stage.label())
                .setErrorCode(errorCode)
                .setErrorClass(error.getClass().getName())
                .setReason(reason(error))
                .setFailedAt(Instant.ofEpochMilli(failedAtMillis))
                .build();
    }

    /** The dead letter of the event a request carries, with the original record's bytes and coordinates. */
    static DeadLetter of(ExplanationRequest request, Stage stage, String errorCode, Throwable error,
            long failedAtMillis) {
        StreamMetrics.deadLettered(stage.label(), errorCode);
        return DeadLetter.newBuilder()
                .setSourceTopic(request.getSourceTopic())
                .setSourcePartition(request.getSourcePartition())
                .setSourceOffset(request.getSourceOffset())
                .setSourceTimestamp(request.getSourceTimestamp())
                .setOriginalKey(request.getOriginalKey())
                .setOriginalValue(request.getOriginalValue())
                .setEventId(request.getEventId())
                .setStage(stage.label())
                .setErrorCode(errorCode)
                .setErrorClass(error.getClass().getName())
                .setReason(reason(error))
                .setFailedAt(Instant.ofEpochMilli(failedAtMillis))
                .build();
    }

    private static String reason(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() + " (no message)" : message;
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }
}

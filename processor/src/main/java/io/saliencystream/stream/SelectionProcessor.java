package io.saliencystream.stream;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationRequest;
import io.saliencystream.schema.InferenceEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One input record through decode, validate, select and budget. Each record ends in exactly one
 * outcome (requested, skipped by sampling, skipped by budget, dead-lettered: also when its request
 * would not fit the request topics), each counted.
 * Failures caused by the input become dead letters and the stream goes on; only an unreachable
 * schema registry or a failing sink stops it, since those are not the input's fault.
 */
final class SelectionProcessor implements Processor<byte[], byte[], Object, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(SelectionProcessor.class);

    private final SelectionTopology.Parts parts;
    private ProcessorContext<Object, SpecificRecord> context;
    private ProcessingCounters counters;

    SelectionProcessor(SelectionTopology.Parts parts) {
        this.parts = Objects.requireNonNull(parts, "parts");
    }

    @Override
    public void init(ProcessorContext<Object, SpecificRecord> context) {
        this.context = context;
        this.counters = ProcessingCounters.register(context.metrics(), SelectionTopology.PROCESSOR);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        counters.eventIn();
        InferenceEvent event;
        try {
            event = parts.decoder().decode(parts.topics().inferenceEvents(), record.value());
        } catch (RejectedInputException e) {
            deadLetter(record, null, e.stage(), e.code(), e);
            return;
        }
        String eventId = event.getEventId();
        try {
            if (eventId == null || eventId.isBlank()) {
                throw RejectedInputException.validation(ErrorCodes.MISSING_EVENT_ID,
                        "Event has a blank eventId; sampling, seeds and output keys need one");
            }
            parts.validator().validate(event);
        } catch (RejectedInputException e) {
            deadLetter(record, eventId, e.stage(), e.code(), e);
            return;
        } catch (RuntimeException e) {
            deadLetter(record, eventId, Stage.VALIDATE, ErrorCodes.VALIDATOR_ERROR, e);
            return;
        }

        Selection selection = parts.sampler().select(event);
        if (!selection.selected()) {
            counters.skippedSampling();
            return;
        }
        if (!parts.budget().tryAcquire(event.getModelName(), selection.flagged(), context.currentSystemTimeMs())) {
            LOG.debug("Skipping event {} of model {} (reasons {}): over budget",
                    eventId, event.getModelName(), selection.reasons());
            counters.skippedBudget();
            return;
        }
        ExplanationRequest request = request(record, event, selection);
        int size = RecordLimits.wireSize(request) + eventId.getBytes(StandardCharsets.UTF_8).length;
        if (size > parts.requestBytes()) {
            deadLetter(record, eventId, Stage.VALIDATE, ErrorCodes.REQUEST_TOO_LARGE, RejectedInputException.validation(
                    ErrorCodes.REQUEST_TOO_LARGE, "Selected event's explanation request of " + size
                            + " bytes exceeds the " + parts.requestBytes() + " bytes the request topics accept"
                            + " (the producer's max.request.size and the topics' max.message.bytes, less headroom):"
                            + " raise both, or lower limits.max-image-bytes to what they accept"));
            return;
        }
        // the request keeps the original record's timestamp: the explanation stage's deadline counts from it
        context.forward(record.withKey((Object) eventId).withValue((SpecificRecord) request),
                selection.flagged() ? SelectionTopology.FLAGGED_SINK : SelectionTopology.SAMPLED_SINK);
        counters.requested();
    }

    private ExplanationRequest request(Record<byte[], byte[]> record, InferenceEvent event, Selection selection) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        return ExplanationRequest.newBuilder()
                .setEventId(event.getEventId())
                .setModelName(event.getModelName())
                .setSelectionReasons(selection.reasons())
                .setFlagged(selection.flagged())
                .setSelectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setSourceTopic(metadata.topic())
                .setSourcePartition(metadata.partition())
                .setSourceOffset(metadata.offset())
                .setSourceTimestamp(Instant.ofEpochMilli(record.timestamp()))
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setOriginalValue(ByteBuffer.wrap(record.value()))
                .build();
    }

    private void deadLetter(Record<byte[], byte[]> source, String eventId, Stage stage, String code, Throwable error) {
        DeadLetter letter = DeadLetters.of(source, context.recordMetadata(), parts.topics().inferenceEvents(),
                eventId, stage, code, error, context.currentSystemTimeMs());
        LOG.debug("Dead-lettering {} at {}: {} ({})", eventId, stage.label(), code, letter.getReason());
        // keyed by the original key bytes, so a dead letter lands with its neighbours' partitioning
        context.forward(source.withKey((Object) source.key()).withValue((SpecificRecord) letter),
                SelectionTopology.DEAD_LETTER_SINK);
        counters.deadLettered();
    }
}

package io.saliencystream.stream;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.InferenceEvent;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One input record through decode, validate, select, budget and explain. Each record ends in
 * exactly one outcome (explained, skipped by sampling, skipped by budget, dead-lettered), each
 * counted. Failures caused by the input become dead letters and the stream goes on; only an
 * unreachable schema registry or a failing sink stops it, since those are not the input's fault.
 */
final class SaliencyProcessor implements Processor<byte[], byte[], Object, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(SaliencyProcessor.class);

    private final SaliencyTopology.Parts parts;
    private ProcessorContext<Object, SpecificRecord> context;
    private ProcessingCounters counters;

    SaliencyProcessor(SaliencyTopology.Parts parts) {
        this.parts = Objects.requireNonNull(parts, "parts");
    }

    @Override
    public void init(ProcessorContext<Object, SpecificRecord> context) {
        this.context = context;
        this.counters = ProcessingCounters.register(context.metrics(), SaliencyTopology.PROCESSOR);
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

        List<ExplainedEvent> explained;
        try {
            explained = parts.explainer().explain(event, selection);
            if (explained == null || explained.isEmpty()) {
                throw new IllegalStateException("Explainer returned no result for event " + eventId);
            }
        } catch (RejectedInputException e) {
            deadLetter(record, eventId, e.stage(), e.code(), e);
            return;
        } catch (RuntimeException e) {
            LOG.warn("Explainer failed on event {}: {}", eventId, e.toString());
            deadLetter(record, eventId, Stage.EXPLAIN, ErrorCodes.EXPLAINER_ERROR, e);
            return;
        }
        emit(record, selection, explained);
        counters.explained();
    }

    /** Each target's three records, under the target's key. */
    private void emit(Record<byte[], byte[]> source, Selection selection, List<ExplainedEvent> explained) {
        for (ExplainedEvent target : explained) {
            target.summary().setSelectionReasons(selection.reasons());
            target.audit().setSelectionReasons(selection.reasons());
            Object key = target.key();
            context.forward(source.withKey(key).withValue(target.summary()), SaliencyTopology.SUMMARY_SINK);
            if (target.overlay() != null) {
                context.forward(source.withKey(key).withValue(target.overlay()), SaliencyTopology.OVERLAY_SINK);
            }
            context.forward(source.withKey(key).withValue(target.audit()), SaliencyTopology.AUDIT_SINK);
        }
    }

    private void deadLetter(Record<byte[], byte[]> source, String eventId, Stage stage, String code, Throwable error) {
        DeadLetter letter = DeadLetters.of(source, context.recordMetadata(), parts.topics().inferenceEvents(),
                eventId, stage, code, error, context.currentSystemTimeMs());
        LOG.debug("Dead-lettering {} at {}: {} ({})", eventId, stage.label(), code, letter.getReason());
        // keyed by the original key bytes, so a dead letter lands with its neighbours' partitioning
        context.forward(source.withKey((Object) source.key()).withValue((SpecificRecord) letter),
                SaliencyTopology.DEAD_LETTER_SINK);
        counters.deadLettered();
    }
}

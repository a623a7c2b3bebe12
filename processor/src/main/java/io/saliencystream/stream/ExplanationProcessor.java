package io.saliencystream.stream;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationRequest;
import io.saliencystream.schema.InferenceEvent;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One explanation request through the deadline check, decoding of the original event, and the
 * explainer. Each request ends in exactly one outcome (explained, skipped by deadline,
 * dead-lettered), each counted. A dead letter written here carries the original record's bytes
 * and coordinates, as if the selection stage had written it.
 */
final class ExplanationProcessor implements Processor<byte[], byte[], Object, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(ExplanationProcessor.class);

    private final ExplanationTopology.Parts parts;
    private ProcessorContext<Object, SpecificRecord> context;
    private ProcessingCounters counters;

    ExplanationProcessor(ExplanationTopology.Parts parts) {
        this.parts = Objects.requireNonNull(parts, "parts");
    }

    @Override
    public void init(ProcessorContext<Object, SpecificRecord> context) {
        this.context = context;
        this.counters = ProcessingCounters.register(context.metrics(), parts.names().processor());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        ExplanationRequest request;
        try {
            request = parts.requestDecoder().decode(context.recordMetadata().map(m -> m.topic()).orElse(null),
                    record.value());
        } catch (RejectedInputException e) {
            // only a writer other than the selection stage gets here; keep its bytes like any bad input
            DeadLetter letter = DeadLetters.of(record, context.recordMetadata(), parts.topics().inferenceEvents(),
                    null, e.stage(), e.code(), e, context.currentSystemTimeMs());
            forwardDeadLetter(record, record.key(), letter);
            return;
        }
        if (parts.lane() == RequestTopics.Lane.SAMPLED) {
            awaitTurn();
        }
        long age = context.currentSystemTimeMs() - request.getSourceTimestamp().toEpochMilli();
        if (age > parts.deadlineMillis()) {
            LOG.debug("Skipping request {} ({}): its event is {} ms old, over the {} ms deadline",
                    request.getEventId(), request.getSelectionReasons(), age, parts.deadlineMillis());
            counters.skippedDeadline();
            return;
        }
        InferenceEvent event;
        try {
            event = parts.eventDecoder().decode(request.getSourceTopic(), Utils.toArray(request.getOriginalValue()));
        } catch (RejectedInputException e) {
            deadLetter(record, request, e.stage(), e.code(), e);
            return;
        }
        Selection selection = new Selection(true, request.getFlagged(), request.getSelectionReasons());
        List<ExplainedEvent> explained;
        boolean flagged = parts.lane() == RequestTopics.Lane.FLAGGED;
        if (flagged) {
            parts.priority().flaggedStarted();
        }
        try {
            explained = parts.explainer().explain(event, selection);
            if (explained == null || explained.isEmpty()) {
                throw new IllegalStateException("Explainer returned no result for event " + request.getEventId());
            }
        } catch (RejectedInputException e) {
            deadLetter(record, request, e.stage(), e.code(), e);
            return;
        } catch (RuntimeException e) {
            LOG.warn("Explainer failed on event {}: {}", request.getEventId(), e.toString());
            deadLetter(record, request, Stage.EXPLAIN, ErrorCodes.EXPLAINER_ERROR, e);
            return;
        } finally {
            if (flagged) {
                parts.priority().flaggedFinished();
            }
        }
        emit(record, selection, explained);
        counters.explained();
    }

    /** A sampled request waits (bounded) while a flagged explanation runs in this process. */
    private void awaitTurn() {
        try {
            parts.priority().awaitSampledTurn();
        } catch (InterruptedException e) {
            // closing: explain this one now, the thread stops after its poll
            Thread.currentThread().interrupt();
        }
    }

    /** Each target's three records, under the target's key. */
    private void emit(Record<byte[], byte[]> source, Selection selection, List<ExplainedEvent> explained) {
        ExplanationTopology.Names names = parts.names();
        for (ExplainedEvent target : explained) {
            target.summary().setSelectionReasons(selection.reasons());
            target.audit().setSelectionReasons(selection.reasons());
            Object key = target.key();
            context.forward(source.withKey(key).withValue(target.summary()), names.summarySink());
            if (target.overlay() != null) {
                context.forward(source.withKey(key).withValue(target.overlay()), names.overlaySink());
            }
            context.forward(source.withKey(key).withValue(target.audit()), names.auditSink());
        }
    }

    private void deadLetter(Record<byte[], byte[]> source, ExplanationRequest request, Stage stage, String code,
            Throwable error) {
        DeadLetter letter = DeadLetters.of(request, stage, code, error, context.currentSystemTimeMs());
        LOG.debug("Dead-lettering {} at {}: {} ({})", request.getEventId(), stage.label(), code, letter.getReason());
        byte[] originalKey = request.getOriginalKey() == null ? null : Utils.toArray(request.getOriginalKey());
        forwardDeadLetter(source, originalKey, letter);
    }

    /** Keyed by the original key bytes, so a dead letter lands with its neighbours' partitioning. */
    private void forwardDeadLetter(Record<byte[], byte[]> source, byte[] key, DeadLetter letter) {
        context.forward(source.withKey((Object) key).withValue((SpecificRecord) letter), parts.names().deadLetterSink());
        counters.deadLettered();
    }
}

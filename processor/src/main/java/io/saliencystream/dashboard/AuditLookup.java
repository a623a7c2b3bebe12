package io.saliencystream.dashboard;

import io.saliencystream.app.audit.AuditVerdict;
import io.saliencystream.app.audit.AuditVerifier;
import io.saliencystream.app.audit.EventIndex;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroDeserializer;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.ExplainedEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The audit page: an audit record by event id (from the feed's memory, else from the audit topic),
 * and the check {@code verify} runs, for that one record, through the same {@link AuditVerifier}:
 * its input from the inference-events topic by event id, its summary from the summaries topic.
 */
final class AuditLookup {

    /** What a verification needs besides the topics: the models and how the processor reads inputs. */
    record Verification(ModelCatalog catalog, EventInputs eventInputs) {
    }

    private static final Duration SCAN_TIMEOUT = Duration.ofMinutes(2);

    private final DashboardSources sources;
    private final DashboardState state;
    private final Optional<Verification> verification;
    private final ExplanationEngine engine = new ExplanationEngine();
    private final AvroDeserializer<ExplanationAudit> audits;
    private final AvroDeserializer<InferenceEvent> events;
    private final AvroDeserializer<SaliencySummary> summaries;

    AuditLookup(DashboardSources sources, SchemaRegistry registry, DashboardState state,
                Optional<Verification> verification) {
        this.sources = sources;
        this.state = state;
        this.verification = verification;
        this.audits = AvroDeserializer.specific(registry, ExplanationAudit.class);
        this.events = AvroDeserializer.specific(registry, InferenceEvent.class);
        this.summaries = AvroDeserializer.specific(registry, SaliencySummary.class);
    }

    boolean canVerify() {
        return verification.isPresent();
    }

    Optional<ExplanationAudit> find(String eventId) {
        Optional<ExplanationAudit> held = state.audit(eventId);
        if (held.isPresent()) {
            return held;
        }
        return TopicScan.last(sources, sources.topics().explanationAudit(), byKey(eventId, audits), SCAN_TIMEOUT);
    }

    /** One verification at a time: each re-runs an explanation on this machine's cores. */
    synchronized AuditVerdict verify(ExplanationAudit audit) {
        Verification v = verification.orElseThrow(() -> new IllegalStateException("this dashboard has no model catalog"));
        String id = audit.getEventId();
        String eventsTopic = sources.topics().inferenceEvents();
        // the input topic's keys are the producer's choice: match on the decoded event id
        Optional<InferenceEvent> event = TopicScan.last(sources, eventsTopic, r -> {
            try {
                InferenceEvent e = r.value() == null ? null : events.deserialize(r.topic(), r.value());
                return e != null && id.equals(e.getEventId()) ? e : null;
            } catch (SerializationException | IllegalArgumentException e) {
                return null;  // a bad input on the input topic, dead-lettered by the processor
            }
        }, SCAN_TIMEOUT);
        // the summary of the same target shares the audit's output key
        String key = ExplainedEvent.key(id, audit.getTarget(), audit.getTargetClass());
        Map<String, SaliencySummary> summary = new HashMap<>();
        TopicScan.last(sources, sources.topics().saliencySummaries(), byKey(key, summaries), SCAN_TIMEOUT)
                .ifPresent(s -> summary.put(key, s));
        AuditVerifier verifier = new AuditVerifier(v.catalog(), engine, v.eventInputs(),
                new EventIndex(event.map(List::of).orElse(List.of()), "topic " + eventsTopic), summary);
        return verifier.verify(audit);
    }

    /** Records keyed by the event id, in the configured key format; a key that does not decode is not the one. */
    private <T> Function<ConsumerRecord<byte[], byte[]>, T> byKey(String id, AvroDeserializer<T> deserializer) {
        return r -> {
            if (r.key() == null || r.value() == null) {
                return null;
            }
            try {
                return id.equals(sources.keys().deserialize(r.topic(), r.key()))
                        ? deserializer.deserialize(r.topic(), r.value()) : null;
            } catch (SerializationException e) {
                return null;
            }
        };
    }
}

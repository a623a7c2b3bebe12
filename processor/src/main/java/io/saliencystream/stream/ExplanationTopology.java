package io.saliencystream.stream;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ExplanationRequest;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

/**
 * The explanation stage of one lane (flagged or sampled requests): runs the model.
 *
 * <pre>
 * explanation-requests-&lt;lane&gt; ─► explanation ─┬─► saliency-summaries  (key: event id[/target=class])
 *                                               ├─► saliency-overlays    (key: the same)
 *                                               ├─► explanation-audit    (key: the same, compactable)
 *                                               └─► dead-letters         (key: original key bytes)
 * </pre>
 *
 * Each lane runs as its own Kafka Streams application with its own stream threads, so flagged
 * requests are never queued behind sampled ones; in one process the lanes share a
 * {@link LanePriority}, so sampled explanations also leave the cores to flagged ones. A request whose original record is older than
 * the lane's deadline is skipped and counted ({@code skipped-deadline}) rather than explained
 * late. Outputs are keyed by {@link ExplainedEvent#key()}: the event id for the predicted target,
 * {@code <eventId>/target=<class>} for each other target; one record per explained target,
 * idempotent under replay, and the audit topic can be compacted; consumers that aggregate per
 * model (drift) re-key by model, version and class themselves. Dead letters keep the original key
 * so they partition like the input did.
 */
public final class ExplanationTopology {

    private final TopicNames topics;
    private final RequestTopics requests;
    private final RequestTopics.Lane lane;
    private final AvroSerdes serdes;
    private final EventExplainer explainer;
    private final Optional<Duration> deadline;
    private final RecordLimits limits;
    private final LanePriority priority;

    /**
     * @param deadline the oldest a request's original record may be when its turn comes (empty: no deadline)
     */
    public ExplanationTopology(TopicNames topics, RequestTopics requests, RequestTopics.Lane lane, AvroSerdes serdes,
            EventExplainer explainer, Optional<Duration> deadline) {
        this(topics, requests, lane, serdes, explainer, deadline, RecordLimits.defaultBroker(), LanePriority.none());
    }

    private ExplanationTopology(TopicNames topics, RequestTopics requests, RequestTopics.Lane lane, AvroSerdes serdes,
            EventExplainer explainer, Optional<Duration> deadline, RecordLimits limits, LanePriority priority) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.lane = Objects.requireNonNull(lane, "lane");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.explainer = Objects.requireNonNull(explainer, "explainer");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.priority = Objects.requireNonNull(priority, "priority");
        deadline.ifPresent(d -> {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("the " + lane.label() + " deadline must be positive, got " + d);
            }
        });
    }

    /** This lane with overlays and dead letters made to fit {@code limits} (default: a broker's defaults). */
    public ExplanationTopology withRecordLimits(RecordLimits limits) {
        return new ExplanationTopology(topics, requests, lane, serdes, explainer, deadline, limits, priority);
    }

    /**
     * This lane sharing {@code priority} with the other lane of the same process: flagged
     * explanations hold it, sampled ones wait for them (default: no priority).
     */
    public ExplanationTopology withPriority(LanePriority priority) {
        return new ExplanationTopology(topics, requests, lane, serdes, explainer, deadline, limits, priority);
    }

    public Topology build() {
        return addTo(new Topology());
    }

    /** Adds the lane to {@code topology}; node names carry the lane, so both lanes fit in one topology (tests). */
    Topology addTo(Topology topology) {
        Names names = Names.of(lane);
        Parts parts = new Parts(topics, names,
                new EventDecoder<>(serdes.specific(ExplanationRequest.class).deserializer(), ExplanationRequest.class),
                EventDecoder.events(serdes.specific(InferenceEvent.class).deserializer()), explainer,
                deadline.map(Duration::toMillis).orElse(Long.MAX_VALUE), lane, priority);
        Serializer<String> eventIdSerializer = serdes.keys().serializer();
        topology.addSource(names.source(), new ByteArrayDeserializer(), new ByteArrayDeserializer(), requests.of(lane));
        topology.addProcessor(names.processor(), () -> new ExplanationProcessor(parts), names.source());
        topology.addSink(names.summarySink(), topics.saliencySummaries(), eventIdSerializer,
                serdes.specific(SaliencySummary.class).serializer(), names.processor());
        topology.addSink(names.overlaySink(), topics.saliencyOverlays(), eventIdSerializer,
                limits.overlays(serdes.specific(SaliencyOverlay.class).serializer()), names.processor());
        topology.addSink(names.auditSink(), topics.explanationAudit(), eventIdSerializer,
                serdes.specific(ExplanationAudit.class).serializer(), names.processor());
        topology.addSink(names.deadLetterSink(), topics.deadLetters(), new ByteArraySerializer(),
                limits.deadLetters(serdes.specific(DeadLetter.class).serializer()), names.processor());
        return topology;
    }

    /** Node names of one lane. */
    record Names(String source, String processor, String summarySink, String overlaySink, String auditSink,
            String deadLetterSink) {
        static Names of(RequestTopics.Lane lane) {
            String p = "explanation-" + lane.label();
            return new Names(p + "-requests-source", p, p + "-summaries-sink", p + "-overlays-sink",
                    p + "-audit-sink", p + "-dead-letters-sink");
        }
    }

    /** What every processor instance of one built topology shares. */
    record Parts(TopicNames topics, Names names, EventDecoder<ExplanationRequest> requestDecoder,
            EventDecoder<InferenceEvent> eventDecoder, EventExplainer explainer, long deadlineMillis,
            RequestTopics.Lane lane, LanePriority priority) {
    }
}

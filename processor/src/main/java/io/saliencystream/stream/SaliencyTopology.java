package io.saliencystream.stream;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

/**
 * The saliency pipeline as a Kafka Streams topology:
 *
 * <pre>
 * inference-events (byte[]) ─► saliency-processor ─┬─► saliency-summaries  (key: event id[/target=class])
 *                                                   ├─► saliency-overlays    (key: the same)
 *                                                   ├─► explanation-audit    (key: the same, compactable)
 *                                                   └─► dead-letters         (key: original key bytes)
 * </pre>
 *
 * Values are read as raw bytes and decoded inside the processor, so a record that does not
 * decode still has its original bytes for the dead letter. Every output is keyed by
 * {@link ExplainedEvent#key()} (the event id, with {@code /target=<class>} for a target other than
 * the predicted one): one record per explained target, idempotent under replay, and the audit topic can be
 * compacted; consumers that aggregate per model (drift) re-key by model, version and class
 * themselves. Dead letters keep the original key so they partition like the input did.
 */
public final class SaliencyTopology {

    static final String SOURCE = "inference-events-source";
    static final String PROCESSOR = "saliency-processor";
    static final String SUMMARY_SINK = "saliency-summaries-sink";
    static final String OVERLAY_SINK = "saliency-overlays-sink";
    static final String AUDIT_SINK = "explanation-audit-sink";
    static final String DEAD_LETTER_SINK = "dead-letters-sink";

    private final TopicNames topics;
    private final SamplingConfig sampling;
    private final AvroSerdes serdes;
    private final EventValidator validator;
    private final EventExplainer explainer;
    private final SamplingBoost samplingBoost;
    private final RecordLimits limits;

    public SaliencyTopology(TopicNames topics, SamplingConfig sampling, AvroSerdes serdes,
            EventValidator validator, EventExplainer explainer) {
        this(topics, sampling, serdes, validator, explainer, null, RecordLimits.defaultBroker());
    }

    private SaliencyTopology(TopicNames topics, SamplingConfig sampling, AvroSerdes serdes,
            EventValidator validator, EventExplainer explainer, SamplingBoost samplingBoost, RecordLimits limits) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.sampling = Objects.requireNonNull(sampling, "sampling");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.explainer = Objects.requireNonNull(explainer, "explainer");
        this.samplingBoost = samplingBoost;
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Hook for attention drift: a rate boost that reads its own sources (for example a global
     * store of open drift alerts), which {@link #build()} adds to the topology.
     */
    public interface SamplingBoost extends Sampler.RateBoost {
        void addTo(Topology topology);
    }

    /** This topology with {@code boost} raising sampling rates; one boost per built topology. */
    public SaliencyTopology withSamplingBoost(SamplingBoost boost) {
        return new SaliencyTopology(topics, sampling, serdes, validator, explainer, Objects.requireNonNull(boost, "boost"),
                limits);
    }

    /** This topology with dead letters and overlays made to fit {@code limits} (default: a broker's defaults). */
    public SaliencyTopology withRecordLimits(RecordLimits limits) {
        return new SaliencyTopology(topics, sampling, serdes, validator, explainer, samplingBoost, limits);
    }

    /**
     * Builds the topology. The budget is created here and shared by every task of the
     * resulting application instance: build once per KafkaStreams instance.
     */
    public Topology build() {
        Parts parts = new Parts(topics,
                EventDecoder.events(serdes.specific(InferenceEvent.class).deserializer()),
                validator, new Sampler(sampling, samplingBoost == null ? Sampler.RateBoost.NONE : samplingBoost),
                new ExplanationBudget(sampling), explainer);
        Serializer<String> eventIdSerializer = serdes.keys().serializer();
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.inferenceEvents());
        topology.addProcessor(PROCESSOR, () -> new SaliencyProcessor(parts), SOURCE);
        topology.addSink(SUMMARY_SINK, topics.saliencySummaries(), eventIdSerializer,
                serdes.specific(SaliencySummary.class).serializer(), PROCESSOR);
        topology.addSink(OVERLAY_SINK, topics.saliencyOverlays(), eventIdSerializer,
                limits.overlays(serdes.specific(SaliencyOverlay.class).serializer()), PROCESSOR);
        topology.addSink(AUDIT_SINK, topics.explanationAudit(), eventIdSerializer,
                serdes.specific(ExplanationAudit.class).serializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters(), new ByteArraySerializer(),
                limits.deadLetters(serdes.specific(DeadLetter.class).serializer()), PROCESSOR);
        if (samplingBoost != null) {
            samplingBoost.addTo(topology);
        }
        return topology;
    }

    /** What every processor instance of one built topology shares. */
    record Parts(TopicNames topics, EventDecoder<InferenceEvent> decoder, EventValidator validator, Sampler sampler,
            ExplanationBudget budget, EventExplainer explainer) {
    }
}

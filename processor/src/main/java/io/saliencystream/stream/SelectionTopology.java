package io.saliencystream.stream;

import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.ExplanationRequest;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroSerdes;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

/**
 * The selection stage: decides which inference events to explain, and never runs a model.
 *
 * <pre>
 * inference-events (byte[]) ─► selection ─┬─► explanation-requests-flagged  (key: event id)
 *                                          ├─► explanation-requests-sampled  (key: event id)
 *                                          └─► dead-letters                  (key: original key bytes)
 * </pre>
 *
 * Every event is decoded and validated (model known, image header within limits, tensor shape,
 * claim-check location: no pixels decoded, nothing downloaded), then sampled, flagged and
 * charged to its model's budget. An unselected event costs nothing more. A selected one becomes
 * an {@link ExplanationRequest} carrying the original record's bytes untouched, keyed by event
 * id: requests spread evenly over the request topics' partitions whatever the input's keys, so
 * the explanation stage scales with those partitions and not with the input's. A request never
 * exceeds what the request topics accept ({@link RecordLimits#requestBytes()}): a selected event
 * too large for them is dead-lettered instead.
 */
public final class SelectionTopology {

    static final String SOURCE = "inference-events-source";
    static final String PROCESSOR = "selection";
    static final String FLAGGED_SINK = "explanation-requests-flagged-sink";
    static final String SAMPLED_SINK = "explanation-requests-sampled-sink";
    static final String DEAD_LETTER_SINK = "selection-dead-letters-sink";

    private final TopicNames topics;
    private final RequestTopics requests;
    private final SamplingConfig sampling;
    private final AvroSerdes serdes;
    private final EventValidator validator;
    private final SamplingBoost samplingBoost;
    private final RecordLimits limits;

    public SelectionTopology(TopicNames topics, RequestTopics requests, SamplingConfig sampling, AvroSerdes serdes,
            EventValidator validator) {
        this(topics, requests, sampling, serdes, validator, null, RecordLimits.defaultBroker());
    }

    private SelectionTopology(TopicNames topics, RequestTopics requests, SamplingConfig sampling, AvroSerdes serdes,
            EventValidator validator, SamplingBoost samplingBoost, RecordLimits limits) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.sampling = Objects.requireNonNull(sampling, "sampling");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.validator = Objects.requireNonNull(validator, "validator");
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
    public SelectionTopology withSamplingBoost(SamplingBoost boost) {
        return new SelectionTopology(topics, requests, sampling, serdes, validator,
                Objects.requireNonNull(boost, "boost"), limits);
    }

    /**
     * This topology with requests and dead letters made to fit {@code limits} (default: a broker's
     * defaults): a selected event whose request would not fit is dead-lettered as
     * {@value ErrorCodes#REQUEST_TOO_LARGE}, a dead letter's original value is cut.
     */
    public SelectionTopology withRecordLimits(RecordLimits limits) {
        return new SelectionTopology(topics, requests, sampling, serdes, validator, samplingBoost, limits);
    }

    /**
     * Builds the topology. The budget is created here and shared by every task of the
     * resulting application instance: build once per KafkaStreams instance.
     */
    public Topology build() {
        return addTo(new Topology());
    }

    /** Adds the stage to {@code topology} (tests put both stages in one). */
    Topology addTo(Topology topology) {
        Parts parts = new Parts(topics, EventDecoder.events(serdes.specific(InferenceEvent.class).deserializer()),
                validator, new Sampler(sampling, samplingBoost == null ? Sampler.RateBoost.NONE : samplingBoost),
                new ExplanationBudget(sampling), limits.requestBytes());
        StringSerializer eventIdSerializer = new StringSerializer();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.inferenceEvents());
        topology.addProcessor(PROCESSOR, () -> new SelectionProcessor(parts), SOURCE);
        topology.addSink(FLAGGED_SINK, requests.flagged(), eventIdSerializer,
                serdes.specific(ExplanationRequest.class).serializer(), PROCESSOR);
        topology.addSink(SAMPLED_SINK, requests.sampled(), eventIdSerializer,
                serdes.specific(ExplanationRequest.class).serializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters(), new ByteArraySerializer(),
                limits.deadLetters(serdes.specific(DeadLetter.class).serializer()), PROCESSOR);
        if (samplingBoost != null) {
            samplingBoost.addTo(topology);
        }
        return topology;
    }

    /** What every processor instance of one built topology shares. */
    record Parts(TopicNames topics, EventDecoder<InferenceEvent> decoder, EventValidator validator, Sampler sampler,
            ExplanationBudget budget, int requestBytes) {
    }
}

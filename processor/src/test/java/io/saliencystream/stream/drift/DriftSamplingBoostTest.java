package io.saliencystream.stream.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.ClassScore;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.ExplanationRequest;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.RequestTopics;
import io.saliencystream.stream.Sampler;
import io.saliencystream.stream.SamplingConfig;
import io.saliencystream.stream.SelectionTopology;
import io.saliencystream.stream.TopicNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The selection stage with the drift boost: an open alert for a model raises that model's sampling rate. */
class DriftSamplingBoostTest {

    static {
        io.saliencystream.serde.AvroTrust.install();
    }

    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final RequestTopics REQUESTS = RequestTopics.defaults();
    private static final DriftConfig CONFIG = DriftConfig.defaults(); // boost x5
    private static final double RATE = 0.1;

    private final AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestInputTopic<String, AttentionDriftAlert> alerts;
    private TestOutputTopic<String, ExplanationRequest> requests;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void start(DriftSamplingBoost boost) {
        SelectionTopology topology = new SelectionTopology(TOPICS, REQUESTS, SamplingConfig.of(RATE), serdes, e -> { })
                .withSamplingBoost(boost);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "boost-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology.build(), props);
        events = driver.createInputTopic(TOPICS.inferenceEvents(), new ByteArraySerializer(), new ByteArraySerializer());
        alerts = driver.createInputTopic(CONFIG.topics().alerts(), new StringSerializer(),
                serdes.specific(AttentionDriftAlert.class).serializer());
        requests = driver.createOutputTopic(REQUESTS.sampled(), new StringDeserializer(),
                serdes.specific(ExplanationRequest.class).deserializer());
    }

    /** Event ids whose sampling draw falls between the plain rate and the boosted rate 0.5. */
    private static List<String> idsSampledOnlyWhenBoosted(String prefix, int n) {
        return IntStream.range(0, 10_000).mapToObj(i -> prefix + i)
                .filter(id -> Sampler.unitHash(id) >= RATE && Sampler.unitHash(id) < RATE * 5)
                .limit(n).toList();
    }

    /** How many of {@code ids} the selection stage sends to the explanation stage. */
    private int requested(String model, List<String> ids) {
        for (String id : ids) {
            InferenceEvent e = InferenceEvent.newBuilder()
                    .setEventId(id).setEventTime(Instant.parse("2025-01-01T00:00:00Z"))
                    .setModelName(model).setModelVersion("1")
                    .setInput(new EncodedImage(ImageFormat.PNG, ByteBuffer.wrap(new byte[] {1})))
                    .setTopK(List.of(new ClassScore(3, "cat", 0.9f)))
                    .build();
            events.pipeInput(id.getBytes(StandardCharsets.UTF_8),
                    serdes.specific(InferenceEvent.class).serializer().serialize(TOPICS.inferenceEvents(), e));
        }
        return requests.readValuesToList().size();
    }

    private static AttentionDriftAlert alert(String model, AlertState state) {
        return AttentionDriftAlert.newBuilder().setModelName(model).setModelVersion("1").setPredictedClass(3)
                .setWindowStart(Instant.EPOCH).setWindowEnd(Instant.EPOCH.plusSeconds(60))
                .setState(state).setMetric("jensen-shannon").setDistance(0.3).setThreshold(0.1).build();
    }

    @Test
    void openAlertRaisesTheRateOfItsModelOnlyUntilItResolves() {
        DriftSamplingBoost boost = DriftSamplingBoost.of(CONFIG, serdes);
        start(boost);
        List<String> ids = idsSampledOnlyWhenBoosted("e-", 30);
        assertThat(requested("resnet", ids.subList(0, 10))).isZero();

        alerts.pipeInput(DriftKey.format("resnet", "1", 3), alert("resnet", AlertState.OPEN));
        assertThat(boost.factorFor("resnet")).isEqualTo(5.0);
        assertThat(requested("resnet", ids.subList(10, 20))).isEqualTo(10);
        assertThat(requested("vit", ids.subList(0, 10))).as("other models keep their rate").isZero();

        alerts.pipeInput(DriftKey.format("resnet", "1", 3), alert("resnet", AlertState.RESOLVED));
        assertThat(requested("resnet", ids.subList(20, 30))).isZero();
    }

    @Test
    void boostedRateIsCappedAtOne() {
        Sampler sampler = new Sampler(SamplingConfig.of(0.3).withRates(0.3, Map.of("slow", 0.05)), m -> 5.0);
        assertThat(sampler.rateFor("any")).isEqualTo(1.0);
        assertThat(sampler.rateFor("slow")).isEqualTo(0.25, org.assertj.core.api.Assertions.within(1e-12));
    }
}

package io.saliencystream.stream;

import static io.saliencystream.stream.TestEvents.KNOWN_MODEL;
import static io.saliencystream.stream.TestEvents.RARE_MODEL;
import static io.saliencystream.stream.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.registry.SchemaRegistryException;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.ExplanationRequest;
import io.saliencystream.schema.ImageFormat;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both stages in one topology (selection, then the flagged and the sampled explanation lane),
 * which TopologyTestDriver runs through end to end: what the selection stage writes to a
 * request topic the same driver feeds to the explanation stage.
 */
class StagesTopologyTest {

    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final RequestTopics REQUESTS = RequestTopics.defaults();
    private static final Instant START = Instant.parse("2025-06-01T12:00:00Z");

    /** Every event of {@link TestEvents#KNOWN_MODEL} is sampled, none of {@link TestEvents#RARE_MODEL}. */
    private static final SamplingConfig ALL_OF_KNOWN_MODEL = SamplingConfig.of(1.0)
            .withRates(1.0, Map.of(RARE_MODEL, 0.0));

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerdes serdes = new AvroSerdes(registry);
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, SaliencySummary> summaries;
    private TestOutputTopic<String, SaliencyOverlay> overlays;
    private TestOutputTopic<String, ExplanationAudit> audits;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;

    private TestOutputTopic<String, ExplanationRequest> flaggedRequests;
    private TestOutputTopic<String, ExplanationRequest> sampledRequests;

    private void start(SamplingConfig sampling) {
        start(sampling, serdes, Optional.empty());
    }

    private void start(SamplingConfig sampling, AvroSerdes topologySerdes, Optional<Duration> deadline) {
        start(sampling, topologySerdes, deadline, RecordLimits.defaultBroker());
    }

    private void start(SamplingConfig sampling, AvroSerdes topologySerdes, Optional<Duration> deadline,
            RecordLimits limits) {
        Topology topology = new SelectionTopology(TOPICS, REQUESTS, sampling, topologySerdes, TestEvents.VALIDATOR)
                .withRecordLimits(limits).addTo(new Topology());
        for (RequestTopics.Lane lane : RequestTopics.Lane.values()) {
            new ExplanationTopology(TOPICS, REQUESTS, lane, topologySerdes, TestEvents.EXPLAINER, deadline)
                    .withRecordLimits(limits).addTo(topology);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "saliency-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props, START);
        flaggedRequests = driver.createOutputTopic(REQUESTS.flagged(), new StringDeserializer(),
                serdes.specific(ExplanationRequest.class).deserializer());
        sampledRequests = driver.createOutputTopic(REQUESTS.sampled(), new StringDeserializer(),
                serdes.specific(ExplanationRequest.class).deserializer());
        input = driver.createInputTopic(TOPICS.inferenceEvents(), new ByteArraySerializer(), new ByteArraySerializer());
        summaries = driver.createOutputTopic(TOPICS.saliencySummaries(), new StringDeserializer(),
                serdes.specific(SaliencySummary.class).deserializer());
        overlays = driver.createOutputTopic(TOPICS.saliencyOverlays(), new StringDeserializer(),
                serdes.specific(SaliencyOverlay.class).deserializer());
        audits = driver.createOutputTopic(TOPICS.explanationAudit(), new StringDeserializer(),
                serdes.specific(ExplanationAudit.class).deserializer());
        deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), new ByteArrayDeserializer(),
                serdes.specific(DeadLetter.class).deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private byte[] bytes(InferenceEvent e) {
        return serdes.specific(InferenceEvent.class).serializer().serialize(TOPICS.inferenceEvents(), e);
    }

    private void pipe(InferenceEvent e) {
        input.pipeInput(e.getEventId().getBytes(StandardCharsets.UTF_8), bytes(e));
    }

    private ProcessingCounters.Snapshot counts() {
        return ProcessingCounters.read(driver.metrics());
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void sampledEventGivesOneSummaryOverlayAndAuditKeyedByEventId() {
        start(ALL_OF_KNOWN_MODEL);
        pipe(event("evt-1"));

        List<KeyValue<String, SaliencySummary>> s = summaries.readKeyValuesToList();
        List<KeyValue<String, SaliencyOverlay>> o = overlays.readKeyValuesToList();
        List<KeyValue<String, ExplanationAudit>> a = audits.readKeyValuesToList();
        assertThat(s).hasSize(1);
        assertThat(o).hasSize(1);
        assertThat(a).hasSize(1);
        assertThat(List.of(s.get(0).key, o.get(0).key, a.get(0).key)).containsOnly("evt-1");
        assertThat(s.get(0).value.getEventId()).isEqualTo("evt-1");
        assertThat(s.get(0).value.getPredictedLabel()).isEqualTo("cat");
        assertThat(s.get(0).value.getSelectionReasons()).containsExactly(Selection.SAMPLED);
        assertThat(a.get(0).value.getSelectionReasons()).containsExactly(Selection.SAMPLED);
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(counts()).isEqualTo(new ProcessingCounters.Snapshot(1, 1, 0, 0, 0, 1, 0));
    }

    @Test
    void unsampledEventGivesNothingDownstreamAndCountsAsSkipped() {
        start(ALL_OF_KNOWN_MODEL);
        pipe(event("evt-2", RARE_MODEL, 1, "cat", 0.9f));

        assertThat(summaries.isEmpty()).isTrue();
        assertThat(overlays.isEmpty()).isTrue();
        assertThat(audits.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(counts()).isEqualTo(new ProcessingCounters.Snapshot(1, 0, 1, 0, 0, 0, 0));
    }

    @Test
    void flaggedEventOfUnsampledModelIsExplainedWithItsReason() {
        start(ALL_OF_KNOWN_MODEL);
        pipe(TestEvents.withFlags(event("evt-3", RARE_MODEL, 1, "cat", 0.9f), "customer-complaint"));
        assertThat(summaries.readValue().getSelectionReasons()).containsExactly(Selection.FLAG_PRODUCER);
    }

    @Test
    void rawTensorWithoutOverlayStillGivesSummaryAndAudit() {
        start(ALL_OF_KNOWN_MODEL);
        InferenceEvent e = event("tensor-1");
        e.setInput(new RawTensor(List.of(1, 2, 2), List.of(0f, 1f, 2f, 3f)));
        pipe(e);
        assertThat(summaries.readKeyValuesToList()).hasSize(1);
        assertThat(audits.readKeyValuesToList()).hasSize(1);
        assertThat(overlays.isEmpty()).isTrue();
    }

    /** A bad input, the stage and code its dead letter must carry, and whether an event id is known. */
    record BadInput(String name, Function<StagesTopologyTest, byte[]> value, String stage, String code,
            String eventId) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                new BadInput("plain text", t -> "not an avro record".getBytes(StandardCharsets.UTF_8),
                        "decode", ErrorCodes.NOT_WIRE_FORMAT, null),
                new BadInput("shorter than the header", t -> new byte[] {0, 0, 1},
                        "decode", ErrorCodes.NOT_WIRE_FORMAT, null),
                new BadInput("wrong magic byte", t -> {
                    byte[] b = t.bytes(event("bad"));
                    b[0] = 1;
                    return b;
                }, "decode", ErrorCodes.NOT_WIRE_FORMAT, null),
                new BadInput("unknown schema id", t -> {
                    byte[] b = t.bytes(event("bad"));
                    ByteBuffer.wrap(b).putInt(1, 9_999);
                    return b;
                }, "decode", ErrorCodes.UNKNOWN_SCHEMA_ID, null),
                new BadInput("truncated payload", t -> {
                    byte[] b = t.bytes(event("bad"));
                    return Arrays.copyOf(b, b.length / 2);
                }, "decode", ErrorCodes.UNDECODABLE, null),
                new BadInput("garbage after a valid header", t -> {
                    byte[] b = t.bytes(event("bad"));
                    byte[] garbage = new byte[40];
                    Arrays.fill(garbage, (byte) 0xff);
                    return ByteBuffer.allocate(5 + garbage.length).put(b, 0, 5).put(garbage).array();
                }, "decode", ErrorCodes.UNDECODABLE, null),
                new BadInput("another record type", t -> t.serdes.specific(SaliencyOverlay.class).serializer()
                        .serialize("elsewhere", SaliencyOverlay.newBuilder().setEventId("x").setModelName("m")
                                .setModelVersion("1").setPredictedClass(1).setMethod("m").setColorMap("c")
                                .setWidth(1).setHeight(1).setPng(ByteBuffer.wrap(new byte[0])).build()),
                        "decode", ErrorCodes.UNDECODABLE, null),
                new BadInput("null value", t -> null, "decode", ErrorCodes.NULL_VALUE, null),
                new BadInput("blank event id", t -> t.bytes(event(" ")),
                        "validate", ErrorCodes.MISSING_EVENT_ID, " "),
                new BadInput("unknown model", t -> t.bytes(event("bad-1", "no-such-model", 1, "cat", 0.9f)),
                        "validate", ErrorCodes.UNKNOWN_MODEL, "bad-1"),
                new BadInput("image too large", t -> {
                    InferenceEvent e = event("bad-2");
                    e.setInput(new EncodedImage(ImageFormat.JPEG, ByteBuffer.wrap(new byte[TestEvents.MAX_IMAGE_BYTES + 1])));
                    return t.bytes(e);
                }, "validate", ErrorCodes.IMAGE_TOO_LARGE, "bad-2"),
                new BadInput("tensor shape mismatch", t -> {
                    InferenceEvent e = event("bad-3");
                    e.setInput(new RawTensor(List.of(3, 2, 2), List.of(1f, 2f, 3f)));
                    return t.bytes(e);
                }, "validate", ErrorCodes.TENSOR_SHAPE_MISMATCH, "bad-3"),
                new BadInput("validator throws", t -> t.bytes(event("bad-4", "validator-bug", 1, "cat", 0.9f)),
                        "validate", ErrorCodes.VALIDATOR_ERROR, "bad-4"),
                new BadInput("explainer rejects", t -> {
                    InferenceEvent e = event("bad-5");
                    e.setAttributes(Map.of("fail", "reject"));
                    return t.bytes(e);
                }, "explain", ErrorCodes.INPUT_UNAVAILABLE, "bad-5"),
                new BadInput("explainer throws", t -> {
                    InferenceEvent e = event("bad-6");
                    e.setAttributes(Map.of("fail", "crash"));
                    return t.bytes(e);
                }, "explain", ErrorCodes.EXPLAINER_ERROR, "bad-6"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsDeadLetteredWithItsOriginalBytesAndTheStreamGoesOn(BadInput bad) {
        start(ALL_OF_KNOWN_MODEL);
        byte[] key = "key-of-bad".getBytes(StandardCharsets.UTF_8);
        byte[] value = bad.value().apply(this);
        Instant recordTime = START.minusSeconds(30);
        input.pipeInput(new TestRecord<>(key, value, recordTime));
        pipe(event("good-after"));

        List<KeyValue<byte[], DeadLetter>> letters = deadLetters.readKeyValuesToList();
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0).value;
        assertThat(letters.get(0).key).isEqualTo(key);
        assertThat(letter.getStage()).isEqualTo(bad.stage());
        assertThat(letter.getErrorCode()).isEqualTo(bad.code());
        assertThat(letter.getReason()).isNotBlank();
        assertThat(letter.getErrorClass()).isNotBlank();
        assertThat(letter.getEventId()).isEqualTo(bad.eventId());
        assertThat(bytesOf(letter.getOriginalKey())).isEqualTo(key);
        if (value == null) {
            assertThat(letter.getOriginalValue()).isNull();
        } else {
            assertThat(bytesOf(letter.getOriginalValue())).isEqualTo(value);
        }
        assertThat(letter.getSourceTopic()).isEqualTo(TOPICS.inferenceEvents());
        assertThat(letter.getSourcePartition()).isZero();
        assertThat(letter.getSourceOffset()).isZero();
        assertThat(letter.getSourceTimestamp()).isEqualTo(recordTime);
        assertThat(letter.getFailedAt()).isEqualTo(START);

        assertThat(summaries.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("good-after");
        assertThat(audits.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("good-after");
        assertThat(counts()).isEqualTo(new ProcessingCounters.Snapshot(2, 1, 0, 0, 1, bad.stage().equals("explain") ? 2 : 1, 0));
    }

    @Test
    void explainerFailureNamesTheExceptionClass() {
        start(ALL_OF_KNOWN_MODEL);
        InferenceEvent e = event("crash");
        e.setAttributes(Map.of("fail", "crash"));
        pipe(e);
        DeadLetter letter = deadLetters.readValue();
        assertThat(letter.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(letter.getReason()).contains("explainer bug on crash");
    }

    @Test
    void unreachableRegistryStopsTheStreamInsteadOfDeadLetteringEverything() {
        byte[] good = bytes(event("evt-1"));
        SchemaRegistry down = new SchemaRegistry() {
            @Override
            public int register(String subject, Schema schema) {
                return registry.register(subject, schema);
            }

            @Override
            public Schema schemaById(int id) {
                throw new SchemaRegistryException("registry unreachable", 0, 0, null);
            }
        };
        start(ALL_OF_KNOWN_MODEL, new AvroSerdes(down), Optional.empty());
        assertThatThrownBy(() -> input.pipeInput(good))
                .isInstanceOf(StreamsException.class)
                .hasRootCauseInstanceOf(SchemaRegistryException.class);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void budgetGivesFlaggedEventsPriorityAndRefillsWithWallClock() {
        // 1 explanation/s, burst 4, half reserved for flagged; every event of the model is sampled
        start(ALL_OF_KNOWN_MODEL.withBudgets(new BudgetConfig(1.0, 4, 0.5), Map.of()));
        for (int i = 1; i <= 4; i++) {
            pipe(event("sampled-" + i));
        }
        pipe(TestEvents.withFlags(event("flagged-1"), "review"));
        pipe(TestEvents.withFlags(event("flagged-2"), "review"));
        pipe(TestEvents.withFlags(event("flagged-3"), "review"));

        assertThat(summaries.readKeyValuesToList()).extracting(kv -> kv.key)
                .containsExactly("sampled-1", "sampled-2", "flagged-1", "flagged-2");
        assertThat(counts()).isEqualTo(new ProcessingCounters.Snapshot(7, 4, 0, 3, 0, 4, 0));

        driver.advanceWallClockTime(Duration.ofSeconds(2)); // 2 tokens back
        pipe(TestEvents.withFlags(event("flagged-4"), "review"));
        pipe(event("sampled-5")); // 1 token left, below the reserve of 2
        assertThat(summaries.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("flagged-4");

        driver.advanceWallClockTime(Duration.ofSeconds(10)); // full again
        pipe(event("sampled-6"));
        assertThat(summaries.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("sampled-6");
        assertThat(counts()).isEqualTo(new ProcessingCounters.Snapshot(10, 6, 0, 4, 0, 6, 0));
    }

    @Test
    void countsReconcileOverAMixedStream() {
        start(ALL_OF_KNOWN_MODEL.withRates(0.3, Map.of())
                .withBudgets(new BudgetConfig(5.0, 10, 0.2), Map.of()));
        int n = 0;
        for (int i = 0; i < 300; i++) {
            switch (i % 6) {
                case 0 -> input.pipeInput(new byte[] {1}, new byte[] {42, 42});
                case 1 -> input.pipeInput(new byte[] {2}, (byte[]) null);
                case 2 -> pipe(event("m-" + i, "no-such-model", 1, "cat", 0.9f));
                case 3 -> pipe(TestEvents.withFlags(event("m-" + i), "review"));
                default -> pipe(event("m-" + i));
            }
            n++;
            if (i % 20 == 0) {
                driver.advanceWallClockTime(Duration.ofMillis(700));
            }
        }
        ProcessingCounters.Snapshot c = counts();
        assertThat(c.eventsIn()).isEqualTo(n);
        assertThat(c.accountedFor()).isEqualTo(n);
        assertThat(c.explained()).isEqualTo(summaries.getQueueSize()).isEqualTo(audits.getQueueSize())
                .isEqualTo(overlays.getQueueSize());
        assertThat(c.deadLettered()).isEqualTo(deadLetters.getQueueSize()).isEqualTo(150);
        // the mix really exercised every outcome
        assertThat(c.explained()).isPositive();
        assertThat(c.skippedSampling()).isPositive();
        assertThat(c.skippedBudget()).isPositive();
    }

    @Test
    void requestCarriesTheOriginalRecordUntouchedOnTheLaneOfItsSelection() {
        start(ALL_OF_KNOWN_MODEL);
        byte[] key = "producer-key".getBytes(StandardCharsets.UTF_8);
        byte[] sampled = bytes(event("s-1"));
        byte[] flagged = bytes(TestEvents.withFlags(event("f-1", RARE_MODEL, 1, "cat", 0.9f), "review"));
        Instant appended = START.minusMillis(250);
        input.pipeInput(new TestRecord<>(key, sampled, appended));
        input.pipeInput(new TestRecord<>(key, flagged, appended));

        TestRecord<String, ExplanationRequest> s = sampledRequests.readRecord();
        assertThat(s.key()).isEqualTo("s-1");
        assertThat(s.timestamp()).isEqualTo(appended.toEpochMilli());
        assertThat(bytesOf(s.value().getOriginalValue())).isEqualTo(sampled);
        assertThat(bytesOf(s.value().getOriginalKey())).isEqualTo(key);
        assertThat(s.value().getFlagged()).isFalse();
        assertThat(s.value().getSelectionReasons()).containsExactly(Selection.SAMPLED);
        assertThat(s.value().getSourceTopic()).isEqualTo(TOPICS.inferenceEvents());
        assertThat(s.value().getSourceOffset()).isZero();
        assertThat(s.value().getSourceTimestamp()).isEqualTo(appended);
        assertThat(s.value().getSelectedAt()).isEqualTo(START);
        assertThat(sampledRequests.isEmpty()).isTrue();

        ExplanationRequest f = flaggedRequests.readValue();
        assertThat(f.getEventId()).isEqualTo("f-1");
        assertThat(f.getFlagged()).isTrue();
        assertThat(f.getSelectionReasons()).containsExactly(Selection.FLAG_PRODUCER);
        assertThat(bytesOf(f.getOriginalValue())).isEqualTo(flagged);
        assertThat(f.getSourceOffset()).isEqualTo(1);
        assertThat(summaries.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("s-1", "f-1");
    }

    @Test
    void requestOlderThanTheDeadlineIsSkippedAndCounted() {
        start(ALL_OF_KNOWN_MODEL, serdes, Optional.of(Duration.ofSeconds(5)));
        input.pipeInput(new TestRecord<>(null, bytes(event("fresh")), START.minusSeconds(4)));
        input.pipeInput(new TestRecord<>(null, bytes(event("stale")), START.minusSeconds(6)));
        input.pipeInput(new TestRecord<>(null, bytes(TestEvents.withFlags(event("stale-flagged"), "review")),
                START.minusSeconds(6)));

        assertThat(summaries.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("fresh");
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(counts()).isEqualTo(new ProcessingCounters.Snapshot(3, 1, 0, 0, 0, 3, 2));
        assertThat(counts().accountedFor()).isEqualTo(3);
    }

    @Test
    void unselectedEventsNeverReachTheExplanationStage() {
        start(SamplingConfig.of(0.0));
        for (int i = 0; i < 20; i++) {
            pipe(event("quiet-" + i));
        }
        assertThat(sampledRequests.isEmpty()).isTrue();
        assertThat(flaggedRequests.isEmpty()).isTrue();
        assertThat(counts()).isEqualTo(new ProcessingCounters.Snapshot(20, 0, 20, 0, 0, 0, 0));
    }

    /** An event of {@code model} made {@code bytes} larger by an attribute, its image still within the limit. */
    private static InferenceEvent padded(String id, String model, int bytes) {
        InferenceEvent e = event(id, model, 3, "cat", 0.9f);
        e.setAttributes(Map.of("padding", "x".repeat(bytes)));
        return e;
    }

    @Test
    void selectedEventTooLargeForTheRequestTopicsIsDeadLetteredCutToFitAndUnselectedOnesCostNothing() {
        RecordLimits limits = new RecordLimits(4096, 1 << 20, 3000, Optional.empty(), Optional.empty());
        start(ALL_OF_KNOWN_MODEL, serdes, Optional.empty(), limits);
        byte[] big = bytes(padded("big", KNOWN_MODEL, 6000));
        input.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), big, START));
        pipe(padded("big-unselected", RARE_MODEL, 6000));
        pipe(padded("fits", KNOWN_MODEL, 1000));

        DeadLetter letter = deadLetters.readValue();
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(letter.getEventId()).isEqualTo("big");
        assertThat(letter.getStage()).isEqualTo("validate");
        assertThat(letter.getErrorCode()).isEqualTo(ErrorCodes.REQUEST_TOO_LARGE);
        assertThat(letter.getReason()).contains("3000 bytes the request topics accept");
        assertThat(letter.getOriginalValueTruncated()).as("the dead letter fits 4096 bytes too").isTrue();
        assertThat(letter.getOriginalValueSize()).isEqualTo(big.length);
        assertThat(letter.getOriginalValueSha256()).isEqualTo(io.saliencystream.engine.model.Hashes.sha256Hex(big));
        assertThat(sampledRequests.readValuesToList()).extracting(ExplanationRequest::getEventId)
                .containsExactly("fits");
        assertThat(summaries.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("fits");
        assertThat(counts()).isEqualTo(new ProcessingCounters.Snapshot(3, 1, 1, 0, 1, 1, 0));
    }

    @Test
    void requestSizeIsItsWireSizeSoOneThatFitsExactlyPasses() {
        start(ALL_OF_KNOWN_MODEL);
        pipe(padded("sized", KNOWN_MODEL, 1000));
        TestRecord<String, ExplanationRequest> request = sampledRequests.readRecord();
        byte[] wire = serdes.specific(ExplanationRequest.class).serializer().serialize(REQUESTS.sampled(),
                request.value());
        assertThat(RecordLimits.wireSize(request.value())).isEqualTo(wire.length);

        close();
        int exact = wire.length + "sized".length();
        start(ALL_OF_KNOWN_MODEL, serdes, Optional.empty(),
                new RecordLimits(4096, 1 << 20, exact, Optional.empty(), Optional.empty()));
        pipe(padded("sized", KNOWN_MODEL, 1000));
        pipe(padded("sized-1", KNOWN_MODEL, 1000));
        assertThat(sampledRequests.readValuesToList()).extracting(ExplanationRequest::getEventId)
                .containsExactly("sized");
        assertThat(deadLetters.readValue().getEventId()).isEqualTo("sized-1");
    }

    @Test
    void explanationStageFitsOverlaysAndDeadLettersToTheirLimits(@TempDir java.nio.file.Path claims) {
        RecordLimits limits = new RecordLimits(4096, 10, 1 << 20, Optional.empty(), Optional.of(claims));
        start(ALL_OF_KNOWN_MODEL, serdes, Optional.empty(), limits);
        pipe(event("claimed"));
        InferenceEvent crash = padded("crash", KNOWN_MODEL, 6000);
        crash.setAttributes(Map.of("fail", "crash", "padding", "x".repeat(6000)));
        byte[] crashBytes = bytes(crash);
        input.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), crashBytes, START));

        SaliencyOverlay overlay = overlays.readValue();
        assertThat(overlay.getFit()).isEqualTo("claim-check");
        assertThat(overlay.getPng().remaining()).isZero();
        assertThat(java.nio.file.Path.of(java.net.URI.create(overlay.getPngUri()))).hasBinaryContent(new byte[] {1, 2, 3});
        DeadLetter letter = deadLetters.readValue();
        assertThat(letter.getStage()).isEqualTo("explain");
        assertThat(letter.getOriginalValueTruncated()).isTrue();
        assertThat(letter.getOriginalValueSize()).isEqualTo(crashBytes.length);
    }
}

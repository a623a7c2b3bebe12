package io.saliencystream.serde;

import io.saliencystream.testing.InProcessSchemaRegistryServer;
import io.saliencystream.testing.ApicurioRegistryServer;
import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.serde.AvroSerializer;
import io.saliencystream.serde.ConfluentWireFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.registry.SchemaRegistryException;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.EncodedImage;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.InputUri;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import java.io.EOFException;
import java.net.ServerSocket;
import java.time.Instant;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serdes end to end over HTTP: client, in-process registry server, wire format, Avro. */
class AvroSerdesTest {

    private static final HttpSchemaRegistryClient.Settings FAST = new HttpSchemaRegistryClient.Settings(
            Duration.ofSeconds(2), Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofMillis(10));

    private static InProcessSchemaRegistryServer server;
    private static AvroSerdes serdes;

    @BeforeAll
    static void start() {
        server = InProcessSchemaRegistryServer.start();
        serdes = new AvroSerdes(new HttpSchemaRegistryClient(server.url(), FAST));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void inferenceEventsRoundTripWithEachInputKind() {
        Serde<InferenceEvent> serde = serdes.specific(InferenceEvent.class);
        Map<InferenceEvent, Class<?>> cases = Map.of(
                SampleRecords.eventWithImage(), EncodedImage.class,
                SampleRecords.eventWithTensor(), RawTensor.class,
                SampleRecords.eventWithUri(), InputUri.class);
        cases.forEach((event, inputKind) -> {
            InferenceEvent read = roundTrip(serde, "inference-events", event);
            assertThat(read).isEqualTo(event);
            assertThat(read.getInput()).isInstanceOf(inputKind);
            assertThat(read.getTopK().get(0).getLabel()).isEqualTo("tabby cat");
            assertThat(read.getEventTime()).isEqualTo(SampleRecords.T0);
        });
        assertThat(server.registry().versions("inference-events-value")).hasSize(1);
    }

    @Test
    void everyOutputRecordRoundTrips() {
        assertRoundTrip(SaliencySummary.class, "saliency-summaries", SampleRecords.summary());
        assertRoundTrip(SaliencyOverlay.class, "saliency-overlays", SampleRecords.overlay());
        assertRoundTrip(ExplanationAudit.class, "explanation-audit", SampleRecords.audit());
        assertRoundTrip(AttentionDriftAlert.class, "attention-drift-alerts", SampleRecords.alert());
        assertRoundTrip(DeadLetter.class, "dead-letters", SampleRecords.deadLetter());
        assertThat(server.registry().subjects()).contains("saliency-summaries-value", "saliency-overlays-value",
                "explanation-audit-value", "attention-drift-alerts-value", "dead-letters-value");
    }

    @Test
    void genericRecordsRoundTrip() {
        Schema schema = SchemaBuilder.record("Reading").namespace("test.generic").fields()
                .requiredString("sensor")
                .name("kind").type().enumeration("Kind").symbols("TEMPERATURE", "HUMIDITY").noDefault()
                .name("values").type().array().items().doubleType().noDefault()
                .name("tags").type().map().values().stringType().noDefault()
                .name("where").type().optional().record("Place").fields()
                .requiredFloat("lat").requiredFloat("lon").endRecord()
                .endRecord();
        GenericRecord place = new GenericData.Record(schema.getField("where").schema().getTypes().get(1));
        place.put("lat", 48.85f);
        place.put("lon", 2.35f);
        GenericRecord record = new GenericData.Record(schema);
        record.put("sensor", "s-1");
        record.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "HUMIDITY"));
        record.put("values", List.of(0.5, -1.25));
        record.put("tags", Map.of("room", "lab"));
        record.put("where", place);

        GenericRecord read = roundTrip(serdes.generic(), "readings", record);
        assertThat(read.getSchema()).isEqualTo(schema);
        // Avro reads strings back as Utf8, so compare the JSON renderings rather than the Java objects
        assertThat(read).hasToString(record.toString());
        assertThat(read.get("values")).isEqualTo(List.of(0.5, -1.25));
        assertThat(((Map<?, ?>) read.get("tags")).entrySet()).singleElement()
                .satisfies(e -> assertThat(e.getKey() + "=" + e.getValue()).isEqualTo("room=lab"));
        assertThat(read.get("kind")).hasToString("HUMIDITY");
        assertThat(((GenericRecord) read.get("where")).get("lon")).isEqualTo(2.35f);
    }

    @Test
    void genericReaderReadsSpecificWriterOutputInTheWriterSchema() {
        byte[] bytes = serdes.specific(SaliencyOverlay.class).serializer()
                .serialize("saliency-overlays", SampleRecords.overlay());
        GenericRecord read = serdes.generic().deserializer().deserialize("saliency-overlays", bytes);
        assertThat(read.getSchema()).isEqualTo(SaliencyOverlay.getClassSchema());
        assertThat(read.get("png")).isEqualTo(SampleRecords.overlay().getPng());
        assertThat(read.get("colorMap")).hasToString("viridis");
    }

    @Test
    void nullIsNull() {
        Serde<InferenceEvent> serde = serdes.specific(InferenceEvent.class);
        assertThat(serde.serializer().serialize("inference-events", null)).isNull();
        assertThat(serde.deserializer().deserialize("inference-events", null)).isNull();
    }

    @Test
    void unknownSchemaIdIsASerializationErrorNamingTheId() {
        byte[] bytes = ConfluentWireFormat.frame(987_654, new byte[] {0x02});
        assertThatThrownBy(() -> serdes.specific(InferenceEvent.class).deserializer()
                .deserialize("inference-events", bytes))
                .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.getCause())
                        .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("40403"))
                .hasMessageContaining("987654")
                .hasMessageContaining("inference-events");
    }

    @Test
    void corruptPayloadsFailClearly() {
        Serde<InferenceEvent> serde = serdes.specific(InferenceEvent.class);
        byte[] good = serde.serializer().serialize("inference-events", SampleRecords.eventWithTensor());
        var deserializer = serde.deserializer();

        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 0x7B; // '{': someone wrote JSON to the topic
        assertThatThrownBy(() -> deserializer.deserialize("inference-events", wrongMagic))
                .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte is 0x7b");

        assertThatThrownBy(() -> deserializer.deserialize("inference-events", Arrays.copyOf(good, 4)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("fewer than the 5-byte header");

        assertThatThrownBy(() -> deserializer.deserialize("inference-events", Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Corrupt Avro payload")
                .hasRootCauseInstanceOf(EOFException.class);

        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        assertThatThrownBy(() -> deserializer.deserialize("inference-events", trailing))
                .isInstanceOf(SerializationException.class).hasMessageContaining("bytes left over");

        // a string length far beyond the payload: must fail, not allocate gigabytes
        byte[] hugeLength = new byte[ConfluentWireFormat.HEADER_LENGTH + 5 + 8];
        System.arraycopy(good, 0, hugeLength, 0, ConfluentWireFormat.HEADER_LENGTH);
        byte[] varint2g = {(byte) 0xFC, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}; // zigzag of 2^31 - 2
        System.arraycopy(varint2g, 0, hugeLength, ConfluentWireFormat.HEADER_LENGTH, 5);
        assertThatThrownBy(() -> deserializer.deserialize("inference-events", hugeLength))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt Avro payload");

        // a union branch index that does not exist: the event id's string length is fine, the union is not
        byte[] badUnion = good.clone();
        int unionIndexAt = unionIndexOffset(good);
        badUnion[unionIndexAt] = 0x0A; // branch 5 of a 3-branch union
        assertThatThrownBy(() -> deserializer.deserialize("inference-events", badUnion))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt Avro payload");
    }

    @Test
    void newerReaderReadsBytesWrittenWithAnOlderSchema() throws Exception {
        // the summary as it was before centroidX, centroidY and modelEvaluations were added (all with defaults)
        Set<String> added = Set.of("centroidX", "centroidY", "modelEvaluations");
        Schema old = withoutFields(SaliencySummary.getClassSchema(), added);
        SaliencySummary current = SampleRecords.summary();
        GenericRecord written = new GenericData.Record(old);
        for (Schema.Field field : old.getFields()) {
            Object value = current.get(field.name());
            // a generic writer has no logical-type conversions: timestamps go in as epoch millis
            written.put(field.name(), value instanceof Instant instant ? instant.toEpochMilli() : value);
        }
        byte[] bytes = new AvroSerializer<GenericRecord>(serdes.registry(), false).serialize("summaries-v1", written);

        SaliencySummary read = serdes.specific(SaliencySummary.class).deserializer().deserialize("summaries-v1", bytes);
        assertThat(read.getCentroidX()).isEqualTo(0.5f);
        assertThat(read.getCentroidY()).isEqualTo(0.5f);
        assertThat(read.getModelEvaluations()).isZero();
        SaliencySummary expected = SaliencySummary.newBuilder(current)
                .setCentroidX(0.5f).setCentroidY(0.5f).setModelEvaluations(0).build();
        assertThat(read).isEqualTo(expected);

        // and the registry accepts the newer schema as a compatible next version of the subject
        serdes.specific(SaliencySummary.class).serializer().serialize("summaries-v1", current);
        assertThat(server.registry().versions("summaries-v1-value")).hasSize(2);
    }

    @Test
    void writerSchemaTheReaderCannotResolveIsNamed() throws Exception {
        // an overlay without its png field, which has no default: a SaliencyOverlay reader cannot fill it
        Schema withoutPng = withoutFields(SaliencyOverlay.getClassSchema(), Set.of("png"));
        GenericRecord written = new GenericData.Record(withoutPng);
        for (Schema.Field field : withoutPng.getFields()) {
            written.put(field.name(), SampleRecords.overlay().get(field.name()));
        }
        byte[] bytes = new AvroSerializer<GenericRecord>(serdes.registry(), false).serialize("overlays-broken", written);
        assertThatThrownBy(() -> serdes.specific(SaliencyOverlay.class).deserializer()
                .deserialize("overlays-broken", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot read")
                .hasMessageContaining("png");
    }

    @Test
    void unreachableRegistryIsNotMistakenForABadRecord() throws Exception {
        byte[] bytes = serdes.specific(InferenceEvent.class).serializer()
                .serialize("inference-events", SampleRecords.eventWithUri());
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AvroSerdes offline = new AvroSerdes(new HttpSchemaRegistryClient("http://127.0.0.1:" + closedPort, FAST));
        assertThatThrownBy(() -> offline.specific(InferenceEvent.class).deserializer()
                .deserialize("inference-events", bytes))
                .isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(SerializationException.class)
                .hasMessageContaining("Cannot reach schema registry");
        assertThatThrownBy(() -> offline.specific(InferenceEvent.class).serializer()
                .serialize("inference-events", SampleRecords.eventWithUri()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort);
    }

    private static <T extends SpecificRecordBase> void assertRoundTrip(Class<T> type, String topic, T record) {
        T read = roundTrip(serdes.specific(type), topic, record);
        assertThat(read).isInstanceOf(type).isEqualTo(record);
    }

    private static <T> T roundTrip(Serde<T> serde, String topic, T record) {
        byte[] bytes = serde.serializer().serialize(topic, record);
        assertThat(bytes[0]).isZero();
        int id = ConfluentWireFormat.schemaId(bytes);
        assertThat(server.registry().versions(topic + "-value")).contains(id);
        return serde.deserializer().deserialize(topic, bytes);
    }

    /** Offset of the InferenceEvent input union's branch index: after the header, event id, time, name, version. */
    private static int unionIndexOffset(byte[] framed) {
        int at = ConfluentWireFormat.HEADER_LENGTH;
        at = skipString(framed, at);      // eventId
        at = skipVarint(framed, at);      // eventTime
        at = skipString(framed, at);      // modelName
        at = skipString(framed, at);      // modelVersion
        return at;
    }

    private static int skipString(byte[] bytes, int at) {
        long zigzag = 0;
        int shift = 0;
        int b;
        do {
            b = bytes[at++] & 0xFF;
            zigzag |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        long length = (zigzag >>> 1) ^ -(zigzag & 1);
        return at + (int) length;
    }

    private static int skipVarint(byte[] bytes, int at) {
        while ((bytes[at++] & 0x80) != 0) {
            // continuation bit set: keep going
        }
        return at;
    }

    private static Schema withoutFields(Schema schema, Set<String> dropped) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(schema.toString());
        ArrayNode kept = json.createArrayNode();
        root.get("fields").forEach(field -> {
            if (!dropped.contains(field.get("name").asText())) {
                kept.add(field);
            }
        });
        root.set("fields", kept);
        return new Schema.Parser().parse(root.toString());
    }
}

package io.saliencystream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saliencystream.schema.DeadLetter;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.RawTensor;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.testing.InMemorySchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/**
 * Float arrays read without boxing when the writer used the reader's schema, and through Avro's
 * resolving reader otherwise: both read what Avro's own reader reads, over the Confluent wire format.
 */
class UnboxedFloatsReaderTest {

    private static final String TOPIC = "inference-events";

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerdes serdes = new AvroSerdes(registry);
    private final Deserializer<InferenceEvent> deserializer = serdes.specific(InferenceEvent.class).deserializer();

    @Test
    void eventsWrittenInTheReadersSchemaReadAsAvroReadsThemWithTensorValuesUnboxed() throws IOException {
        List<InferenceEvent> events = List.of(SampleRecords.eventWithImage(), SampleRecords.eventWithUri(),
                SampleRecords.eventWithTensor(),
                withValues(0f, Float.NaN, 2f), withValues(Float.POSITIVE_INFINITY), withValues(1f, Float.NEGATIVE_INFINITY),
                withValues(Float.intBitsToFloat(0x7fc00123), -0f, Float.MIN_VALUE), // a NaN with a payload
                withValues(1f, 2f), // fewer values than the shape: read as written, the validator rejects it
                withValues());
        for (InferenceEvent event : events) {
            byte[] bytes = serdes.specific(InferenceEvent.class).serializer().serialize(TOPIC, event);
            InferenceEvent read = deserializer.deserialize(TOPIC, bytes);
            assertThat(read).isEqualTo(event).isEqualTo(avroReads(bytes));
            assertThat(read.getInput()).isInstanceOf(event.getInput().getClass());
            if (read.getInput() instanceof RawTensor tensor) {
                assertThat(tensor.getData()).isInstanceOf(FloatList.class);
                assertThat(bits(tensor.getData())).isEqualTo(bits(((RawTensor) event.getInput()).getData()));
            }
        }
    }

    @Test
    void aWriterSchemaWithOnlyDocsAndPropertiesOfItsOwnIsReadUnboxed() throws IOException {
        // as a producer in another language registers it: no docs, no avro.java.string, no defaults
        Schema bare = new Schema.Parser().parse(SchemaNormalization.toParsingForm(InferenceEvent.getClassSchema()));
        assertThat(bare).isNotEqualTo(InferenceEvent.getClassSchema());
        InferenceEvent event = withValues(0.25f, Float.NaN, 3f);
        byte[] framed = serdes.specific(InferenceEvent.class).serializer().serialize(TOPIC, event);
        byte[] avro = Arrays.copyOfRange(framed, ConfluentWireFormat.HEADER_LENGTH, framed.length);
        byte[] bytes = ConfluentWireFormat.frame(registry.register("bare-value", bare), avro);

        InferenceEvent read = deserializer.deserialize("bare", bytes);
        assertThat(read).isEqualTo(event);
        assertThat(((RawTensor) read.getInput()).getData()).isInstanceOf(FloatList.class);
    }

    @Test
    void anOlderWriterSchemaIsResolvedByAvro() throws Exception {
        // before regions of interest and attributes were added, both with defaults
        Schema older = edited(InferenceEvent.getClassSchema(), root -> removeFields(root, Set.of("regionsOfInterest", "attributes")));
        for (InferenceEvent event : List.of(withValues(1f, Float.NaN, 2f), SampleRecords.eventWithImage())) {
            GenericRecord written = new GenericData.Record(older);
            older.getFields().forEach(f -> written.put(f.name(), event.get(f.name())));
            InferenceEvent read = deserializer.deserialize("older", frame("older-value", older, written));

            InferenceEvent expected = InferenceEvent.newBuilder(event).setRegionsOfInterest(List.of())
                    .setAttributes(Map.of()).build();
            assertThat(read).isEqualTo(expected);
        }
    }

    @Test
    void aNewerWriterSchemaIsResolvedByAvro() throws Exception {
        // a later producer adds a field to the event and one to the raw tensor, both with defaults
        Schema newer = edited(InferenceEvent.getClassSchema(), root -> {
            ((ArrayNode) root.get("fields")).addObject().put("name", "priority").put("type", "int").put("default", 0);
            ArrayNode inputBranches = (ArrayNode) field(root, "input").get("type");
            ObjectNode tensor = (ObjectNode) inputBranches.get(1);
            ((ArrayNode) tensor.get("fields")).addObject().put("name", "dtype").put("type", "string")
                    .put("default", "float32");
        });
        Schema newerTensor = newer.getField("input").schema().getTypes().get(1);
        InferenceEvent event = withValues(Float.POSITIVE_INFINITY, 2f, -0f);
        RawTensor tensor = (RawTensor) event.getInput();
        GenericRecord writtenTensor = new GenericData.Record(newerTensor);
        writtenTensor.put("shape", tensor.getShape());
        writtenTensor.put("data", tensor.getData());
        writtenTensor.put("dtype", "float32");
        GenericRecord written = new GenericData.Record(newer);
        InferenceEvent.getClassSchema().getFields().forEach(f -> written.put(f.name(), event.get(f.name())));
        written.put("input", writtenTensor);
        written.put("priority", 7);

        InferenceEvent read = deserializer.deserialize("newer", frame("newer-value", newer, written));
        assertThat(read).isEqualTo(event);
        assertThat(bits(((RawTensor) read.getInput()).getData())).isEqualTo(bits(tensor.getData()));
    }

    @Test
    void arraysInBlocksWithByteSizesOrLongerThanAChunkAreRead() throws IOException {
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 7f;
        }
        InferenceEvent event = withValues(values);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // blocks of at most 64 bytes: negative counts followed by the block's size in bytes
        BinaryEncoder encoder = new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null);
        new SpecificDatumWriter<>(InferenceEvent.class).write(event, encoder);
        encoder.flush();
        int id = registry.register(TOPIC + "-value", InferenceEvent.getClassSchema());

        InferenceEvent read = deserializer.deserialize(TOPIC, ConfluentWireFormat.frame(id, out.toByteArray()));
        assertThat(read).isEqualTo(event);
        assertThat(((RawTensor) read.getInput()).getData()).isInstanceOf(FloatList.class);

        // one block longer than the reader's chunk of 16,384 floats
        float[] many = new float[40_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = (float) Math.sin(i);
        }
        InferenceEvent large = withValues(many);
        InferenceEvent readLarge = deserializer.deserialize(TOPIC,
                serdes.specific(InferenceEvent.class).serializer().serialize(TOPIC, large));
        assertThat(((FloatList) ((RawTensor) readLarge.getInput()).getData()).toFloatArray()).containsExactly(many);
    }

    @Test
    void corruptFloatArraysFailAsCorruptPayloadsWithoutAllocatingWhatTheyClaim() throws IOException {
        int id = registry.register(TOPIC + "-value", InferenceEvent.getClassSchema());
        // a count of 2^30 floats followed by two: must fail at once, not allocate 4 GB
        byte[] huge = ConfluentWireFormat.frame(id, tensorPrefixThen(e -> {
            e.writeLong(1L << 30);
            e.writeFloat(1f);
            e.writeFloat(2f);
        }));
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, huge))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt Avro payload")
                .hasRootCauseInstanceOf(EOFException.class);

        byte[] good = serdes.specific(InferenceEvent.class).serializer().serialize(TOPIC, withValues(1f, 2f, 3f, 4f));
        byte[] cut = Arrays.copyOf(good, unionIndexOffset(good) + 8);
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, cut))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt Avro payload")
                .hasRootCauseInstanceOf(EOFException.class);
    }

    @Test
    void readsOnlyWriterSchemasWithTheReadersCanonicalFormAndAFloatArray() throws Exception {
        Schema event = InferenceEvent.getClassSchema();
        assertThat(UnboxedFloatsReader.reads(event, event)).isTrue();
        assertThat(UnboxedFloatsReader.reads(SaliencySummary.getClassSchema(), SaliencySummary.getClassSchema())).isTrue();
        assertThat(UnboxedFloatsReader.reads(DeadLetter.getClassSchema(), DeadLetter.getClassSchema())).isFalse();
        Schema older = edited(event, root -> removeFields(root, Set.of("attributes")));
        assertThat(UnboxedFloatsReader.reads(older, event)).isFalse();
        Schema list = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"fields\":["
                + "{\"name\":\"values\",\"type\":{\"type\":\"array\",\"items\":\"float\"}},"
                + "{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}");
        assertThat(UnboxedFloatsReader.reads(list, list)).as("recursive records are left to Avro").isFalse();
    }

    private static InferenceEvent withValues(float... values) {
        List<Float> boxed = new ArrayList<>();
        for (float v : values) {
            boxed.add(v);
        }
        return InferenceEvent.newBuilder(SampleRecords.eventWithTensor())
                .setInput(RawTensor.newBuilder().setShape(List.of(3, 1, 1)).setData(boxed).build()).build();
    }

    private static List<Integer> bits(List<Float> values) {
        return values.stream().map(Float::floatToRawIntBits).toList();
    }

    private static InferenceEvent avroReads(byte[] framed) throws IOException {
        Schema schema = InferenceEvent.getClassSchema();
        return SpecificData.getForClass(InferenceEvent.class).getFastReaderBuilder()
                .<InferenceEvent>createDatumReader(schema, schema)
                .read(null, DecoderFactory.get().binaryDecoder(framed, ConfluentWireFormat.HEADER_LENGTH,
                        framed.length - ConfluentWireFormat.HEADER_LENGTH, null));
    }

    private byte[] frame(String subject, Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        // the event's own conversions (timestamps) and classes for the nested specific records
        new GenericDatumWriter<GenericRecord>(schema, SpecificData.getForClass(InferenceEvent.class)).write(record, encoder);
        encoder.flush();
        return ConfluentWireFormat.frame(registry.register(subject, schema), out.toByteArray());
    }

    @FunctionalInterface
    private interface Writes {
        void accept(BinaryEncoder encoder) throws IOException;
    }

    /** An event's fields up to a raw tensor of shape [3, 1, 1], then what {@code rest} writes. */
    private static byte[] tensorPrefixThen(Writes rest) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        e.writeString("evt");
        e.writeLong(0);
        e.writeString("m");
        e.writeString("v");
        e.writeIndex(1);
        e.writeArrayStart();
        e.setItemCount(3);
        for (int dim : new int[] {3, 1, 1}) {
            e.startItem();
            e.writeInt(dim);
        }
        e.writeArrayEnd();
        rest.accept(e);
        e.flush();
        return out.toByteArray();
    }

    /** Offset of the input union's branch index: after the header, event id, time, name, version. */
    private static int unionIndexOffset(byte[] framed) {
        int at = ConfluentWireFormat.HEADER_LENGTH;
        for (int field = 0; field < 4; field++) {
            long zigzag = 0;
            int shift = 0;
            int b;
            do {
                b = framed[at++] & 0xFF;
                zigzag |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (field != 1) { // eventTime is a long; the others are strings: skip their bytes
                at += (int) ((zigzag >>> 1) ^ -(zigzag & 1));
            }
        }
        return at;
    }

    private static Schema edited(Schema schema, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(schema.toString());
        edit.accept(root);
        return new Schema.Parser().parse(root.toString());
    }

    private static void removeFields(ObjectNode record, Set<String> names) {
        ArrayNode fields = (ArrayNode) record.get("fields");
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (names.contains(fields.get(i).get("name").asText())) {
                fields.remove(i);
            }
        }
    }

    private static ObjectNode field(ObjectNode record, String name) {
        for (var f : record.get("fields")) {
            if (f.get("name").asText().equals(name)) {
                return (ObjectNode) f;
            }
        }
        throw new IllegalArgumentException(name);
    }
}

package io.saliencystream.serde;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.registry.SchemaRegistryException;
import io.saliencystream.schema.InferenceEvent;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Byte layout of the Confluent wire format, against hand-computed bytes and a plain Avro encoder. */
class ConfluentWireFormatTest {

    /** Hands out one fixed id, so the header bytes are known in advance. */
    private static final class FixedIdRegistry implements SchemaRegistry {
        private final int id;
        private Schema schema;

        FixedIdRegistry(int id) {
            this.id = id;
        }

        @Override
        public int register(String subject, Schema schema) {
            this.schema = schema;
            return id;
        }

        @Override
        public Schema schemaById(int requested) {
            if (requested != id || schema == null) {
                throw new SchemaRegistryException("Schema " + requested + " not found", 404, 40403, null);
            }
            return schema;
        }
    }

    private static final Schema SMALL = SchemaBuilder.record("Small").namespace("test").fields()
            .requiredString("s").requiredInt("n").requiredLong("l").endRecord();

    @Test
    void headerIsMagicZeroThenBigEndianId() {
        assertThat(ConfluentWireFormat.frame(258, new byte[] {0x0A}))
                .containsExactly(0x00, 0x00, 0x00, 0x01, 0x02, 0x0A);
        assertThat(ConfluentWireFormat.frame(0x7FFFFFFF, new byte[0]))
                .containsExactly(0x00, 0x7F, 0xFF, 0xFF, 0xFF);
        assertThat(ConfluentWireFormat.schemaId(new byte[] {0, 0x12, 0x34, 0x56, 0x78})).isEqualTo(0x12345678);
    }

    @Test
    void serializerWritesHandComputedBytes() {
        GenericRecord record = new GenericData.Record(SMALL);
        record.put("s", "ab");
        record.put("n", 1);
        record.put("l", -1L);
        byte[] framed = new AvroSerializer<GenericRecord>(new FixedIdRegistry(258), false).serialize("t", record);
        // Avro binary: string = zigzag varint length 2 -> 0x04, then UTF-8; int 1 -> 0x02; long -1 -> 0x01
        assertThat(framed).containsExactly(0x00, 0x00, 0x00, 0x01, 0x02, 0x04, 'a', 'b', 0x02, 0x01);
    }

    @Test
    void deserializerReadsHandComputedBytes() {
        FixedIdRegistry registry = new FixedIdRegistry(258);
        registry.register("t-value", SMALL);
        byte[] framed = {0x00, 0x00, 0x00, 0x01, 0x02, 0x06, 'x', 'y', 'z', 0x7E, (byte) 0x81, 0x01};
        GenericRecord record = AvroDeserializer.<GenericRecord>generic(registry).deserialize("t", framed);
        assertThat(record.get("s")).hasToString("xyz");
        assertThat(record.get("n")).isEqualTo(63);   // zigzag 0x7E = 126 -> 63
        assertThat(record.get("l")).isEqualTo(-65L); // zigzag varint 0x81 0x01 = 129 -> -65
    }

    @Test
    void payloadIsExactlyWhatAPlainAvroEncoderWrites() throws Exception {
        for (InferenceEvent event : new InferenceEvent[] {
                SampleRecords.eventWithImage(), SampleRecords.eventWithTensor(), SampleRecords.eventWithUri()}) {
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(plain, null);
            new SpecificDatumWriter<>(InferenceEvent.class).write(event, encoder);
            encoder.flush();

            byte[] framed = new AvroSerializer<InferenceEvent>(new FixedIdRegistry(258), false)
                    .serialize("inference-events", event);
            assertThat(Arrays.copyOfRange(framed, 0, 5)).containsExactly(0x00, 0x00, 0x00, 0x01, 0x02);
            assertThat(Arrays.copyOfRange(framed, 5, framed.length)).isEqualTo(plain.toByteArray());
        }
    }

    @Test
    void rejectsWhatIsNotWireFormat() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte is 0x01");
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("3 bytes");
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[0]))
                .isInstanceOf(SerializationException.class).hasMessageContaining("0 bytes");
    }
}

package io.saliencystream.serde;

import io.saliencystream.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) in the Confluent wire format, registering the
 * record's schema under the topic-name subject strategy ({@code <topic>-key} / {@code <topic>-value}).
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

    static {
        AvroTrust.install();
    }

    private final SchemaRegistry registry;
    private final boolean isKey;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();

    public AvroSerializer(SchemaRegistry registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        String subject = SubjectNames.topicName(topic, isKey);
        int id = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(schema, s -> registry.register(subject, s));
        return ConfluentWireFormat.frame(id, avroBinary(record, schema));
    }

    private static byte[] avroBinary(GenericContainer record, Schema schema) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            if (record instanceof SpecificRecord) {
                new SpecificDatumWriter<GenericContainer>(schema, SpecificData.getForClass(record.getClass()))
                        .write(record, encoder);
            } else {
                new GenericDatumWriter<GenericContainer>(schema).write(record, encoder);
            }
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot write " + schema.getFullName() + " as Avro: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}

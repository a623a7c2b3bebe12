package io.saliencystream.serde;

import io.saliencystream.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) in the Confluent wire format, as Confluent's
 * serializer does: the subject from the configured name strategy, the schema registered under it
 * (or, without auto-registration, its id looked up), or the subject's latest schema with the
 * record resolved to it.
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

    static {
        AvroTrust.install();
    }

    private final SchemaRegistry registry;
    private final boolean isKey;
    private final SerdeSettings settings;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();

    public AvroSerializer(SchemaRegistry registry, boolean isKey) {
        this(registry, isKey, SerdeSettings.defaults());
    }

    public AvroSerializer(SchemaRegistry registry, boolean isKey, SerdeSettings settings) {
        this.registry = registry;
        this.isKey = isKey;
        this.settings = settings;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        String subject = settings.strategy(isKey).subject(topic, isKey, schema);
        if (settings.useLatestVersion()) {
            SchemaRegistry.Registered latest = registry.latest(subject);
            byte[] own = avroBinary(record, schema);
            return ConfluentWireFormat.frame(latest.id(), latest.schema().equals(schema) ? own
                    : avroBinary(resolve(own, schema, latest.schema(), subject), latest.schema()));
        }
        int id = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(schema, s -> settings.autoRegister() ? registry.register(subject, s)
                        : registry.lookUp(subject, s));
        return ConfluentWireFormat.frame(id, avroBinary(record, schema));
    }

    /** The record written in {@code writer}, read back in {@code reader} by Avro's schema resolution. */
    private static GenericContainer resolve(byte[] written, Schema writer, Schema reader, String subject) {
        try {
            return new GenericDatumReader<GenericContainer>(writer, reader)
                    .read(null, DecoderFactory.get().binaryDecoder(written, null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot write " + writer.getFullName() + " with the latest schema of "
                    + subject + ": " + e.getMessage(), e);
        }
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

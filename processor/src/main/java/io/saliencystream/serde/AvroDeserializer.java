package io.saliencystream.serde;

import io.saliencystream.registry.SchemaRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format Avro. The writer's schema comes from the registry by the id in
 * the header (cached); values are resolved to the reader schema: the generated class's schema
 * for a specific reader, the writer's own schema for a generic one.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {

    private final SchemaRegistry registry;
    private final Schema readerSchema;
    private final boolean specific;
    private final Map<Integer, DatumReader<T>> readersById = new ConcurrentHashMap<>();

    private AvroDeserializer(SchemaRegistry registry, Schema readerSchema, boolean specific) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.specific = specific;
    }

    /** Reads into the generated class {@code type}. */
    public static <T extends SpecificRecord> AvroDeserializer<T> specific(SchemaRegistry registry, Class<T> type) {
        return new AvroDeserializer<>(registry, SpecificData.get().getSchema(type), true);
    }

    /** Reads GenericRecords in the writer's schema. */
    public static <T> AvroDeserializer<T> generic(SchemaRegistry registry) {
        return new AvroDeserializer<>(registry, null, false);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = ConfluentWireFormat.schemaId(data);
        DatumReader<T> reader = readersById.computeIfAbsent(id, this::readerFor);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(
                data, ConfluentWireFormat.HEADER_LENGTH, data.length - ConfluentWireFormat.HEADER_LENGTH, null);
        try {
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("Corrupt Avro payload for schema id " + id
                        + ": bytes left over after the record");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException("Corrupt Avro payload for schema id " + id + ": " + e, e);
        }
    }

    private DatumReader<T> readerFor(int id) {
        Schema writerSchema = registry.schemaById(id);
        if (!specific) {
            return new GenericDatumReader<>(writerSchema);
        }
        return new SpecificDatumReader<>(writerSchema, readerSchema, SpecificData.getForSchema(readerSchema));
    }
}

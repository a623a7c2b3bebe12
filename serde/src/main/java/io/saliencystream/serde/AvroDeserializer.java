package io.saliencystream.serde;

import io.saliencystream.registry.AvroCompatibility;
import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format Avro. The writer's schema comes from the registry by the id in
 * the header (cached); values are resolved to the reader schema: the generated class's schema
 * for a specific reader, the writer's own schema for a generic one.
 *
 * <p>Errors: bytes that cannot be this record (wrong magic, too short, truncated or trailing
 * bytes, an id the registry does not know, a writer schema the reader cannot resolve) throw
 * {@link SerializationException} naming the topic and schema id. A registry that cannot be
 * reached or answers with a server error throws {@link SchemaRegistryException} instead: the
 * record may be fine, so callers should not dead-letter it.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {

    static {
        AvroTrust.install();
    }

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
        DatumReader<T> reader = readerFor(topic, id);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(
                data, ConfluentWireFormat.HEADER_LENGTH, data.length - ConfluentWireFormat.HEADER_LENGTH, null);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (SecurityException e) {
            // Avro refused a class (see AvroTrust): a setup fault, not a bad record
            throw e;
        } catch (IOException | RuntimeException e) {
            // EOFException for truncated data, AvroRuntimeException / IndexOutOfBounds for garbage
            throw new SerializationException("Corrupt Avro payload on topic " + topic + " for schema id " + id
                    + " (" + data.length + " bytes): " + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new SerializationException("Corrupt Avro payload on topic " + topic + " for schema id " + id
                        + ": bytes left over after the record");
            }
        } catch (IOException e) {
            throw new SerializationException("Cannot check the end of the payload on topic " + topic, e);
        }
        return value;
    }

    private DatumReader<T> readerFor(String topic, int id) {
        DatumReader<T> cached = readersById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() == 404) {
                throw new SerializationException("Record on topic " + topic + " names schema id " + id
                        + ", which the schema registry does not know: " + e.getMessage(), e);
            }
            throw e;
        }
        DatumReader<T> reader = specific ? specificReader(topic, id, writerSchema) : new GenericDatumReader<>(writerSchema);
        readersById.put(id, reader);
        return reader;
    }

    private DatumReader<T> specificReader(String topic, int id, Schema writerSchema) {
        // checked up front so the message says which schemas clash instead of failing mid-record
        AvroCompatibility.problems(readerSchema, writerSchema).ifPresent(problems -> {
            throw new SerializationException("Record on topic " + topic + " was written with schema id " + id
                    + " (" + writerSchema.getFullName() + "), which " + readerSchema.getFullName()
                    + " cannot read: " + problems);
        });
        // Avro's fast reader resolves the two schemas once, where the default reader walks a resolving
        // grammar per value: a 27,648-float raw tensor read about 2x faster with it. Written in the
        // reader's own schema, float arrays are read without boxing (UnboxedFloatsReader says why)
        SpecificData data = SpecificData.getForSchema(readerSchema);
        try {
            if (UnboxedFloatsReader.reads(writerSchema, readerSchema)) {
                return UnboxedFloatsReader.of(data, readerSchema);
            }
            return data.getFastReaderBuilder().createDatumReader(writerSchema, readerSchema);
        } catch (IOException e) {
            throw new SerializationException("Cannot build a reader of " + readerSchema.getFullName()
                    + " for schema id " + id + " on topic " + topic + ": " + e, e);
        }
    }
}

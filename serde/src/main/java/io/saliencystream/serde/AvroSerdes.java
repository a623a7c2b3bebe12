package io.saliencystream.serde;

import io.saliencystream.registry.SchemaRegistry;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Confluent wire-format Avro serdes bound to one schema registry, and the serde of keys. */
public final class AvroSerdes {

    private final SchemaRegistry registry;
    private final SerdeSettings settings;
    private final KeyFormat keyFormat;

    public AvroSerdes(SchemaRegistry registry) {
        this(registry, SerdeSettings.defaults(), KeyFormat.STRING);
    }

    public AvroSerdes(SchemaRegistry registry, SerdeSettings settings, KeyFormat keyFormat) {
        this.registry = registry;
        this.settings = settings;
        this.keyFormat = keyFormat;
    }

    /** A value serde for the generated class {@code type}. */
    public <T extends SpecificRecordBase> Serde<T> specific(Class<T> type) {
        return Serdes.serdeFrom(new AvroSerializer<T>(registry, false, settings),
                AvroDeserializer.specific(registry, type));
    }

    /** A value serde for GenericRecords. */
    public Serde<GenericRecord> generic() {
        return Serdes.serdeFrom(new AvroSerializer<>(registry, false, settings), AvroDeserializer.generic(registry));
    }

    /** The serde of the string keys of every topic the application reads or writes. */
    public Serde<String> keys() {
        return keyFormat.serde(registry, settings);
    }

    public SchemaRegistry registry() {
        return registry;
    }
}

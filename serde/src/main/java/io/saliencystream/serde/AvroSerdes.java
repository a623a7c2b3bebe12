package io.saliencystream.serde;

import io.saliencystream.registry.SchemaRegistry;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Confluent wire-format Avro serdes bound to one schema registry. */
public final class AvroSerdes {

    private final SchemaRegistry registry;

    public AvroSerdes(SchemaRegistry registry) {
        this.registry = registry;
    }

    /** A value serde for the generated class {@code type}. */
    public <T extends SpecificRecordBase> Serde<T> specific(Class<T> type) {
        return Serdes.serdeFrom(new AvroSerializer<T>(registry, false), AvroDeserializer.specific(registry, type));
    }

    /** A value serde for GenericRecords. */
    public Serde<GenericRecord> generic() {
        return Serdes.serdeFrom(new AvroSerializer<>(registry, false), AvroDeserializer.generic(registry));
    }

    public SchemaRegistry registry() {
        return registry;
    }

}

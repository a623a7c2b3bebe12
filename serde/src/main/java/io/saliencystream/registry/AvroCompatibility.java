package io.saliencystream.registry;

import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Avro's reader/writer compatibility rules, with short messages (Avro's own description prints both schemas). */
public final class AvroCompatibility {

    private AvroCompatibility() {
    }

    /** Why data written with {@code writer} cannot be read with {@code reader}; empty when it can. */
    public static Optional<String> problems(Schema reader, Schema writer) {
        SchemaCompatibility.SchemaPairCompatibility pair = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return Optional.empty();
        }
        return Optional.of(pair.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .collect(Collectors.joining("; ")));
    }
}

package io.saliencystream.registry;

import org.apache.avro.Schema;

/**
 * The two operations the Confluent wire format needs from a schema registry: register a schema
 * under a subject (getting its global id back), and look a schema up by id.
 * Implementations cache, so callers may call these per record.
 */
public interface SchemaRegistry {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema registered under {@code id}; throws {@link SchemaRegistryException} if there is none. */
    Schema schemaById(int id);

    /**
     * The id of {@code schema} as already registered under {@code subject}, without registering it
     * (for {@code auto.register.schemas=false}); throws {@link SchemaRegistryException} if it is not.
     */
    default int lookUp(String subject, Schema schema) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot look schemas up: "
                + "use auto.register.schemas=true");
    }

    /** The latest version of {@code subject} (for {@code use.latest.version}). */
    default Registered latest(String subject) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no latest versions: "
                + "use use.latest.version=false");
    }

    /** A schema with its global id. */
    record Registered(int id, Schema schema) {
    }
}

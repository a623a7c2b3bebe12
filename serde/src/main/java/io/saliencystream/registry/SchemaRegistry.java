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
}

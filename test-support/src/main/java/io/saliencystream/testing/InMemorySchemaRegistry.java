package io.saliencystream.testing;

import io.saliencystream.registry.AvroCompatibility;
import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.registry.SchemaRegistryException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A schema registry held in memory: global ids shared across subjects, one id per distinct
 * schema text, versions per subject. Like Confluent's default, a subject is BACKWARD compatible:
 * a new version must be able to read data written with the latest one, or registration fails
 * with HTTP 409. Backs the in-process registry server of the embedded default, and unit tests.
 * Errors carry Confluent's error codes so the server can pass them on unchanged.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 409;

    private final Map<String, Integer> idsBySchemaText = new HashMap<>();
    private final List<Schema> schemasById = new ArrayList<>();
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        String canonical = schema.toString();
        Integer known = idsBySchemaText.get(canonical);
        List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        if (known != null && versions.contains(known)) {
            return known;
        }
        String incompatibility = incompatibilityWithLatest(subject, schema);
        if (incompatibility != null) {
            throw new SchemaRegistryException("Schema being registered is incompatible with the latest version of subject '"
                    + subject + "' (BACKWARD): " + incompatibility, 409, INCOMPATIBLE_SCHEMA, null);
        }
        int id;
        if (known == null) {
            schemasById.add(schema);
            id = schemasById.size();
            idsBySchemaText.put(canonical, id);
        } else {
            id = known;
        }
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemasById.size()) {
            throw new SchemaRegistryException("Schema " + id + " not found", 404, SCHEMA_NOT_FOUND, null);
        }
        return schemasById.get(id - 1);
    }

    @Override
    public synchronized int lookUp(String subject, Schema schema) {
        for (int id : versions(subject)) {
            if (schemaById(id).equals(schema)) {
                return id;
            }
        }
        throw new SchemaRegistryException("Schema not found under subject '" + subject + "'", 404, SCHEMA_NOT_FOUND,
                null);
    }

    @Override
    public synchronized Registered latest(String subject) {
        List<Integer> versions = versions(subject);
        if (versions.isEmpty()) {
            throw new SchemaRegistryException("Subject '" + subject + "' not found.", 404, SUBJECT_NOT_FOUND, null);
        }
        int id = versions.get(versions.size() - 1);
        return new Registered(id, schemaById(id));
    }

    /** Whether {@code schema} could be registered under {@code subject} now (always true for a new subject). */
    public synchronized boolean isCompatible(String subject, Schema schema) {
        return incompatibilityWithLatest(subject, schema) == null;
    }

    /** Ids registered under {@code subject}, oldest version first (empty if the subject is unknown). */
    public synchronized List<Integer> versions(String subject) {
        return List.copyOf(versionsBySubject.getOrDefault(subject, List.of()));
    }

    /** All subjects, in no particular order. */
    public synchronized List<String> subjects() {
        return List.copyOf(versionsBySubject.keySet());
    }

    /** The schema id of version {@code version} (1-based) of {@code subject}; 40401 / 40402 errors if absent. */
    public synchronized int idOfVersion(String subject, int version) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null) {
            throw new SchemaRegistryException("Subject '" + subject + "' not found.", 404, SUBJECT_NOT_FOUND, null);
        }
        if (version < 1 || version > versions.size()) {
            throw new SchemaRegistryException("Version " + version + " not found.", 404, VERSION_NOT_FOUND, null);
        }
        return versions.get(version - 1);
    }

    private String incompatibilityWithLatest(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            return null;
        }
        Schema latest = schemasById.get(versions.get(versions.size() - 1) - 1);
        return AvroCompatibility.problems(schema, latest).orElse(null);
    }
}

package io.saliencystream.engine.model;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.saliencystream.engine.input.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models the engine can explain, keyed by name and version, read from a JSON file of the
 * form {@code {"models": [ModelSpec, ...]}}. Loaded once and shared across stream threads.
 */
public final class ModelCatalog implements AutoCloseable {

    /** Classpath location of the catalog shipped with the application. */
    public static final String DEFAULT_RESOURCE = "/models/catalog.json";

    /** Prefix of an {@code onnxFile} that names a classpath resource instead of a file in the store. */
    public static final String CLASSPATH = "classpath:";

    private record CatalogFile(List<ModelSpec> models) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final Map<String, CatalogModel> models;

    private ModelCatalog(List<ModelSpec> specs, ModelStore store) {
        Map<String, CatalogModel> byKey = new LinkedHashMap<>();
        for (ModelSpec spec : specs) {
            CatalogModel model = new CatalogModel(spec, () -> spec.onnxFile().startsWith(CLASSPATH)
                    ? fromClasspath(store.dir(), spec)
                    : spec.source() == null
                    ? requireExisting(store.dir().resolve(spec.onnxFile()), spec)
                    : store.fetch(spec.onnxFile(), spec.source()));
            if (byKey.putIfAbsent(spec.key(), model) != null) {
                throw new IllegalArgumentException("model catalog lists " + spec.key() + " twice");
            }
        }
        this.models = Collections.unmodifiableMap(byKey);
    }

    public static ModelCatalog load(Path json, ModelStore store) throws IOException {
        try (InputStream in = Files.newInputStream(json)) {
            return parse(in, json.toString(), store);
        }
    }

    public static ModelCatalog fromResource(String resource, ModelStore store) throws IOException {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no model catalog resource " + resource + " on the classpath");
            }
            return parse(in, resource, store);
        }
    }

    /** The catalog shipped with the application, models cached in {@code store}. */
    public static ModelCatalog defaultCatalog(ModelStore store) throws IOException {
        return fromResource(DEFAULT_RESOURCE, store);
    }

    private static ModelCatalog parse(InputStream in, String where, ModelStore store) throws IOException {
        CatalogFile file;
        try {
            file = JSON.readValue(in, CatalogFile.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("invalid model catalog " + where + ": " + e.getMessage(), e);
        }
        if (file.models() == null || file.models().isEmpty()) {
            throw new IOException("model catalog " + where + " lists no models");
        }
        return new ModelCatalog(file.models(), store);
    }

    /**
     * Copies a model shipped inside the application ({@code onnxFile} "classpath:/path/x.onnx")
     * to the store directory, once: ONNX Runtime reads files, and the audit hashes the file.
     * The copy is rewritten when its bytes differ from the resource (a newer build).
     */
    private static Path fromClasspath(Path dir, ModelSpec spec) throws IOException {
        String resource = spec.onnxFile().substring(CLASSPATH.length());
        byte[] bytes;
        try (InputStream in = ModelCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("model " + spec.key() + ": no resource " + resource + " on the classpath");
            }
            bytes = in.readAllBytes();
        }
        Path file = dir.resolve(spec.name() + "-" + spec.version() + "-" + Path.of(resource).getFileName());
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return file;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "model", ".part");
        Files.write(tmp, bytes);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path requireExisting(Path file, ModelSpec spec) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("model " + spec.key() + ": file " + file + " does not exist and the catalog gives no source");
        }
        return file;
    }

    public Optional<CatalogModel> find(String name, String version) {
        return Optional.ofNullable(models.get(name + ":" + version));
    }

    /** Like {@link #find} but an absent model is an invalid input with code "unknown-model". */
    public CatalogModel require(String name, String version) throws InvalidInputException {
        return find(name, version).orElseThrow(() -> new InvalidInputException(InvalidInputException.UNKNOWN_MODEL,
                "no model " + name + " version " + version + " in the catalog; known: " + models.keySet()));
    }

    public Collection<CatalogModel> models() {
        return models.values();
    }

    @Override
    public void close() throws OrtException {
        for (CatalogModel m : models.values()) {
            m.close();
        }
    }
}

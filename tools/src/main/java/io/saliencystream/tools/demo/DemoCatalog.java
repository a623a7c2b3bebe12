package io.saliencystream.tools.demo;

import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's own catalog: the production PaddleOCR classifier plus the project's ground-truth
 * model {@code shapes:v1}, which ships inside the tools jar and never in the production one.
 */
public final class DemoCatalog {

    public static final String RESOURCE = "/models/demo-catalog.json";

    private DemoCatalog() {
    }

    public static ModelCatalog load(ModelStore store) throws IOException {
        return ModelCatalog.fromResource(RESOURCE, store);
    }

    /** The catalog as a file, for the processor's {@code catalog.path}; deleted when the JVM exits. */
    public static Path writeTemporaryFile() throws IOException {
        Path file = Files.createTempFile("saliency-stream-demo-catalog", ".json");
        file.toFile().deleteOnExit();
        try (InputStream in = DemoCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("no model catalog resource " + RESOURCE + " on the classpath");
            }
            Files.write(file, in.readAllBytes());
        }
        return file;
    }
}

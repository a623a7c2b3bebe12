package io.saliencystream.tools.demo;

import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;

import java.io.IOException;

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
}

package io.saliencystream.app;

import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ProductionCatalogTest {

    @Test
    void theShippedCatalogListsProductionModelsOnly(@TempDir Path dir) throws Exception {
        // the demo's toy model shapes:v1 ships with the tools, never to production
        try (ModelCatalog catalog = ModelCatalog.defaultCatalog(new ModelStore(dir))) {
            assertThat(catalog.models()).extracting(CatalogModel::spec).extracting(spec -> spec.key())
                    .containsExactly("text-orientation:ppocr-mobile-v2.0-cls");
        }
        assertThat(ProductionCatalogTest.class.getResource("/models/groundtruth/shapes-v1.onnx"))
                .as("test resources carry it, the main jar must not").isNotNull();
    }
}

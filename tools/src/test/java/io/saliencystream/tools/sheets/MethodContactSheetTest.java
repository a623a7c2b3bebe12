package io.saliencystream.tools.sheets;

import io.saliencystream.tools.demo.DemoCatalog;
import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.testing.samples.GroundTruthSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class MethodContactSheetTest {

    @TempDir
    Path store;

    @Test
    void oneRowPerMethodAndOneColumnPerStyle() throws Exception {
        try (ModelCatalog catalog = DemoCatalog.load(new ModelStore(store))) {
            CatalogModel shapes = catalog.require("shapes", "v1");
            List<ModelSpec.MethodSpec> cheap = List.of(
                    new ModelSpec.MethodSpec("occlusion", Map.of("window", "16", "stride", "16")),
                    new ModelSpec.MethodSpec("rise", Map.of("masks", "40", "min_masks", "40", "batch_size", "40")),
                    new ModelSpec.MethodSpec("vanilla_gradient", Map.of()));
            int scale = 2;
            ContactSheet sheet = MethodContactSheet.sheet(new ExplanationEngine(), shapes,
                    GroundTruthSamples.clean().get(0).image(), "a test image", cheap, MethodContactSheet.STYLES, scale);
            assertThat(sheet.rowCount()).isEqualTo(cheap.size());
            BufferedImage page = sheet.render();
            int tile = 64 * scale;
            // five columns of tiles at least 128 wide beside the row labels, three rows of tiles at least 128 tall
            assertThat(MethodContactSheet.STYLES).hasSize(5);
            assertThat(page.getWidth()).isGreaterThan(MethodContactSheet.STYLES.size() * tile + 220);
            assertThat(page.getHeight()).isGreaterThan(cheap.size() * tile);
            assertThat(page.getWidth()).isLessThan(MethodContactSheet.STYLES.size() * (tile + 12) + 220 + 2 * 16 + 12 + 1);
        }
    }
}

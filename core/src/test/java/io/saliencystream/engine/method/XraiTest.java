package io.saliencystream.engine.method;

import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** XRAI on a linear model whose class-0 score is the sum of one known rectangle's pixels. */
class XraiTest {

    private static final int W = 32;
    private static final int H = 24;

    @TempDir
    Path dir;

    private CatalogModel model;
    private final GradientModels cache = new GradientModels();

    @AfterEach
    void close() throws Exception {
        cache.close();
        if (model != null) {
            model.close();
        }
    }

    private static boolean inside(int x, int y) {
        return x >= 20 && x < 28 && y >= 4 && y < 14;
    }

    @Test
    void theTopRegionCoversTheRegionTheScoreDependsOn() throws Exception {
        ModelSpec spec = new ModelSpec("region", "1", "linear.onnx", null, "x", ModelSpec.Layout.NCHW, W, H, 3,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS, List.of("region", "constant"),
                new ModelSpec.MethodSpec(Xrai.NAME, Map.of()));
        Preprocessor layout = new Preprocessor(spec);
        float[] weights = new float[spec.inputSize()];
        float[] x = new float[spec.inputSize()];
        for (int y = 0; y < H; y++) {
            for (int px = 0; px < W; px++) {
                for (int c = 0; c < 3; c++) {
                    weights[layout.index(c, y, px)] = inside(px, y) ? 1f : 0f;
                    // a bright rectangle on a mid-gray background with two other shapes the score ignores
                    float v = inside(px, y) ? 0.8f : (px < 10 && y > 12) ? -0.8f : (px > 10 && px < 16) ? 0.5f : 0f;
                    x[layout.index(c, y, px)] = v;
                }
            }
        }
        model = CatalogModel.of(spec, TinyOnnxModels.linearTwoClass(dir, new long[] {3, H, W}, weights, 0f));
        Explanation e = new Xrai(Xrai.Params.from(Map.of("score", "raw", "scales", "0.5,2,8", "min_size", "4", "steps", "4")), cache)
                .explain(model, x, 0, 1L);
        float top = e.diagnostics().get("region.0.density").floatValue();
        int hits = 0;
        int topPixels = 0;
        for (int y = 0; y < H; y++) {
            for (int px = 0; px < W; px++) {
                boolean isTop = e.map().get(px, y) == top;
                topPixels += isTop ? 1 : 0;
                hits += isTop && inside(px, y) ? 1 : 0;
            }
        }
        assertThat(hits).as("the top region covers the rectangle").isEqualTo(80);
        assertThat(topPixels).as("and little else").isLessThanOrEqualTo(100);
        assertThat(e.diagnostics().get("regions")).isGreaterThanOrEqualTo(3.0);
        assertThat(Math.abs(e.diagnostics().get("completenessError"))).isLessThan(1e-2);
    }
}

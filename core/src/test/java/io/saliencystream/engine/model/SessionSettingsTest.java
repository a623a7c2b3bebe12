package io.saliencystream.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionSettingsTest {

    private static final Path RESNET = Path.of("src", "test", "resources", "architectures", "resnet18_025.onnx");

    private static CatalogModel resnet() {
        ModelSpec spec = new ModelSpec("resnet18", "025", "resnet18_025.onnx", null, "x", ModelSpec.Layout.NCHW,
                64, 64, 3, ModelSpec.ColorOrder.RGB, 1.0, new double[] {0, 0, 0}, new double[] {1, 1, 1},
                ModelSpec.ResizeMode.STRETCH, ModelSpec.OutputKind.LOGITS,
                java.util.stream.IntStream.range(0, 10).mapToObj(Integer::toString).toList(),
                new ModelSpec.MethodSpec("occlusion", Map.of()));
        return CatalogModel.of(spec, RESNET);
    }

    @Test
    void oneThreadAndEveryOptimisationLevelGiveTheDefaultScores() throws Exception {
        float[] input = new float[2 * 3 * 64 * 64];
        Random random = new Random(7);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[][] expected;
        try (CatalogModel model = resnet()) {
            expected = new ModelRunner(model).scores(input, 2);
        }
        for (SessionSettings.Optimization level : SessionSettings.Optimization.values()) {
            try (CatalogModel model = resnet()) {
                model.configure(new SessionSettings(1, level, SessionSettings.Provider.CPU));
                float[][] scores = new ModelRunner(model).scores(input, 2);
                for (int b = 0; b < 2; b++) {
                    for (int c = 0; c < expected[b].length; c++) {
                        assertThat(scores[b][c]).as("%s, item %d, class %d", level, b, c)
                                .isCloseTo(expected[b][c], org.assertj.core.data.Offset.offset(1e-4f));
                    }
                }
            }
        }
    }

    @Test
    void cudaWithoutTheGpuBuildFailsSayingWhatToDo() {
        // the default build carries the CPU-only onnxruntime artifact; -Pcuda swaps in onnxruntime_gpu
        OrtRuntime.environment();
        assertThat(OrtEnvironment.getAvailableProviders()).doesNotContain(OrtProvider.CUDA);
        SessionSettings cuda = new SessionSettings(1, SessionSettings.Optimization.ALL, SessionSettings.Provider.CUDA);
        try (CatalogModel model = resnet()) {
            model.configure(cuda);
            assertThatThrownBy(model::session).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("execution provider cuda is not in this build")
                    .hasMessageContaining("-Pcuda");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void settingsAreFixedOnceTheSessionIsOpen() throws Exception {
        try (CatalogModel model = resnet()) {
            model.session();
            model.configure(SessionSettings.DEFAULTS);
            assertThatThrownBy(() -> model.configure(SessionSettings.DEFAULTS.withIntraOpThreads(2)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("configure it before first use");
        }
    }

    @Test
    void namesAreParsedAsDocumentedAndMisspellingsRefused() {
        assertThat(SessionSettings.Optimization.of("disable-all")).isEqualTo(SessionSettings.Optimization.DISABLE_ALL);
        assertThat(SessionSettings.Optimization.of("Extended")).isEqualTo(SessionSettings.Optimization.EXTENDED);
        assertThat(SessionSettings.Provider.of("cuda")).isEqualTo(SessionSettings.Provider.CUDA);
        assertThatThrownBy(() -> SessionSettings.Provider.of("tensorrt")).hasMessageContaining("use cpu or cuda");
        assertThatThrownBy(() -> SessionSettings.Optimization.of("max")).hasMessageContaining("disable-all, basic");
        assertThatThrownBy(() -> new SessionSettings(-1, SessionSettings.Optimization.ALL, SessionSettings.Provider.CPU))
                .hasMessageContaining(">= 0");
    }
}

package io.saliencystream.engine.method;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.gradient.GradientModels;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ContentRegion;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only the picture is explained: on a model whose score weighs the padding columns heavily, every
 * method run through {@link ModelInput#content} gives the padding exactly zero attribution and
 * still attributes the picture, and the model always receives the padding preprocessing wrote.
 */
class PaddingExclusionTest {

    private static final int W = 32;
    private static final int H = 16;
    /** A 20x16 image keeps its aspect ratio at height 16: 20 columns of picture, 12 of padding. */
    private static final int PICTURE = 20;

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

    static Stream<Explainer> methods() {
        GradientModels shared = GradientModels.shared();
        return Stream.of(
                new Occlusion(Occlusion.Params.from(Map.of("window", "4", "stride", "2", "score", "raw"))),
                new Rise(Rise.Params.from(Map.of("cells", "4", "masks", "64", "min_masks", "64", "score", "probability"))),
                new KernelShap(KernelShap.Params.from(Map.of("superpixels", "grid", "grid", "3", "samples", "64"))),
                new KernelShap(KernelShap.Params.from(Map.of("segments", "12", "samples", "64"))),
                new VanillaGradient(VanillaGradient.Params.from(Map.of("score", "raw")), shared),
                new SmoothGrad(SmoothGrad.Params.from(Map.of("samples", "4", "score", "raw")), shared),
                new IntegratedGradients(IntegratedGradients.Params.from(Map.of("steps", "8", "baseline", "black", "score", "raw")), shared),
                new Xrai(Xrai.Params.from(Map.of("steps", "4", "scales", "1,4", "min_size", "4", "score", "raw")), shared));
    }

    private ModelInput input() throws Exception {
        ModelSpec spec = new ModelSpec("padded", "1", "linear.onnx", null, "x", ModelSpec.Layout.NCHW, W, H, 3,
                ModelSpec.ColorOrder.RGB, 1 / 255.0, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5},
                ModelSpec.ResizeMode.KEEP_ASPECT_PAD_RIGHT, ModelSpec.OutputKind.LOGITS, List.of("weighted", "constant"),
                new ModelSpec.MethodSpec(Occlusion.NAME, Map.of()));
        Preprocessor layout = new Preprocessor(spec);
        float[] weights = new float[spec.inputSize()];
        Random random = new Random(3);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                for (int c = 0; c < 3; c++) {
                    // the padding columns weigh ten times as much: any method that touched them would show it
                    weights[layout.index(c, y, x)] = (x >= PICTURE ? 10f : 1f) * (0.2f + random.nextFloat());
                }
            }
        }
        model = CatalogModel.of(spec, TinyOnnxModels.linearTwoClass(dir, new long[] {3, H, W}, weights, 0f));
        BufferedImage image = new BufferedImage(PICTURE, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < PICTURE; x++) {
                image.setRGB(x, y, random.nextInt(0xffffff));
            }
        }
        return layout.prepare(image);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void paddingGetsExactlyZeroAndThePictureIsAttributed(Explainer method) throws Exception {
        ModelInput input = input();
        assertThat(input.region()).isEqualTo(new ContentRegion(0, 0, PICTURE, H));
        ModelInput.Content content = input.content(model);

        Explanation e = method.explain(content.model(), content.tensor(), 0, 7L);

        assertThat(e.map().width()).as("the map covers the picture").isEqualTo(PICTURE);
        AttributionMap full = input.region().embed(e.map(), W, H);
        float picture = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (x >= PICTURE) {
                    assertThat(full.get(x, y)).as("padding at %d,%d", x, y).isZero();
                } else {
                    picture = Math.max(picture, Math.abs(full.get(x, y)));
                }
            }
        }
        assertThat(picture).as("attribution on the picture").isPositive();
    }

    @Test
    void theModelAlwaysReceivesThePaddingPreprocessingWrote() throws Exception {
        ModelInput input = input();
        ModelInput.Content content = input.content(model);
        int size = content.tensor().length;
        float[] batch = new float[2 * size];
        java.util.Arrays.fill(batch, 5f);
        float[] fed = content.model().toModelInputs(batch, 2);
        Preprocessor layout = new Preprocessor(input.spec());
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        float v = fed[i * input.spec().inputSize() + layout.index(c, y, x)];
                        assertThat(v).isEqualTo(x >= PICTURE ? input.tensor()[layout.index(c, y, x)] : 5f);
                    }
                }
            }
        }
        assertThat(new ModelRunner(content.model()).scores(content.tensor(), 1)[0])
                .containsExactly(new ModelRunner(model).scores(input.tensor(), 1)[0]);
    }
}

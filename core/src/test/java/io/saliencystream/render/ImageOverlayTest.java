package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ImageOverlayTest {

    private static final ModelSpec TEXT_LINE = new ModelSpec("line", "1", "m.onnx", null, "x", ModelSpec.Layout.NCHW,
            192, 48, 3, ModelSpec.ColorOrder.BGR, 1 / 255.0, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5},
            ModelSpec.ResizeMode.KEEP_ASPECT_PAD_RIGHT, ModelSpec.OutputKind.PROBABILITIES, List.of("0", "180"),
            new ModelSpec.MethodSpec("occlusion", Map.of()));

    private static final OverlayOptions PLAIN = OverlayOptions.DEFAULT.with(Map.of("legend", "false", "overlay_type", "original"));

    /** A 300x200 photograph-like image: a text-line model squeezes it to 72x48 and pads 120 columns. */
    private static ModelInput photo() {
        BufferedImage image = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 300; x++) {
                image.setRGB(x, y, (x * 255 / 300) << 16 | (y * 255 / 200) << 8 | 90);
            }
        }
        return new Preprocessor(TEXT_LINE).prepare(image);
    }

    @Test
    void onTheOriginalTheOverlayKeepsItsShapeAndTheMapLandsWhereItWasFound() {
        ModelInput input = photo();
        assertThat(input.region().width()).isEqualTo(72);
        // attribution in the right third of the picture only
        float[] v = new float[72 * 48];
        for (int y = 0; y < 48; y++) {
            for (int x = 48; x < 72; x++) {
                v[y * 72 + x] = 1f;
            }
        }
        BufferedImage out = ImageOverlay.render(input, new AttributionMap(72, 48, v), PLAIN);

        assertThat(out.getWidth()).as("the longest side: max(300, 192 x 4) capped at 768").isEqualTo(768);
        assertThat(out.getHeight()).isEqualTo(512);
        BufferedImage original = ImageOverlay.render(input, new AttributionMap(72, 48, new float[72 * 48]), PLAIN);
        assertThat(out.getRGB(100, 256)).as("left third untouched").isEqualTo(original.getRGB(100, 256));
        assertThat(out.getRGB(700, 256)).as("right third coloured").isNotEqualTo(original.getRGB(700, 256));
    }

    @Test
    void maxSideBoundsTheOverlay() {
        BufferedImage out = ImageOverlay.render(photo(), new AttributionMap(72, 48, new float[72 * 48]),
                PLAIN.with(Map.of("max_side", "150")));
        assertThat(out.getWidth()).isEqualTo(150);
        assertThat(out.getHeight()).isEqualTo(100);
    }

    @Test
    void inTheModelViewThePaddingIsDrawnWithoutAttribution() {
        ModelInput input = photo();
        float[] v = new float[72 * 48];
        Arrays.fill(v, 1f);
        OverlayOptions model = PLAIN.with(Map.of("space", "model", "scale", "1"));
        BufferedImage out = ImageOverlay.render(input, new AttributionMap(72, 48, v), model);
        BufferedImage view = input.modelView();
        assertThat(out.getWidth()).isEqualTo(192);
        for (int y = 0; y < 48; y++) {
            for (int x = 80; x < 192; x++) {
                assertThat(out.getRGB(x, y)).as("padding at %d,%d", x, y).isEqualTo(view.getRGB(x, y));
            }
        }
        assertThat(out.getRGB(30, 20)).isNotEqualTo(view.getRGB(30, 20));
    }
}

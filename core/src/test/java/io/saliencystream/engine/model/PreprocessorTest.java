package io.saliencystream.engine.model;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PreprocessorTest {

    private static ModelSpec spec(ModelSpec.Layout layout, ModelSpec.ColorOrder order, int w, int h,
                                  double[] mean, double[] std, ModelSpec.ResizeMode resize) {
        return new ModelSpec("m", "1", "m.onnx", null, "x", layout, w, h, 3, order, 1 / 255.0, mean, std, resize,
                ModelSpec.OutputKind.PROBABILITIES, List.of("a", "b"), new ModelSpec.MethodSpec("occlusion", Map.of()));
    }

    private static BufferedImage image(int w, int h, int... rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < rgb.length; i++) {
            img.setRGB(i % w, i / w, rgb[i]);
        }
        return img;
    }

    @Test
    void bgrNchwWithPaddleNormalisation() {
        // pixels (R,G,B) = (255, 0, 51) and (102, 204, 0); (v/255 - 0.5) / 0.5
        BufferedImage img = image(2, 1, 0xff0033, 0x66cc00);
        ModelSpec spec = spec(ModelSpec.Layout.NCHW, ModelSpec.ColorOrder.BGR, 2, 1,
                new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5}, ModelSpec.ResizeMode.STRETCH);
        float[] t = new Preprocessor(spec).tensor(img);
        // channel-major: B of both pixels, then G, then R
        float[] expected = {-0.6f, -1f, -1f, 0.6f, 1f, -0.2f};
        for (int i = 0; i < expected.length; i++) {
            assertThat(t[i]).as("index %d", i).isCloseTo(expected[i], within(1e-6f));
        }
    }

    @Test
    void imageInvertsTheTensorForBothLayoutsAndColourOrders() {
        BufferedImage img = image(2, 1, 0xff0033, 0x66cc00);
        for (ModelSpec.Layout layout : ModelSpec.Layout.values()) {
            for (ModelSpec.ColorOrder order : ModelSpec.ColorOrder.values()) {
                Preprocessor p = new Preprocessor(spec(layout, order, 2, 1,
                        new double[] {0.1, 0.2, 0.3}, new double[] {1, 2, 4}, ModelSpec.ResizeMode.STRETCH));
                BufferedImage back = p.image(p.tensor(img));
                assertThat(back.getRGB(0, 0) & 0xffffff).as("%s %s", layout, order).isEqualTo(0xff0033);
                assertThat(back.getRGB(1, 0) & 0xffffff).as("%s %s", layout, order).isEqualTo(0x66cc00);
            }
        }
    }

    @Test
    void rgbNhwcWithPerChannelMeanAndStd() {
        BufferedImage img = image(2, 1, 0xff0033, 0x66cc00);
        ModelSpec spec = spec(ModelSpec.Layout.NHWC, ModelSpec.ColorOrder.RGB, 2, 1,
                new double[] {0.1, 0.2, 0.3}, new double[] {1, 2, 4}, ModelSpec.ResizeMode.STRETCH);
        float[] t = new Preprocessor(spec).tensor(img);
        // pixel-major: R, G, B of pixel 0, then of pixel 1
        float[] expected = {(1f - 0.1f) / 1, (0f - 0.2f) / 2, (0.2f - 0.3f) / 4, (0.4f - 0.1f) / 1, (0.8f - 0.2f) / 2, (0f - 0.3f) / 4};
        for (int i = 0; i < expected.length; i++) {
            assertThat(t[i]).as("index %d", i).isCloseTo(expected[i], within(1e-6f));
        }
    }

    @Test
    void keepAspectPadsTheRightWithZerosAfterNormalisation() {
        // a 2x2 image into a 4x2 input: same height, width ceil(2 * 2 / 2) = 2, columns 2..3 padding
        BufferedImage img = image(2, 2, 0xffffff, 0x000000, 0x000000, 0xffffff);
        ModelSpec spec = spec(ModelSpec.Layout.NCHW, ModelSpec.ColorOrder.BGR, 4, 2,
                new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5}, ModelSpec.ResizeMode.KEEP_ASPECT_PAD_RIGHT);
        Preprocessor pre = new Preprocessor(spec);
        float[] t = pre.tensor(img);
        for (int c = 0; c < 3; c++) {
            assertThat(t[pre.index(c, 0, 0)]).isEqualTo(1f);
            assertThat(t[pre.index(c, 0, 1)]).isEqualTo(-1f);
            assertThat(t[pre.index(c, 1, 0)]).isEqualTo(-1f);
            assertThat(t[pre.index(c, 1, 1)]).isEqualTo(1f);
            for (int y = 0; y < 2; y++) {
                assertThat(t[pre.index(c, y, 2)]).isZero();
                assertThat(t[pre.index(c, y, 3)]).isZero();
            }
        }
        assertThat(pre.contentWidth(2, 2)).isEqualTo(2);
        assertThat(pre.contentWidth(100, 2)).isEqualTo(4); // wider than 4:2 is squeezed to the full width
        BufferedImage view = pre.modelView(img);
        assertThat(view.getWidth()).isEqualTo(4);
        assertThat(view.getRGB(3, 1) & 0xffffff).isEqualTo(0x808080); // 0.5 / (1/255) = 127.5 -> 128
    }

    @Test
    void downscalingAveragesBlocksLikeOpenCvBilinear() {
        // 4x2 -> 2x1 with half-pixel centres samples each 2x2 block at its centre: the block mean
        BufferedImage img = image(4, 2,
                0x000000, 0x646464, 0xc8c8c8, 0xc8c8c8,
                0x323232, 0x969696, 0x000000, 0x0a0a0a);
        ModelSpec spec = spec(ModelSpec.Layout.NCHW, ModelSpec.ColorOrder.RGB, 2, 1,
                new double[] {0, 0, 0}, new double[] {1, 1, 1}, ModelSpec.ResizeMode.STRETCH);
        float[] t = new Preprocessor(spec).tensor(img);
        assertThat(t[0] * 255).isCloseTo((0 + 100 + 50 + 150) / 4f, within(1e-3f));
        assertThat(t[1] * 255).isCloseTo((200 + 200 + 0 + 10) / 4f, within(0.51f)); // 102.5 rounds to 8 bits
    }
}

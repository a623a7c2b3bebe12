package io.saliencystream.render;

import io.saliencystream.engine.AttributionMap;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast PNG encoder's output decodes with ImageIO to exactly the pixels that were drawn. */
class PngEncoderTest {

    private static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("ImageIO reads it as a PNG").isNotNull();
        return image;
    }

    private static int[] argb(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /** A noisy picture: every byte value and sharp changes between neighbours and rows. */
    private static BufferedImage noise(int w, int h, int type, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        return image;
    }

    @Test
    void anOverlayWithItsFooterDecodesToThePixelsDrawn() throws IOException {
        float[] v = new float[96 * 64];
        Random random = new Random(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        BufferedImage photo = noise(96, 64, BufferedImage.TYPE_INT_RGB, 4);
        for (String method : new String[] {"vanilla_gradient", "occlusion", "gradcam", "kernelshap"}) {
            BufferedImage drawn = OverlayRenderer.renderImage(photo, new AttributionMap(96, 64, v),
                    OverlayOptions.forMethod(method).withCaption("predicted 7  p=0.910  " + method));
            BufferedImage decoded = decode(OverlayRenderer.png(drawn));
            assertThat(decoded.getWidth()).isEqualTo(drawn.getWidth());
            assertThat(decoded.getHeight()).isEqualTo(drawn.getHeight());
            assertThat(decoded.getColorModel().hasAlpha()).as("opaque overlays are written without alpha").isFalse();
            assertThat(argb(decoded)).as(method).isEqualTo(argb(drawn));
        }
    }

    @Test
    void translucentImagesKeepTheirAlpha() throws IOException {
        BufferedImage drawn = noise(33, 17, BufferedImage.TYPE_INT_ARGB, 5);
        BufferedImage decoded = decode(PngEncoder.encode(drawn));
        assertThat(decoded.getColorModel().hasAlpha()).isTrue();
        assertThat(argb(decoded)).isEqualTo(argb(drawn));
    }

    @Test
    void otherLayoutsAndSubImagesAreReadPixelByPixel() throws IOException {
        BufferedImage bgr = noise(40, 30, BufferedImage.TYPE_3BYTE_BGR, 6);
        assertThat(argb(decode(PngEncoder.encode(bgr)))).isEqualTo(argb(bgr));
        BufferedImage gray = noise(40, 30, BufferedImage.TYPE_BYTE_GRAY, 7);
        assertThat(argb(decode(PngEncoder.encode(gray)))).isEqualTo(argb(gray));
        // a sub-image shares its parent's buffer with an offset and a longer scanline
        BufferedImage part = noise(50, 40, BufferedImage.TYPE_INT_RGB, 8).getSubimage(7, 5, 31, 22);
        assertThat(argb(decode(PngEncoder.encode(part)))).isEqualTo(argb(part));
        BufferedImage pixel = noise(1, 1, BufferedImage.TYPE_INT_RGB, 9);
        assertThat(argb(decode(PngEncoder.encode(pixel)))).isEqualTo(argb(pixel));
    }
}

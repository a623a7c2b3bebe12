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

    /** A smooth picture (gradients), which deflate compresses well. */
    private static BufferedImage smooth(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x + y) & 0xff));
            }
        }
        return image;
    }

    @Test
    void imagesUpToTheStoredLimitAreStoredAndLargerOnesCompressed() throws IOException {
        // 224x260, a 224x224 model's overlay with its footer: 175 KB of rows, stored
        BufferedImage small = smooth(224, 260);
        byte[] stored = PngEncoder.encode(small);
        assertThat(260 * (224 * 3 + 1)).isLessThanOrEqualTo(PngEncoder.STORED_UP_TO);
        assertThat(stored.length).as("stored: the rows and a few bytes of headers").isBetween(260 * (224 * 3 + 1), 260 * (224 * 3 + 1) + 200);
        assertThat(argb(decode(stored))).isEqualTo(argb(small));
        // 320x300: 288 KB of rows, deflated, a smooth picture to a fraction
        BufferedImage large = smooth(320, 300);
        assertThat(300 * (320 * 3 + 1)).isGreaterThan(PngEncoder.STORED_UP_TO);
        byte[] deflated = PngEncoder.encode(large);
        assertThat(deflated.length).isLessThan(300 * 320 * 3 / 4);
        assertThat(argb(decode(deflated))).isEqualTo(argb(large));
        BufferedImage noisy = noise(320, 300, BufferedImage.TYPE_INT_ARGB, 10);
        assertThat(argb(decode(PngEncoder.encode(noisy)))).isEqualTo(argb(noisy));
    }

    /**
     * Stored images at the stored blocks' edges (65,535 bytes each): rows of exactly one block,
     * one byte more, a single pixel, translucent pixels; every chunk's CRC and the zlib stream
     * (header, block lengths and their complements, Adler-32) are checked by inflating it.
     */
    @Test
    void storedImagesAtTheBlockEdgesDecodeAndTheirChecksumsHold() throws Exception {
        int[][] sizes = {{1, 1}, {1456, 15}, {1456, 16}, {21845, 1}, {7, 3}, {224, 260}, {64, 1024}};
        for (int[] size : sizes) {
            for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB}) {
                BufferedImage image = noise(size[0], size[1], type, size[0] + 31L * size[1]);
                byte[] png = PngEncoder.encode(image);
                String what = size[0] + "x" + size[1] + " type " + type;
                assertThat(argb(decode(png))).as(what).isEqualTo(argb(image));
                java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(png, 8, png.length - 8);
                java.io.ByteArrayOutputStream zlib = new java.io.ByteArrayOutputStream();
                while (in.hasRemaining()) {
                    int length = in.getInt();
                    int start = in.position();
                    String name = new String(png, start, 4, java.nio.charset.StandardCharsets.US_ASCII);
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(png, start, 4 + length);
                    in.position(start + 4 + length);
                    assertThat(in.getInt()).as(what + " CRC of " + name).isEqualTo((int) crc.getValue());
                    if (name.equals("IDAT")) {
                        zlib.write(png, start + 4, length);
                    }
                }
                int channels = type == BufferedImage.TYPE_INT_ARGB ? 4 : 3;
                int rows = size[1] * (size[0] * channels + 1);
                java.util.zip.Inflater inflater = new java.util.zip.Inflater();
                inflater.setInput(zlib.toByteArray());
                byte[] out = new byte[rows + 1];
                assertThat(inflater.inflate(out)).as(what + " inflated bytes").isEqualTo(rows);
                assertThat(inflater.finished()).as(what + " stream ends, Adler-32 checked").isTrue();
                assertThat(inflater.getRemaining()).isZero();
                inflater.end();
            }
        }
    }
}

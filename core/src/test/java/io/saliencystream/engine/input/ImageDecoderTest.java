package io.saliencystream.engine.input;

import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageDecoderTest {

    private final ImageDecoder decoder = ImageDecoder.withDefaults();

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).isTrue();
        return out.toByteArray();
    }

    private static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 90);
            }
        }
        return img;
    }

    @Test
    void decodesPngExactlyAndJpegApproximately() throws Exception {
        BufferedImage img = gradient(40, 30);
        BufferedImage png = decoder.decode(encode(img, "png"));
        assertThat(png.getWidth()).isEqualTo(40);
        assertThat(png.getHeight()).isEqualTo(30);
        assertThat(png.getRGB(17, 11) & 0xffffff).isEqualTo(img.getRGB(17, 11) & 0xffffff);

        byte[] jpeg = encode(img, "jpeg");
        assertThat(decoder.probe(jpeg)).isEqualTo(new ImageHeader("jpeg", 40, 30));
        BufferedImage decoded = decoder.decode(jpeg);
        int expectedRed = (img.getRGB(20, 15) >> 16) & 0xff;
        assertThat((decoded.getRGB(20, 15) >> 16) & 0xff).isBetween(expectedRed - 20, expectedRed + 20);
    }

    @Test
    void refusesTruncatedImages() throws Exception {
        for (String format : List.of("png", "jpeg")) {
            byte[] full = encode(gradient(64, 64), format);
            byte[] cut = Arrays.copyOf(full, full.length / 2);
            assertThatThrownBy(() -> decoder.decode(cut)).as(format)
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo(InvalidInputException.IMAGE_UNDECODABLE))
                    .hasMessageContaining("corrupt or truncated");
        }
    }

    @Test
    void refusesGarbageEmptyAndUnsupportedFormats() throws Exception {
        byte[] garbage = "definitely not an image, just some text".getBytes(StandardCharsets.UTF_8);
        byte[] gif = encode(gradient(8, 8), "gif");
        for (byte[] bytes : List.of(garbage, new byte[0], gif)) {
            assertThatThrownBy(() -> decoder.probe(bytes))
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo(InvalidInputException.IMAGE_UNDECODABLE));
        }
        assertThatThrownBy(() -> decoder.decode(gif)).hasMessageContaining("only PNG and JPEG");
    }

    /** A PNG of just a signature, an IHDR claiming 100000 x 100000 pixels, and IEND. */
    private static byte[] bombHeader() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(100_000);
        d.writeInt(100_000);
        d.write(new byte[] {8, 2, 0, 0, 0}); // 8-bit RGB
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void refusesDecompressionBombFromTheHeaderAlone() throws Exception {
        byte[] bomb = bombHeader();
        // the file has no pixel data at all: a decoder that read pixels would fail as undecodable
        // (or run out of memory on 30 GB); refusing it as too large proves only the header was read
        for (var call : List.<ThrowingCall>of(() -> decoder.probe(bomb), () -> decoder.decode(bomb))) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo(InvalidInputException.IMAGE_TOO_LARGE))
                    .hasMessageContaining("100000x100000");
        }
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void refusesImagesOverTheByteAndPixelLimits() throws Exception {
        byte[] png = encode(gradient(40, 30), "png");
        assertThatThrownBy(() -> new ImageDecoder(1_000_000, png.length - 1).probe(png))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(InvalidInputException.IMAGE_TOO_LARGE))
                .hasMessageContaining("bytes");
        assertThatThrownBy(() -> new ImageDecoder(40 * 30 - 1, 1_000_000).decode(png))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(InvalidInputException.IMAGE_TOO_LARGE));
        assertThat(new ImageDecoder(40 * 30, png.length).probe(png)).isEqualTo(new ImageHeader("png", 40, 30));
    }

    @Test
    void rawTensorMustHaveTheSpecShapeAndFiniteValues() throws Exception {
        ModelSpec spec = new ModelSpec("m", "1", "m.onnx", null, "x", ModelSpec.Layout.NCHW, 4, 2, 3,
                ModelSpec.ColorOrder.RGB, 1.0, new double[3], new double[] {1, 1, 1}, null,
                ModelSpec.OutputKind.LOGITS, List.of("a", "b"), new ModelSpec.MethodSpec("occlusion", Map.of()));
        Preprocessor pre = new Preprocessor(spec);
        float[] ok = new float[24];
        assertThat(pre.checkRawTensor(new long[] {1, 3, 2, 4}, ok)).isSameAs(ok);
        assertThatThrownBy(() -> pre.checkRawTensor(new long[] {1, 2, 4, 3}, ok))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(InvalidInputException.TENSOR_SHAPE_MISMATCH))
                .hasMessageContaining("[1, 2, 4, 3]").hasMessageContaining("[1, 3, 2, 4]");
        assertThatThrownBy(() -> pre.checkRawTensor(new long[] {1, 3, 2, 4}, new float[23]))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(InvalidInputException.TENSOR_SHAPE_MISMATCH));
        float[] nan = new float[24];
        nan[13] = Float.NaN;
        assertThatThrownBy(() -> pre.checkRawTensor(new long[] {1, 3, 2, 4}, nan))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(InvalidInputException.TENSOR_NOT_FINITE))
                .hasMessageContaining("index 13");
    }
}

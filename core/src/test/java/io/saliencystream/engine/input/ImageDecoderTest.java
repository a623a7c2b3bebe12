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

    /** The header probe parses PNG and JPEG itself: it must say what ImageIO's readers say. */
    @Test
    void probeReadsTheHeaderAsImageIoDoes() throws Exception {
        List<byte[]> images = new java.util.ArrayList<>();
        for (int type : new int[] {BufferedImage.TYPE_BYTE_BINARY, BufferedImage.TYPE_BYTE_GRAY,
                BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_INT_RGB,
                BufferedImage.TYPE_INT_ARGB}) {
            BufferedImage img = new BufferedImage(37, 23, type);
            img.getGraphics().drawImage(gradient(37, 23), 0, 0, null);
            images.add(encode(img, "png"));
        }
        images.add(encode(gradient(301, 7), "jpeg"));
        images.add(encode(gradient(1, 1), "jpeg"));
        images.add(progressiveJpeg(gradient(64, 48)));
        for (byte[] bytes : images) {
            javax.imageio.ImageReader reader = ImageIO.getImageReaders(ImageIO.createImageInputStream(
                    new java.io.ByteArrayInputStream(bytes))).next();
            reader.setInput(ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes)));
            assertThat(decoder.probe(bytes)).isEqualTo(new ImageHeader(
                    reader.getFormatName().toLowerCase(java.util.Locale.ROOT), reader.getWidth(0), reader.getHeight(0)));
        }
    }

    private static byte[] progressiveJpeg(BufferedImage img) throws IOException {
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new javax.imageio.IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    @Test
    void probeReadsABufferInPlace() throws Exception {
        byte[] png = encode(gradient(40, 30), "png");
        byte[] framed = new byte[png.length + 20];
        System.arraycopy(png, 0, framed, 7, png.length);
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(framed, 7, png.length);
        assertThat(decoder.probe(buffer)).isEqualTo(new ImageHeader("png", 40, 30));
        assertThat(buffer.position()).isEqualTo(7);
        assertThat(buffer.remaining()).isEqualTo(png.length);
        assertThatThrownBy(() -> new ImageDecoder(1_000_000, png.length - 1).probe(buffer))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(InvalidInputException.IMAGE_TOO_LARGE));
    }

    /** Headers ImageIO's readers refuse are refused by the probe too, as undecodable. */
    @Test
    void probeRefusesCorruptHeaders() throws Exception {
        byte[] png = encode(gradient(40, 30), "png");
        byte[] jpeg = encode(gradient(40, 30), "jpeg");
        List<byte[]> corrupt = new java.util.ArrayList<>();
        corrupt.add(Arrays.copyOf(png, 20)); // cut inside IHDR
        for (int[] edit : new int[][] {{11, 12}, {12, 'X'}, {24, 3}, {25, 5}, {25, 2, 24, 4}, {25, 3, 24, 16},
                {26, 1}, {27, 1}, {28, 2}, {16, 0, 17, 0, 18, 0, 19, 0}}) {
            byte[] bad = png.clone(); // IHDR: length at 8, type at 12, width 16, height 20, depth 24, colour 25
            for (int i = 0; i < edit.length; i += 2) {
                bad[edit[i]] = (byte) edit[i + 1];
            }
            corrupt.add(bad);
        }
        int sof = frameHeader(jpeg);
        corrupt.add(Arrays.copyOf(jpeg, sof + 4)); // cut inside the frame header
        corrupt.add(Arrays.copyOf(jpeg, 20)); // cut before it
        byte[] scanFirst = jpeg.clone();
        scanFirst[sof + 1] = (byte) 0xda; // a scan before any frame header
        corrupt.add(scanFirst);
        byte[] zeroHeight = jpeg.clone();
        zeroHeight[sof + 5] = 0;
        zeroHeight[sof + 6] = 0;
        corrupt.add(zeroHeight);
        for (byte[] bytes : corrupt) {
            assertThatThrownBy(() -> decoder.probe(bytes))
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo(InvalidInputException.IMAGE_UNDECODABLE));
            assertThatThrownBy(() -> decoder.decode(bytes))
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo(InvalidInputException.IMAGE_UNDECODABLE));
        }
    }

    /** Where the baseline frame header (SOF0) starts, walking the segments from SOI. */
    private static int frameHeader(byte[] jpeg) {
        int at = 2;
        while ((jpeg[at + 1] & 0xff) != 0xc0) {
            at += 2 + ((jpeg[at + 2] & 0xff) << 8 | jpeg[at + 3] & 0xff);
        }
        return at;
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

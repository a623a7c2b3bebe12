package io.saliencystream.render;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * PNG encoding fast enough to sit next to an explanation: 8-bit RGB (RGBA where the image has
 * alpha), written as one IDAT. Images of at most {@link #STORED_UP_TO} bytes of pixel rows
 * (a 224x224 model's overlay with its footer is 175 KB) are stored uncompressed, in deflate's
 * stored blocks; larger ones have the first row Sub-filtered and every other row Up-filtered,
 * deflated at {@link Deflater#BEST_SPEED}.
 *
 * <p>Why store: deflating even at level 1 was the larger half of an overlay's cost and on its
 * own more than a tenth of the cheapest explanation. Measured on 224x260 overlays of a
 * photograph (outlines, viridis pixels, pink_green pixels): stored 170 KiB in about 0.06 ms;
 * Huffman-only deflate 96-141 KiB in 1.2 ms; level 1 56-128 KiB in 1.4-3 ms (fastest of 60, under
 * load). A stored 224x260 overlay is a sixth of the topic's 1 MiB message limit; a 768-pixel
 * one stored would exceed it, so larger images are still compressed.
 *
 * <p>Why not ImageIO: its PNG writer tries all five filters on every row in Java and deflates at
 * the default level, and {@code ImageIO.write} to a stream spills through a temporary cache file.
 * Its {@code ImageWriteParam} can lower the deflate level, but not choose the filter. On overlays
 * of photographs and text lines, measured: Up at level 1 came within 2 % of Paeth and of a
 * per-row choice among Sub, Up and Paeth (smallest sum of residuals) at level 1, with a quarter
 * of Paeth's filtering time and a sixth of the choice's; Huffman-only deflate saved a quarter of
 * the deflate time for 15-70 % more bytes. Palette PNGs are not tried: an overlay over a
 * grayscale image already holds up to 256 grays before any colour is added.
 */
public final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte NONE = 0;
    private static final byte SUB = 1;
    private static final byte UP = 2;

    /** Most bytes of pixel rows (with their filter bytes) stored without compression: 256 KiB. */
    static final int STORED_UP_TO = 256 * 1024;
    /** Most bytes of one stored deflate block. */
    private static final int MAX_STORED_BLOCK = 65_535;

    private PngEncoder() {
    }

    public static byte[] encode(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        boolean alpha = image.getColorModel().hasAlpha();
        int channels = alpha ? 4 : 3;
        int stride = w * channels;
        byte[] filtered = new byte[h * (stride + 1)];
        // unfiltered where stored: a filter only helps compression
        boolean store = filtered.length <= STORED_UP_TO;
        int[] packed = packedRgb(image);
        int[] above = new int[w];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            int[] current = row;
            int offset = y * w;
            if (packed == null) {
                image.getRGB(0, y, w, 1, row, 0, w);
                offset = 0;
            } else {
                current = packed;
            }
            int at = y * (stride + 1);
            if (store) {
                filtered[at] = NONE;
                none(current, offset, w, channels, filtered, at + 1);
            } else if (y == 0) {
                filtered[at] = SUB;
                sub(current, offset, w, channels, filtered, at + 1);
            } else {
                filtered[at] = UP;
                int[] previous = packed == null ? above : packed;
                int previousOffset = packed == null ? 0 : offset - w;
                up(current, offset, previous, previousOffset, w, channels, filtered, at + 1);
            }
            if (packed == null) {
                int[] swap = above;
                above = row;
                row = swap;
            }
        }
        byte[] header = new byte[13];
        putInt(header, 0, w);
        putInt(header, 4, h);
        header[8] = 8; // bits per channel
        header[9] = (byte) (alpha ? 6 : 2); // truecolour with alpha, or without
        if (store) {
            return stored(header, filtered);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(filtered.length / 3 + 1024);
        out.writeBytes(SIGNATURE);
        chunk(out, "IHDR", header, header.length);
        byte[] compressed = deflate(filtered, Deflater.BEST_SPEED);
        chunk(out, "IDAT", compressed, compressed.length);
        chunk(out, "IEND", new byte[0], 0);
        return out.toByteArray();
    }

    /**
     * The PNG of {@code rows} stored, written straight into one array of its final size: the
     * zlib stream of stored blocks (at most 65,535 bytes each, RFC 1951 3.2.4) laid out by hand
     * rather than through Deflater and a growing stream, which copied the rows three more times.
     */
    private static byte[] stored(byte[] header, byte[] rows) {
        int blocks = Math.max(1, (rows.length + MAX_STORED_BLOCK - 1) / MAX_STORED_BLOCK);
        int zlibLength = 2 + 5 * blocks + rows.length + 4;
        byte[] png = new byte[SIGNATURE.length + 12 + header.length + 12 + zlibLength + 12];
        System.arraycopy(SIGNATURE, 0, png, 0, SIGNATURE.length);
        int at = chunk(png, SIGNATURE.length, "IHDR", header, header.length);
        putInt(png, at, zlibLength);
        int idat = at + 4;
        png[idat] = 'I';
        png[idat + 1] = 'D';
        png[idat + 2] = 'A';
        png[idat + 3] = 'T';
        int o = idat + 4;
        png[o++] = 0x78; // deflate, 32 KiB window
        png[o++] = 0x01; // no dictionary, fastest; 0x7801 is a multiple of 31
        for (int b = 0, from = 0; b < blocks; b++) {
            int length = Math.min(MAX_STORED_BLOCK, rows.length - from);
            png[o++] = (byte) (b == blocks - 1 ? 1 : 0); // final block flag, type stored
            png[o++] = (byte) length;
            png[o++] = (byte) (length >>> 8);
            png[o++] = (byte) ~length;
            png[o++] = (byte) (~length >>> 8);
            System.arraycopy(rows, from, png, o, length);
            o += length;
            from += length;
        }
        Adler32 adler = new Adler32();
        adler.update(rows);
        putInt(png, o, (int) adler.getValue());
        o += 4;
        CRC32 crc = new CRC32();
        crc.update(png, idat, o - idat);
        putInt(png, o, (int) crc.getValue());
        chunk(png, o + 4, "IEND", new byte[0], 0);
        return png;
    }

    /** A chunk written into {@code png} at {@code at}; the position after it. */
    private static int chunk(byte[] png, int at, String type, byte[] data, int length) {
        putInt(png, at, length);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, png, at + 4, 4);
        System.arraycopy(data, 0, png, at + 8, length);
        CRC32 crc = new CRC32();
        crc.update(png, at + 4, 4 + length);
        putInt(png, at + 8 + length, (int) crc.getValue());
        return at + 12 + length;
    }

    /**
     * The pixels as 0x(AA)RRGGBB ints without copying, for the int-packed types the renderer
     * draws into (a standard layout, no sub-image offset); null for other images.
     */
    private static int[] packedRgb(BufferedImage image) {
        int type = image.getType();
        if ((type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB)
                && image.getRaster().getDataBuffer() instanceof DataBufferInt buffer
                && image.getRaster().getSampleModel() instanceof SinglePixelPackedSampleModel model
                && model.getScanlineStride() == image.getWidth()
                && image.getRaster().getSampleModelTranslateX() == 0 && image.getRaster().getSampleModelTranslateY() == 0
                && buffer.getOffset() == 0 && buffer.getNumBanks() == 1) {
            return buffer.getData();
        }
        return null;
    }

    /**
     * Up filter: each byte minus the byte above it, taken straight from the packed pixels (the
     * low byte of a difference of shifted ints is the bytes' difference modulo 256).
     */
    private static void up(int[] px, int offset, int[] above, int aboveOffset, int w, int channels, byte[] out, int at) {
        int o = at;
        for (int x = 0; x < w; x++) {
            int p = px[offset + x];
            int q = above[aboveOffset + x];
            out[o++] = (byte) ((p >> 16) - (q >> 16));
            out[o++] = (byte) ((p >> 8) - (q >> 8));
            out[o++] = (byte) (p - q);
            if (channels == 4) {
                out[o++] = (byte) ((p >>> 24) - (q >>> 24));
            }
        }
    }

    /** No filter: the bytes themselves. */
    private static void none(int[] px, int offset, int w, int channels, byte[] out, int at) {
        int o = at;
        for (int x = 0; x < w; x++) {
            int p = px[offset + x];
            out[o++] = (byte) (p >> 16);
            out[o++] = (byte) (p >> 8);
            out[o++] = (byte) p;
            if (channels == 4) {
                out[o++] = (byte) (p >>> 24);
            }
        }
    }

    /** Sub filter (each byte minus the same channel of the pixel to its left), for the first row. */
    private static void sub(int[] px, int offset, int w, int channels, byte[] out, int at) {
        int o = at;
        int q = 0;
        for (int x = 0; x < w; x++) {
            int p = px[offset + x];
            out[o++] = (byte) ((p >> 16) - (q >> 16));
            out[o++] = (byte) ((p >> 8) - (q >> 8));
            out[o++] = (byte) (p - q);
            if (channels == 4) {
                out[o++] = (byte) ((p >>> 24) - (q >>> 24));
            }
            q = p;
        }
    }

    private static byte[] deflate(byte[] data, int level) {
        Deflater deflater = new Deflater(level);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 3 + 64);
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        byte[] number = new byte[4];
        putInt(number, 0, length);
        out.writeBytes(number);
        out.writeBytes(name);
        out.write(data, 0, length);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data, 0, length);
        putInt(number, 0, (int) crc.getValue());
        out.writeBytes(number);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}

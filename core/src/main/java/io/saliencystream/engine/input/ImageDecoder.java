package io.saliencystream.engine.input;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Decodes PNG and JPEG bytes with limits. The size is read from the header before any pixel
 * is decoded, so a small file claiming a huge image (a decompression bomb) is refused without
 * allocating its pixels. Truncated data, which ImageIO's JPEG reader only reports as a
 * warning, is refused too.
 */
public final class ImageDecoder {

    public static final long DEFAULT_MAX_PIXELS = 16L * 1024 * 1024;
    public static final int DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

    private static final Set<String> FORMATS = Set.of("png", "jpeg");
    private static final String UNRECOGNISED = "image format not recognised (only PNG and JPEG are accepted)";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int IHDR = 0x49484452;

    private final long maxPixels;
    private final int maxBytes;

    public ImageDecoder(long maxPixels, int maxBytes) {
        if (maxPixels <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("image limits must be positive");
        }
        this.maxPixels = maxPixels;
        this.maxBytes = maxBytes;
    }

    public static ImageDecoder withDefaults() {
        return new ImageDecoder(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES);
    }

    /** Checks size limits, format and header only: cheap enough for every event. */
    public ImageHeader probe(byte[] bytes) throws InvalidInputException {
        return probe(bytes == null ? null : ByteBuffer.wrap(bytes));
    }

    /**
     * {@link #probe(byte[])} of the buffer's remaining bytes, which are neither copied nor moved.
     * The header is parsed here rather than by ImageIO, whose reader lookup and stream set-up cost
     * more than the rest of an unselected event's handling; it checks what ImageIO's header
     * reading checks (PNG: the IHDR chunk's fields; JPEG: a frame header before the scan). JPEG
     * tables before the frame header are not parsed: a corrupt one fails {@link #decode}.
     */
    public ImageHeader probe(ByteBuffer bytes) throws InvalidInputException {
        if (bytes == null || !bytes.hasRemaining()) {
            throw undecodable("image is empty", null);
        }
        checkByteLimit(bytes.remaining());
        ByteBuffer b = bytes.slice().order(ByteOrder.BIG_ENDIAN);
        ImageHeader header;
        if (startsWith(b, PNG_SIGNATURE)) {
            header = pngHeader(b);
        } else if (b.remaining() >= 3 && (b.getShort(0) & 0xffff) == 0xffd8 && (b.get(2) & 0xff) == 0xff) {
            header = jpegHeader(b);
        } else {
            throw undecodable(UNRECOGNISED, null);
        }
        return checkHeader(header);
    }

    private static ImageHeader pngHeader(ByteBuffer b) throws InvalidInputException {
        // signature, then IHDR first: length 13, type, width, height, depth, colour, compression, filter, interlace
        if (b.remaining() < 8 + 8 + 13) {
            throw undecodable("png header is corrupt or truncated: " + b.remaining() + " bytes", null);
        }
        if (b.getInt(8) != 13 || b.getInt(12) != IHDR) {
            throw undecodable("png header is corrupt or truncated: no IHDR chunk first", null);
        }
        int depth = b.get(24);
        int colour = b.get(25);
        boolean depthOk = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
        boolean colourOk = colour == 0 || colour == 2 || colour == 3 || colour == 4 || colour == 6;
        boolean comboOk = colour == 0 || (colour == 3 ? depth <= 8 : depth >= 8);
        if (!depthOk || !colourOk || !comboOk) {
            throw undecodable("png header is corrupt or truncated: bit depth " + depth + " with colour type "
                    + colour, null);
        }
        if (b.get(26) != 0 || b.get(27) != 0 || (b.get(28) != 0 && b.get(28) != 1)) {
            throw undecodable("png header is corrupt or truncated: unknown compression, filter or interlace method",
                    null);
        }
        return new ImageHeader("png", b.getInt(16), b.getInt(20));
    }

    private static ImageHeader jpegHeader(ByteBuffer b) throws InvalidInputException {
        int at = 2;
        while (true) {
            if (at + 2 > b.remaining() || (b.get(at) & 0xff) != 0xff) {
                throw undecodable("jpeg header is corrupt or truncated: no frame header", null);
            }
            int marker = b.get(at + 1) & 0xff;
            if (marker == 0xff) {
                at++; // fill byte
                continue;
            }
            if (marker == 0x01 || marker >= 0xd0 && marker <= 0xd7) {
                at += 2; // standalone marker
                continue;
            }
            if (marker == 0xd8 || marker == 0xd9 || marker == 0xda) {
                throw undecodable("jpeg header is corrupt or truncated: no frame header before the scan", null);
            }
            if (at + 4 > b.remaining()) {
                throw undecodable("jpeg header is corrupt or truncated: no frame header", null);
            }
            int length = b.getShort(at + 2) & 0xffff;
            boolean frame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (length < 2 || frame && (length < 8 || at + 2 + 8 > b.remaining())) {
                throw undecodable("jpeg header is corrupt or truncated: segment 0x"
                        + Integer.toHexString(marker) + " of length " + length, null);
            }
            if (frame) {
                // length, precision, height, width
                return new ImageHeader("jpeg", b.getShort(at + 7) & 0xffff, b.getShort(at + 5) & 0xffff);
            }
            at += 2 + length;
        }
    }

    private static boolean startsWith(ByteBuffer b, byte[] prefix) {
        if (b.remaining() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b.get(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Decodes to an RGB image (alpha composited over white) after the checks of {@link #probe}. */
    public BufferedImage decode(byte[] bytes) throws InvalidInputException {
        ImageReader reader = openReader(bytes);
        try {
            ImageHeader header = header(reader);
            StringBuilder warnings = new StringBuilder();
            reader.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) ->
                    warnings.append(warnings.isEmpty() ? "" : "; ").append(warning));
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw undecodable(header.format() + " image data is corrupt or truncated: " + e.getMessage(), e);
            }
            if (!warnings.isEmpty()) {
                throw undecodable(header.format() + " image data is corrupt or truncated: " + warnings, null);
            }
            return toRgb(image);
        } finally {
            reader.dispose();
        }
    }

    private ImageReader openReader(byte[] bytes) throws InvalidInputException {
        if (bytes == null || bytes.length == 0) {
            throw undecodable("image is empty", null);
        }
        checkByteLimit(bytes.length);
        // in memory: ImageIO's default stream for a byte array spills to a temporary file per image
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (FORMATS.contains(formatOf(reader))) {
                reader.setInput(in, true, true);
                return reader;
            }
        }
        throw undecodable(UNRECOGNISED, null);
    }

    private ImageHeader header(ImageReader reader) throws InvalidInputException {
        String format = formatOf(reader);
        int width;
        int height;
        try {
            width = reader.getWidth(0);
            height = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            throw undecodable(format + " header is corrupt or truncated: " + e.getMessage(), e);
        }
        return checkHeader(new ImageHeader(format, width, height));
    }

    private void checkByteLimit(int length) throws InvalidInputException {
        if (length > maxBytes) {
            throw new InvalidInputException(InvalidInputException.IMAGE_TOO_LARGE,
                    "image is " + length + " bytes, over the limit of " + maxBytes);
        }
    }

    private ImageHeader checkHeader(ImageHeader header) throws InvalidInputException {
        if (header.width() <= 0 || header.height() <= 0) {
            throw undecodable(header.format() + " header gives an empty size " + header.width() + "x"
                    + header.height(), null);
        }
        if (header.pixels() > maxPixels) {
            throw new InvalidInputException(InvalidInputException.IMAGE_TOO_LARGE,
                    header.format() + " image is " + header.width() + "x" + header.height() + " = " + header.pixels()
                            + " pixels, over the limit of " + maxPixels);
        }
        return header;
    }

    private static String formatOf(ImageReader reader) throws InvalidInputException {
        try {
            return reader.getFormatName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw undecodable("cannot read image format: " + e.getMessage(), e);
        }
    }

    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.drawImage(image, 0, 0, Color.WHITE, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }

    private static InvalidInputException undecodable(String message, Throwable cause) {
        return new InvalidInputException(InvalidInputException.IMAGE_UNDECODABLE, message, cause);
    }
}

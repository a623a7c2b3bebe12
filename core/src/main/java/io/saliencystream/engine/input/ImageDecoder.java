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
        ImageReader reader = openReader(bytes);
        try {
            return header(reader);
        } finally {
            reader.dispose();
        }
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
        if (bytes.length > maxBytes) {
            throw new InvalidInputException(InvalidInputException.IMAGE_TOO_LARGE,
                    "image is " + bytes.length + " bytes, over the limit of " + maxBytes);
        }
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
        throw undecodable("image format not recognised (only PNG and JPEG are accepted)", null);
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
        if (width <= 0 || height <= 0) {
            throw undecodable(format + " header gives an empty size " + width + "x" + height, null);
        }
        ImageHeader header = new ImageHeader(format, width, height);
        if (header.pixels() > maxPixels) {
            throw new InvalidInputException(InvalidInputException.IMAGE_TOO_LARGE,
                    format + " image is " + width + "x" + height + " = " + header.pixels()
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

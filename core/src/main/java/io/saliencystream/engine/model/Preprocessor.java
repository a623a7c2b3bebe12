package io.saliencystream.engine.model;

import io.saliencystream.engine.input.Bilinear;
import io.saliencystream.engine.input.InvalidInputException;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Turns an image into the model's input tensor as its {@link ModelSpec} says: resize, channel
 * order, scale, mean/std normalisation and layout; and checks raw tensors sent instead of images.
 */
public final class Preprocessor {

    private final ModelSpec spec;

    public Preprocessor(ModelSpec spec) {
        this.spec = spec;
    }

    /** The model input (batch of one) for {@code image}. */
    public float[] tensor(BufferedImage image) {
        BufferedImage resized = resized(image);
        int w = spec.width();
        int h = spec.height();
        int c = spec.channels();
        float[] out = new float[spec.inputSize()];
        for (int y = 0; y < h; y++) {
            // columns right of the resized image stay 0: PaddleOCR pads after normalising
            for (int x = 0; x < resized.getWidth(); x++) {
                int rgb = resized.getRGB(x, y);
                for (int ch = 0; ch < c; ch++) {
                    double v = channelValue(rgb, ch);
                    out[index(ch, y, x)] = (float) ((v * spec.pixelScale() - spec.mean()[ch]) / spec.std()[ch]);
                }
            }
        }
        return out;
    }

    /** The model input of {@code image} with where the picture lies in it. */
    public ModelInput prepare(BufferedImage image) {
        return new ModelInput(spec, tensor(image), contentRegion(image.getWidth(), image.getHeight()), image);
    }

    /**
     * A raw tensor (checked with {@link #checkRawTensor}) with where its picture lies: under
     * {@link ModelSpec.ResizeMode#KEEP_ASPECT_PAD_RIGHT}, the columns up to the last one that
     * holds a value other than 0 (the padding value), at least one; otherwise the whole input.
     */
    public ModelInput prepare(float[] tensor) {
        int width = spec.width();
        if (spec.resize() == ModelSpec.ResizeMode.KEEP_ASPECT_PAD_RIGHT) {
            width = 1;
            for (int x = spec.width() - 1; x > 0 && width == 1; x--) {
                for (int y = 0; y < spec.height() && width == 1; y++) {
                    for (int c = 0; c < spec.channels(); c++) {
                        if (tensor[index(c, y, x)] != 0f) {
                            width = x + 1;
                            break;
                        }
                    }
                }
            }
        }
        ContentRegion region = new ContentRegion(0, 0, width, spec.height());
        BufferedImage picture = image(tensor);
        return new ModelInput(spec, tensor, region,
                region.covers(spec) ? picture : picture.getSubimage(0, 0, width, spec.height()));
    }

    /** Where an image of this size lies in the model input. */
    public ContentRegion contentRegion(int imageWidth, int imageHeight) {
        return new ContentRegion(0, 0, contentWidth(imageWidth, imageHeight), spec.height());
    }

    /**
     * The image as the model sees it, at the model's width x height (padding shown as the
     * pixel value that normalises to 0), for overlays that must line up with the attribution map.
     */
    public BufferedImage modelView(BufferedImage image) {
        BufferedImage resized = resized(image);
        if (resized.getWidth() == spec.width()) {
            return resized;
        }
        BufferedImage view = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_INT_RGB);
        int pad = padRgb();
        for (int y = 0; y < spec.height(); y++) {
            for (int x = 0; x < spec.width(); x++) {
                view.setRGB(x, y, x < resized.getWidth() ? resized.getRGB(x, y) : pad);
            }
        }
        return view;
    }

    /**
     * The inverse of {@link #tensor}: the picture a model input shows, for overlays of events
     * that sent a raw tensor instead of an image. Values outside 0..255 are clamped.
     */
    public BufferedImage image(float[] tensor) {
        BufferedImage out = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_INT_RGB);
        boolean bgr = spec.channels() == 3 && spec.colorOrder() == ModelSpec.ColorOrder.BGR;
        int[] v = new int[3];
        for (int y = 0; y < spec.height(); y++) {
            for (int x = 0; x < spec.width(); x++) {
                for (int k = 0; k < 3; k++) {
                    int ch = spec.channels() == 1 ? 0 : k;
                    double pixel = (tensor[index(ch, y, x)] * spec.std()[ch] + spec.mean()[ch]) / spec.pixelScale();
                    v[k] = (int) Math.max(0, Math.min(255, Math.round(pixel)));
                }
                int r = bgr ? v[2] : v[0];
                int b = bgr ? v[0] : v[2];
                out.setRGB(x, y, (r << 16) | (v[1] << 8) | b);
            }
        }
        return out;
    }

    /**
     * Checks a raw tensor sent instead of an image: shape must be the spec's batch-of-one
     * shape and every value finite. Returns the values.
     */
    public float[] checkRawTensor(long[] shape, float[] values) throws InvalidInputException {
        long[] expected = spec.inputShape(1);
        if (!Arrays.equals(shape, expected)) {
            throw new InvalidInputException(InvalidInputException.TENSOR_SHAPE_MISMATCH,
                    "tensor shape " + Arrays.toString(shape) + " does not match model " + spec.key()
                            + " input shape " + Arrays.toString(expected) + " (" + spec.layout() + ")");
        }
        if (values == null || values.length != spec.inputSize()) {
            throw new InvalidInputException(InvalidInputException.TENSOR_SHAPE_MISMATCH,
                    "tensor has " + (values == null ? 0 : values.length) + " values, shape "
                            + Arrays.toString(shape) + " needs " + spec.inputSize());
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new InvalidInputException(InvalidInputException.TENSOR_NOT_FINITE,
                        "tensor value at flat index " + i + " is " + values[i]);
            }
        }
        return values;
    }

    /** Flat index of channel {@code c}, row {@code y}, column {@code x} in one input. */
    public int index(int c, int y, int x) {
        return spec.layout() == ModelSpec.Layout.NCHW
                ? (c * spec.height() + y) * spec.width() + x
                : (y * spec.width() + x) * spec.channels() + c;
    }

    /** Width the image occupies in the model input (the rest is padding). */
    public int contentWidth(int imageWidth, int imageHeight) {
        if (spec.resize() == ModelSpec.ResizeMode.STRETCH) {
            return spec.width();
        }
        long w = (long) Math.ceil(spec.height() * (double) imageWidth / imageHeight);
        return (int) Math.max(1, Math.min(spec.width(), w));
    }

    private BufferedImage resized(BufferedImage image) {
        return Bilinear.resize(image, contentWidth(image.getWidth(), image.getHeight()), spec.height());
    }

    private double channelValue(int rgb, int ch) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (spec.channels() == 1) {
            return 0.299 * r + 0.587 * g + 0.114 * b;
        }
        boolean rgbOrder = spec.colorOrder() == ModelSpec.ColorOrder.RGB;
        return switch (ch) {
            case 0 -> rgbOrder ? r : b;
            case 1 -> g;
            default -> rgbOrder ? b : r;
        };
    }

    private int padRgb() {
        int[] v = new int[3];
        for (int k = 0; k < 3; k++) {
            int ch = spec.channels() == 1 ? 0 : k;
            v[k] = (int) Math.max(0, Math.min(255, Math.round(spec.mean()[ch] / spec.pixelScale())));
        }
        // v is in model channel order; BGR models list blue first
        boolean bgr = spec.channels() == 3 && spec.colorOrder() == ModelSpec.ColorOrder.BGR;
        int r = bgr ? v[2] : v[0];
        int b = bgr ? v[0] : v[2];
        return (r << 16) | (v[1] << 8) | b;
    }
}

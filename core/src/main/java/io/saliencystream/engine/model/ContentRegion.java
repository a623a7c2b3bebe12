package io.saliencystream.engine.model;

import io.saliencystream.engine.AttributionMap;

/**
 * Where the image lies in a model input: the rectangle of input pixels the resized picture fills.
 * The rest is padding the preprocessing added (PaddleOCR's right padding), which no method may
 * perturb, segment or attribute: it is not part of what the model was shown.
 *
 * @param x      first column of the picture in the model input
 * @param y      first row
 * @param width  columns the picture fills
 * @param height rows the picture fills
 */
public record ContentRegion(int x, int y, int width, int height) {

    public ContentRegion {
        if (x < 0 || y < 0 || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("content region needs a non-negative origin and a positive size, got "
                    + x + "," + y + " " + width + "x" + height);
        }
    }

    /** The whole input of {@code spec}: nothing was padded. */
    public static ContentRegion whole(ModelSpec spec) {
        return new ContentRegion(0, 0, spec.width(), spec.height());
    }

    /** Whether this region is the whole input of {@code spec}. */
    public boolean covers(ModelSpec spec) {
        return x == 0 && y == 0 && width == spec.width() && height == spec.height();
    }

    public boolean contains(int px, int py) {
        return px >= x && px < x + width && py >= y && py < y + height;
    }

    /**
     * The spec of a model that takes only this region: the same model, preprocessing and labels,
     * {@code width} x {@code height} pixels.
     */
    ModelSpec specOf(ModelSpec full) {
        return new ModelSpec(full.name(), full.version(), full.onnxFile(), full.source(), full.inputName(), full.layout(),
                width, height, full.channels(), full.colorOrder(), full.pixelScale(), full.mean(), full.std(),
                ModelSpec.ResizeMode.STRETCH, full.output(), full.labels(), full.method(), full.score(),
                full.session());
    }

    /** The values of this region of one full input of {@code full}, as an input of {@link #specOf}. */
    float[] crop(float[] input, ModelSpec full) {
        Preprocessor outer = new Preprocessor(full);
        Preprocessor inner = new Preprocessor(specOf(full));
        float[] out = new float[width * height * full.channels()];
        for (int c = 0; c < full.channels(); c++) {
            for (int yy = 0; yy < height; yy++) {
                for (int xx = 0; xx < width; xx++) {
                    out[inner.index(c, yy, xx)] = input[outer.index(c, y + yy, x + xx)];
                }
            }
        }
        return out;
    }

    /** Writes one input of {@link #specOf} into this region of {@code frame}, a full input. */
    void paste(float[] content, int contentOffset, float[] frame, int frameOffset, ModelSpec full) {
        Preprocessor outer = new Preprocessor(full);
        Preprocessor inner = new Preprocessor(specOf(full));
        for (int c = 0; c < full.channels(); c++) {
            for (int yy = 0; yy < height; yy++) {
                for (int xx = 0; xx < width; xx++) {
                    frame[frameOffset + outer.index(c, y + yy, x + xx)] = content[contentOffset + inner.index(c, yy, xx)];
                }
            }
        }
    }

    /** A map of this region placed into the full input's size; padding gets exactly 0. */
    public AttributionMap embed(AttributionMap content, int fullWidth, int fullHeight) {
        if (content.width() != width || content.height() != height) {
            throw new IllegalArgumentException("map is " + content.width() + "x" + content.height()
                    + ", the content region " + width + "x" + height);
        }
        float[] out = new float[fullWidth * fullHeight];
        for (int yy = 0; yy < height; yy++) {
            System.arraycopy(content.values(), yy * width, out, (y + yy) * fullWidth + x, width);
        }
        return new AttributionMap(fullWidth, fullHeight, out);
    }
}

package io.saliencystream.engine;

/** Attribution per input pixel, {@code values} row-major (index y * width + x). */
public record AttributionMap(int width, int height, float[] values) {

    public AttributionMap {
        if (width <= 0 || height <= 0 || values == null || values.length != width * height) {
            throw new IllegalArgumentException("attribution map " + width + "x" + height + " needs "
                    + ((long) width * height) + " values, got " + (values == null ? 0 : values.length));
        }
    }

    public float get(int x, int y) {
        return values[y * width + x];
    }
}

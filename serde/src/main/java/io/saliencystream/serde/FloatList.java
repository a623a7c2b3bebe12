package io.saliencystream.serde;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An Avro {@code array<float>} as {@link AvroDeserializer} reads it from a record written in the
 * reader's own schema: a fixed-size {@code List<Float>} over a {@code float[]}, whose values are
 * taken without boxing ({@link #getFloat}, {@link #toFloatArray}).
 */
public final class FloatList extends AbstractList<Float> implements RandomAccess {

    private final float[] values;

    FloatList(float[] values) {
        this.values = values;
    }

    @Override
    public Float get(int index) {
        return values[index];
    }

    public float getFloat(int index) {
        return values[index];
    }

    @Override
    public Float set(int index, Float value) {
        float old = values[index];
        values[index] = value;
        return old;
    }

    @Override
    public int size() {
        return values.length;
    }

    /** A copy of the values. */
    public float[] toFloatArray() {
        return values.clone();
    }
}

package io.saliencystream.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.FastReaderBuilder;
import org.apache.avro.specific.SpecificData;

/**
 * Reads a specific record written in the reader's own schema, with every {@code array<float>}
 * reached through its records and unions read into a {@link FloatList} over a {@code float[]},
 * so its values are never boxed. Every other part is read by Avro's fast reader.
 *
 * <p>Why: Avro's fast reader reads each array element as an object, one {@code readFloat} at a
 * time, so a raw tensor of 27,648 floats became 27,648 {@code Float}s, decoded and unboxed again
 * for every event the selection stage validates; that was most of its cost. Avro has no hook for
 * an array's element reader, and a conversion only sees the list after it is boxed. A reader of
 * the binary bytes alone, skipping the values for the selection stage, would have needed its own
 * walk of every field and a second way to validate. Only for writer schemas with the reader's
 * Parsing Canonical Form, where the bytes lie exactly as the reader schema says; any other writer
 * schema goes through Avro's resolving fast reader ({@link #reads}).
 */
final class UnboxedFloatsReader<T> implements DatumReader<T> {

    @FunctionalInterface
    private interface Part {
        Object read(Decoder in) throws IOException;
    }

    /** Floats converted at a time: 64 KB of bytes. */
    private static final int CHUNK = 16_384;

    private final Part root;

    private UnboxedFloatsReader(Part root) {
        this.root = root;
    }

    /**
     * Whether this reader can read {@code writer}'s bytes as {@code reader}: same Parsing Canonical
     * Form, a float array reachable through records and unions, and no recursive record.
     */
    static boolean reads(Schema writer, Schema reader) {
        return !recursive(reader, new ArrayDeque<>()) && hasFloatArray(reader)
                && SchemaNormalization.toParsingForm(writer).equals(SchemaNormalization.toParsingForm(reader));
    }

    /** A reader of {@code schema} (see {@link #reads}), with the conversions and classes of {@code data}. */
    static <T> UnboxedFloatsReader<T> of(SpecificData data, Schema schema) throws IOException {
        return new UnboxedFloatsReader<>(part(data, data.getFastReaderBuilder(), schema));
    }

    @Override
    public void setSchema(Schema schema) {
        throw new UnsupportedOperationException("the schema is fixed when the reader is built");
    }

    @Override
    @SuppressWarnings("unchecked")
    public T read(T reuse, Decoder in) throws IOException {
        if (!(in instanceof BinaryDecoder)) {
            // floats are read as the binary encoding's bytes
            throw new IllegalArgumentException("reads Avro's binary encoding only, not " + in.getClass().getName());
        }
        return (T) root.read(in);
    }

    private static Part part(SpecificData data, FastReaderBuilder avro, Schema schema) throws IOException {
        if (!hasFloatArray(schema)) {
            DatumReader<Object> reader = avro.createDatumReader(schema, schema);
            return in -> reader.read(null, in);
        }
        switch (schema.getType()) {
            case ARRAY:
                return in -> floats(schema, in);
            case UNION: {
                List<Schema> branches = schema.getTypes();
                Part[] parts = new Part[branches.size()];
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = part(data, avro, branches.get(i));
                }
                return in -> {
                    int index = in.readIndex();
                    if (index < 0 || index >= parts.length) {
                        throw new AvroRuntimeException("Union index " + index + " out of bounds for " + schema);
                    }
                    return parts[index].read(in);
                };
            }
            case RECORD: {
                List<Schema.Field> fields = schema.getFields();
                Part[] parts = new Part[fields.size()];
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = part(data, avro, fields.get(i).schema());
                }
                return in -> {
                    IndexedRecord record = (IndexedRecord) data.newRecord(null, schema);
                    for (int i = 0; i < parts.length; i++) {
                        record.put(i, parts[i].read(in));
                    }
                    return record;
                };
            }
            default:
                throw new IllegalStateException("no float array to read in " + schema);
        }
    }

    /**
     * An array of floats, block by block, under the same size checks as Avro's readers. A block's
     * floats are 4 little-endian bytes each, back to back: read as bytes in chunks and converted
     * in bulk, several times faster than a {@code readFloat} per value.
     */
    private static FloatList floats(Schema schema, Decoder in) throws IOException {
        long count = in.readArrayStart();
        check(schema, in, 0, count);
        // sized once when the decoder knows the payload's end (the check above bounds count by it)
        float[] values = new float[in.remainingBytes() >= 0 ? (int) count : GenericDatumReader.initialCollectionCapacity(count)];
        byte[] chunk = new byte[4 * (int) Math.min(count, CHUNK)];
        int size = 0;
        while (count > 0) {
            if (size + count > values.length) {
                values = Arrays.copyOf(values, Math.max(size + (int) count, values.length + (values.length >> 1)));
            }
            for (long left = count; left > 0; ) {
                int n = (int) Math.min(left, CHUNK);
                if (chunk.length < 4 * n) {
                    chunk = new byte[4 * n];
                }
                in.readFixed(chunk, 0, 4 * n);
                ByteBuffer.wrap(chunk, 0, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values, size, n);
                size += n;
                left -= n;
            }
            count = in.arrayNext();
            check(schema, in, size, count);
        }
        return new FloatList(size == values.length ? values : Arrays.copyOf(values, size));
    }

    private static void check(Schema schema, Decoder in, long read, long count) throws IOException {
        SystemLimitException.checkMaxCollectionLength(read, count);
        // a corrupt count must not allocate more than the payload can hold
        GenericDatumReader.ensureAvailableCollectionBytes(in, count, schema.getElementType());
    }

    /** A float array (no logical type) reachable through records and unions. */
    private static boolean hasFloatArray(Schema schema) {
        return switch (schema.getType()) {
            case ARRAY -> schema.getElementType().getType() == Schema.Type.FLOAT
                    && schema.getElementType().getLogicalType() == null && schema.getLogicalType() == null;
            case UNION -> schema.getTypes().stream().anyMatch(UnboxedFloatsReader::hasFloatArray);
            case RECORD -> schema.getLogicalType() == null
                    && schema.getFields().stream().anyMatch(f -> hasFloatArray(f.schema()));
            default -> false;
        };
    }

    private static boolean recursive(Schema schema, Deque<Schema> path) {
        switch (schema.getType()) {
            case RECORD:
                if (path.stream().anyMatch(s -> s == schema)) {
                    return true;
                }
                path.push(schema);
                try {
                    return schema.getFields().stream().anyMatch(f -> recursive(f.schema(), path));
                } finally {
                    path.pop();
                }
            case UNION:
                return schema.getTypes().stream().anyMatch(s -> recursive(s, path));
            case ARRAY:
                return recursive(schema.getElementType(), path);
            case MAP:
                return recursive(schema.getValueType(), path);
            default:
                return false;
        }
    }
}

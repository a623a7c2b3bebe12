package io.saliencystream.serde;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.FastReaderBuilder;
import org.apache.avro.specific.SpecificData;

/**
 * Reads a specific record written in the reader's own schema, with every {@code array<float>}
 * reached through its records and unions read into a {@link PrimitivesArrays.FloatArray} (the
 * {@code float[]}-backed list Avro's generic data uses for such arrays), so its values can be
 * taken with {@code getFloat} and are never boxed. Every other part is read by Avro's fast reader.
 *
 * <p>Why: Avro's fast reader reads each array element as an object, so a raw tensor of 27,648
 * floats became 27,648 {@code Float}s, decoded and unboxed again for every event the selection
 * stage validates; that was most of its cost. Avro has no hook for an array's element reader, and
 * a conversion only sees the list after it is boxed. Only for writer schemas with the reader's
 * Parsing Canonical Form, where the bytes lie exactly as the reader schema says; any other writer
 * schema goes through Avro's resolving fast reader ({@link #reads}).
 */
final class UnboxedFloatsReader<T> implements DatumReader<T> {

    @FunctionalInterface
    private interface Part {
        Object read(Decoder in) throws IOException;
    }

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

    /** An array of floats, block by block, under the same size checks as Avro's readers. */
    private static PrimitivesArrays.FloatArray floats(Schema schema, Decoder in) throws IOException {
        long count = in.readArrayStart();
        check(schema, in, 0, count);
        // sized once when the decoder knows the payload's end (the check above bounds count by it)
        PrimitivesArrays.FloatArray values = new PrimitivesArrays.FloatArray(
                in.remainingBytes() >= 0 ? (int) count : GenericDatumReader.initialCollectionCapacity(count), schema);
        while (count > 0) {
            for (long i = 0; i < count; i++) {
                values.add(values.size(), in.readFloat());
            }
            count = in.arrayNext();
            check(schema, in, values.size(), count);
        }
        return values;
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

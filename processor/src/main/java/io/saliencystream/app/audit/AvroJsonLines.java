package io.saliencystream.app.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.io.JsonDecoder;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Records as JSON lines in Avro's own JSON encoding (one record per line), which reads back
 * exactly: unlike {@code SpecificRecord.toString()}, unions are tagged and floats, bytes and
 * timestamps keep their Avro types, so a file of audit records can be verified later.
 */
public final class AvroJsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AvroJsonLines() {
    }

    public static <T extends SpecificRecord> String toJson(T record) {
        Schema schema = record.getSchema();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, out, false);
            new SpecificDatumWriter<T>(schema).write(record, encoder);
            encoder.flush();
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + schema.getName() + " as JSON", e);
        }
    }

    /**
     * The record of one line. A line written before its schema gained a field (a summary from before
     * {@code interpretationBucket}, say) reads with that field's default: Avro's JSON decoder alone
     * would refuse it, having no writer schema to resolve against.
     */
    public static <T extends SpecificRecord> T fromJson(String json, Class<T> type) throws IOException {
        Schema schema = SpecificData.get().getSchema(type);
        JsonDecoder decoder = DecoderFactory.get().jsonDecoder(schema, withDefaults(json, schema));
        return new SpecificDatumReader<T>(type).read(null, decoder);
    }

    private static String withDefaults(String json, Schema schema) throws IOException {
        JsonNode node = JSON.readTree(json);
        if (!(node instanceof ObjectNode record)) {
            return json;
        }
        boolean added = false;
        for (Schema.Field f : schema.getFields()) {
            if (!record.has(f.name()) && f.hasDefaultValue()) {
                Object value = f.defaultVal();
                JsonNode encoded = value == JsonProperties.NULL_VALUE ? NullNode.getInstance() : JSON.valueToTree(value);
                // in Avro's JSON encoding a non-null union value names its branch: the default's is the first
                if (f.schema().getType() == Schema.Type.UNION && !encoded.isNull()) {
                    encoded = JSON.createObjectNode().set(f.schema().getTypes().get(0).getFullName(), encoded);
                }
                record.set(f.name(), encoded);
                added = true;
            }
        }
        return added ? JSON.writeValueAsString(record) : json;
    }

    public static <T extends SpecificRecord> void write(Path file, List<T> records) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (T record : records) {
                w.write(toJson(record));
                w.newLine();
            }
        }
    }

    /** Every record of the file; blank lines are skipped, a line that is not a record fails naming its number. */
    public static <T extends SpecificRecord> List<T> read(Path file, Class<T> type) throws IOException {
        List<T> records = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            int number = 0;
            for (String line; (line = r.readLine()) != null; ) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    records.add(fromJson(line, type));
                } catch (IOException | AvroRuntimeException e) {
                    throw new IOException(file + " line " + number + " is not an Avro JSON " + type.getSimpleName()
                            + ": " + e.getMessage(), e);
                }
            }
        }
        return records;
    }
}

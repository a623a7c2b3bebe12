package io.saliencystream.dashboard;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro records as plain maps and lists that Jackson writes as JSON, field by field in the writer's
 * schema, so that fields newer than this build are shown too. Timestamps become epoch milliseconds,
 * bytes their length (the page never needs them),
 * enum symbols their name.
 */
final class RecordJson {

    private RecordJson() {
    }

    static Map<String, Object> of(GenericRecord record) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field f : record.getSchema().getFields()) {
            out.put(f.name(), value(record.get(f.pos())));
        }
        return out;
    }

    private static Object value(Object v) {
        if (v == null || v instanceof Boolean || v instanceof Number) {
            return v;
        }
        if (v instanceof CharSequence || v instanceof Enum<?>) {
            return v.toString();
        }
        if (v instanceof Instant i) {
            return i.toEpochMilli();
        }
        if (v instanceof ByteBuffer b) {
            return Map.of("bytes", b.remaining());
        }
        if (v instanceof GenericRecord r) {
            return of(r);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k.toString(), value(x)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            c.forEach(x -> out.add(value(x)));
            return out;
        }
        return v.toString();
    }
}

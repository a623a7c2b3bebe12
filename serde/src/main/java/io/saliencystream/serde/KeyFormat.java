package io.saliencystream.serde;

import io.saliencystream.registry.SchemaRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How record keys (event ids, drift series) are written: plain UTF-8 strings, which Kafka's
 * {@code StringDeserializer} reads, or Avro strings in the Confluent wire format, which
 * Confluent's {@code AvroDeserializer} (and {@code AvroConsumer}) reads.
 */
public enum KeyFormat {
    STRING("string"),
    AVRO("avro");

    private static final Schema AVRO_STRING = Schema.create(Schema.Type.STRING);

    private final String setting;

    KeyFormat(String setting) {
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }

    public static KeyFormat parse(String key, String value) {
        return Arrays.stream(values()).filter(f -> f.setting.equals(value)).findFirst()
                .orElseThrow(() -> new ConfigException(key, value, "allowed: string, avro"));
    }

    /** The serde of keys in this format. */
    public Serde<String> serde(SchemaRegistry registry, SerdeSettings settings) {
        if (this == STRING) {
            return Serdes.String();
        }
        Serializer<String> serializer = (topic, key) -> {
            if (key == null) {
                return null;
            }
            String subject = settings.keyStrategy().subject(topic, true, AVRO_STRING);
            int id = settings.useLatestVersion() ? registry.latest(subject).id()
                    : settings.autoRegister() ? registry.register(subject, AVRO_STRING)
                    : registry.lookUp(subject, AVRO_STRING);
            return ConfluentWireFormat.frame(id, avroString(key));
        };
        Deserializer<Object> avro = AvroDeserializer.generic(registry);
        Deserializer<String> deserializer = (topic, bytes) -> {
            Object key = avro.deserialize(topic, bytes);
            if (key != null && !(key instanceof CharSequence)) {
                throw new SerializationException("Key on topic " + topic + " is Avro " + key.getClass().getSimpleName()
                        + ", not an Avro string");
            }
            return key == null ? null : key.toString();
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /** Avro's binary string: zig-zag varint length, then UTF-8. */
    private static byte[] avroString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(utf8.length + 10);
        long n = ((long) utf8.length << 1) ^ ((long) utf8.length >> 63);
        while ((n & ~0x7FL) != 0) {
            out.put((byte) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.put((byte) n);
        out.put(utf8);
        return Arrays.copyOf(out.array(), out.position());
    }
}

package io.saliencystream.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent Schema Registry wire format: magic byte 0, the schema's global id as a 4-byte
 * big-endian integer, then the Avro binary encoding of the value.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {
    }

    /** Prefixes {@code avroBinary} with the magic byte and {@code schemaId}. */
    public static byte[] frame(int schemaId, byte[] avroBinary) {
        return ByteBuffer.allocate(HEADER_LENGTH + avroBinary.length)
                .put(MAGIC_BYTE)
                .putInt(schemaId)
                .put(avroBinary)
                .array();
    }

    /** The schema id of a framed payload; fails clearly on short data or a wrong magic byte. */
    public static int schemaId(byte[] framed) {
        if (framed == null || framed.length < HEADER_LENGTH) {
            throw new SerializationException("Not Confluent wire format: "
                    + (framed == null ? "no bytes" : framed.length + " bytes, fewer than the 5-byte header"));
        }
        if (framed[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "Not Confluent wire format: magic byte is 0x%02x, expected 0x00", framed[0]));
        }
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }
}

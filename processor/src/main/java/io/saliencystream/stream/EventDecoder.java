package io.saliencystream.stream;

import io.saliencystream.registry.SchemaRegistryException;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.ConfluentWireFormat;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Turns a record value into an {@link InferenceEvent} (or, in the explanation stage, an
 * {@code ExplanationRequest}), sorting failures into the decode-stage codes of
 * {@link ErrorCodes}. A registry that cannot be reached is not a fault of the input: that
 * failure is rethrown, so the stream stops rather than dead-letter every record.
 */
final class EventDecoder<T> {

    private final Deserializer<T> deserializer;
    private final String expected;

    EventDecoder(Deserializer<T> deserializer, Class<T> type) {
        this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        this.expected = "an " + type.getSimpleName();
    }

    static EventDecoder<InferenceEvent> events(Deserializer<InferenceEvent> deserializer) {
        return new EventDecoder<>(deserializer, InferenceEvent.class);
    }

    T decode(String topic, byte[] value) throws RejectedInputException {
        if (value == null) {
            throw reject(ErrorCodes.NULL_VALUE, "Record has no value; " + expected + " was expected", null);
        }
        if (value.length < ConfluentWireFormat.HEADER_LENGTH) {
            throw reject(ErrorCodes.NOT_WIRE_FORMAT, "Value is " + value.length
                    + " bytes, shorter than the 5-byte Confluent wire-format header", null);
        }
        if (value[0] != ConfluentWireFormat.MAGIC_BYTE) {
            throw reject(ErrorCodes.NOT_WIRE_FORMAT, String.format(
                    "Value starts with 0x%02x, not the Confluent wire-format magic byte 0x00", value[0]), null);
        }
        try {
            T decoded = deserializer.deserialize(topic, value);
            if (decoded == null) {
                throw reject(ErrorCodes.UNDECODABLE, "Deserializer returned nothing for " + expected, null);
            }
            return decoded;
        } catch (RuntimeException e) {
            SchemaRegistryException registryError = registryCause(e);
            if (registryError == null) {
                throw reject(ErrorCodes.UNDECODABLE, "Cannot read the value as " + expected + ": " + e.getMessage(), e);
            }
            if (registryError.httpStatus() == 404 || registryError.errorCode() == 40403) {
                throw reject(ErrorCodes.UNKNOWN_SCHEMA_ID, "Schema id "
                        + ByteBuffer.wrap(value, 1, 4).getInt()
                        + " in the header is not in the schema registry: " + registryError.getMessage(), e);
            }
            throw e;
        }
    }

    private static SchemaRegistryException registryCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException sre) {
                return sre;
            }
        }
        return null;
    }

    private static RejectedInputException reject(String code, String message, Throwable cause) {
        return new RejectedInputException(Stage.DECODE, code, message, cause);
    }
}

package io.saliencystream.registry;

/** A schema registry call failed: unknown id or subject, incompatible schema, server error, or no server. */
public class SchemaRegistryException extends RuntimeException {

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message) {
        this(message, 0, 0, null);
    }

    /** HTTP status of the failed call, or 0 when no response came back. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's own error code (Confluent API "error_code", e.g. 40403 schema not found), or 0. */
    public int errorCode() {
        return errorCode;
    }
}
